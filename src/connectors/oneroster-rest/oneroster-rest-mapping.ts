/**
 * OneRoster REST records → Koppel persons, contracts, memberships and groups. The OneRoster semantics (group
 * keys `org/…`, `session/…`, `course/…`, `class/…`; one contract per (user, org, role) with id
 * `<user>/<org>/<role>` and its window; one membership per enrollment; Dutch name parts from the `nl.*`
 * metadata) are the shared ones of src/protocol/oneroster, which the OneRoster CSV connector uses too, so that
 * one board gives the same persons over CSV and REST. This file only maps what is JSON-specific: the user's
 * fields and metadata into person fields and attributes.
 */
import type { Group, Person, Scalar } from '../../model/index.ts'
import {
  applyDutchNames,
  buildGroups,
  contractContext,
  userContracts,
  userMemberships,
} from '../../protocol/oneroster/index.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import type {
  ClassRec,
  CourseRec,
  DemographicsRec,
  EnrollmentRec,
  OrgRec,
  SessionRec,
  UserRec,
} from './oneroster-rest-records.ts'

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

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** User fields that become person fields (or are never read), not attributes; as the CSV connector's columns. */
const NOT_ATTRIBUTES = new Set([
  'sourcedId',
  'status',
  'dateLastModified',
  'orgs',
  'role',
  'roles',
  'username',
  'givenName',
  'familyName',
  'middleName',
  'email',
  'password',
  'preferredGivenName',
  'primaryOrg',
  'metadata',
  'agents',
  'resources',
  'userProfiles',
  'href',
])

/** A user's field as text for names and attributes ('' when absent or not text). */
function str(u: UserRec, field: string): string {
  const v = u.json[field]
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : ''
}

function metadata(u: UserRec): Readonly<Record<string, unknown>> {
  const m = u.json.metadata
  return typeof m === 'object' && m !== null && !Array.isArray(m)
    ? (m as Record<string, unknown>)
    : {}
}

function refIds(v: unknown): string {
  if (!Array.isArray(v)) return ''
  return v
    .map((r) =>
      typeof r === 'object' && r !== null ? (r as Record<string, unknown>).sourcedId : undefined,
    )
    .filter((id): id is string => typeof id === 'string')
    .join(',')
}

export function personKeyOf(u: UserRec, personKey: RestMappingOptions['personKey']): string {
  return personKey === 'sourcedId' ? u.id : str(u, personKey)
}

export function mapRestRoster(
  r: RestRoster,
  o: RestMappingOptions,
  issues: IssueCollector,
): { persons: Person[]; groups: Group[]; removed: string[] } {
  const ctx = contractContext<UserRec>(r, {
    delta: r.delta,
    rolesOf: (u) => u.roles,
    source: o.source,
    today: o.today,
    personKey: (id) => {
      const u = r.users.get(id)
      return u === undefined ? undefined : personKeyOf(u, o.personKey) || undefined
    },
  })
  const groups = buildGroups(r, ctx.years)
  const classKeys = new Map<string, string>()
  const persons: Person[] = []
  const keys = new Map<string, string>()
  for (const u of r.users.values()) {
    const key = personKeyOf(u, o.personKey)
    if (key === '') {
      issues.error({
        code: 'missing_key',
        file: 'users',
        record: u.id,
        field: o.personKey,
        message: `${o.personKey} is empty, and it is the person key (option personKey)`,
      })
      continue
    }
    const other = keys.get(key)
    if (other !== undefined) {
      issues.error({
        code: 'duplicate_key',
        file: 'users',
        record: u.id,
        field: o.personKey,
        message: `${o.personKey} ${key} is also the ${o.personKey} of user ${other}; the person key must be unique`,
        value: key,
      })
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
        const ids = Array.isArray(v)
          ? v
              .map((x) =>
                typeof x === 'object' && x !== null
                  ? `{${String((x as Record<string, unknown>).type ?? '')}:${String((x as Record<string, unknown>).identifier ?? '')}}`
                  : '',
              )
              .filter((x) => x !== '')
          : []
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
    for (const [k, v] of Object.entries(meta))
      if (typeof v === 'string' && v !== '') attributes[`metadata.${k}`] = v
    const demo = r.demographics.get(u.id)
    if (demo?.sex) attributes.sex = demo.sex
    const person: Mutable<Person> = {
      kind: 'person',
      key,
      sourceIds: Object.freeze({ [o.source]: u.id }),
      givenName: str(u, 'givenName'),
      familyName: '',
      attributes: Object.freeze(attributes),
      contracts: Object.freeze(
        userContracts(u, attributes.grades === undefined ? '' : String(attributes.grades), ctx),
      ),
      memberships: Object.freeze(userMemberships(r.enrollments.get(u.id), classKeys)),
    }
    const nl = (k: string): string | undefined =>
      k in meta ? (typeof meta[k] === 'string' ? (meta[k] as string) : '') : undefined
    const convention = applyDutchNames(
      person,
      str(u, 'familyName'),
      nl('nl.familyNamePrefix'),
      nl('nl.partnerName') ?? '',
      nl('nl.partnerNamePrefix'),
      nl('nl.nameConvention') ?? '',
      o.splitNamePrefix,
    )
    if (convention !== undefined)
      issues.error({
        code: 'bad_enum',
        file: 'users',
        record: u.id,
        field: 'metadata.nl.nameConvention',
        message: `${JSON.stringify(convention)} is not a name convention; allowed: B, BP, P, PB`,
        value: convention,
      })
    const optional = {
      preferredGivenName: str(u, 'preferredGivenName'),
      middleName: str(u, 'middleName'),
      email: str(u, 'email'),
      username: str(u, 'username'),
    }
    for (const [k, v] of Object.entries(optional))
      if (v !== '') (person as Record<string, unknown>)[k] = v
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
