export {
  startEntraSim,
  type EntraSim,
  type EntraSimOptions,
  type SimUser,
  type SimGroup,
} from './entra-sim.ts'
export { parseFilter } from './odata-filter.ts'
