// Public surface of the OutSystems target connector.
export { outSystemsConnector, createOutSystemsTarget, OutSystemsTarget } from './outsystems-connector.ts'
export { outSystemsOptionsSchema, type OutSystemsOptions } from './outsystems-options.ts'
