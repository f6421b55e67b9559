/**
 * OneRoster REST JSON objects → plain records keyed by sourcedId, with the checks a record needs before it can
 * be mapped: every problem is an issue naming the collection, the record's sourcedId (or position) and the
 * field. Records marked `tobedeleted` are set apart; references become the referenced sourcedId. Accepts the
 * 1.1 and 1.2 shapes (1.1 user `role` + `orgs`, 1.2 user `roles`; booleans as true/"true").
 */
import { IssueCollector } from '../../contract/issue-collector.ts'
import type {
  OneRosterClass,
  OneRosterCourse,
  OneRosterDemographics,
  OneRosterEnrollment,
  OneRosterOrg,
  OneRosterRole,
  OneRosterSession,
  OneRosterUser,
} from '../../protocol/oneroster/index.ts'
import { isIsoDate } from '../../util/dates.ts'
import type { Json } from './oneroster-rest-client.ts'

export type OrgRec = OneRosterOrg
export type SessionRec = OneRosterSession
export type CourseRec = OneRosterCourse
export type ClassRec = OneRosterClass
/** Without its own sourcedId: nothing after the duplicate check needs it, and 100,000 persons have 2 million. */
export interface EnrollmentRec extends OneRosterEnrollment {
  readonly user: string
}
export type RoleRec = OneRosterRole
export interface UserRec extends OneRosterUser {
  readonly json: Json
  /** 1.2 `roles`; undefined in 1.1. */
  readonly roles: readonly RoleRec[] | undefined
}
export type DemographicsRec = OneRosterDemographics

/**
 * The collector of one REST read: every error kept (the service is read whole before any is shown) and values
 * shortened to 100 characters, as before the collectors were one.
 */
export function restIssues(source: string): IssueCollector {
  return new IssueCollector(source, { cap: Infinity, valueLength: 100 })
}

/** Reads the fields of one record, reporting type problems against it. */
export class Reader {
  readonly issues: IssueCollector
  readonly file: string
  readonly record: string
  readonly json: Json
  /** Prefix of field names in issues (`roles[2].`), for records nested in a record. */
  readonly prefix: string
  /** One string per distinct value (see RecordState.strings); undefined keeps JSON.parse's copies. */
  readonly strings: Map<string, string> | undefined
  constructor(
    issues: IssueCollector,
    file: string,
    record: string,
    json: Json,
    prefix = '',
    strings?: Map<string, string>,
  ) {
    this.issues = issues
    this.file = file
    this.record = record
    this.json = json
    this.prefix = prefix
    this.strings = strings
  }
  /** The one copy of `v` this read keeps. */
  shared(v: string): string {
    const m = this.strings
    if (m === undefined || v === '') return v
    const kept = m.get(v)
    if (kept !== undefined) return kept
    m.set(v, v)
    return v
  }
  /** A text field whose few values repeat across records (a role, a status). */
  word(field: string, required = false): string {
    return this.shared(this.text(field, required))
  }
  text(field: string, required = false): string {
    const v = this.json[field]
    if (v === undefined || v === null || v === '') {
      if (required)
        this.issues.error({
          code: 'missing_field',
          file: this.file,
          record: this.record,
          field: this.prefix + field,
          message: `${this.prefix}${field} is required`,
        })
      return ''
    }
    if (typeof v === 'string') return v
    // GUESS: some services send the year fields as numbers
    if (typeof v === 'number' && field === 'schoolYear') return String(v)
    this.issues.error({
      code: 'bad_type',
      file: this.file,
      record: this.record,
      field: this.prefix + field,
      message: `${this.prefix}${field} must be a string`,
      value: v,
    })
    return ''
  }
  date(field: string): string {
    const v = this.text(field)
    if (v !== '' && !isIsoDate(v))
      this.issues.error({
        code: 'bad_date',
        file: this.file,
        record: this.record,
        field: this.prefix + field,
        message: `${this.prefix}${field} ${JSON.stringify(v.slice(0, 40))} is not a date (YYYY-MM-DD)`,
        value: v,
      })
    return isIsoDate(v) ? this.shared(v) : ''
  }
  bool(field: string): boolean | undefined {
    const v = this.json[field]
    if (v === undefined || v === null || v === '') return undefined
    if (v === true || v === 'true') return true
    if (v === false || v === 'false') return false
    this.issues.error({
      code: 'bad_value',
      file: this.file,
      record: this.record,
      field,
      message: `${field} must be true or false`,
      value: v,
    })
    return undefined
  }
  /** A GUIDRef `{sourcedId, href, type}` → its sourcedId ('' when absent). */
  ref(field: string, required = false): string {
    const v = this.json[field]
    if (v === undefined || v === null) {
      if (required)
        this.issues.error({
          code: 'missing_field',
          file: this.file,
          record: this.record,
          field: this.prefix + field,
          message: `${this.prefix}${field} is required`,
        })
      return ''
    }
    const id = typeof v === 'object' && !Array.isArray(v) ? (v as Json).sourcedId : undefined
    if (typeof id !== 'string' || id === '') {
      this.issues.error({
        code: 'bad_reference',
        file: this.file,
        record: this.record,
        field: `${this.prefix}${field}.sourcedId`,
        message: `${this.prefix}${field} must be a reference with a sourcedId`,
        value: v,
      })
      return ''
    }
    return this.shared(id)
  }
  refs(field: string): string[] {
    const v = this.json[field]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) {
      this.issues.error({
        code: 'bad_type',
        file: this.file,
        record: this.record,
        field,
        message: `${field} must be a list of references`,
        value: v,
      })
      return []
    }
    const out: string[] = []
    for (const [i, r] of v.entries()) {
      const id = typeof r === 'object' && r !== null ? (r as Json).sourcedId : undefined
      if (typeof id === 'string' && id !== '') out.push(this.shared(id))
      else
        this.issues.error({
          code: 'bad_reference',
          file: this.file,
          record: this.record,
          field: `${field}[${i}].sourcedId`,
          message: `${field}[${i}] must be a reference with a sourcedId`,
          value: r,
        })
    }
    return out
  }
  /** A list of strings (1.2 arrays; a comma-separated string is accepted too) as the CSV binding's comma list. */
  list(field: string): string {
    const v = this.json[field]
    if (v === undefined || v === null) return ''
    if (typeof v === 'string') return v
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',')
    this.issues.error({
      code: 'bad_type',
      file: this.file,
      record: this.record,
      field,
      message: `${field} must be a list of strings`,
      value: v,
    })
    return ''
  }
}

/** What a collection read page by page has seen so far (for duplicate ids and record positions). */
export interface RecordState {
  readonly seen: Set<string>
  count: number
  /**
   * One string per distinct reference and date of the whole read: JSON.parse makes a new string for every
   * occurrence, and 100,000 persons' two million enrollments repeat each user, class and date many times.
   * (A record's own sourcedId is not put in: two million enrollment ids would only fill the map.)
   */
  readonly strings?: Map<string, string>
}

/**
 * Splits records into active ones (checked, by sourcedId) and the ids of tobedeleted ones. Pass one `state`
 * for all pages of a collection.
 */
export function eachRecord(
  rows: readonly Json[],
  file: string,
  issues: IssueCollector,
  visit: (r: Reader, id: string) => void,
  state: RecordState = { seen: new Set(), count: 0 },
): string[] {
  const deleted: string[] = []
  const seen = state.seen
  for (const json of rows) {
    const i = state.count++
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      issues.error({ code: 'bad_record', file, record: `#${i + 1}`, message: 'not an object' })
      continue
    }
    const id = json.sourcedId
    if (typeof id !== 'string' || id === '') {
      issues.error({
        code: 'missing_field',
        file,
        record: `#${i + 1}`,
        field: 'sourcedId',
        message: 'sourcedId is required',
        value: id,
      })
      continue
    }
    if (seen.has(id)) {
      issues.error({
        code: 'duplicate_id',
        file,
        record: id,
        field: 'sourcedId',
        message: `${id} appears twice`,
      })
      continue
    }
    seen.add(id)
    const status = json.status
    if (status === 'tobedeleted') {
      deleted.push(id)
      continue
    }
    if (status !== undefined && status !== null && status !== 'active') {
      issues.error({
        code: 'bad_enum',
        file,
        record: id,
        field: 'status',
        message: `status ${JSON.stringify(status)} is not active or tobedeleted`,
        value: status,
      })
      continue
    }
    visit(new Reader(issues, file, id, json, '', state.strings), id)
  }
  return deleted
}

export const readOrg = (r: Reader, id: string): OrgRec => ({
  id,
  name: r.text('name', true),
  type: r.text('type', true),
  identifier: r.text('identifier'),
  parent: r.ref('parent'),
})
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
export const readEnrollment = (r: Reader): EnrollmentRec => ({
  user: r.ref('user', true),
  cls: r.ref('class', true),
  school: r.ref('school'),
  role: r.word('role', true),
  primary: r.bool('primary'),
  begin: r.date('beginDate'),
  end: r.date('endDate'),
})
export const readDemographics = (r: Reader): DemographicsRec => ({
  birthDate: r.date('birthDate'),
  sex: r.text('sex'),
})

export function readUser(r: Reader, id: string, version: '1.1' | '1.2'): UserRec {
  r.text('givenName', true)
  r.text('familyName', true)
  for (const f of ['username', 'email', 'identifier', 'middleName', 'preferredGivenName']) r.text(f)
  // a boolean in the spec; anything else was dropped silently, and a rule reading enabledUser saw it absent
  r.bool('enabledUser')
  if (version === '1.1' || r.json.roles === undefined) {
    return {
      id,
      json: r.json,
      orgs: r.refs('orgs'),
      role: r.text('role', version === '1.1'),
      roles: version === '1.1' ? undefined : [],
    }
  }
  const roles: RoleRec[] = []
  const raw = r.json.roles
  if (!Array.isArray(raw))
    r.issues.error({
      code: 'bad_type',
      file: r.file,
      record: id,
      field: 'roles',
      message: 'roles must be a list',
      value: raw,
    })
  else {
    for (const [i, x] of raw.entries()) {
      if (typeof x !== 'object' || x === null) {
        r.issues.error({
          code: 'bad_type',
          file: r.file,
          record: id,
          field: `roles[${i}]`,
          message: 'a role must be an object',
          value: x,
        })
        continue
      }
      const sub = new Reader(r.issues, r.file, id, x as Json, `roles[${i}].`, r.strings)
      const org = sub.ref('org', true)
      const role = sub.text('role', true)
      if (org === '' || role === '') continue
      roles.push({
        org,
        role: sub.shared(role),
        roleType: sub.word('roleType'),
        begin: sub.date('beginDate'),
        end: sub.date('endDate'),
      })
    }
  }
  const primary = r.ref('primaryOrg')
  return { id, json: r.json, orgs: primary === '' ? [] : [primary], role: '', roles }
}
