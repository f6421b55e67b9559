// Maps the generator's model to OneRoster CSV rows (arrays of strings in header order). Bulk semantics:
// status and dateLastModified stay empty. Pure; the writer does quoting and I/O.
import type {
  SchoolChunk,
  SimBoard,
  SimEnrolment,
  SimGuardian,
  SimPupil,
  SimStaff,
} from './board-model.ts'
import { displayFamilyName } from './dutch-names.ts'
import { subjectTitles } from './curriculum.ts'
import type { OneRosterVersion, WrittenFile } from './oneroster-columns.ts'

type Row = string[]
export type Rows = Record<Exclude<WrittenFile, 'academicSessions'>, Row[]>

const grade2 = (grade: number) => String(grade).padStart(2, '0')
const enrolmentRole = {
  pupil: 'student',
  mentor: 'teacher',
  teacher: 'teacher',
  coordinator: 'administrator',
} as const

export function boardRows(board: SimBoard): { orgs: Row[]; academicSessions: Row[] } {
  const y = board.schoolYear
  const year = String(y.endYear)
  return {
    orgs: [[board.id, '', '', board.name, 'district', '', '']],
    academicSessions: [
      [y.id, '', '', y.title, 'schoolYear', y.startDate, y.endDate, '', year],
      ...y.terms.map((t) => [t.id, '', '', t.title, 'term', t.startDate, t.endDate, y.id, year]),
    ],
  }
}

interface UserFacts {
  readonly orgs: readonly string[]
  readonly role11: string
  readonly role12: string
  readonly begin: string
  readonly end: string
}

// Pupils take their window from the stamgroep enrolment; staff work at their own location plus wherever they
// teach; guardians belong to their children's locations.
function userFacts(chunk: SchoolChunk): Map<string, UserFacts> {
  const stamgroepEnrolment = new Map<string, SimEnrolment>()
  const staffOrgs = new Map<string, Set<string>>()
  const groupKind = new Map(chunk.groups.map((g) => [g.id, g.kind]))
  for (const e of chunk.enrolments) {
    if (e.role === 'pupil') {
      if (groupKind.get(e.groupId) === 'stamgroep') stamgroepEnrolment.set(e.personId, e)
    } else {
      const set = staffOrgs.get(e.personId) ?? new Set()
      set.add(e.locationId)
      staffOrgs.set(e.personId, set)
    }
  }
  const facts = new Map<string, UserFacts>()
  const pupilLocation = new Map<string, string>()
  for (const p of chunk.pupils) {
    const e = stamgroepEnrolment.get(p.id)
    pupilLocation.set(p.id, p.locationId)
    facts.set(p.id, {
      orgs: [p.locationId],
      role11: 'student',
      role12: 'student',
      begin: e?.beginDate ?? '',
      end: e?.endDate ?? '',
    })
  }
  for (const s of chunk.staff) {
    const orgs = [
      s.locationId,
      ...[...(staffOrgs.get(s.id) ?? [])].filter((l) => l !== s.locationId).sort(),
    ]
    const teacher = s.function === 'teacher'
    const [role11, role12] = teacher
      ? ['teacher', 'teacher']
      : ['administrator', 'siteAdministrator']
    facts.set(s.id, { orgs, role11, role12, begin: '', end: '' })
  }
  for (const g of chunk.guardians) {
    const orgs = [
      ...new Set(g.childIds.map((c) => pupilLocation.get(c)).filter((l) => l !== undefined)),
    ]
    facts.set(g.id, { orgs, role11: 'guardian', role12: 'guardian', begin: '', end: '' })
  }
  return facts
}

function userRow(
  u: SimPupil | SimStaff | SimGuardian,
  f: UserFacts,
  version: OneRosterVersion,
): Row {
  const staff = u.kind === 'staff' ? u : undefined
  // username is required by the binding: pupils log in with their leerlingnummer, guardians with e-mail.
  const username = u.kind === 'pupil' ? u.number : u.email
  const identifier = u.kind === 'pupil' ? u.number : staff ? staff.employeeNumber : ''
  const email = u.kind === 'pupil' ? '' : u.email
  const agents =
    u.kind === 'pupil' ? u.guardianIds.join(',') : u.kind === 'guardian' ? u.childIds.join(',') : ''
  const grades = u.kind === 'pupil' ? grade2(u.grade) : ''
  const ext = [
    u.familyNamePrefix,
    staff?.partnerName ?? '',
    staff?.partnerNamePrefix ?? '',
    staff?.nameConvention ?? '',
  ]
  const familyName = displayFamilyName(u)
  if (version === '1.1') {
    return [
      u.id,
      '',
      '',
      'true',
      f.orgs.join(','),
      f.role11,
      username,
      '',
      u.givenName,
      familyName,
      '',
      identifier,
      email,
      '',
      '',
      agents,
      grades,
      '',
      ...ext,
    ]
  }
  return [
    u.id,
    '',
    '',
    'true',
    username,
    '',
    u.givenName,
    familyName,
    '',
    identifier,
    email,
    '',
    '',
    agents,
    grades,
    '',
    '',
    '',
    '',
    '',
    '',
    f.orgs[0] ?? '',
    '',
    ...ext,
  ]
}

export function chunkRows(chunk: SchoolChunk, board: SimBoard, version: OneRosterVersion): Rows {
  const yearId = board.schoolYear.id
  const orgs = chunk.school.locations.map((l) => [l.id, '', '', l.name, 'school', l.code, board.id])
  const courses = chunk.courses.map((c) => [
    c.id,
    '',
    '',
    yearId,
    c.title,
    c.code,
    c.grades.map(grade2).join(','),
    c.locationId,
    c.code === 'stamgroep' ? '' : c.title,
    '',
  ])
  const classes = chunk.groups.map((g) => [
    g.id,
    '',
    '',
    g.title,
    grade2(g.grade),
    g.courseId,
    g.title,
    g.kind === 'stamgroep' ? 'homeroom' : 'scheduled',
    '',
    g.locationId,
    yearId,
    g.subject ? (subjectTitles[g.subject] ?? g.subject) : '',
    '',
    '',
  ])
  const enrollments = chunk.enrolments.map((e) => [
    e.id,
    '',
    '',
    e.groupId,
    e.locationId,
    e.personId,
    enrolmentRole[e.role],
    e.role === 'pupil' || e.role === 'coordinator' ? '' : 'true',
    e.beginDate,
    e.endDate,
  ])
  const facts = userFacts(chunk)
  const users: Row[] = []
  const roles: Row[] = []
  const demographics: Row[] = []
  for (const u of [...chunk.pupils, ...chunk.staff, ...chunk.guardians]) {
    const f = facts.get(u.id) as UserFacts
    users.push(userRow(u, f, version))
    f.orgs.forEach((org, i) => {
      roles.push([
        `rol-${u.id}-${org.replace(/^org-/, '')}`,
        '',
        '',
        u.id,
        i === 0 ? 'primary' : 'secondary',
        f.role12,
        f.begin,
        f.end,
        org,
        '',
      ])
    })
    if (u.kind !== 'guardian')
      demographics.push([
        u.id,
        '',
        '',
        u.birthDate,
        u.sex,
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ])
  }
  return { orgs, courses, classes, enrollments, users, roles, demographics }
}
