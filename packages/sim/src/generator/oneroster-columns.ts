// OneRoster CSV headers in the binding's column order (1.2.1 CSV binding tables; 1.1 users as in the 1.1
// binding), the Dutch extension columns, and the manifest's file list. Data only.

export type OneRosterVersion = '1.2' | '1.1'

/** Dutch name parts; extension columns sit to the right of the spec's columns, as the binding requires. */
export const nlUserExtensions = [
  'metadata.nl.familyNamePrefix',
  'metadata.nl.partnerName',
  'metadata.nl.partnerNamePrefix',
  'metadata.nl.nameConvention',
] as const

const common = ['sourcedId', 'status', 'dateLastModified'] as const

export const headers = {
  academicSessions: [
    ...common,
    'title',
    'type',
    'startDate',
    'endDate',
    'parentSourcedId',
    'schoolYear',
  ],
  orgs: [...common, 'name', 'type', 'identifier', 'parentSourcedId'],
  courses: [
    ...common,
    'schoolYearSourcedId',
    'title',
    'courseCode',
    'grades',
    'orgSourcedId',
    'subjects',
    'subjectCodes',
  ],
  classes: [
    ...common,
    'title',
    'grades',
    'courseSourcedId',
    'classCode',
    'classType',
    'location',
    'schoolSourcedId',
    'termSourcedIds',
    'subjects',
    'subjectCodes',
    'periods',
  ],
  enrollments: [
    ...common,
    'classSourcedId',
    'schoolSourcedId',
    'userSourcedId',
    'role',
    'primary',
    'beginDate',
    'endDate',
  ],
  users12: [
    ...common,
    'enabledUser',
    'username',
    'userIds',
    'givenName',
    'familyName',
    'middleName',
    'identifier',
    'email',
    'sms',
    'phone',
    'agentSourcedIds',
    'grades',
    'password',
    'userMasterIdentifier',
    'resourceSourcedIds',
    'preferredGivenName',
    'preferredMiddleName',
    'preferredFamilyName',
    'primaryOrgSourcedId',
    'pronouns',
    ...nlUserExtensions,
  ],
  users11: [
    ...common,
    'enabledUser',
    'orgSourcedIds',
    'role',
    'username',
    'userIds',
    'givenName',
    'familyName',
    'middleName',
    'identifier',
    'email',
    'sms',
    'phone',
    'agentSourcedIds',
    'grades',
    'password',
    ...nlUserExtensions,
  ],
  roles: [
    ...common,
    'userSourcedId',
    'roleType',
    'role',
    'beginDate',
    'endDate',
    'orgSourcedId',
    'userProfileSourcedId',
  ],
  demographics: [
    ...common,
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
    'asian',
    'blackOrAfricanAmerican',
    'nativeHawaiianOrOtherPacificIslander',
    'white',
    'demographicRaceTwoOrMoreRaces',
    'hispanicOrLatinoEthnicity',
    'countryOfBirthCode',
    'stateOfBirthAbbreviation',
    'cityOfBirth',
    'publicSchoolResidenceStatus',
  ],
} as const

/** Every data file a manifest of that version names, in alphabetical order, as in the spec's examples. */
export const manifestFiles: Readonly<Record<OneRosterVersion, readonly string[]>> = {
  '1.2': [
    'academicSessions',
    'categories',
    'classResources',
    'classes',
    'courseResources',
    'courses',
    'demographics',
    'enrollments',
    'lineItemLearningObjectiveIds',
    'lineItemScoreScales',
    'lineItems',
    'orgs',
    'resources',
    'resultLearningObjectiveIds',
    'resultScoreScales',
    'results',
    'roles',
    'scoreScales',
    'userProfiles',
    'userResources',
    'users',
  ],
  '1.1': [
    'academicSessions',
    'categories',
    'classResources',
    'classes',
    'courseResources',
    'courses',
    'demographics',
    'enrollments',
    'lineItems',
    'orgs',
    'resources',
    'results',
    'users',
  ],
}

export type WrittenFile =
  | 'academicSessions'
  | 'orgs'
  | 'courses'
  | 'classes'
  | 'enrollments'
  | 'users'
  | 'roles'
  | 'demographics'

export function headerFor(file: WrittenFile, version: OneRosterVersion): readonly string[] {
  if (file === 'users') return version === '1.2' ? headers.users12 : headers.users11
  return headers[file]
}
