/**
 * Applies a source's delta snapshot to the last full set of that source, and encodes a full snapshot as the
 * gzip bytes the store keeps with a snapshot record (the base for the next delta). Pure apart from zlib.
 *
 * What a delta says, and how it is applied:
 * - a person in the delta is the source's current record of that person: its own fields (names, e-mail,
 *   attributes, source ids…) replace the previous person's. Its contracts and memberships, though, are only
 *   those the delta package carried (a OneRoster delta holds changed enrollments and roles, not all of them),
 *   so they are upserted into the previous person's: contracts by id (field by field: a field the delta's
 *   contract lacks keeps its value, since a delta package may lack the class or session it would come from),
 *   memberships by group and role; ones the delta does not mention are kept. So a delta can add and change
 *   contracts and memberships, never end them: an ended enrollment or role shows in its end date, or at the
 *   next full export. A person the previous set lacks is a joiner, taken as is.
 * - a key in `removed` drops that person; a key the previous set does not have is ignored (counted).
 *   Removals are applied before upserts, so a key both removed and present (another record of the source
 *   now carries that key) stays.
 * - groups are upserted by key; a delta cannot remove a group.
 * The result is sorted by person key and group key, so the same inputs always give the same snapshot (and
 * hash, and plan), whatever order the source or an earlier delta left the records in.
 */
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import type { Contract, Group, Membership, Person, SourceSnapshot } from '../model/index.ts'

export interface AppliedDelta {
  /** The full set after the delta: mode `full`, `removed` empty, `takenAt`/`warnings`/`cursor` from the delta. */
  readonly snapshot: SourceSnapshot
  readonly added: number
  readonly changed: number
  readonly removed: number
  /** Removed keys that were not in the previous set (already gone, or never known). */
  readonly unknownRemovals: number
}

export function applyDelta(previous: SourceSnapshot, delta: SourceSnapshot): AppliedDelta {
  if (previous.mode !== 'full')
    throw new Error(`applyDelta: the base of source ${previous.source} must be a full snapshot`)
  if (delta.mode !== 'delta')
    throw new Error(`applyDelta: snapshot of source ${delta.source} is not a delta`)
  if (previous.source !== delta.source)
    throw new Error(`applyDelta: base is from ${previous.source}, delta from ${delta.source}`)
  const persons = new Map<string, Person>()
  for (const p of previous.persons) persons.set(p.key, p)
  let removed = 0
  let unknownRemovals = 0
  for (const key of delta.removed) {
    if (persons.delete(key)) removed++
    else unknownRemovals++
  }
  let added = 0
  let changed = 0
  for (const p of delta.persons) {
    const before = persons.get(p.key)
    if (before === undefined) added++
    else changed++
    persons.set(p.key, before === undefined ? p : upsertPerson(before, p))
  }
  const groups = new Map<string, Group>()
  for (const g of previous.groups) groups.set(g.key, g)
  for (const g of delta.groups) groups.set(g.key, g)
  const snapshot: SourceSnapshot = {
    kind: 'snapshot',
    source: delta.source,
    mode: 'full',
    takenAt: delta.takenAt,
    persons: sortedByKey(persons),
    groups: sortedByKey(groups),
    removed: [],
    warnings: delta.warnings,
    ...(delta.cursor !== undefined ? { cursor: delta.cursor } : {}),
  }
  return { snapshot, added, changed, removed, unknownRemovals }
}

function upsertPerson(before: Person, after: Person): Person {
  return {
    ...after,
    contracts: upsertBy(before.contracts, after.contracts, (c: Contract) => c.id, mergeContract),
    memberships: upsertBy(
      before.memberships,
      after.memberships,
      (m: Membership) => `${m.group}\u0000${m.role}`,
    ),
  }
}

/** A delta's contract may lack what only other files of its package would tell (class, school year, window). */
function mergeContract(before: Contract, after: Contract): Contract {
  return { ...before, ...after, attributes: { ...before.attributes, ...after.attributes } }
}

/**
 * Earlier items in their order, where the first item of a key the later list has is replaced by all later items
 * of that key (merged onto it, with `merge`; other earlier items of that key dropped); keys only the later list
 * has are appended in its order.
 */
function upsertBy<T>(
  earlier: readonly T[],
  later: readonly T[],
  key: (t: T) => string,
  merge?: (before: T, after: T) => T,
): T[] {
  if (later.length === 0) return [...earlier]
  const replacing = new Map<string, T[]>()
  for (const t of later) {
    const k = key(t)
    const same = replacing.get(k)
    if (same === undefined) replacing.set(k, [t])
    else same.push(t)
  }
  const placed = new Set<string>()
  const out: T[] = []
  for (const t of earlier) {
    const k = key(t)
    const r = replacing.get(k)
    if (r === undefined) out.push(t)
    else if (!placed.has(k)) {
      placed.add(k)
      out.push(...(merge === undefined ? r : r.map((x) => merge(t, x))))
    }
  }
  for (const [k, r] of replacing) if (!placed.has(k)) out.push(...r)
  return out
}

function sortedByKey<T extends { readonly key: string }>(map: ReadonlyMap<string, T>): T[] {
  return [...map.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const FORMAT = 'koppel-snapshot/1'
/**
 * zlib level 1: at 100,000 persons it is several times faster than the default 6 for a somewhat larger file
 * (figures: `node bench/measure-generator-snapshot-content.ts`).
 */
const LEVEL = 1

/** A full snapshot as gzip bytes for `Store.saveSnapshot`; compressed off the main thread. */
export async function encodeSnapshot(s: SourceSnapshot): Promise<Uint8Array> {
  if (s.mode !== 'full')
    throw new Error(
      `encodeSnapshot: only a full snapshot is kept (source ${s.source} gave a ${s.mode})`,
    )
  const json = JSON.stringify({ format: FORMAT, snapshot: s })
  return new Uint8Array(await gzipAsync(json, { level: LEVEL }))
}

/** The snapshot `encodeSnapshot` wrote; throws when the bytes are not one. */
export async function decodeSnapshot(bytes: Uint8Array): Promise<SourceSnapshot> {
  const parsed = JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as {
    format?: unknown
    snapshot?: SourceSnapshot
  }
  const s = parsed.snapshot
  if (
    parsed.format !== FORMAT ||
    s?.kind !== 'snapshot' ||
    s.mode !== 'full' ||
    !Array.isArray(s.persons) ||
    !Array.isArray(s.groups)
  ) {
    throw new Error(`stored snapshot content is not a ${FORMAT} full snapshot`)
  }
  return s
}
