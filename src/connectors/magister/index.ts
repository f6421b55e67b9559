/** The Magister source connector: its definition is all the engine needs. */
export {
  magisterConnector,
  magisterOptions,
  MAGISTER_WRITE_BACK_FIELDS,
} from './magister-connector.ts'
export type { MagisterOptions } from './magister-connector.ts'
