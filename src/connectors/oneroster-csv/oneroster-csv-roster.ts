/**
 * The records of one OneRoster package as read, keyed by sourcedId: only the fields the mapping uses, with ids
 * of referenced records replaced by the referenced record's own id string (the shared OneRoster records of
 * src/protocol/oneroster, plus the line they came from) (so 1.3 million enrollments share
 * the strings of a few thousand classes instead of holding copies). Plain data; built by oneroster-csv-records.ts.
 */
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
import type { FileHeader } from './oneroster-csv-reader.ts'
import type { OneRosterVersion, RosterFile } from './oneroster-csv-spec.ts'

export interface OrgRecord extends OneRosterOrg {
  readonly line: number
}

export interface SessionRecord extends OneRosterSession {
  readonly line: number
}

export interface CourseRecord extends OneRosterCourse {
  readonly line: number
}

export interface ClassRecord extends OneRosterClass {
  readonly line: number
}

/** Users keep their whole row: most columns end up in the person, by column name. */
export interface UserRecord extends OneRosterUser {
  readonly line: number
  /** Position among the active users, in file order (the records builder's lookup cursor). */
  readonly index: number
  readonly fields: readonly string[]
}

export interface RoleRecord extends OneRosterRole {
  readonly user: string
}

export type DemographicsRecord = OneRosterDemographics
export type EnrollmentRecord = OneRosterEnrollment

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
  readonly deletedUsers: {
    readonly id: string
    readonly line: number
    readonly fields: readonly string[]
  }[]
  readonly roles: Map<string, RoleRecord[]>
  readonly demographics: Map<string, DemographicsRecord>
  /** By user sourcedId. */
  readonly enrollments: Map<string, EnrollmentRecord[]>
}

export function emptyRoster(
  version: OneRosterVersion,
  files: ReadonlyMap<RosterFile, 'bulk' | 'delta'>,
): Roster {
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
