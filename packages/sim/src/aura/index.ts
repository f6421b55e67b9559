// The Aura Online simulator: the package entry point `@koppel/sim/aura`.
export * from './aura-sim.ts'
