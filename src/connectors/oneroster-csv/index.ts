/** The OneRoster CSV source connector: its definition is all the engine needs. */
export { oneRosterCsvDefinition, oneRosterCsvOptions } from './oneroster-csv-connector.ts'
export type { OneRosterCsvOptions } from './oneroster-csv-connector.ts'
