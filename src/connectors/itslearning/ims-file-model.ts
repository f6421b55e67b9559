// The desired state of the IMS file target as one model (persons, groups, memberships), built from the durable
// state, and its comparison with the model of the last delivered file (the pre-delivery safety check).
import type { GroupRef, ImsPerson, MembershipRole } from './itslearning-conventions.ts'
import { parseMembership, personFrom } from './itslearning-conventions.ts'
import type { CourseRecord, GroupRecord, StateData } from './ims-file-state.ts'

export interface ModelMembership {
  readonly group: string
  readonly member: string
  readonly role: MembershipRole
}

/** A group of the file; `ended` (ISO date) marks an archived provisioned course (its timeframe ends then). */
export interface ModelGroup extends GroupRef {
  readonly ended?: string
}

export interface ImsModel {
  readonly persons: readonly ImsPerson[]
  readonly groups: readonly ModelGroup[]
  readonly memberships: readonly ModelMembership[]
}

export interface BuiltModel {
  readonly model: ImsModel
  /** Course and course-group sync keys with members now → the grant that named them. */
  readonly seenCourses: ReadonlyMap<string, string>
  /** Courses kept only because of the archive hold. */
  readonly held: number
}

/**
 * Enabled persons, their memberships, and every group a membership names (with its parents). A course that
 * lost its last member stays in the file, without members, until `archiveDays` after it was last seen.
 */
export function buildModel(state: StateData, today: string, archiveDays: number): BuiltModel {
  const persons: ImsPerson[] = []
  const groups = new Map<string, ModelGroup>()
  const memberships = new Map<string, ModelMembership>()
  const seenCourses = new Map<string, string>()
  const provisioned = placeProvisioned(state.groups, groups)
  // many persons share a grant (a class): parse each distinct id once
  const parsed = new Map<string, ReturnType<typeof parseMembership>>()
  for (const [key, rec] of Object.entries(state.persons)) {
    if (!rec.enabled) continue
    persons.push(personFrom(rec.attributes, `person ${key}`))
    for (const p of rec.permissions) {
      let grant = parsed.get(p)
      if (grant === undefined) {
        grant = parseMembership(p)
        parsed.set(p, grant)
        for (const g of grant.chain) {
          groups.set(g.syncKey, g)
          if (g.kind === 'Course' || g.kind === 'CourseGroup') seenCourses.set(g.syncKey, grant.id)
        }
      }
      const m: ModelMembership = { group: grant.group.syncKey, member: key, role: grant.role }
      memberships.set(`${m.group}\u0000${m.member}\u0000${m.role}`, m)
    }
    for (const entry of rec.groups ?? []) {
      const { group, role } = splitGroupMembership(entry)
      // a membership of a deleted course goes with it (the engine's revoke then only tidies its ledger)
      if (!provisioned.has(group)) continue
      const m: ModelMembership = { group, member: key, role }
      memberships.set(`${m.group}\u0000${m.member}\u0000${m.role}`, m)
    }
  }
  // GUESS: a held course keeps its group (and so its content in itslearning) but not its memberships
  let held = 0
  for (const [key, course] of Object.entries(state.courses)) {
    if (groups.has(key) || !withinHold(course, today, archiveDays)) continue
    const grant = parseMembership(course.example)
    for (const g of grant.chain) {
      if (groups.has(g.syncKey)) continue
      groups.set(g.syncKey, g)
      if (g.syncKey === key) held++
      if (g.syncKey === key) break
    }
  }
  const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  return {
    model: {
      persons: persons
        .map((p): [string, ImsPerson] => [p.syncKey, p])
        .sort(byKey)
        .map(([, p]) => p),
      groups: [...groups.entries()].sort(byKey).map(([, g]) => g),
      memberships: [...memberships.entries()].sort(byKey).map(([, m]) => m),
    },
    seenCourses,
    held,
  }
}

/**
 * Puts every provisioned course and course group into `groups` with the school and school year above it (a
 * course group below its course); returns the sync keys placed. A course group whose course is gone has no
 * place in the hierarchy and is left out, as itslearning would delete it with its course.
 */
function placeProvisioned(
  records: Readonly<Record<string, GroupRecord>>,
  groups: Map<string, ModelGroup>,
): Set<string> {
  const placed = new Set<string>()
  const place = (key: string, depth: number): boolean => {
    if (placed.has(key)) return true
    const rec = Object.hasOwn(records, key) ? records[key] : undefined
    const own = rec?.chain[rec.chain.length - 1]
    if (rec === undefined || own === undefined || depth > 3) return false
    if (own.kind === 'CourseGroup' && (own.parent === undefined || !place(own.parent, depth + 1)))
      return false
    for (const g of rec.chain.slice(0, -1)) if (!groups.has(g.syncKey)) groups.set(g.syncKey, g)
    groups.set(key, rec.archived !== undefined ? { ...own, ended: rec.archived } : own)
    placed.add(key)
    return true
  }
  for (const key of Object.keys(records)) place(key, 0)
  return placed
}

/** `<course sync key>#<role>`, as the file target keeps a provisioned course's membership on the person. */
export function splitGroupMembership(entry: string): { group: string; role: MembershipRole } {
  const at = entry.lastIndexOf('#')
  return { group: entry.slice(0, at), role: entry.slice(at + 1) as MembershipRole }
}

function withinHold(course: CourseRecord, today: string, days: number): boolean {
  const age =
    (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${course.lastSeen}T00:00:00Z`)) / 86_400_000
  return age < days
}

export interface ModelChange {
  readonly before: number
  readonly removed: {
    readonly persons: number
    readonly groups: number
    readonly memberships: number
  }
  readonly changedPersons: number
  readonly beforePersons: number
  readonly added: number
}

/** What delivering `next` after `prev` would delete and change in itslearning (which diffs whole files). */
export function compareModels(prev: ImsModel, next: ImsModel): ModelChange {
  const personKeys = new Map(next.persons.map((p) => [p.syncKey, JSON.stringify(p)]))
  const groupKeys = new Set(next.groups.map((g) => g.syncKey))
  const mKey = (m: ModelMembership) => `${m.group}\u0000${m.member}\u0000${m.role}`
  const memberKeys = new Set(next.memberships.map(mKey))
  let removedPersons = 0
  let changedPersons = 0
  for (const p of prev.persons) {
    const now = personKeys.get(p.syncKey)
    if (now === undefined) removedPersons++
    else if (now !== JSON.stringify(p)) changedPersons++
  }
  const removedGroups = prev.groups.filter((g) => !groupKeys.has(g.syncKey)).length
  const removedMemberships = prev.memberships.filter((m) => !memberKeys.has(mKey(m))).length
  const before = prev.persons.length + prev.groups.length + prev.memberships.length
  const after = next.persons.length + next.groups.length + next.memberships.length
  const kept = before - removedPersons - removedGroups - removedMemberships
  return {
    before,
    removed: { persons: removedPersons, groups: removedGroups, memberships: removedMemberships },
    changedPersons,
    beforePersons: prev.persons.length,
    added: after - kept,
  }
}
