// AFAS Profit REST simulator: GetConnectors and the KnEmployee/KnUser update connectors over the generator's staff.
export { afasAuthorization, DEFAULT_CONNECTORS, startAfasSim } from './afas-sim.ts'
export type { AfasConnectorNames, AfasSim, AfasSimOptions } from './afas-sim.ts'
export { buildAfasData, NAME_USAGE_CODE, ROOT_UNIT } from './afas-data.ts'
export type { AfasData, AfasRow } from './afas-data.ts'
