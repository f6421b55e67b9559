/**
 * Test helper: writes small hand-made OneRoster packages (1.1 and 1.2, bulk) into a temp folder with
 * csv-stringify, and reads them through the connector. Used only by the *.test.ts files next to it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import type { SourceReadResult } from '../../model/index.ts'
import { oneRosterCsvConnector } from './oneroster-csv-connector.ts'

export type Files = Record<string, (string | number)[][]>

export const FIXTURES = new URL('../../../test/fixtures/oneroster/catalyst-moodle-enrol_oneroster/', import.meta.url).pathname

export function writePackage(files: Files): string {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-oneroster-'))
  for (const [name, rows] of Object.entries(files)) writeFileSync(join(dir, name), stringify(rows.map((r) => r.map(String))))
  return dir
}

export function removePackage(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

export async function readPackage(
  path: string,
  options: Record<string, unknown> = {},
  today = '2025-10-01',
  onProgress?: (n: number) => void,
): Promise<SourceReadResult> {
  // deltas on unless a test says otherwise: most tests read delta packages as well as bulk ones
  const parsed = oneRosterCsvConnector.schema.parse({ path, deltas: true, ...options })
  const source = oneRosterCsvConnector.create('school', parsed, { baseDir: '/', log: () => {}, now: () => new Date('2025-10-01T06:00:00Z') })
  return source.read({ today, ...(onProgress ? { onProgress } : {}) })
}

export function manifest(version: '1.1' | '1.2', files: Record<string, 'bulk' | 'delta' | 'absent'>): (string | number)[][] {
  return [['propertyName', 'value'], ['manifest.version', '1.0'], ['oneroster.version', version], ...Object.entries(files).map(([f, m]) => [`file.${f}`, m])]
}

const ORGS = [
  ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
  ['board', '', '', 'Stichting Voorbeeld', 'district', '41234', ''],
  ['sch1', '', '', 'Het Baken', 'school', '12AB00', 'board'],
  ['sch2', '', '', 'De Vliet', 'school', '12AB01', 'board'],
]
const SESSIONS = [
  ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
  ['sy2025', '', '', '2024-2025', 'schoolYear', '2024-08-01', '2025-08-01', '', '2025'],
  ['sy2026', '', '', '2025-2026', 'schoolYear', '2025-08-01', '2026-08-01', '', '2026'],
  ['t2026', '', '', 'Periode 1', 'term', '2025-08-01', '2026-01-01', 'sy2026', '2026'],
]
const COURSES = [
  ['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'],
  ['c-ne', '', '', 'sy2026', 'Nederlands', 'NE', '', 'sch1', 'Nederlands', ''],
  ['c-mentor', '', '', 'sy2026', 'Mentoraat', 'MT', '', 'sch1', '', ''],
]
const CLASSES = [
  ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds', 'subjects', 'subjectCodes', 'periods'],
  ['k-2b', '', '', '2B', '2', 'c-mentor', '2B', 'homeroom', 'Lokaal 12', 'sch1', 't2026', '', '', ''],
  ['k-2b-ne', '', '', '2B ne', '2', 'c-ne', '2bne1', 'scheduled', '', 'sch1', 't2026', '', '', ''],
]
const ENROLLMENTS = [
  ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'],
  ['e1', '', '', 'k-2b', 'sch1', 'u-pupil', 'student', '', '2025-08-20', '2026-08-01'],
  ['e2', '', '', 'k-2b-ne', 'sch1', 'u-pupil', 'student', '', '2025-09-01', '2026-07-01'],
  ['e3', '', '', 'k-2b', 'sch1', 'u-teacher', 'teacher', 'true', '', ''],
  ['e4', '', '', 'k-2b-ne', 'sch1', 'u-teacher', 'teacher', 'false', '', ''],
]

/** A valid 1.1 bulk package: a pupil with a Dutch prefix column, a teacher at two schools, a parent. */
export function bulk11(): Files {
  const files = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'demographics']
  return structuredClone({
    'manifest.csv': manifest('1.1', Object.fromEntries(files.map((f) => [f, 'bulk'] as const))),
    'orgs.csv': ORGS,
    'academicSessions.csv': SESSIONS,
    'courses.csv': COURSES,
    'classes.csv': CLASSES,
    'enrollments.csv': ENROLLMENTS,
    'users.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password', 'metadata.nl.familyNamePrefix', 'metadata.nl.partnerName', 'metadata.nl.partnerNamePrefix', 'metadata.nl.nameConvention', 'metadata.eckId'],
      ['u-pupil', '', '', 'true', 'sch1', 'student', 'sanne.berg', '{LDAP:123}', 'Sanne', 'van den Berg', '', '123456', 'sanne@leerling.nl', '', '', 'u-parent', '02', 'Geheim!1', 'van den', '', '', 'B', 'https://ketenid.nl/201703/abc'],
      ['u-teacher', '', '', 'true', 'sch1,sch2', 'teacher', 'p.jansen', '', 'Pieter', 'Jansen', 'Jan', 'T001', 'p.jansen@school.nl', '', '', '', '', '', '', 'de Vries', 'de', 'PB', ''],
      ['u-parent', '', '', 'false', 'sch1', 'parent', 'ouder1', '', 'Anna', "van 't Hof", '', '', '', '', '', '', '', '', "van 't", '', '', '', ''],
    ],
    'demographics.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex', 'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity', 'countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus'],
      ['u-pupil', '', '', '2012-03-04', 'female', '', '', '', '', '', '', '', 'NL', '', 'Zwolle', ''],
    ],
  })
}

/** A valid 1.2 bulk package with roles.csv; users have no prefix column, so names are split. */
export function bulk12(): Files {
  const files = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments', 'roles']
  return structuredClone({
    'manifest.csv': manifest('1.2', Object.fromEntries(files.map((f) => [f, 'bulk'] as const))),
    'orgs.csv': ORGS,
    'academicSessions.csv': SESSIONS,
    'courses.csv': COURSES,
    'classes.csv': CLASSES,
    'enrollments.csv': ENROLLMENTS,
    'users.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password', 'userMasterIdentifier', 'resourceSourcedIds', 'preferredGivenName', 'preferredMiddleName', 'preferredFamilyName', 'primaryOrgSourcedId', 'pronouns'],
      ['u-pupil', '', '', 'true', 'sanne.berg', '', 'Susanne', 'van der Berg', '', '123456', '', '', '', '', '2', '', '', '', 'Sanne', '', '', 'sch1', ''],
      ['u-teacher', '', '', 'true', 'p.jansen', '', 'Pieter', 'Jansen', '', 'T001', '', '', '', '', '', '', '', '', '', '', '', 'sch1', ''],
      ['u-admin', '', '', 'true', 'admin', '', 'Ali', 'El Amrani', '', 'A01', '', '', '', '', '', '', '', '', '', '', '', 'board', ''],
    ],
    'roles.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'],
      ['r1', '', '', 'u-pupil', 'primary', 'student', '', '', 'sch1', ''],
      ['r2', '', '', 'u-teacher', 'primary', 'teacher', '2020-08-01', '', 'sch1', ''],
      ['r3', '', '', 'u-teacher', 'secondary', 'teacher', '2024-08-01', '2026-08-01', 'sch2', ''],
      ['r4', '', '', 'u-admin', 'primary', 'districtAdministrator', '', '', 'board', ''],
    ],
  })
}
