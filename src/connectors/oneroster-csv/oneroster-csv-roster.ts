/**
 * The records of one OneRoster package as read, keyed by sourcedId: only the fields the mapping uses, with ids
 * of referenced records replaced by the referenced record's own id string (so 1.3 million enrollments share
 * the strings of a few thousand classes instead of holding copies). Plain data; built by oneroster-csv-records.ts.
 */
import type { FileHeader } from './oneroster-csv-reader.ts'
import type { OneRosterVersion, RosterFile } from './oneroster-csv-spec.ts'

export interface OrgRecord {
  readonly id: string
  readonly line: number
  readonly name: string
  readonly type: string
  readonly identifier: string
  readonly parent: string
}

export interface SessionRecord {
  readonly id: string
  readonly line: number
  readonly title: string
  readonly type: string
  readonly start: string
  readonly end: string
  readonly parent: string
  /** The year the school year ends in (OneRoster `schoolYear`). */
  readonly schoolYear: string
}

export interface CourseRecord {
  readonly id: string
  readonly line: number
  readonly title: string
  readonly code: string
  readonly schoolYear: string
  readonly org: string
  readonly grades: string
  readonly subjects: string
  readonly subjectCodes: string
}

export interface ClassRecord {
  readonly id: string
  readonly line: number
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

/** Users keep their whole row: most columns end up in the person, by column name. */
export interface UserRecord {
  readonly id: string
  readonly line: number
  readonly fields: readonly string[]
  /** 1.1: orgSourcedIds; 1.2: primaryOrgSourcedId if set. */
  readonly orgs: readonly string[]
  /** 1.1 users.role; empty in 1.2, where roles.csv holds roles. */
  readonly role: string
}

export interface RoleRecord {
  readonly user: string
  readonly org: string
  readonly role: string
  readonly roleType: string
  readonly begin: string
  readonly end: string
}

export interface DemographicsRecord {
  readonly birthDate: string
  readonly sex: string
}

export interface EnrollmentRecord {
  readonly cls: string
  readonly school: string
  readonly role: string
  readonly primary: boolean | undefined
  readonly begin: string
  readonly end: string
}

export interface Roster {
  readonly version: OneRosterVersion
  /** Files read, with their mode. */
  readonly files: ReadonlyMap<RosterFile, 'bulk' | 'delta'>
  readonly orgs: Map<string, OrgRecord>
  readonly sessions: Map<string, SessionRecord>
  readonly courses: Map<string, CourseRecord>
  readonly classes: Map<string, ClassRecord>
  /** Active users only; a delta's `tobedeleted` users are in `deletedUsers`. */
  readonly users: Map<string, UserRecord>
  userHeader: FileHeader | undefined
  readonly deletedUsers: { readonly id: string; readonly line: number; readonly fields: readonly string[] }[]
  readonly roles: Map<string, RoleRecord[]>
  readonly demographics: Map<string, DemographicsRecord>
  /** By user sourcedId. */
  readonly enrollments: Map<string, EnrollmentRecord[]>
}

export function emptyRoster(version: OneRosterVersion, files: ReadonlyMap<RosterFile, 'bulk' | 'delta'>): Roster {
  return {
    version,
    files,
    orgs: new Map(),
    sessions: new Map(),
    courses: new Map(),
    classes: new Map(),
    users: new Map(),
    userHeader: undefined,
    deletedUsers: [],
    roles: new Map(),
    demographics: new Map(),
    enrollments: new Map(),
  }
}
