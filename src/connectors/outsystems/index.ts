// Public surface of the OutSystems target connector.
export { outSystemsConnector, createOutSystemsTarget } from './outsystems-connector.ts'
export { OutSystemsTarget, type OutSystemsServices } from './outsystems-target.ts'
export { outSystemsOptionsSchema, type OutSystemsOptions } from './outsystems-options.ts'
