// Public surface of the OutSystems target connector.
export { outSystemsTarget, createOutSystemsTarget, OutSystemsTarget } from './outsystems-connector.ts'
export { outSystemsOptionsSchema, type OutSystemsOptions } from './outsystems-options.ts'
