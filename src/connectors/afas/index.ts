/** The AFAS Profit source connector: its definition is all the engine needs. */
export { afasConnector, AFAS_WRITE_BACK_FIELDS } from './afas-connector.ts'
export { afasOptions } from './afas-options.ts'
export type { AfasOptions } from './afas-options.ts'
