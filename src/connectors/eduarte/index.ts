/** The Eduarte source connector: its definition is all the engine needs. */
export { eduarteConnector, eduarteOptions, EDUARTE_WRITE_BACK_FIELDS } from './eduarte-connector.ts'
export type { EduarteOptions } from './eduarte-connector.ts'
