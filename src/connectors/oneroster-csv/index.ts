/** The OneRoster CSV source connector: its definition is all the engine needs. */
export { oneRosterCsvConnector, oneRosterCsvOptions } from './oneroster-csv-connector.ts'
export type { OneRosterCsvOptions } from './oneroster-csv-connector.ts'
