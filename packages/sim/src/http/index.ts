// The small HTTP(S) server the simulators share: the package entry point `@koppel/sim/http`.
export * from './sim-http-server.ts'
