// The OutSystems simulator: the package entry point `@koppel/sim/outsystems`.
export * from './outsystems-sim.ts'
