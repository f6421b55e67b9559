// Public surface of the Microsoft Entra ID target connector (Microsoft Graph v1.0).
export { entraConnector } from './entra-connector.ts'
export { EntraTarget, odataString } from './entra-target.ts'
export { entraOptionsSchema, DEFAULT_READ_ATTRIBUTES, type EntraOptions } from './entra-options.ts'
