// OneRoster 1.1/1.2 REST rostering simulator over the generator's board.
export { parseFilter, startOneRosterRestSim } from './oneroster-rest-sim.ts'
export type { OneRosterRestSim, OneRosterRestSimOptions } from './oneroster-rest-sim.ts'
export { basePath, buildRestData, COLLECTIONS } from './oneroster-rest-data.ts'
export type { Collection, RestData, RestRecord } from './oneroster-rest-data.ts'
