// Public surface of the generic SCIM 2.0 target connector.
export { scimConnector } from './scim-connector.ts'
export { ScimTarget, scimErrorDetail } from './scim-target.ts'
export { scimOptionsSchema, type ScimOptions } from './scim-options.ts'
