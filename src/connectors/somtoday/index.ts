/** The Somtoday ConnectAPI source connector (with write-back): its definition is all the engine needs. */
export { somtodayConnector, SomtodaySource, WRITE_BACK_FIELDS } from './somtoday-connector.ts'
export { somtodayOptions } from './somtoday-options.ts'
export type { SomtodayOptions } from './somtoday-options.ts'
export { MAX_BULK_ACCOUNTS } from './somtoday-api.ts'
