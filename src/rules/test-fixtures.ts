/** Builders for persons and contracts in the rules tests; tests only. */
import type { Contract } from '../model/contract.ts'
import type { Person } from '../model/person.ts'
import type { UniquenessOracle } from './unique-value.ts'

export function contract(over: Partial<Contract> = {}): Contract {
  return {
    kind: 'enrolment',
    id: 'c1',
    source: 'sis',
    role: 'student',
    organisation: 'school-1',
    attributes: {},
    ...over,
  }
}

export function person(over: Partial<Person> = {}): Person {
  return {
    kind: 'person',
    key: 'p1',
    sourceIds: {},
    givenName: 'Jan',
    familyName: 'Jansen',
    attributes: {},
    contracts: [],
    memberships: [],
    ...over,
  }
}

/** Case-insensitive in-memory oracle, as the engine's is. */
export function memoryOracle(
  held: Record<string, Record<string, string>> = {},
): UniquenessOracle & { held: Map<string, string> } {
  const owners = new Map<string, string>()
  for (const [attr, values] of Object.entries(held))
    for (const [v, p] of Object.entries(values)) owners.set(`${attr}\u0000${v.toLowerCase()}`, p)
  return {
    held: owners,
    isTaken: (attr, v, p) => {
      const owner = owners.get(`${attr}\u0000${v.toLowerCase()}`)
      return owner !== undefined && owner !== p
    },
    claim: (attr, v, p) => void owners.set(`${attr}\u0000${v.toLowerCase()}`, p),
  }
}
