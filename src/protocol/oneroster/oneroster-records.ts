/**
 * The OneRoster records the mapping to the Koppel model needs, whatever the binding (CSV package or REST
 * service): only the fields the mapping uses, keyed by sourcedId, references replaced by the referenced
 * record's sourcedId, absent values as ''. Each connector reads its format into these (and may add fields).
 */
export type OneRosterVersion = '1.1' | '1.2'

export interface OneRosterOrg {
  readonly id: string
  readonly name: string
  readonly type: string
  readonly identifier: string
  readonly parent: string
}

export interface OneRosterSession {
  readonly id: string
  readonly title: string
  readonly type: string
  readonly start: string
  readonly end: string
  readonly parent: string
  /** The year the school year ends in (OneRoster `schoolYear`). */
  readonly schoolYear: string
}

export interface OneRosterCourse {
  readonly id: string
  readonly title: string
  readonly code: string
  readonly schoolYear: string
  readonly org: string
  readonly grades: string
  readonly subjects: string
  readonly subjectCodes: string
}

export interface OneRosterClass {
  readonly id: string
  readonly title: string
  readonly code: string
  readonly classType: string
  readonly location: string
  readonly school: string
  readonly course: string
  readonly terms: readonly string[]
  readonly grades: string
  readonly subjects: string
  readonly subjectCodes: string
  readonly periods: string
}

/** A user as far as its contracts go. */
export interface OneRosterUser {
  readonly id: string
  /** 1.1: the user's orgs; 1.2: the primary org if set. */
  readonly orgs: readonly string[]
  /** 1.1 user role; '' in 1.2, where the user's roles hold them. */
  readonly role: string
}

/** A 1.2 role of a user at an org. */
export interface OneRosterRole {
  readonly org: string
  readonly role: string
  readonly roleType: string
  readonly begin: string
  readonly end: string
}

export interface OneRosterEnrollment {
  readonly cls: string
  readonly school: string
  readonly role: string
  readonly primary: boolean | undefined
  readonly begin: string
  readonly end: string
}

export interface OneRosterDemographics {
  readonly birthDate: string
  readonly sex: string
}

/** What building the groups reads. */
export interface OneRosterGroupRecords {
  readonly orgs: ReadonlyMap<string, OneRosterOrg>
  readonly sessions: ReadonlyMap<string, OneRosterSession>
  readonly courses: ReadonlyMap<string, OneRosterCourse>
  readonly classes: ReadonlyMap<string, OneRosterClass>
}
