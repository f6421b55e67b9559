/** The plain CSV source connector: its definition is all the engine needs. */
export { csvDefinition, csvOptions } from './csv-connector.ts'
export type { CsvOptions } from './csv-connector.ts'
