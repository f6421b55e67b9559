/**
 * OneRoster REST JSON objects → plain records keyed by sourcedId, with the checks a record needs before it can
 * be mapped: every problem is an issue naming the collection, the record's sourcedId (or position) and the
 * field. Records marked `tobedeleted` are set apart; references become the referenced sourcedId. Accepts the
 * 1.1 and 1.2 shapes (1.1 user `role` + `orgs`, 1.2 user `roles`; booleans as true/"true").
 */
import type { Issue } from '../../model/index.ts'
import type { OneRosterClass, OneRosterCourse, OneRosterDemographics, OneRosterEnrollment, OneRosterOrg, OneRosterRole, OneRosterSession, OneRosterUser } from '../../protocol/oneroster/index.ts'
import { isIsoDate } from '../../util/dates.ts'
import type { Json } from './oneroster-rest-client.ts'

export type OrgRec = OneRosterOrg
export type SessionRec = OneRosterSession
export type CourseRec = OneRosterCourse
export type ClassRec = OneRosterClass
export interface EnrollmentRec extends OneRosterEnrollment {
  readonly id: string
  readonly user: string
}
export type RoleRec = OneRosterRole
export interface UserRec extends OneRosterUser {
  readonly json: Json
  /** 1.2 `roles`; undefined in 1.1. */
  readonly roles: readonly RoleRec[] | undefined
}
export type DemographicsRec = OneRosterDemographics

export class Issues {
  readonly errors: Issue[] = []
  readonly warnings: Issue[] = []
  readonly source: string
  constructor(source: string) {
    this.source = source
  }
  error(code: string, file: string, record: string, field: string | undefined, message: string, value?: unknown): void {
    this.errors.push(this.#issue('error', code, file, record, field, message, value))
  }
  warn(code: string, file: string, message: string): void {
    this.warnings.push({ severity: 'warning', code, source: this.source, file, message })
  }
  #issue(severity: 'error' | 'warning', code: string, file: string, record: string, field: string | undefined, message: string, value?: unknown): Issue {
    const shown = value === undefined ? undefined : typeof value === 'string' ? value.slice(0, 100) : JSON.stringify(value)?.slice(0, 100)
    return { severity, code, source: this.source, file, record, message, ...(field !== undefined ? { field } : {}), ...(shown !== undefined ? { value: shown } : {}) }
  }
}

/** Reads the fields of one record, reporting type problems against it. */
export class Reader {
  readonly issues: Issues
  readonly file: string
  readonly record: string
  readonly json: Json
  /** Prefix of field names in issues (`roles[2].`), for records nested in a record. */
  readonly prefix: string
  constructor(issues: Issues, file: string, record: string, json: Json, prefix = '') {
    this.issues = issues
    this.file = file
    this.record = record
    this.json = json
    this.prefix = prefix
  }
  text(field: string, required = false): string {
    const v = this.json[field]
    if (v === undefined || v === null || v === '') {
      if (required) this.issues.error('missing_field', this.file, this.record, this.prefix + field, `${this.prefix}${field} is required`)
      return ''
    }
    if (typeof v === 'string') return v
    // GUESS: some services send the year fields as numbers
    if (typeof v === 'number' && field === 'schoolYear') return String(v)
    this.issues.error('bad_type', this.file, this.record, this.prefix + field, `${this.prefix}${field} must be a string`, v)
    return ''
  }
  date(field: string): string {
    const v = this.text(field)
    if (v !== '' && !isIsoDate(v)) this.issues.error('bad_date', this.file, this.record, this.prefix + field, `${this.prefix}${field} ${JSON.stringify(v.slice(0, 40))} is not a date (YYYY-MM-DD)`, v)
    return isIsoDate(v) ? v : ''
  }
  bool(field: string): boolean | undefined {
    const v = this.json[field]
    if (v === undefined || v === null || v === '') return undefined
    if (v === true || v === 'true') return true
    if (v === false || v === 'false') return false
    this.issues.error('bad_value', this.file, this.record, field, `${field} must be true or false`, v)
    return undefined
  }
  /** A GUIDRef `{sourcedId, href, type}` → its sourcedId ('' when absent). */
  ref(field: string, required = false): string {
    const v = this.json[field]
    if (v === undefined || v === null) {
      if (required) this.issues.error('missing_field', this.file, this.record, this.prefix + field, `${this.prefix}${field} is required`)
      return ''
    }
    const id = typeof v === 'object' && !Array.isArray(v) ? (v as Json).sourcedId : undefined
    if (typeof id !== 'string' || id === '') {
      this.issues.error('bad_reference', this.file, this.record, `${this.prefix}${field}.sourcedId`, `${this.prefix}${field} must be a reference with a sourcedId`, v)
      return ''
    }
    return id
  }
  refs(field: string): string[] {
    const v = this.json[field]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) {
      this.issues.error('bad_type', this.file, this.record, field, `${field} must be a list of references`, v)
      return []
    }
    const out: string[] = []
    for (const [i, r] of v.entries()) {
      const id = typeof r === 'object' && r !== null ? (r as Json).sourcedId : undefined
      if (typeof id === 'string' && id !== '') out.push(id)
      else this.issues.error('bad_reference', this.file, this.record, `${field}[${i}].sourcedId`, `${field}[${i}] must be a reference with a sourcedId`, r)
    }
    return out
  }
  /** A list of strings (1.2 arrays; a comma-separated string is accepted too) as the CSV binding's comma list. */
  list(field: string): string {
    const v = this.json[field]
    if (v === undefined || v === null) return ''
    if (typeof v === 'string') return v
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',')
    this.issues.error('bad_type', this.file, this.record, field, `${field} must be a list of strings`, v)
    return ''
  }
}

/** What a collection read page by page has seen so far (for duplicate ids and record positions). */
export interface RecordState {
  readonly seen: Set<string>
  count: number
}

/**
 * Splits records into active ones (checked, by sourcedId) and the ids of tobedeleted ones. Pass one `state`
 * for all pages of a collection.
 */
export function eachRecord(rows: readonly Json[], file: string, issues: Issues, visit: (r: Reader, id: string) => void, state: RecordState = { seen: new Set(), count: 0 }): string[] {
  const deleted: string[] = []
  const seen = state.seen
  for (const json of rows) {
    const i = state.count++
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      issues.error('bad_record', file, `#${i + 1}`, undefined, 'not an object')
      continue
    }
    const id = json.sourcedId
    if (typeof id !== 'string' || id === '') {
      issues.error('missing_field', file, `#${i + 1}`, 'sourcedId', 'sourcedId is required', id)
      continue
    }
    if (seen.has(id)) {
      issues.error('duplicate_id', file, id, 'sourcedId', `${id} appears twice`)
      continue
    }
    seen.add(id)
    const status = json.status
    if (status === 'tobedeleted') {
      deleted.push(id)
      continue
    }
    if (status !== undefined && status !== null && status !== 'active') {
      issues.error('bad_enum', file, id, 'status', `status ${JSON.stringify(status)} is not active or tobedeleted`, status)
      continue
    }
    visit(new Reader(issues, file, id, json), id)
  }
  return deleted
}

export const readOrg = (r: Reader, id: string): OrgRec => ({ id, name: r.text('name', true), type: r.text('type', true), identifier: r.text('identifier'), parent: r.ref('parent') })
export const readSession = (r: Reader, id: string): SessionRec => ({
  id,
  title: r.text('title', true),
  type: r.text('type', true),
  start: r.date('startDate'),
  end: r.date('endDate'),
  parent: r.ref('parent'),
  schoolYear: r.text('schoolYear'),
})
export const readCourse = (r: Reader, id: string): CourseRec => ({
  id,
  title: r.text('title', true),
  code: r.text('courseCode'),
  schoolYear: r.ref('schoolYear'),
  org: r.ref('org', true),
  grades: r.list('grades'),
  subjects: r.list('subjects'),
  subjectCodes: r.list('subjectCodes'),
})
export const readClass = (r: Reader, id: string): ClassRec => ({
  id,
  title: r.text('title', true),
  code: r.text('classCode'),
  classType: r.text('classType', true),
  location: r.text('location'),
  school: r.ref('school', true),
  course: r.ref('course'),
  terms: r.refs('terms'),
  grades: r.list('grades'),
  subjects: r.list('subjects'),
  subjectCodes: r.list('subjectCodes'),
  periods: r.list('periods'),
})
export const readEnrollment = (r: Reader, id: string): EnrollmentRec => ({
  id,
  user: r.ref('user', true),
  cls: r.ref('class', true),
  school: r.ref('school'),
  role: r.text('role', true),
  primary: r.bool('primary'),
  begin: r.date('beginDate'),
  end: r.date('endDate'),
})
export const readDemographics = (r: Reader): DemographicsRec => ({ birthDate: r.date('birthDate'), sex: r.text('sex') })

export function readUser(r: Reader, id: string, version: '1.1' | '1.2'): UserRec {
  r.text('givenName', true)
  r.text('familyName', true)
  for (const f of ['username', 'email', 'identifier', 'middleName', 'preferredGivenName']) r.text(f)
  if (version === '1.1' || r.json.roles === undefined) {
    return { id, json: r.json, orgs: r.refs('orgs'), role: r.text('role', version === '1.1'), roles: version === '1.1' ? undefined : [] }
  }
  const roles: RoleRec[] = []
  const raw = r.json.roles
  if (!Array.isArray(raw)) r.issues.error('bad_type', r.file, id, 'roles', 'roles must be a list', raw)
  else {
    for (const [i, x] of raw.entries()) {
      if (typeof x !== 'object' || x === null) {
        r.issues.error('bad_type', r.file, id, `roles[${i}]`, 'a role must be an object', x)
        continue
      }
      const sub = new Reader(r.issues, r.file, id, x as Json, `roles[${i}].`)
      const org = sub.ref('org', true)
      const role = sub.text('role', true)
      if (org === '' || role === '') continue
      roles.push({ org, role, roleType: sub.text('roleType'), begin: sub.date('beginDate'), end: sub.date('endDate') })
    }
  }
  const primary = r.ref('primaryOrg')
  return { id, json: r.json, orgs: primary === '' ? [] : [primary], role: '', roles }
}
