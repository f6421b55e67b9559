export { startItslearningEsSimulator, DEFAULT_PROFILE, PROFILES } from './es-simulator.ts'
export type {
  ItslearningEsSimulator,
  SimPerson,
  SimGroup,
  SimMembership,
  SimOptions,
} from './es-simulator.ts'
