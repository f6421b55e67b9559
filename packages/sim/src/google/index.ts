// The Google Admin SDK Directory simulator: the package entry point `@koppel/sim/google`.
export * from './google-sim.ts'
export { applyFields, parseFields } from './partial-response.ts'
export { matchesQuery, parseUserQuery } from './user-query.ts'
