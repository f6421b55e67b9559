import type { Contract, Issue, Person, SourceSnapshot } from '../model/index.ts'
import { personField } from './person-field.ts'

/** One way two source records are recognised as the same human, tried in the configured order. */
export interface MatchRule {
  /** Shown in conflict reports ("employee number"). */
  readonly name: string
  /** Where each record holds the key: `email`, `username`, `key` or `attributes.<name>`. */
  readonly value: string
  /** Per source, a different place for the key (AFAS `attributes.employeeNumber`, Somtoday `attributes.nummer`). */
  readonly sources?: Readonly<Record<string, string>>
  /** Compare "00123" and "123" as equal (HR systems pad employee numbers, school systems often do not). */
  readonly ignoreLeadingZeros?: boolean
}

export interface MergeOptions {
  readonly primaryOrder: readonly Contract['kind'][]
  readonly match?: readonly MatchRule[]
  /** Person keys that hold accounts: a merged person keeps such a key, so its accounts stay its own. */
  readonly ledgerKeys?: ReadonlySet<string>
}

export interface MergeResult {
  readonly persons: Person[]
  /** Conflicts: two records of one source claiming one key, or a match that would join two persons with accounts. */
  readonly issues: Issue[]
}

interface Rec {
  readonly source: string
  readonly order: number
  readonly person: Person
}

/**
 * Merges persons from several source snapshots into one list: records with the same key, or matched by the
 * configured rules (employee number, e-mail, ECK iD…), become one person with the contracts and memberships of
 * all (the first source's names win). A key two records of one source share is ambiguous and matches nothing;
 * a match that would join two persons who both hold accounts is not made. Both are reported. Marks one primary
 * contract per person. Pure; writes nothing.
 */
export function mergePersons(
  snapshots: readonly SourceSnapshot[],
  options: MergeOptions,
): MergeResult {
  const recs: Rec[] = []
  snapshots.forEach((snap, order) => {
    for (const p of snap.persons) recs.push({ source: snap.source, order, person: p })
  })
  const issues: Issue[] = []
  const parent = recs.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number
      i = parent[i] as number
    }
    return i
  }
  let joined = false
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra === rb) return
    parent[Math.max(ra, rb)] = Math.min(ra, rb)
    joined = true
  }

  const byKey = new Map<string, number>()
  recs.forEach((r, i) => {
    const seen = byKey.get(r.person.key)
    if (seen === undefined) byKey.set(r.person.key, i)
    else union(seen, i)
  })

  for (const rule of options.match ?? []) {
    const byValue = new Map<string, number[]>()
    recs.forEach((r, i) => {
      const v = normalise(personField(r.person, rule.sources?.[r.source] ?? rule.value), rule)
      if (v === undefined) return
      const list = byValue.get(v)
      if (list === undefined) byValue.set(v, [i])
      else list.push(i)
    })
    for (const [value, list] of byValue) {
      if (list.length < 2) continue
      const clash = sameSourceClash(list.map((i) => recs[i] as Rec))
      if (clash !== undefined) {
        issues.push({
          severity: 'warning',
          code: 'match_conflict',
          source: clash[0].source,
          record: `${clash[0].person.key}, ${clash[1].person.key}`,
          field: rule.sources?.[clash[0].source] ?? rule.value,
          value,
          message: `records ${clash[0].person.key} and ${clash[1].person.key} of ${clash[0].source} both claim ${rule.name} ${value}: not used to match`,
        })
        continue
      }
      for (const i of list.slice(1)) union(list[0] as number, i)
    }
  }

  if (!joined) {
    // every record is a person of its own (one source, no matches): nothing to split or combine, and no
    // group per record to build (100,000 arrays and a Map of them at 100,000 persons)
    const persons = recs.map((r) => withPrimary(r.person, options.primaryOrder))
    persons.sort(byPersonKey)
    return { persons, issues }
  }

  const groups = new Map<number, Rec[]>()
  recs.forEach((r, i) => {
    const root = find(i)
    const g = groups.get(root)
    if (g === undefined) groups.set(root, [r])
    else g.push(r)
  })

  const persons: Person[] = []
  for (const group of groups.values()) {
    for (const part of splitConflicts(group, options.ledgerKeys, issues))
      persons.push(withPrimary(combine(part, options.ledgerKeys), options.primaryOrder))
  }
  persons.sort(byPersonKey)
  return { persons, issues }
}

const byPersonKey = (a: Person, b: Person): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/**
 * A group joined through a chain of matches may hold two different records of one source, or two persons who
 * both have accounts; merging those would lose an account or a human, so such a group falls back to merging
 * by key alone, with an issue.
 */
function splitConflicts(
  group: Rec[],
  ledgerKeys: ReadonlySet<string> | undefined,
  issues: Issue[],
): Rec[][] {
  const keys = [...new Set(group.map((r) => r.person.key))]
  if (keys.length === 1) return [group]
  const clash = sameSourceClash(group)
  const withAccounts = keys.filter((k) => ledgerKeys?.has(k) === true)
  if (clash === undefined && withAccounts.length <= 1) return [group]
  issues.push({
    severity: 'warning',
    code: 'match_conflict',
    record: keys.join(', '),
    message:
      clash !== undefined
        ? `matching would join records ${clash[0].person.key} and ${clash[1].person.key} of ${clash[0].source}: persons ${keys.join(', ')} are kept apart`
        : `matching would join persons ${withAccounts.join(' and ')}, who each have accounts: kept apart (merge them by hand)`,
  })
  const byKey = new Map<string, Rec[]>()
  for (const r of group) byKey.set(r.person.key, [...(byKey.get(r.person.key) ?? []), r])
  return [...byKey.values()]
}

function sameSourceClash(recs: readonly Rec[]): [Rec, Rec] | undefined {
  const seen = new Map<string, Rec>()
  for (const r of recs) {
    const other = seen.get(r.source)
    if (other !== undefined && other.person.key !== r.person.key) return [other, r]
    seen.set(r.source, r)
  }
  return undefined
}

/** The records of one human, first source first; the key is one that holds accounts, else the first source's. */
function combine(group: Rec[], ledgerKeys: ReadonlySet<string> | undefined): Person {
  const sorted = [...group].sort((a, b) => a.order - b.order)
  const first = sorted[0] as Rec
  if (sorted.length === 1) return first.person
  const key =
    sorted.find((r) => ledgerKeys?.has(r.person.key) === true)?.person.key ?? first.person.key
  let merged: Person = { ...first.person, key }
  for (const r of sorted.slice(1)) {
    const p = r.person
    merged = {
      ...merged,
      sourceIds: { ...merged.sourceIds, ...p.sourceIds },
      attributes: { ...p.attributes, ...merged.attributes },
      contracts: [...merged.contracts, ...p.contracts],
      memberships: [...merged.memberships, ...p.memberships],
      ...(merged.email === undefined && p.email !== undefined ? { email: p.email } : {}),
      ...(merged.username === undefined && p.username !== undefined
        ? { username: p.username }
        : {}),
    }
  }
  return merged
}

function normalise(v: string | undefined, rule: MatchRule): string | undefined {
  if (v === undefined) return undefined
  let s = v.trim().toLowerCase()
  if (rule.ignoreLeadingZeros === true) s = s.replace(/^0+(?=.)/, '')
  return s === '' ? undefined : s
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
