// The SCIM 2.0 service provider simulator: the package entry point `@koppel/sim/scim`.
export * from './scim-server.ts'
export { parseEqFilter } from './eq-filter.ts'
