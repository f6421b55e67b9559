/**
 * Plain CSV rows → Koppel persons and organisation/class groups, by a configured mapping of Koppel fields to
 * column headers. Rows with the same key are one person with one contract per row; person fields must agree
 * between those rows. Problems become issues naming line and column. Does not read files (csv-reader.ts).
 */
import type {
  Contract,
  ContractRole,
  Group,
  Membership,
  Person,
  Scalar,
} from '../../model/index.ts'
import { type IssueCollector, shown } from '../../contract/issue-collector.ts'
import type { DateFormat } from './csv-values.ts'
import {
  parseDate,
  parseGrade,
  parseNameConvention,
  parseRole,
  ROLE_WORDS,
  withoutPrefix,
} from './csv-values.ts'

export const PERSON_FIELDS = [
  'givenName',
  'familyName',
  'familyNamePrefix',
  'partnerName',
  'partnerNamePrefix',
  'nameConvention',
  'email',
  'username',
  'birthDate',
] as const
export const CONTRACT_FIELDS = [
  'role',
  'organisation',
  'organisationCode',
  'location',
  'schoolYear',
  'grade',
  'classGroup',
  'title',
  'department',
  'manager',
  'start',
  'end',
] as const

type PersonField = (typeof PERSON_FIELDS)[number]
type ContractField = (typeof CONTRACT_FIELDS)[number]
type Field = 'key' | PersonField | ContractField

export interface CsvMapping {
  readonly source: string
  readonly columns: Readonly<Partial<Record<Field, string>>> & { readonly key: string }
  readonly defaults: Readonly<Partial<Record<ContractField, string>>>
  readonly attributes: Readonly<Record<string, string>>
  readonly dateFormat: DateFormat
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

interface Draft {
  readonly person: Mutable<Person>
  /** Line and raw value of each person field as first seen, to report a later row that disagrees. */
  readonly firstSeen: Map<string, { line: number; value: string }>
  readonly contracts: Contract[]
  readonly memberships: Membership[]
}

export class CsvPersonBuilder {
  readonly #m: CsvMapping
  readonly #issues: IssueCollector
  #at = new Map<string, number>()
  readonly #drafts = new Map<string, Draft>()
  readonly #groups = new Map<string, Group>()

  constructor(mapping: CsvMapping, issues: IssueCollector) {
    this.#m = mapping
    this.#issues = issues
  }

  /** Resolves every mapped column against the header; false (with issues) when one is missing. */
  header(names: readonly string[]): boolean {
    this.#at = new Map(names.map((n, i) => [n.trim(), i]))
    const entries: [string, string][] = [
      ...Object.entries(this.#m.columns).map(([f, c]): [string, string] => [
        `columns.${f}`,
        c ?? '',
      ]),
      ...Object.entries(this.#m.attributes).map(([a, c]): [string, string] => [
        `attributes.${a}`,
        c,
      ]),
    ]
    let ok = true
    for (const [entry, column] of entries) {
      if (this.#at.has(column)) continue
      ok = false
      this.#issues.error({
        code: 'unknown_column',
        line: 1,
        field: entry,
        value: shown(column),
        message: `${entry} names column ${JSON.stringify(shown(column))}, which is not in the header (${names.map((n) => shown(n)).join(', ')})`,
      })
    }
    return ok
  }

  row(fields: readonly string[], line: number): void {
    const cell = (column: string): string => {
      const i = this.#at.get(column)
      return i === undefined ? '' : (fields[i] ?? '').trim()
    }
    const get = (f: Field): string => {
      const c = this.#m.columns[f]
      return c === undefined ? '' : cell(c)
    }
    const key = get('key')
    // the record is the person's key when the row has one: with the line, an admin finds it in the file and in Koppel
    const bad = (f: Field | string, code: string, message: string, value?: string) =>
      this.#issues.error({
        code,
        line,
        ...(key !== '' ? { record: key } : {}),
        field: this.#m.columns[f as Field] ?? f,
        ...(value !== undefined ? { value: shown(value) } : {}),
        message,
      })
    if (key === '')
      return bad(
        'key',
        'missing_key',
        `the key column ${this.#m.columns.key} is empty; every row needs the person's key`,
      )
    let draft = this.#drafts.get(key)
    if (draft === undefined) {
      draft = this.#newDraft(key, get, cell, bad, line)
      this.#drafts.set(key, draft)
    } else this.#sameAsBefore(draft, get, bad, line, key)
    this.#contract(draft, key, get, bad)
  }

  persons(): Person[] {
    return [...this.#drafts.values()].map((d) =>
      Object.freeze({
        ...d.person,
        contracts: Object.freeze(d.contracts),
        memberships: Object.freeze(d.memberships),
      }),
    )
  }

  groups(): Group[] {
    return [...this.#groups.values()]
  }

  #newDraft(
    key: string,
    get: (f: Field) => string,
    cell: (column: string) => string,
    bad: Bad,
    line: number,
  ): Draft {
    const m = this.#m
    const given = get('givenName')
    const prefix = get('familyNamePrefix')
    const partnerPrefix = get('partnerNamePrefix')
    const person: Mutable<Person> = {
      kind: 'person',
      key,
      sourceIds: Object.freeze({ [m.source]: key }),
      givenName: given,
      familyName: prefix === '' ? get('familyName') : withoutPrefix(get('familyName'), prefix),
      attributes: {},
      contracts: [],
      memberships: [],
    }
    if (prefix !== '') person.familyNamePrefix = prefix
    const partner = get('partnerName')
    if (partner !== '')
      person.partnerName = partnerPrefix === '' ? partner : withoutPrefix(partner, partnerPrefix)
    if (partnerPrefix !== '') person.partnerNamePrefix = partnerPrefix
    const convention = get('nameConvention')
    if (convention !== '') {
      const nc = parseNameConvention(convention)
      if (nc === undefined)
        bad(
          'nameConvention',
          'bad_enum',
          `${shown(convention)} is not a name convention; allowed: B, BP, P, PB`,
          convention,
        )
      else person.nameConvention = nc
    }
    for (const f of ['email', 'username'] as const) if (get(f) !== '') person[f] = get(f)
    const birth = get('birthDate')
    if (birth !== '') {
      const d = parseDate(birth, m.dateFormat)
      if (d === undefined)
        bad('birthDate', 'bad_date', `${shown(birth)} is not a date written ${m.dateFormat}`, birth)
      else person.birthDate = d
    }
    const attributes: Record<string, Scalar> = {}
    for (const [name, column] of Object.entries(m.attributes)) {
      const v = cell(column)
      if (v !== '') attributes[name] = v
    }
    person.attributes = Object.freeze(attributes)
    const firstSeen = new Map<string, { line: number; value: string }>()
    for (const f of PERSON_FIELDS) firstSeen.set(f, { line, value: get(f) })
    return { person, firstSeen, contracts: [], memberships: [] }
  }

  #sameAsBefore(d: Draft, get: (f: Field) => string, bad: Bad, line: number, key: string): void {
    for (const f of PERSON_FIELDS) {
      const first = d.firstSeen.get(f)
      const v = get(f)
      if (first === undefined || v === first.value || this.#m.columns[f] === undefined) continue
      bad(
        f,
        'conflicting_value',
        `person ${shown(key)} has ${JSON.stringify(shown(first.value))} here on line ${first.line}, but ${JSON.stringify(shown(v))} on this line`,
        v,
      )
    }
  }

  #contract(d: Draft, key: string, get: (f: Field) => string, bad: Bad): void {
    const m = this.#m
    const val = (f: ContractField) => get(f) || (m.defaults[f] ?? '')
    const roleText = val('role')
    const organisation = val('organisation')
    if (roleText === '' && organisation === '') return // a person row without a contract (e.g. a guardian list)
    const role: ContractRole | undefined = roleText === '' ? 'other' : parseRole(roleText)
    if (role === undefined)
      return bad(
        'role',
        'bad_enum',
        `${shown(roleText)} is not a role; use one of ${ROLE_WORDS.join(', ')}`,
        roleText,
      )
    if (organisation === '')
      return bad(
        'organisation',
        'missing_field',
        'the row has a role but no organisation (column or defaults.organisation)',
      )
    const c: Mutable<Contract> = {
      kind: role === 'student' || role === 'guardian' ? 'enrolment' : 'employment',
      id: `${key}/${organisation}/${role}`,
      source: m.source,
      role,
      organisation: `org/${organisation}`,
      attributes: Object.freeze({}),
    }
    if (d.contracts.some((x) => x.id === c.id)) c.id = `${c.id}/${d.contracts.length + 1}`
    // manager: the person key of a pupil's mentor or an employee's manager, where initial passwords are mailed
    for (const f of [
      'organisationCode',
      'location',
      'schoolYear',
      'classGroup',
      'title',
      'department',
      'manager',
    ] as const)
      if (val(f) !== '') c[f] = val(f)
    const grade = val('grade')
    if (grade !== '') {
      const g = parseGrade(grade)
      if (g === undefined)
        bad('grade', 'bad_number', `${shown(grade)} is not a whole number`, grade)
      else c.grade = g
    }
    for (const f of ['start', 'end'] as const) {
      const v = val(f)
      if (v === '') continue
      const date = parseDate(v, m.dateFormat)
      if (date === undefined)
        bad(f, 'bad_date', `${shown(v)} is not a date written ${m.dateFormat}`, v)
      else c[f] = date
    }
    d.contracts.push(Object.freeze(c))
    this.#group(`org/${organisation}`, {
      kind: 'group',
      key: `org/${organisation}`,
      type: 'school',
      name: organisation,
      ...(c.organisationCode ? { code: c.organisationCode } : {}),
      attributes: {},
    })
    if (c.classGroup !== undefined) {
      const group = `class/${organisation}/${c.classGroup}`
      this.#group(group, {
        kind: 'group',
        key: group,
        type: 'class',
        name: c.classGroup,
        parent: `org/${organisation}`,
        ...(c.schoolYear ? { schoolYear: c.schoolYear } : {}),
        attributes: {},
      })
      const mRole = role === 'student' ? 'student' : role === 'teacher' ? 'teacher' : 'member'
      d.memberships.push(
        Object.freeze({
          group,
          role: mRole,
          ...(c.start ? { start: c.start } : {}),
          ...(c.end ? { end: c.end } : {}),
        }),
      )
    }
  }

  #group(key: string, g: Group): void {
    if (!this.#groups.has(key))
      this.#groups.set(key, Object.freeze({ ...g, attributes: Object.freeze(g.attributes) }))
  }
}

type Bad = (f: Field | string, code: string, message: string, value?: string) => void
