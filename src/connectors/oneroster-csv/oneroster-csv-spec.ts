/**
 * The OneRoster 1.1 / 1.2 CSV binding as data: for each file Koppel reads, its columns in order, which are
 * required, and the type of each value. Only the rostering files are described; any other file in a package
 * is ignored. Checking values against this table is done by oneroster-csv-reader.ts, not here.
 */

export type OneRosterVersion = '1.1' | '1.2'

export type RosterFile =
  | 'orgs'
  | 'academicSessions'
  | 'courses'
  | 'classes'
  | 'users'
  | 'roles'
  | 'demographics'
  | 'enrollments'

/** Read order: every file comes after the files it refers to, so references resolve while streaming. */
export const READ_ORDER: readonly RosterFile[] = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'roles',
  'demographics',
  'enrollments',
]

/**
 * `ref` values are sourcedIds of other records: they are checked by looking them up (oneroster-csv-records.ts),
 * which is cheaper than a charset test and also proves they exist. `refs` is a comma-separated list of them.
 */
export type ValueType =
  'guid' | 'ref' | 'refs' | 'text' | 'date' | 'datetime' | 'year' | 'bool' | 'enum' | 'status'

export interface ColumnSpec {
  readonly name: string
  readonly type: ValueType
  readonly required: boolean
  /** For `enum`: the allowed values. */
  readonly values?: ReadonlySet<string>
  /** Whether `ext:`-prefixed proprietary values are allowed (spec: roles, types, classType, sex). */
  readonly ext?: boolean
}

function col(
  name: string,
  type: ValueType,
  required = false,
  values?: readonly string[],
  ext = false,
): ColumnSpec {
  return Object.freeze({
    name,
    type,
    required,
    ...(values ? { values: new Set(values) } : {}),
    ...(ext ? { ext } : {}),
  })
}

const HEAD = [
  col('sourcedId', 'guid', true),
  col('status', 'status'),
  col('dateLastModified', 'datetime'),
]

const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term']
const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national']
const CLASS_TYPES = ['homeroom', 'scheduled']
const ENROLLMENT_ROLES = ['administrator', 'proctor', 'student', 'teacher']
const USER_ROLES_11 = [
  'administrator',
  'aide',
  'guardian',
  'parent',
  'proctor',
  'relative',
  'student',
  'teacher',
]
const ROLES_12 = [
  'aide',
  'counselor',
  'districtAdministrator',
  'guardian',
  'parent',
  'principal',
  'proctor',
  'relative',
  'siteAdministrator',
  'student',
  'systemAdministrator',
  'teacher',
]
const SEXES = ['male', 'female', 'unspecified', 'other']
const bools = (...names: string[]) => names.map((n) => col(n, 'bool'))

const COMMON: Readonly<Record<Exclude<RosterFile, 'users' | 'roles'>, readonly ColumnSpec[]>> = {
  orgs: [
    ...HEAD,
    col('name', 'text', true),
    col('type', 'enum', true, ORG_TYPES, true),
    col('identifier', 'text'),
    col('parentSourcedId', 'ref'),
  ],
  academicSessions: [
    ...HEAD,
    col('title', 'text', true),
    col('type', 'enum', true, SESSION_TYPES, true),
    col('startDate', 'date', true),
    col('endDate', 'date', true),
    col('parentSourcedId', 'ref'),
    col('schoolYear', 'year', true),
  ],
  courses: [
    ...HEAD,
    col('schoolYearSourcedId', 'ref'),
    col('title', 'text', true),
    col('courseCode', 'text'),
    col('grades', 'text'),
    col('orgSourcedId', 'ref', true),
    col('subjects', 'text'),
    col('subjectCodes', 'text'),
  ],
  classes: [
    ...HEAD,
    col('title', 'text', true),
    col('grades', 'text'),
    col('courseSourcedId', 'ref', true),
    col('classCode', 'text'),
    col('classType', 'enum', true, CLASS_TYPES, true),
    col('location', 'text'),
    col('schoolSourcedId', 'ref', true),
    col('termSourcedIds', 'refs', true),
    col('subjects', 'text'),
    col('subjectCodes', 'text'),
    col('periods', 'text'),
  ],
  demographics: [
    ...HEAD,
    col('birthDate', 'date'),
    col('sex', 'enum', false, SEXES, true),
    ...bools(
      'americanIndianOrAlaskaNative',
      'asian',
      'blackOrAfricanAmerican',
      'nativeHawaiianOrOtherPacificIslander',
      'white',
      'demographicRaceTwoOrMoreRaces',
      'hispanicOrLatinoEthnicity',
    ),
    col('countryOfBirthCode', 'text'),
    col('stateOfBirthAbbreviation', 'text'),
    col('cityOfBirth', 'text'),
    col('publicSchoolResidenceStatus', 'text'),
  ],
  enrollments: [
    ...HEAD,
    col('classSourcedId', 'ref', true),
    col('schoolSourcedId', 'ref', true),
    col('userSourcedId', 'ref', true),
    col('role', 'enum', true, ENROLLMENT_ROLES, true),
    col('primary', 'bool'),
    col('beginDate', 'date'),
    col('endDate', 'date'),
  ],
}

const USERS_11: readonly ColumnSpec[] = [
  ...HEAD,
  col('enabledUser', 'bool', true),
  col('orgSourcedIds', 'refs', true),
  col('role', 'enum', true, USER_ROLES_11, true),
  col('username', 'text', true),
  col('userIds', 'text'),
  col('givenName', 'text', true),
  col('familyName', 'text', true),
  col('middleName', 'text'),
  col('identifier', 'text'),
  col('email', 'text'),
  col('sms', 'text'),
  col('phone', 'text'),
  col('agentSourcedIds', 'refs'),
  col('grades', 'text'),
  col('password', 'text'),
]

const USERS_12: readonly ColumnSpec[] = [
  ...HEAD,
  col('enabledUser', 'bool', true),
  col('username', 'text', true),
  col('userIds', 'text'),
  col('givenName', 'text', true),
  col('familyName', 'text', true),
  col('middleName', 'text'),
  col('identifier', 'text'),
  col('email', 'text'),
  col('sms', 'text'),
  col('phone', 'text'),
  col('agentSourcedIds', 'refs'),
  col('grades', 'text'),
  col('password', 'text'),
  col('userMasterIdentifier', 'text'),
  col('resourceSourcedIds', 'text'),
  col('preferredGivenName', 'text'),
  col('preferredMiddleName', 'text'),
  col('preferredFamilyName', 'text'),
  col('primaryOrgSourcedId', 'ref'),
  col('pronouns', 'text'),
]

const USERS_12_NO_RESOURCES = USERS_12.filter((c) => c.name !== 'resourceSourcedIds')

const ROLES: readonly ColumnSpec[] = [
  ...HEAD,
  col('userSourcedId', 'ref', true),
  col('roleType', 'enum', true, ['primary', 'secondary']),
  col('role', 'enum', true, ROLES_12, true),
  col('beginDate', 'date'),
  col('endDate', 'date'),
  col('orgSourcedId', 'ref', true),
  col('userProfileSourcedId', 'ref'),
]

/**
 * The accepted column lists of `file` in `version` (first = the spec's), or undefined when the file does not
 * exist in that version (roles in 1.1). 1.2 users.csv comes in two forms: the binding's table lists
 * resourceSourcedIds, but exporters in the wild (the Moodle plugin's 1.2 fixtures, the Japan profile) leave it
 * out; both are read.
 */
export function fileColumns(
  file: RosterFile,
  version: OneRosterVersion,
): readonly (readonly ColumnSpec[])[] | undefined {
  if (file === 'users') return version === '1.1' ? [USERS_11] : [USERS_12, USERS_12_NO_RESOURCES]
  if (file === 'roles') return version === '1.2' ? [ROLES] : undefined
  return [COMMON[file]]
}

/** The users header of the other version, to tell an admin "this is a 1.1 file in a 1.2 package". */
export function otherVersionColumns(
  file: RosterFile,
  version: OneRosterVersion,
): readonly ColumnSpec[] | undefined {
  if (file !== 'users') return undefined
  return version === '1.1' ? USERS_12 : USERS_11
}

/** Extension columns, allowed only to the right of the spec's columns, must start with this. */
export const EXTENSION_PREFIX = 'metadata.'
