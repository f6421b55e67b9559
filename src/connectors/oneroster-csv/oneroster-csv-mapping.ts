/**
 * Roster → Koppel model: persons (key, names with Dutch prefixes, attributes, contracts, memberships), groups and,
 * for a delta, the keys of removed persons. Reports mapping problems (missing or duplicate person key, bad name
 * convention) as issues. Does not read files.
 */
import type { Group, Membership, Person, Scalar } from '../../model/index.ts'
import {
  applyDutchNames,
  buildGroups,
  contractContext,
  userContracts,
  userMemberships,
} from '../../protocol/oneroster/index.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import { shown } from '../../contract/issue-collector.ts'
import type { EnrollmentRecord, Roster, UserRecord } from './oneroster-csv-roster.ts'
import { parseBool } from './oneroster-csv-values.ts'

export type PersonKeyField = 'sourcedId' | 'identifier' | 'username'

export interface MappingOptions {
  readonly source: string
  readonly personKey: PersonKeyField
  readonly splitNamePrefix: boolean
  readonly today: string
}

export interface Mapped {
  readonly persons: Person[]
  readonly groups: Group[]
  readonly removed: string[]
}

/** User columns that become person fields rather than attributes; `password` is never read. */
const NOT_ATTRIBUTES = new Set([
  'sourcedId',
  'status',
  'dateLastModified',
  'orgSourcedIds',
  'role',
  'username',
  'givenName',
  'familyName',
  'middleName',
  'email',
  'password',
  'preferredGivenName',
  'primaryOrgSourcedId',
])
const NL = 'metadata.nl.'
const FILE = 'users.csv'

export function mapRoster(r: Roster, o: MappingOptions, issues: IssueCollector): Mapped {
  const names = r.userHeader?.names ?? []
  const at = new Map(names.map((n, i) => [n, i]))
  const col = (fields: readonly string[], name: string): string => {
    const i = at.get(name)
    return i === undefined ? '' : (fields[i] ?? '')
  }
  const attributeColumns = names.flatMap((n, i) => (NOT_ATTRIBUTES.has(n) ? [] : [{ n, i }]))
  const keyOf = (id: string, fields: readonly string[], line: number): string | undefined => {
    const key = o.personKey === 'sourcedId' ? id : col(fields, o.personKey)
    if (key !== '') return key
    const message = `${o.personKey} is empty, and it is the person key (option personKey)`
    issues.error({ code: 'missing_key', file: FILE, line, record: id, field: o.personKey, message })
    return undefined
  }

  const ctx = contractContext<UserRecord>(r, {
    delta: r.files.get('users') === 'delta',
    rolesOf: (u) => r.roles.get(u.id),
    source: o.source,
    today: o.today,
    personKey: (id) => {
      const u = r.users.get(id)
      if (u === undefined) return undefined
      return o.personKey === 'sourcedId' ? id : col(u.fields, o.personKey) || undefined
    },
  })
  const groups = buildGroups(r, ctx.years)
  const classKeys = new Map<string, string>()
  // the records are shared among users (enrollment-pool.ts), and so are their memberships
  const memberships = new Map<EnrollmentRecord, Membership>()
  const persons: Person[] = []
  const keys = new Map<string, string>()
  for (const u of r.users.values()) {
    const key = keyOf(u.id, u.fields, u.line)
    if (key === undefined) continue
    // sourcedIds are unique already (a duplicate row is refused while reading): no map of 100,000 keys for them
    const other = o.personKey === 'sourcedId' ? undefined : keys.get(key)
    if (other !== undefined) {
      issues.error({
        code: 'duplicate_key',
        file: FILE,
        line: u.line,
        record: u.id,
        field: o.personKey,
        value: shown(key),
        message: `${o.personKey} ${shown(key)} is also the ${o.personKey} of user ${other}; the person key must be unique`,
      })
      continue
    }
    if (o.personKey !== 'sourcedId') keys.set(key, u.id)
    const f = (name: string) => col(u.fields, name)
    const attributes: Record<string, Scalar> = {}
    for (const { n, i } of attributeColumns) {
      const v = u.fields[i] ?? ''
      if (v !== '') attributes[n] = n === 'enabledUser' ? (parseBool(v) ?? v) : v
    }
    const demo = r.demographics.get(u.id)
    if (demo?.sex) attributes.sex = demo.sex
    const person: { -readonly [K in keyof Person]: Person[K] } = {
      kind: 'person',
      key,
      sourceIds: Object.freeze({ [o.source]: u.id }),
      givenName: f('givenName'),
      familyName: '',
      attributes: Object.freeze(attributes),
      contracts: Object.freeze(userContracts(u, f('grades'), ctx)),
      memberships: Object.freeze(userMemberships(r.enrollments.get(u.id), classKeys, memberships)),
    }
    applyNames(person, f, at, o.splitNamePrefix, issues, u.id, u.line)
    const optional = {
      preferredGivenName: f('preferredGivenName'),
      middleName: f('middleName'),
      email: f('email'),
      username: f('username'),
    }
    for (const [k, v] of Object.entries(optional))
      if (v !== '') (person as Record<string, unknown>)[k] = v
    if (demo?.birthDate) person.birthDate = demo.birthDate
    persons.push(Object.freeze(person))
  }
  const removed: string[] = []
  for (const d of r.deletedUsers) {
    const key = keyOf(d.id, d.fields, d.line)
    if (key !== undefined) removed.push(key)
  }
  warnOrphans(r, issues)
  return { persons, groups, removed }
}

/** Family and partner names: with a prefix column, the CSV name is displayed-with-prefix; without, split it. */
function applyNames(
  p: { -readonly [K in keyof Person]: Person[K] },
  f: (name: string) => string,
  at: ReadonlyMap<string, number>,
  split: boolean,
  issues: IssueCollector,
  id: string,
  line: number,
): void {
  const familyPrefix = at.has(`${NL}familyNamePrefix`) ? f(`${NL}familyNamePrefix`) : undefined
  const partnerPrefix = at.has(`${NL}partnerNamePrefix`) ? f(`${NL}partnerNamePrefix`) : undefined
  const convention = applyDutchNames(
    p,
    f('familyName'),
    familyPrefix,
    f(`${NL}partnerName`),
    partnerPrefix,
    f(`${NL}nameConvention`),
    split,
  )
  if (convention !== undefined) {
    issues.error({
      code: 'bad_enum',
      file: FILE,
      line,
      record: id,
      field: `${NL}nameConvention`,
      value: shown(convention),
      message: `${shown(convention)} is not a name convention; allowed: B, BP, P, PB`,
    })
  }
}

/** In a delta, enrollments or roles may name users that are not in the package: they cannot be mapped alone. */
function warnOrphans(r: Roster, issues: IssueCollector): void {
  for (const [file, map] of [
    ['enrollments.csv', r.enrollments],
    ['roles.csv', r.roles],
  ] as const) {
    let count = 0
    for (const user of map.keys()) if (!r.users.has(user)) count++
    if (count > 0) {
      issues.warn({
        code: 'delta_without_user',
        file,
        message: `${count} user(s) have rows in ${file} but are not in users.csv of this delta; those rows were not applied`,
      })
    }
  }
}
