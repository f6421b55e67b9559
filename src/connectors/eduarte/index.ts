/** The Eduarte source connector: its definition is all the engine needs. */
export { eduarteDefinition, eduarteOptions, EDUARTE_WRITE_BACK_FIELDS } from './eduarte-connector.ts'
export type { EduarteOptions } from './eduarte-connector.ts'
