// Public surface of the Active Directory target connector.
export { adConnector, createAdTarget } from './ad-connector.ts'
export { adOptionsSchema, type AdOptions } from './ad-options.ts'
export type { AdTarget } from './ad-target.ts'
