/** The OneRoster REST source connector: its definition is all the engine needs. */
export { oneRosterRestConnector } from './oneroster-rest-connector.ts'
export { oneRosterRestOptions } from './oneroster-rest-options.ts'
export type { OneRosterRestOptions } from './oneroster-rest-options.ts'
