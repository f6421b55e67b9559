// Magister (Schoolware /doc web service) simulator: see README.md.
export { magisterDate, magisterRows, MAGISTER_COLUMNS } from './magister-data.ts'
export type { MagisterDataOptions, MagisterRow } from './magister-data.ts'
export { startMagisterSim } from './magister-sim.ts'
export type { MagisterSim, MagisterSimOptions } from './magister-sim.ts'
