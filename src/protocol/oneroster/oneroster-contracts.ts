/**
 * One user's contracts and memberships, the same for every OneRoster binding. A contract is one (user, org,
 * role): 1.1 takes the user's orgs and role, 1.2 takes the user's roles (falling back to the enrollments'
 * schools and the primary org). Windows come from the enrollments at that org, then the role, then the school
 * year. Memberships are one per enrollment. Pure; does not resolve names or keys.
 */
import type {
  Contract,
  ContractRole,
  Membership,
  MembershipRole,
  Scalar,
} from '../../model/index.ts'
import type { SchoolYear } from './oneroster-groups.ts'
import { classKey, orgKey, SchoolYears } from './oneroster-groups.ts'
import type {
  OneRosterClass,
  OneRosterEnrollment,
  OneRosterGroupRecords,
  OneRosterOrg,
  OneRosterRole,
  OneRosterUser,
  OneRosterVersion,
} from './oneroster-records.ts'

const STAFF = new Set([
  'administrator',
  'aide',
  'proctor',
  'principal',
  'siteAdministrator',
  'districtAdministrator',
  'counselor',
  'systemAdministrator',
])
const GUARDIAN = new Set(['guardian', 'parent', 'relative'])

export function contractRole(oneRosterRole: string): {
  role: ContractRole
  kind: Contract['kind']
} {
  if (oneRosterRole === 'student') return { role: 'student', kind: 'enrolment' }
  if (oneRosterRole === 'teacher') return { role: 'teacher', kind: 'employment' }
  if (STAFF.has(oneRosterRole)) return { role: 'staff', kind: 'employment' }
  // the model has no kind for a guardian's tie to a school; 'enrolment' is the closer of the two (via a pupil)
  if (GUARDIAN.has(oneRosterRole)) return { role: 'guardian', kind: 'enrolment' }
  return { role: 'other', kind: 'employment' }
}

const MEMBERSHIP_ROLES: Readonly<Record<string, MembershipRole>> = {
  student: 'student',
  teacher: 'teacher',
  administrator: 'administrator',
  guardian: 'guardian',
}

/** Built once per read (not per user). */
export interface ContractContext<U extends OneRosterUser> {
  readonly version: OneRosterVersion
  /** The users came as a delta (changed users only). */
  readonly delta: boolean
  readonly orgs: ReadonlyMap<string, OneRosterOrg>
  readonly classes: ReadonlyMap<string, OneRosterClass>
  /** By user sourcedId. */
  readonly enrollments: ReadonlyMap<string, readonly OneRosterEnrollment[]>
  /** The user's 1.2 roles; undefined or empty when it has none. */
  readonly rolesOf: (u: U) => readonly OneRosterRole[] | undefined
  readonly source: string
  readonly years: SchoolYears
  readonly today: string
  /**
   * The person key of a user by sourcedId (the mapping's personKey), so a pupil's mentor — the primary teacher of
   * their homeroom class — can be named on the contract (`contract.manager`). Undefined: no mentor is derived.
   */
  readonly personKey?: (userId: string) => string | undefined
}

/** The records contracts are made of. */
export interface OneRosterContractRecords extends OneRosterGroupRecords {
  readonly version: OneRosterVersion
  /** By user sourcedId. */
  readonly enrollments: ReadonlyMap<string, readonly OneRosterEnrollment[]>
}

/** The context for `userContracts`, once per read; `years` also serves `buildGroups`. */
export function contractContext<U extends OneRosterUser>(
  r: OneRosterContractRecords,
  o: {
    readonly delta: boolean
    readonly rolesOf: (u: U) => readonly OneRosterRole[] | undefined
    readonly source: string
    readonly today: string
    readonly personKey?: (userId: string) => string | undefined
  },
): ContractContext<U> {
  return {
    version: r.version,
    delta: o.delta,
    orgs: r.orgs,
    classes: r.classes,
    enrollments: r.enrollments,
    rolesOf: o.rolesOf,
    source: o.source,
    years: new SchoolYears(r.sessions),
    today: o.today,
    ...(o.personKey !== undefined ? { personKey: o.personKey } : {}),
  }
}

// homeroom class sourcedId → its primary teacher's sourcedId, built once per context from every enrollment
const homeroomTeachers = new WeakMap<ContractContext<never>, Map<string, string>>()

/**
 * The mentor of a pupil in OneRoster terms: the teacher enrolled with `primary: true` in the homeroom class the
 * pupil is in now (Dutch "mentor" of the stamgroep). A homeroom with several primary teachers takes the first
 * by sourcedId, so the result does not depend on file order.
 */
function homeroomTeacher(
  enrollments: readonly OneRosterEnrollment[],
  ctx: ContractContext<never>,
): string | undefined {
  const cls = currentHomeroom(enrollments, ctx)
  if (cls === undefined) return undefined
  let byClass = homeroomTeachers.get(ctx)
  if (byClass === undefined) {
    byClass = new Map()
    for (const [user, list] of ctx.enrollments) {
      for (const e of list) {
        if (
          e.role !== 'teacher' ||
          e.primary !== true ||
          ctx.classes.get(e.cls)?.classType !== 'homeroom'
        )
          continue
        if (e.end !== '' && e.end <= ctx.today) continue
        const seen = byClass.get(e.cls)
        if (seen === undefined || user < seen) byClass.set(e.cls, user)
      }
    }
    homeroomTeachers.set(ctx, byClass)
  }
  return byClass.get(cls)
}

function currentHomeroom(
  enrollments: readonly OneRosterEnrollment[],
  ctx: ContractContext<never>,
): string | undefined {
  return homeroomEnrollment(enrollments, ctx)?.cls
}

/**
 * The pupil's homeroom enrollment today; when none runs today, the one that ended last (a leaver's last class,
 * not the one they left in October), else the first.
 */
function homeroomEnrollment(
  enrollments: readonly OneRosterEnrollment[],
  ctx: ContractContext<never>,
): OneRosterEnrollment | undefined {
  let fallback: OneRosterEnrollment | undefined
  for (const e of enrollments) {
    if (e.role !== 'student' || ctx.classes.get(e.cls)?.classType !== 'homeroom') continue
    if ((e.begin === '' || e.begin <= ctx.today) && (e.end === '' || ctx.today < e.end)) return e
    if (fallback === undefined || (fallback.end !== '' && (e.end === '' || e.end > fallback.end)))
      fallback = e
  }
  return fallback
}

interface OrgRole {
  readonly org: string
  readonly role: string
  readonly roleType?: string
  readonly begin?: string
  readonly end?: string
}

/** `grades` is the user's grades as a comma list; the first, when a number, becomes the contracts' grade. */
export function userContracts<U extends OneRosterUser>(
  u: U,
  grades: string,
  ctx: ContractContext<U>,
): Contract[] {
  const enrollments = ctx.enrollments.get(u.id) ?? []
  const grade = firstGrade(grades)
  const contracts: Contract[] = []
  for (const or of orgRoles(u, enrollments, ctx)) {
    const { role, kind } = contractRole(or.role)
    const here = enrollments.filter((e) => e.school === or.org)
    const year = schoolYearOf(here, ctx)
    const org = ctx.orgs.get(or.org)
    const attributes: Record<string, Scalar> = { oneRosterRole: or.role }
    const c: { -readonly [K in keyof Contract]: Contract[K] } = {
      kind,
      id: `${u.id}/${or.org}/${or.role}`,
      source: ctx.source,
      role,
      organisation: orgKey(or.org),
      attributes: Object.freeze(attributes),
    }
    if (org?.identifier) c.organisationCode = org.identifier
    if (org?.name) c.organisationName = org.name
    if (year !== undefined) c.schoolYear = year.label
    if (grade !== undefined) c.grade = grade
    const classGroup = role === 'student' ? homeroomTitle(here, ctx) : undefined
    if (classGroup !== undefined) c.classGroup = classGroup
    const mentor =
      role === 'student' && ctx.personKey !== undefined
        ? homeroomTeacher(here, ctx as ContractContext<never>)
        : undefined
    const manager = mentor !== undefined ? ctx.personKey?.(mentor) : undefined
    if (manager !== undefined && manager !== '') c.manager = manager
    const start = earliest(here.map((e) => e.begin)) ?? (or.begin || undefined) ?? year?.start
    const end = latestEnd(here.map((e) => e.end)) ?? (or.end || undefined) ?? year?.end
    if (start !== undefined) c.start = start
    if (end !== undefined) c.end = end
    if (or.roleType === 'primary') c.primary = true
    else if (or.roleType === 'secondary') c.primary = false
    contracts.push(Object.freeze(c))
  }
  return contracts
}

/**
 * One membership per enrollment of the user, in the class group. `keys` caches the class keys (class sourcedId →
 * `class/<id>`) across users, so that the memberships of one class share one key string. `shared`, for readers
 * that share one enrollment record among the users with the same values (oneroster-csv's pool), maps each record
 * to its one membership: memberships are immutable, so users may share them as they share the records.
 */
export function userMemberships(
  enrollments: readonly OneRosterEnrollment[] | undefined,
  keys: Map<string, string>,
  shared?: Map<OneRosterEnrollment, Membership>,
): Membership[] {
  if (enrollments === undefined) return []
  const out: Membership[] = []
  for (const e of enrollments) {
    const known = shared?.get(e)
    if (known !== undefined) {
      out.push(known)
      continue
    }
    let group = keys.get(e.cls)
    if (group === undefined) keys.set(e.cls, (group = classKey(e.cls)))
    const m: { -readonly [K in keyof Membership]: Membership[K] } = {
      group,
      role: MEMBERSHIP_ROLES[e.role] ?? 'member',
    }
    if (e.begin !== '') m.start = e.begin
    if (e.end !== '') m.end = e.end
    if (e.primary !== undefined) m.primary = e.primary
    // not frozen one by one: 1.3 million Object.freeze calls cost 0.25 s of the 5 s plan budget; the array is
    // frozen and the type is readonly
    out.push(m)
    shared?.set(e, m)
  }
  return out
}

function orgRoles<U extends OneRosterUser>(
  u: U,
  enrollments: readonly OneRosterEnrollment[],
  ctx: ContractContext<U>,
): OrgRole[] {
  const seen = new Set<string>()
  const out: OrgRole[] = []
  const add = (o: OrgRole) => {
    const k = `${o.org}\u0000${o.role}`
    if (o.org === '' || seen.has(k)) return
    seen.add(k)
    out.push(o)
  }
  if (ctx.version === '1.1') {
    for (const org of u.orgs) add({ org, role: u.role })
    return out
  }
  const roles = ctx.rolesOf(u)
  if (roles !== undefined && roles.length > 0) {
    for (const x of roles)
      add({ org: x.org, role: x.role, roleType: x.roleType, begin: x.begin, end: x.end })
    return out
  }
  for (const e of enrollments) add({ org: e.school, role: e.role })
  // a delta user without roles or enrollments in the read keeps the contracts the engine has; inventing an
  // 'other' contract at the primary org would add one to them
  if (out.length === 0 && ctx.delta) return out
  const primary = u.orgs[0]
  if (primary !== undefined && !out.some((o) => o.org === primary))
    add({ org: primary, role: enrollments[0]?.role ?? 'other' })
  return out
}

/** The school year of the enrollments' classes: the one holding today, else the latest; else today's. */
function schoolYearOf(
  enrollments: readonly OneRosterEnrollment[],
  ctx: ContractContext<never>,
): SchoolYear | undefined {
  let best: SchoolYear | undefined
  const seen = new Set<string>()
  for (const e of enrollments) {
    const term = ctx.classes.get(e.cls)?.terms[0]
    if (term === undefined || seen.has(term)) continue
    seen.add(term)
    const y = ctx.years.ofSession(term)
    if (y === undefined) continue
    if (y.start !== undefined && y.end !== undefined && y.start <= ctx.today && ctx.today < y.end)
      return y
    if (best === undefined || y.label > best.label) best = y
  }
  return best ?? ctx.years.current(ctx.today)
}

function homeroomTitle(
  enrollments: readonly OneRosterEnrollment[],
  ctx: ContractContext<never>,
): string | undefined {
  const e = homeroomEnrollment(enrollments, ctx)
  return e === undefined ? undefined : ctx.classes.get(e.cls)?.title
}

function firstGrade(grades: string): number | undefined {
  const first = grades.split(',')[0]?.trim() ?? ''
  return /^\d{1,3}$/.test(first) ? Number(first) : undefined
}

function earliest(dates: readonly string[]): string | undefined {
  let min: string | undefined
  for (const d of dates) if (d !== '' && (min === undefined || d < min)) min = d
  return min
}

/**
 * The last end of the enrollments, or undefined when one of them runs on: an enrollment without an endDate lasts
 * as long as its class's term, so a pupil moved to another class (the old enrollment ended, the new one open)
 * has not left.
 */
function latestEnd(dates: readonly string[]): string | undefined {
  let max: string | undefined
  for (const d of dates) {
    if (d === '') return undefined
    if (max === undefined || d > max) max = d
  }
  return max
}
