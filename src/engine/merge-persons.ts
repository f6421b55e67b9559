import type { Contract, Person, SourceSnapshot } from '../model/index.ts'

/**
 * Merges persons from several source snapshots into one list keyed by person key: the same key from two sources
 * is one person with the contracts and memberships of both (the first source's names win). Marks one primary
 * contract per person by the configured kind priority, then by earliest start. Pure; writes nothing.
 */
export function mergePersons(snapshots: readonly SourceSnapshot[], primaryOrder: readonly Contract['kind'][]): Person[] {
  const byKey = new Map<string, Person>()
  for (const snap of snapshots) {
    for (const p of snap.persons) {
      const seen = byKey.get(p.key)
      if (seen === undefined) {
        byKey.set(p.key, p)
        continue
      }
      byKey.set(p.key, {
        ...seen,
        sourceIds: { ...seen.sourceIds, ...p.sourceIds },
        attributes: { ...p.attributes, ...seen.attributes },
        contracts: [...seen.contracts, ...p.contracts],
        memberships: [...seen.memberships, ...p.memberships],
      })
    }
  }
  const persons = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return persons.map((p) => withPrimary(p, primaryOrder))
}

function withPrimary(p: Person, order: readonly Contract['kind'][]): Person {
  if (p.contracts.length <= 1 || p.contracts.some((c) => c.primary === true)) return p
  const rank = (c: Contract) => {
    const i = order.indexOf(c.kind)
    return i < 0 ? order.length : i
  }
  let best = 0
  p.contracts.forEach((c, i) => {
    const b = p.contracts[best] as Contract
    if (rank(c) < rank(b) || (rank(c) === rank(b) && (c.start ?? '') < (b.start ?? ''))) best = i
  })
  return { ...p, contracts: p.contracts.map((c, i) => (i === best ? { ...c, primary: true } : c)) }
}
