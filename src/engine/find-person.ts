// Finding one person by what an admin types: a key, a source record id, a number, a username, or part of a name
// (`koppel explain`, `koppel run --person`, `koppel hold`).
import type { Account, Person } from '../model/index.ts'
import { subjectOf, subjectOfAccount } from './action-subject.ts'
import { fold } from '../util/fold-text.ts'

export interface PersonCandidate {
  readonly key: string
  readonly name: string
  readonly number?: string
  readonly classGroup?: string
  readonly school?: string
}

/** Attributes a target's account is logged in with: a query equal to one of them finds its person. */
const LOGIN_ATTRIBUTES = new Set([
  'uid',
  'samaccountname',
  'userprincipalname',
  'mail',
  'username',
  'login',
  'cn',
])

export interface Found {
  readonly key: string
  readonly person: Person | undefined
  readonly candidate: PersonCandidate
}

/**
 * Exact matches first (key, a source's record id, the number, the username, a login attribute in the ledger);
 * else every person whose name contains the query, case and accents aside.
 */
export function findPersons(
  query: string,
  persons: readonly Person[],
  ledger: readonly Account[],
): Found[] {
  const q = fold(query.trim())
  if (q === '') return []
  const all = new Map<string, Found>()
  for (const p of persons) {
    const s = subjectOf(p)
    all.set(p.key, { key: p.key, person: p, candidate: { key: p.key, name: personName(p), ...s } })
  }
  const accountsOf = new Map<string, Account[]>()
  for (const a of ledger) {
    if (a.state === 'deleted') continue
    accountsOf.set(a.person, [...(accountsOf.get(a.person) ?? []), a])
    if (!all.has(a.person))
      all.set(a.person, {
        key: a.person,
        person: undefined,
        candidate: { key: a.person, name: accountName(a), ...subjectOfAccount(a) },
      })
  }
  const exact = [...all.values()].filter((f) => {
    const p = f.person
    const ids = [f.key, f.candidate.number, p?.username, ...Object.values(p?.sourceIds ?? {})]
    for (const a of accountsOf.get(f.key) ?? []) {
      for (const [name, v] of Object.entries(a.attributes))
        if (LOGIN_ATTRIBUTES.has(name.toLowerCase()))
          ids.push(...(Array.isArray(v) ? v : [v]).map(String))
    }
    return ids.some((id) => id !== undefined && fold(id) === q)
  })
  if (exact.length > 0) return exact
  return [...all.values()].filter((f) => fold(f.candidate.name).includes(q))
}

function personName(p: Person): string {
  return [p.preferredGivenName ?? p.givenName, p.familyNamePrefix, p.familyName]
    .filter((x) => x !== undefined && x !== '')
    .join(' ')
}

function accountName(a: Account): string {
  for (const n of ['displayName', 'cn', 'name']) {
    const v = a.attributes[n]
    const s = Array.isArray(v) ? v[0] : v
    if (typeof s === 'string' && s !== '') return s
  }
  return a.person
}
