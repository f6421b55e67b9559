export { startEntraSim, type EntraSim, type EntraSimOptions, type SimUser, type SimGroup } from './entra-sim.ts'
