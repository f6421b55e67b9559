/** The plain CSV source connector: its definition is all the engine needs. */
export { csvConnector, csvOptions } from './csv-connector.ts'
export type { CsvOptions } from './csv-connector.ts'
