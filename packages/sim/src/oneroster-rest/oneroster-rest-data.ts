// The generator's board as OneRoster REST collections (1.1 or 1.2 JSON binding): the same rows the CSV writer
// produces (oneroster-rows.ts), turned into objects with references. Every record starts `active` with one
// dateLastModified; the simulator changes records afterwards for delta tests.
import { boardRows, chunkRows } from '../generator/oneroster-rows.ts'
import {
  headerFor,
  type OneRosterVersion,
  type WrittenFile,
} from '../generator/oneroster-columns.ts'
import type { SimBoard } from '../generator/index.ts'

export type RestRecord = Record<string, unknown> & {
  sourcedId: string
  status: 'active' | 'tobedeleted'
  dateLastModified: string
}

export const COLLECTIONS = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'enrollments',
  'demographics',
] as const
export type Collection = (typeof COLLECTIONS)[number]
export type RestData = Record<Collection, RestRecord[]>

export function basePath(version: OneRosterVersion): string {
  return version === '1.2' ? '/ims/oneroster/rostering/v1p2' : '/ims/oneroster/v1p1'
}

const list = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(','))

export function buildRestData(
  board: SimBoard,
  version: OneRosterVersion,
  modifiedAt: string,
): RestData {
  const base = basePath(version)
  const ref = (kind: string, path: string, id: string) =>
    id === '' ? null : { href: `${base}/${path}/${id}`, sourcedId: id, type: kind }
  const zip = (file: WrittenFile, row: readonly string[]): Record<string, string> => {
    const h = headerFor(file, version)
    return Object.fromEntries(h.map((name, i) => [name, row[i] ?? '']))
  }
  const common = (r: Record<string, string>) => ({
    sourcedId: r.sourcedId as string,
    status: 'active' as const,
    dateLastModified: modifiedAt,
  })
  const data: RestData = {
    orgs: [],
    academicSessions: [],
    courses: [],
    classes: [],
    users: [],
    enrollments: [],
    demographics: [],
  }

  const top = boardRows(board)
  const org = (row: readonly string[]) => {
    const r = zip('orgs', row)
    data.orgs.push({
      ...common(r),
      name: r.name,
      type: r.type,
      identifier: r.identifier,
      parent: ref('org', 'orgs', r.parentSourcedId ?? ''),
    })
  }
  top.orgs.forEach(org)
  for (const row of top.academicSessions) {
    const r = zip('academicSessions', row)
    data.academicSessions.push({
      ...common(r),
      title: r.title,
      type: r.type,
      startDate: r.startDate,
      endDate: r.endDate,
      parent: ref('academicSession', 'academicSessions', r.parentSourcedId ?? ''),
      schoolYear: r.schoolYear,
    })
  }
  for (const chunk of board.chunks()) {
    const rows = chunkRows(chunk, board, version)
    rows.orgs.forEach(org)
    for (const row of rows.courses) {
      const r = zip('courses', row)
      data.courses.push({
        ...common(r),
        title: r.title,
        schoolYear: ref('academicSession', 'academicSessions', r.schoolYearSourcedId ?? ''),
        courseCode: r.courseCode,
        grades: list(r.grades),
        subjects: list(r.subjects),
        org: ref('org', 'orgs', r.orgSourcedId ?? ''),
        subjectCodes: list(r.subjectCodes),
      })
    }
    for (const row of rows.classes) {
      const r = zip('classes', row)
      data.classes.push({
        ...common(r),
        title: r.title,
        classCode: r.classCode,
        classType: r.classType,
        location: r.location,
        grades: list(r.grades),
        subjects: list(r.subjects),
        course: ref('course', 'courses', r.courseSourcedId ?? ''),
        school: ref('org', 'orgs', r.schoolSourcedId ?? ''),
        terms: list(r.termSourcedIds).map((t) => ref('academicSession', 'academicSessions', t)),
        subjectCodes: list(r.subjectCodes),
        periods: list(r.periods),
      })
    }
    for (const row of rows.enrollments) {
      const r = zip('enrollments', row)
      const e: RestRecord = {
        ...common(r),
        user: ref('user', 'users', r.userSourcedId ?? ''),
        class: ref('class', 'classes', r.classSourcedId ?? ''),
        school: ref('org', 'orgs', r.schoolSourcedId ?? ''),
        role: r.role as string,
      }
      if (r.primary !== '') e.primary = r.primary === 'true'
      if (r.beginDate !== '') e.beginDate = r.beginDate
      if (r.endDate !== '') e.endDate = r.endDate
      data.enrollments.push(e)
    }
    const roles = new Map<string, Record<string, unknown>[]>()
    for (const row of rows.roles) {
      const r = zip('roles', row)
      const role: Record<string, unknown> = {
        roleType: r.roleType,
        role: r.role,
        org: ref('org', 'orgs', r.orgSourcedId ?? ''),
      }
      if (r.beginDate !== '') role.beginDate = r.beginDate
      if (r.endDate !== '') role.endDate = r.endDate
      const u = r.userSourcedId as string
      roles.set(u, [...(roles.get(u) ?? []), role])
    }
    for (const row of rows.users) {
      const r = zip('users', row)
      const metadata: Record<string, string> = {}
      for (const [k, v] of Object.entries(r))
        if (k.startsWith('metadata.')) metadata[k.slice('metadata.'.length)] = v
      const u: RestRecord = {
        ...common(r),
        metadata,
        enabledUser: r.enabledUser as string,
        username: r.username as string,
        userIds: [],
        givenName: r.givenName as string,
        familyName: r.familyName as string,
        middleName: r.middleName,
        identifier: r.identifier,
        email: r.email,
        sms: r.sms,
        phone: r.phone,
        agents: list(r.agentSourcedIds).map((a) => ref('user', 'users', a)),
        grades: list(r.grades),
      }
      if (version === '1.1') {
        u.role = r.role
        u.orgs = list(r.orgSourcedIds).map((o) => ref('org', 'orgs', o))
      } else {
        u.roles = roles.get(r.sourcedId as string) ?? []
        u.primaryOrg = ref('org', 'orgs', r.primaryOrgSourcedId ?? '')
        u.preferredGivenName = r.preferredGivenName
        u.userMasterIdentifier = r.userMasterIdentifier
        u.pronouns = r.pronouns
      }
      data.users.push(u)
    }
    for (const row of rows.demographics) {
      const r = zip('demographics', row)
      data.demographics.push({ ...common(r), birthDate: r.birthDate, sex: r.sex })
    }
  }
  return data
}
