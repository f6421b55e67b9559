/**
 * Turns checked rows into roster records and checks the references between them: duplicate sourcedIds, and in
 * a bulk package that every referenced record exists ("semantically complete"). Files are read in READ_ORDER,
 * so a reference to another file is looked up at once; references within a file are checked when it ends.
 * Does not check value forms (oneroster-csv-reader.ts) or build model objects (oneroster-csv-mapping.ts).
 */
import type { IssueCollector, IssueInput } from '../../contract/issue-collector.ts'
import { shown } from '../../contract/issue-collector.ts'
import type { RowConsumer } from './oneroster-csv-reader.ts'
import { idMessage } from './oneroster-csv-reader.ts'
import type { EnrollmentRecord, Roster, UserRecord } from './oneroster-csv-roster.ts'
import type { RosterFile } from './oneroster-csv-spec.ts'
import { isGuid, ownString, parseBool, splitList } from './oneroster-csv-values.ts'
import { StringSet } from './string-set.ts'
import { EnrollmentPool, sameEnrollment } from './enrollment-pool.ts'

type Target = 'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users'

interface Pending {
  readonly line: number
  readonly record: string
  readonly field: string
  readonly value: string
}

export interface RecordBuilderOptions {
  readonly roster: Roster
  readonly issues: IssueCollector
  /** Files whose rows could not be read (bad header): references into them are not checked, to avoid noise. */
  readonly failed: ReadonlySet<RosterFile>
}

export class RecordBuilder {
  readonly #r: Roster
  readonly #issues: IssueCollector
  readonly #failed: ReadonlySet<RosterFile>
  #pending: Pending[] = []
  readonly #interned = new Map<string, string>()
  readonly #enrollmentPool = new EnrollmentPool()
  /**
   * The active users in file order, and where the next reference to a user is expected: roles.csv and
   * demographics.csv list users in users.csv's order, so comparing with the expected user finds most without a
   * map lookup (~1 µs each at 100,000 users: a hash table larger than the caches).
   */
  readonly #userOrder: UserRecord[] = []
  #userAt = 0
  /** Column positions of the file being read, by name. */
  #at = new Map<string, number>()

  constructor(o: RecordBuilderOptions) {
    this.#r = o.roster
    this.#issues = o.issues
    this.#failed = o.failed
  }

  /** The consumer for one file's rows; call `finish(file)` after the file is read. */
  consumer(file: RosterFile): RowConsumer {
    let rows: Pick<RowConsumer, 'row'> | undefined
    return {
      header: (columns) => {
        this.#at = new Map(columns.map((c, i) => [c.name, i]))
        rows = this.#rows(file)
      },
      row: (fields, line, deleted) => rows?.row(fields, line, deleted),
    }
  }

  #rows(file: RosterFile): Pick<RowConsumer, 'row'> {
    const f = (fields: string[], name: string): string => {
      const i = this.#at.get(name)
      return i === undefined ? '' : (fields[i] ?? '')
    }
    const name = `${file}.csv`
    const r = this.#r
    switch (file) {
      case 'orgs':
        return this.#keyed(name, r.orgs, (fields, line, id) => {
          this.#later(line, id, 'parentSourcedId', f(fields, 'parentSourcedId'))
          return {
            id,
            line,
            name: f(fields, 'name'),
            type: f(fields, 'type'),
            identifier: f(fields, 'identifier'),
            parent: f(fields, 'parentSourcedId'),
          }
        })
      case 'academicSessions':
        return this.#keyed(name, r.sessions, (fields, line, id) => {
          this.#later(line, id, 'parentSourcedId', f(fields, 'parentSourcedId'))
          return {
            id,
            line,
            title: f(fields, 'title'),
            type: f(fields, 'type'),
            start: f(fields, 'startDate'),
            end: f(fields, 'endDate'),
            parent: f(fields, 'parentSourcedId'),
            schoolYear: f(fields, 'schoolYear'),
          }
        })
      case 'courses':
        return this.#keyed(name, r.courses, (fields, line, id) => {
          const ref = (field: string, t: Target) =>
            this.#ref(name, line, id, field, f(fields, field), t)
          return {
            id,
            line,
            title: f(fields, 'title'),
            code: f(fields, 'courseCode'),
            schoolYear: ref('schoolYearSourcedId', 'academicSessions'),
            org: ref('orgSourcedId', 'orgs'),
            grades: f(fields, 'grades'),
            subjects: f(fields, 'subjects'),
            subjectCodes: f(fields, 'subjectCodes'),
          }
        })
      case 'classes':
        return this.#keyed(name, r.classes, (fields, line, id) => {
          const ref = (field: string, t: Target) =>
            this.#ref(name, line, id, field, f(fields, field), t)
          return {
            id,
            line,
            title: f(fields, 'title'),
            code: f(fields, 'classCode'),
            classType: f(fields, 'classType'),
            location: f(fields, 'location'),
            school: ref('schoolSourcedId', 'orgs'),
            course: ref('courseSourcedId', 'courses'),
            terms: splitList(f(fields, 'termSourcedIds')).map((t) =>
              this.#ref(name, line, id, 'termSourcedIds', t, 'academicSessions'),
            ),
            grades: f(fields, 'grades'),
            subjects: f(fields, 'subjects'),
            subjectCodes: f(fields, 'subjectCodes'),
            periods: f(fields, 'periods'),
          }
        })
      case 'users':
        return this.#users(name, f)
      case 'roles':
        return {
          row: (fields, line, deleted) => {
            if (deleted) return
            const id = fields[0] ?? ''
            const user = this.#ref(
              name,
              line,
              id,
              'userSourcedId',
              f(fields, 'userSourcedId'),
              'users',
            )
            const org = this.#ref(name, line, id, 'orgSourcedId', f(fields, 'orgSourcedId'), 'orgs')
            this.#format(name, line, id, 'userProfileSourcedId', f(fields, 'userProfileSourcedId'))
            // a role name of 13 or more characters (siteAdministrator) cut from the chunk kept the whole chunk
            // alive in the snapshot: the values are few and repeat, so each is kept once, as its own string
            const role = {
              user,
              org,
              role: this.#intern(f(fields, 'role')),
              roleType: this.#intern(f(fields, 'roleType')),
              begin: this.#intern(f(fields, 'beginDate')),
              end: this.#intern(f(fields, 'endDate')),
            }
            const list = r.roles.get(user)
            if (list === undefined) r.roles.set(user, [role])
            else list.push(role)
          },
        }
      case 'demographics':
        return {
          row: (fields, line, deleted) => {
            if (deleted) return
            const id = this.#ref(name, line, fields[0] ?? '', 'sourcedId', fields[0] ?? '', 'users')
            if (r.demographics.has(id)) this.#duplicate(name, line, id)
            else
              r.demographics.set(id, { birthDate: f(fields, 'birthDate'), sex: f(fields, 'sex') })
          },
        }
      case 'enrollments':
        return this.#enrollments(name)
    }
  }

  /** Checks the references within a file (parents, agents), now that all its records are known. */
  finish(file: RosterFile): void {
    const target: Target | undefined =
      file === 'orgs'
        ? 'orgs'
        : file === 'academicSessions'
          ? 'academicSessions'
          : file === 'users'
            ? 'users'
            : undefined
    if (target !== undefined) {
      for (const p of this.#pending)
        this.#ref(`${file}.csv`, p.line, p.record, p.field, p.value, target)
    }
    this.#pending = []
  }

  #keyed<T>(
    file: string,
    map: Map<string, T>,
    make: (fields: string[], line: number, id: string) => T,
  ): Pick<RowConsumer, 'row'> {
    return {
      row: (fields, line, deleted) => {
        // records (few: orgs, sessions, courses, classes) outlive the read chunks; see ownString
        ownStrings(fields)
        const id = fields[0] ?? ''
        const earlier = map.get(id) as { line?: number } | undefined
        if (earlier !== undefined) return this.#duplicate(file, line, id, earlier.line)
        // a deleted record in a delta only says "gone": nothing to map, nothing to refer to
        if (!deleted) map.set(id, make(fields, line, id))
      },
    }
  }

  #users(file: string, f: (fields: string[], name: string) => string): Pick<RowConsumer, 'row'> {
    const r = this.#r
    const v11 = r.version === '1.1'
    const seen = new Set<string>()
    return {
      row: (fields, line, deleted) => {
        // users keep their whole row, and persons its strings: without copies they keep all of users.csv alive
        ownStrings(fields)
        const id = fields[0] ?? ''
        if (seen.has(id)) return this.#duplicate(file, line, id, r.users.get(id)?.line)
        seen.add(id)
        if (deleted) {
          r.deletedUsers.push({ id, line, fields })
          return
        }
        let orgs: readonly string[] = []
        if (v11) {
          orgs = splitList(f(fields, 'orgSourcedIds')).map((o) =>
            this.#ref(file, line, id, 'orgSourcedIds', o, 'orgs'),
          )
        } else {
          const primary = this.#ref(
            file,
            line,
            id,
            'primaryOrgSourcedId',
            f(fields, 'primaryOrgSourcedId'),
            'orgs',
          )
          if (primary !== '') orgs = [primary]
        }
        for (const a of splitList(f(fields, 'agentSourcedIds')))
          this.#later(line, id, 'agentSourcedIds', a)
        const index = this.#userOrder.length
        const user = { id, line, index, fields, orgs, role: v11 ? f(fields, 'role') : '' }
        r.users.set(id, user)
        this.#userOrder.push(user)
      },
    }
  }

  /** The hot path (a million rows): column positions read once, last-seen references reused. */
  #enrollments(file: string): Pick<RowConsumer, 'row'> {
    const r = this.#r
    const ids = new StringSet()
    const at = (name: string) => this.#at.get(name) ?? -1
    const [iClass, iSchool, iUser, iRole, iPrimary, iBegin, iEnd] = [
      'classSourcedId',
      'schoolSourcedId',
      'userSourcedId',
      'role',
      'primary',
      'beginDate',
      'endDate',
    ].map(at) as [number, number, number, number, number, number, number]
    const intern = (s: string) => this.#intern(s)
    // exports list a user's enrollments together and share dates: one remembered value saves most lookups
    let lastUser = ''
    let lastUserId = ''
    let lastSchool = ''
    let lastSchoolId = ''
    let lastBegin = ''
    let lastEnd = ''
    let lastRoleRaw: string | undefined
    let lastRole = ''
    let list: EnrollmentRecord[] | undefined
    // pupils of one class list the same classes in the same order: the previous user's classes, by position,
    // save most class lookups (and their records most pool lookups); only found classes are remembered, so
    // every unknown one is still reported
    let prevRaw: string[] = []
    let prevCls: string[] = []
    let prevRec: EnrollmentRecord[] = []
    let curRaw: string[] = []
    let curCls: string[] = []
    let curRec: EnrollmentRecord[] = []
    let j = 0
    const classes = r.classes
    const pool = this.#enrollmentPool
    return {
      row: (fields, line, deleted) => {
        const id = fields[0] ?? ''
        if (!ids.add(id)) return this.#duplicate(file, line, id)
        if (deleted) return
        const userRaw = fields[iUser] ?? ''
        if (userRaw !== lastUser || list === undefined) {
          lastUser = userRaw
          ;[prevRaw, prevCls, prevRec, curRaw, curCls, curRec] = [
            curRaw,
            curCls,
            curRec,
            prevRaw,
            prevCls,
            prevRec,
          ]
          curRaw.length = 0
          curCls.length = 0
          curRec.length = 0
          j = 0
          lastUserId = this.#ref(file, line, id, 'userSourcedId', userRaw, 'users')
          list = r.enrollments.get(lastUserId)
          if (list === undefined) r.enrollments.set(lastUserId, (list = []))
        }
        const schoolRaw = fields[iSchool] ?? ''
        if (schoolRaw !== lastSchool) {
          lastSchool = schoolRaw
          lastSchoolId = this.#ref(file, line, id, 'schoolSourcedId', schoolRaw, 'orgs')
        }
        const begin = fields[iBegin] ?? ''
        if (begin !== lastBegin) lastBegin = intern(begin)
        const end = fields[iEnd] ?? ''
        if (end !== lastEnd) lastEnd = intern(end)
        const roleRaw = fields[iRole] ?? ''
        if (roleRaw !== lastRoleRaw) {
          lastRoleRaw = roleRaw
          lastRole = intern(roleRaw)
        }
        const primaryRaw = fields[iPrimary] ?? ''
        const primary = primaryRaw === '' ? undefined : parseBool(primaryRaw)
        const clsRaw = fields[iClass] ?? ''
        let cls: string
        let rec: EnrollmentRecord | undefined
        if (j < prevRaw.length && clsRaw === prevRaw[j]) {
          cls = prevCls[j] as string
          rec = prevRec[j]
        } else {
          const found = clsRaw === '' ? undefined : classes.get(clsRaw)?.id
          // an unknown class (a delta's reference to an earlier package) is kept by the pool: its own copy,
          // not a view into the read chunk
          cls = found ?? intern(this.#ref(file, line, id, 'classSourcedId', clsRaw, 'classes'))
          if (found === undefined) j = -Infinity
        }
        if (!sameEnrollment(rec, lastSchoolId, lastRole, primary, lastBegin, lastEnd))
          rec = pool.record(cls, lastSchoolId, lastRole, primary, lastBegin, lastEnd)
        if (j >= 0) {
          curRaw.push(clsRaw)
          curCls.push(cls)
          curRec.push(rec)
          j++
        }
        list.push(rec)
      },
    }
  }

  /** One own copy per distinct value (roles, dates): not a view into a read chunk, and shared. */
  #intern(s: string): string {
    const known = this.#interned.get(s)
    if (known !== undefined) return known
    const own = ownString(s)
    this.#interned.set(own, own)
    return own
  }

  #later(line: number, record: string, field: string, value: string): void {
    if (value !== '') this.#pending.push({ line, record, field, value })
  }

  /** Resolves a reference to the referenced record's id string; reports it when a bulk package lacks it. */
  #ref(
    file: string,
    line: number,
    record: string,
    field: string,
    value: string,
    target: Target,
  ): string {
    if (value === '') return value
    const found = this.#lookup(target, value)
    if (found !== undefined) return found
    if (this.#failed.has(target)) return value
    const mode = this.#r.files.get(target)
    // a delta only carries changes, so the record referred to may well be in an earlier package
    if (this.#r.files.get(file.slice(0, -4) as RosterFile) !== 'bulk' || mode === 'delta') {
      this.#format(file, line, record, field, value)
      return value
    }
    this.#issues.error({
      code: mode === undefined ? 'reference_to_absent_file' : 'unknown_reference',
      file,
      line,
      record,
      field,
      value: shown(value),
      message:
        mode === undefined
          ? `refers to ${shown(value)} in ${target}.csv, but manifest.csv marks ${target} as absent; a bulk package must contain every record it refers to`
          : `refers to ${shown(value)}, which is not in ${target}.csv; a bulk package must contain every record it refers to`,
    })
    return value
  }

  #lookup(target: Target, id: string): string | undefined {
    const r = this.#r
    if (target === 'users') return this.#lookupUser(id)
    const map =
      target === 'orgs'
        ? r.orgs
        : target === 'academicSessions'
          ? r.sessions
          : target === 'courses'
            ? r.courses
            : target === 'classes'
              ? r.classes
              : r.users
    return map.get(id)?.id
  }

  #lookupUser(id: string): string | undefined {
    const order = this.#userOrder
    const at = this.#userAt
    const next = order[at]
    if (next !== undefined && next.id === id) {
      this.#userAt = at + 1
      return next.id
    }
    // a user with several roles is named on consecutive rows
    const last = order[at - 1]
    if (last !== undefined && last.id === id) return last.id
    const u = this.#r.users.get(id)
    if (u === undefined) return undefined
    this.#userAt = u.index + 1
    return u.id
  }

  #format(file: string, line: number, record: string, field: string, value: string): void {
    if (value !== '' && !isGuid(value))
      this.#issues.error({
        code: 'bad_id',
        file,
        line,
        record,
        field,
        value: shown(value),
        message: idMessage(field),
      })
  }

  #duplicate(file: string, line: number, id: string, first?: number): void {
    this.#issues.error(duplicateIssue(file, line, id, first))
  }

  /**
   * The enrollments hot path for rows the parsing thread reduced to indices into `values` (each distinct
   * value once; the thread appends to it): the same records and issues as `consumer('enrollments')`, with each
   * found class, user and school looked up once per distinct value instead of once per row.
   */
  compactEnrollments(values: readonly string[]): (e: CompactEnrollment) => void {
    const r = this.#r
    const file = 'enrollments.csv'
    const interned: (string | undefined)[] = []
    const intern = (i: number): string => {
      const known = interned[i]
      if (known !== undefined) return known
      const v = values[i] ?? ''
      const own = this.#interned.get(v) ?? ownString(v)
      this.#interned.set(own, own)
      interned[i] = own
      return own
    }
    const primaries: (boolean | undefined)[] = []
    const foundClasses: (string | undefined)[] = []
    let lastUser = -1
    let lastSchool = -1
    let lastSchoolId = ''
    let list: EnrollmentRecord[] | undefined
    const ids = new StringSet()
    return (e) => {
      const id = e.id()
      if (!ids.add(id)) return this.#duplicate(file, e.line, id)
      if (e.deleted) return
      if (e.user !== lastUser || list === undefined) {
        lastUser = e.user
        const raw = values[e.user] ?? ''
        const found = raw === '' ? undefined : r.users.get(raw)?.id
        const userId = found ?? this.#ref(file, e.line, id, 'userSourcedId', raw, 'users')
        list = r.enrollments.get(userId)
        if (list === undefined) r.enrollments.set(userId, (list = []))
      }
      if (e.school !== lastSchool) {
        lastSchool = e.school
        const raw = values[e.school] ?? ''
        const found = raw === '' ? undefined : r.orgs.get(raw)?.id
        lastSchoolId = found ?? this.#ref(file, e.line, id, 'schoolSourcedId', raw, 'orgs')
      }
      let cls = foundClasses[e.cls]
      if (cls === undefined) {
        const raw = values[e.cls] ?? ''
        const found = raw === '' ? undefined : r.classes.get(raw)?.id
        if (found !== undefined) foundClasses[e.cls] = cls = found
        else cls = this.#ref(file, e.line, id, 'classSourcedId', raw, 'classes')
      }
      if (!(e.primary in primaries)) {
        const v = values[e.primary] ?? ''
        primaries[e.primary] = v === '' ? undefined : parseBool(v)
      }
      list.push(
        this.#enrollmentPool.record(
          cls,
          lastSchoolId,
          intern(e.role),
          primaries[e.primary],
          intern(e.begin),
          intern(e.end),
        ),
      )
    }
  }
}

/** An enrollment row as the parsing thread sends it: its values as indices into a table of distinct values. */
export interface CompactEnrollment {
  readonly line: number
  /** The row's sourcedId, cut from the batch's text. */
  readonly id: () => string
  /** A delta row with status `tobedeleted`: only its id is checked. */
  readonly deleted: boolean
  readonly user: number
  readonly school: number
  readonly cls: number
  readonly role: number
  readonly primary: number
  readonly begin: number
  readonly end: number
}

export function duplicateIssue(file: string, line: number, id: string, first?: number): IssueInput {
  const where = first !== undefined ? ` on line ${first}` : ' earlier in the file'
  return {
    code: 'duplicate_id',
    file,
    line,
    record: id,
    field: 'sourcedId',
    value: shown(id),
    message: `sourcedId ${shown(id)} is already used${where}`,
  }
}

function ownStrings(fields: string[]): void {
  for (let i = 0; i < fields.length; i++) fields[i] = ownString(fields[i] as string)
}
