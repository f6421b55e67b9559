/**
 * OneRoster REST records → Koppel persons, contracts, memberships and groups, with the same semantics as the
 * OneRoster CSV connector (src/connectors/oneroster-csv, mapping/contracts/groups), so that one board gives the
 * same persons over CSV and REST: group keys `org/…`, `session/…`, `course/…`, `class/…`; one contract per
 * (user, org, role) with id `<user>/<org>/<role>`, windows from the enrollments at that org, then the role,
 * then the school year; one membership per enrollment; Dutch name parts from the `nl.*` metadata.
 *
 * NOTE for the lead: this is a deliberate, compact copy of the CSV connector's mapping rules (connectors may not
 * import each other). The rules would better live in one shared module (e.g. src/util/oneroster-mapping.ts,
 * with dutch-name-prefix.ts) used by both connectors.
 */
import type { Contract, ContractRole, Group, GroupType, Membership, MembershipRole, NameConvention, Person, Scalar } from '../../model/index.ts'
import type { ClassRec, CourseRec, DemographicsRec, EnrollmentRec, Issues, OrgRec, SessionRec, UserRec } from './oneroster-rest-records.ts'

export interface RestRoster {
  readonly version: '1.1' | '1.2'
  readonly delta: boolean
  readonly orgs: Map<string, OrgRec>
  readonly sessions: Map<string, SessionRec>
  readonly courses: Map<string, CourseRec>
  readonly classes: Map<string, ClassRec>
  readonly users: Map<string, UserRec>
  readonly deletedUsers: readonly UserRec[]
  readonly demographics: Map<string, DemographicsRec>
  /** By user sourcedId. */
  readonly enrollments: Map<string, EnrollmentRec[]>
}

export interface RestMappingOptions {
  readonly source: string
  readonly personKey: 'sourcedId' | 'identifier' | 'username'
  readonly splitNamePrefix: boolean
  readonly today: string
}

export const orgKey = (id: string): string => `org/${id}`
const sessionKey = (id: string): string => `session/${id}`
const courseKey = (id: string): string => `course/${id}`
const classKey = (id: string): string => `class/${id}`

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
interface SchoolYear {
  readonly label: string
  readonly start?: string
  readonly end?: string
}

const ORG_TYPES: Readonly<Record<string, GroupType>> = { district: 'board', school: 'school', department: 'department' }
const CLASS_TYPES: Readonly<Record<string, GroupType>> = { homeroom: 'class', scheduled: 'teaching-group' }
const STAFF = new Set(['administrator', 'aide', 'proctor', 'principal', 'siteAdministrator', 'districtAdministrator', 'counselor', 'systemAdministrator'])
const GUARDIAN = new Set(['guardian', 'parent', 'relative'])
const MEMBERSHIP_ROLES: Readonly<Record<string, MembershipRole>> = { student: 'student', teacher: 'teacher', administrator: 'administrator', guardian: 'guardian' }
const NAME_CONVENTIONS = new Set(['B', 'BP', 'P', 'PB'])
/** User fields that become person fields (or are never read), not attributes; as the CSV connector's columns. */
const NOT_ATTRIBUTES = new Set(['sourcedId', 'status', 'dateLastModified', 'orgs', 'role', 'roles', 'username', 'givenName', 'familyName', 'middleName', 'email', 'password', 'preferredGivenName', 'primaryOrg', 'metadata', 'agents', 'resources', 'userProfiles', 'href'])

function contractRole(role: string): { role: ContractRole; kind: Contract['kind'] } {
  if (role === 'student') return { role: 'student', kind: 'enrolment' }
  if (role === 'teacher') return { role: 'teacher', kind: 'employment' }
  if (STAFF.has(role)) return { role: 'staff', kind: 'employment' }
  if (GUARDIAN.has(role)) return { role: 'guardian', kind: 'enrolment' }
  return { role: 'other', kind: 'employment' }
}

class SchoolYears {
  readonly #cache = new Map<string, SchoolYear | undefined>()
  readonly sessions: ReadonlyMap<string, SessionRec>
  constructor(sessions: ReadonlyMap<string, SessionRec>) {
    this.sessions = sessions
  }
  ofSession(id: string): SchoolYear | undefined {
    if (!this.#cache.has(id)) this.#cache.set(id, this.#resolve(id))
    return this.#cache.get(id)
  }
  current(today: string): SchoolYear | undefined {
    for (const s of this.sessions.values()) if (s.type === 'schoolYear' && s.start <= today && today < s.end) return { label: s.title, start: s.start, end: s.end }
    return undefined
  }
  #resolve(id: string): SchoolYear | undefined {
    const first = this.sessions.get(id)
    let s = first
    for (let hops = 0; s !== undefined && hops < 8; hops++) {
      if (s.type === 'schoolYear') return { label: s.title, start: s.start, end: s.end }
      s = s.parent === '' ? undefined : this.sessions.get(s.parent)
    }
    const y = Number(first?.schoolYear)
    return Number.isInteger(y) && y > 0 ? { label: `${y - 1}-${y}` } : undefined
  }
}

function group(key: string, type: GroupType, name: string, o: { code?: string; parent?: string; schoolYear?: string; attributes: Record<string, string> }): Group {
  const attributes: Record<string, Scalar> = {}
  for (const [k, v] of Object.entries(o.attributes)) if (v !== '') attributes[k] = v
  return Object.freeze({
    kind: 'group' as const,
    key,
    type,
    name,
    ...(o.code ? { code: o.code } : {}),
    ...(o.parent ? { parent: o.parent } : {}),
    ...(o.schoolYear ? { schoolYear: o.schoolYear } : {}),
    attributes: Object.freeze(attributes),
  })
}

export function buildGroups(r: RestRoster, years: SchoolYears): Group[] {
  const groups: Group[] = []
  for (const o of r.orgs.values()) groups.push(group(orgKey(o.id), ORG_TYPES[o.type] ?? 'other', o.name, { code: o.identifier, parent: o.parent === '' ? '' : orgKey(o.parent), attributes: { oneRosterType: o.type } }))
  for (const s of r.sessions.values()) {
    groups.push(
      group(sessionKey(s.id), s.type === 'schoolYear' ? 'school-year' : 'other', s.title, {
        parent: s.parent === '' ? '' : sessionKey(s.parent),
        schoolYear: years.ofSession(s.id)?.label ?? '',
        attributes: { oneRosterType: s.type, startDate: s.start, endDate: s.end, schoolYear: s.schoolYear },
      }),
    )
  }
  for (const c of r.courses.values()) {
    groups.push(
      group(courseKey(c.id), 'course', c.title, {
        code: c.code,
        parent: orgKey(c.org),
        schoolYear: c.schoolYear === '' ? '' : (years.ofSession(c.schoolYear)?.label ?? ''),
        attributes: { grades: c.grades, subjects: c.subjects, subjectCodes: c.subjectCodes },
      }),
    )
  }
  for (const c of r.classes.values()) {
    groups.push(
      group(classKey(c.id), CLASS_TYPES[c.classType] ?? 'other', c.title, {
        code: c.code,
        parent: orgKey(c.school),
        schoolYear: c.terms[0] === undefined ? '' : (years.ofSession(c.terms[0])?.label ?? ''),
        attributes: {
          classType: c.classType,
          course: c.course === '' ? '' : courseKey(c.course),
          terms: c.terms.map(sessionKey).join(','),
          location: c.location,
          grades: c.grades,
          subjects: c.subjects,
          subjectCodes: c.subjectCodes,
          periods: c.periods,
        },
      }),
    )
  }
  return groups
}

/** A user's field as text for names and attributes ('' when absent or not text). */
function str(u: UserRec, field: string): string {
  const v = u.json[field]
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : ''
}

function metadata(u: UserRec): Readonly<Record<string, unknown>> {
  const m = u.json.metadata
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : {}
}

function refIds(v: unknown): string {
  if (!Array.isArray(v)) return ''
  return v.map((r) => (typeof r === 'object' && r !== null ? (r as Record<string, unknown>).sourcedId : undefined)).filter((id): id is string => typeof id === 'string').join(',')
}

export function personKeyOf(u: UserRec, personKey: RestMappingOptions['personKey']): string {
  return personKey === 'sourcedId' ? u.id : str(u, personKey)
}

export function mapRestRoster(r: RestRoster, o: RestMappingOptions, issues: Issues): { persons: Person[]; groups: Group[]; removed: string[] } {
  const years = new SchoolYears(r.sessions)
  const groups = buildGroups(r, years)
  const persons: Person[] = []
  const keys = new Map<string, string>()
  for (const u of r.users.values()) {
    const key = personKeyOf(u, o.personKey)
    if (key === '') {
      issues.error('missing_key', 'users', u.id, o.personKey, `${o.personKey} is empty, and it is the person key (option personKey)`)
      continue
    }
    const other = keys.get(key)
    if (other !== undefined) {
      issues.error('duplicate_key', 'users', u.id, o.personKey, `${o.personKey} ${key} is also the ${o.personKey} of user ${other}; the person key must be unique`, key)
      continue
    }
    keys.set(key, u.id)
    const attributes: Record<string, Scalar> = {}
    for (const [k, v] of Object.entries(u.json)) {
      if (NOT_ATTRIBUTES.has(k)) continue
      if (k === 'enabledUser') {
        if (v === true || v === 'true') attributes.enabledUser = true
        else if (v === false || v === 'false') attributes.enabledUser = false
      } else if (k === 'userIds') {
        const ids = Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null ? `{${String((x as Record<string, unknown>).type ?? '')}:${String((x as Record<string, unknown>).identifier ?? '')}}` : '')).filter((x) => x !== '') : []
        if (ids.length > 0) attributes.userIds = ids.join(',')
      } else if (k === 'grades') {
        const g = Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : ''
        if (g !== '') attributes.grades = g
      } else if (typeof v === 'string' && v !== '') attributes[k] = v
    }
    const agents = refIds(u.json.agents)
    if (agents !== '') attributes.agentSourcedIds = agents
    const resources = refIds(u.json.resources)
    if (resources !== '') attributes.resourceSourcedIds = resources
    const meta = metadata(u)
    for (const [k, v] of Object.entries(meta)) if (typeof v === 'string' && v !== '') attributes[`metadata.${k}`] = v
    const demo = r.demographics.get(u.id)
    if (demo?.sex) attributes.sex = demo.sex
    const person: Mutable<Person> = {
      kind: 'person',
      key,
      sourceIds: Object.freeze({ [o.source]: u.id }),
      givenName: str(u, 'givenName'),
      familyName: '',
      attributes: Object.freeze(attributes),
      contracts: Object.freeze(userContracts(u, attributes.grades === undefined ? '' : String(attributes.grades), r, years, o)),
      memberships: Object.freeze(userMemberships(u, r)),
    }
    const nl = (k: string): string | undefined => (k in meta ? (typeof meta[k] === 'string' ? (meta[k] as string) : '') : undefined)
    const family = nameWithPrefix(str(u, 'familyName'), nl('nl.familyNamePrefix'), o.splitNamePrefix)
    person.familyName = family.name
    if (family.prefix) person.familyNamePrefix = family.prefix
    const partner = nl('nl.partnerName') ?? ''
    if (partner !== '') {
      const pp = nameWithPrefix(partner, nl('nl.partnerNamePrefix'), o.splitNamePrefix)
      person.partnerName = pp.name
      if (pp.prefix) person.partnerNamePrefix = pp.prefix
    }
    const convention = nl('nl.nameConvention') ?? ''
    if (NAME_CONVENTIONS.has(convention)) person.nameConvention = convention as NameConvention
    else if (convention !== '') issues.error('bad_enum', 'users', u.id, 'metadata.nl.nameConvention', `${JSON.stringify(convention)} is not a name convention; allowed: B, BP, P, PB`, convention)
    const optional = { preferredGivenName: str(u, 'preferredGivenName'), middleName: str(u, 'middleName'), email: str(u, 'email'), username: str(u, 'username') }
    for (const [k, v] of Object.entries(optional)) if (v !== '') (person as Record<string, unknown>)[k] = v
    if (demo?.birthDate) person.birthDate = demo.birthDate
    persons.push(Object.freeze(person))
  }
  const removed: string[] = []
  for (const u of r.deletedUsers) {
    const key = personKeyOf(u, o.personKey)
    if (key !== '') removed.push(key)
  }
  return { persons, groups, removed }
}

function userMemberships(u: UserRec, r: RestRoster): Membership[] {
  const out: Membership[] = []
  for (const e of r.enrollments.get(u.id) ?? []) {
    const m: Mutable<Membership> = { group: classKey(e.cls), role: MEMBERSHIP_ROLES[e.role] ?? 'member' }
    if (e.begin !== '') m.start = e.begin
    if (e.end !== '') m.end = e.end
    if (e.primary !== undefined) m.primary = e.primary
    out.push(m)
  }
  return out
}

interface OrgRole {
  readonly org: string
  readonly role: string
  readonly roleType?: string
  readonly begin?: string
  readonly end?: string
}

function orgRoles(u: UserRec, enrollments: readonly EnrollmentRec[], r: RestRoster): OrgRole[] {
  const seen = new Set<string>()
  const out: OrgRole[] = []
  const add = (x: OrgRole) => {
    const k = `${x.org}\u0000${x.role}`
    if (x.org === '' || seen.has(k)) return
    seen.add(k)
    out.push(x)
  }
  if (r.version === '1.1') {
    for (const org of u.orgs) add({ org, role: u.role })
    return out
  }
  if (u.roles !== undefined && u.roles.length > 0) {
    for (const x of u.roles) add({ org: x.org, role: x.role, roleType: x.roleType, begin: x.begin, end: x.end })
    return out
  }
  for (const e of enrollments) add({ org: e.school, role: e.role })
  if (out.length === 0 && r.delta) return out
  const primary = u.orgs[0]
  if (primary !== undefined && !out.some((x) => x.org === primary)) add({ org: primary, role: enrollments[0]?.role ?? 'other' })
  return out
}

function userContracts(u: UserRec, grades: string, r: RestRoster, years: SchoolYears, o: RestMappingOptions): Contract[] {
  const enrollments = r.enrollments.get(u.id) ?? []
  const first = grades.split(',')[0]?.trim() ?? ''
  const grade = /^\d{1,3}$/.test(first) ? Number(first) : undefined
  const contracts: Contract[] = []
  for (const or of orgRoles(u, enrollments, r)) {
    const { role, kind } = contractRole(or.role)
    const here = enrollments.filter((e) => e.school === or.org)
    const year = schoolYearOf(here, r, years, o.today)
    const org = r.orgs.get(or.org)
    const c: Mutable<Contract> = { kind, id: `${u.id}/${or.org}/${or.role}`, source: o.source, role, organisation: orgKey(or.org), attributes: Object.freeze({ oneRosterRole: or.role }) }
    if (org?.identifier) c.organisationCode = org.identifier
    if (org?.name) c.organisationName = org.name
    if (year !== undefined) c.schoolYear = year.label
    if (grade !== undefined) c.grade = grade
    const classGroup = role === 'student' ? homeroomTitle(here, r, o.today) : undefined
    if (classGroup !== undefined) c.classGroup = classGroup
    const start = earliest(here.map((e) => e.begin)) ?? (or.begin || undefined) ?? year?.start
    const end = latest(here.map((e) => e.end)) ?? (or.end || undefined) ?? year?.end
    if (start !== undefined) c.start = start
    if (end !== undefined) c.end = end
    if (or.roleType === 'primary') c.primary = true
    else if (or.roleType === 'secondary') c.primary = false
    contracts.push(Object.freeze(c))
  }
  return contracts
}

function schoolYearOf(enrollments: readonly EnrollmentRec[], r: RestRoster, years: SchoolYears, today: string): SchoolYear | undefined {
  let best: SchoolYear | undefined
  const seen = new Set<string>()
  for (const e of enrollments) {
    const term = r.classes.get(e.cls)?.terms[0]
    if (term === undefined || seen.has(term)) continue
    seen.add(term)
    const y = years.ofSession(term)
    if (y === undefined) continue
    if (y.start !== undefined && y.end !== undefined && y.start <= today && today < y.end) return y
    if (best === undefined || y.label > best.label) best = y
  }
  return best ?? years.current(today)
}

function homeroomTitle(enrollments: readonly EnrollmentRec[], r: RestRoster, today: string): string | undefined {
  let fallback: string | undefined
  for (const e of enrollments) {
    if (e.role !== 'student') continue
    const cls = r.classes.get(e.cls)
    if (cls?.classType !== 'homeroom') continue
    if ((e.begin === '' || e.begin <= today) && (e.end === '' || today < e.end)) return cls.title
    fallback ??= cls.title
  }
  return fallback
}

function earliest(dates: readonly string[]): string | undefined {
  let min: string | undefined
  for (const d of dates) if (d !== '' && (min === undefined || d < min)) min = d
  return min
}

function latest(dates: readonly string[]): string | undefined {
  let max: string | undefined
  for (const d of dates) if (d !== '' && (max === undefined || d > max)) max = d
  return max
}

// Dutch family-name prefixes (tussenvoegsels), the common ones. NOTE: a shorter list than the CSV connector's
// dutch-name-prefix.ts, used only when a user has no `nl.familyNamePrefix` metadata.
const PREFIXES = new Set([
  'van', 'van de', 'van der', 'van den', 'van het', "van 't", 'de', 'den', 'der', 'het', "'t", 'te', 'ten', 'ter',
  'in de', 'in het', "in 't", 'op de', 'op den', 'op het', "op 't", 'uit de', 'uit den', 'uit het', 'aan de', 'aan den', 'aan het',
  'bij de', 'onder de', 'over de', 'voor de', 'voor den', 'von', 'von der', 'le', 'la', 'du', 'di', 'da', 'del', 'della', 'dos', 'el', 'al',
])

function nameWithPrefix(displayed: string, prefix: string | undefined, split: boolean): { name: string; prefix?: string } {
  const d = displayed.trim()
  if (prefix !== undefined) {
    const p = prefix.trim()
    if (p === '') return { name: d }
    if (d.length > p.length && d.slice(0, p.length).toLowerCase() === p.toLowerCase() && (/^\s/.test(d.slice(p.length)) || p.endsWith("'"))) return { name: d.slice(p.length).trim(), prefix: p }
    return { name: d, prefix: p }
  }
  if (!split) return { name: d }
  const words = d.split(/\s+/)
  for (let n = Math.min(3, words.length - 1); n >= 1; n--) {
    const candidate = words.slice(0, n).join(' ')
    if (PREFIXES.has(candidate.toLowerCase())) return { prefix: candidate, name: words.slice(n).join(' ') }
  }
  return { name: d }
}
