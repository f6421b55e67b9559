import type { IsoDate } from './values.ts'

export type MembershipRole =
  'student' | 'teacher' | 'mentor' | 'guardian' | 'administrator' | 'member'

/** A person in a group, with a role and a time window (start inclusive, end exclusive). */
export interface Membership {
  readonly group: string
  readonly role: MembershipRole
  readonly start?: IsoDate
  readonly end?: IsoDate
  readonly primary?: boolean
}
