import type { Contract } from './contract.ts'
import type { Membership } from './membership.ts'
import type { Scalar } from './values.ts'

/**
 * Dutch name usage ("naamgebruik"): B = birth name, BP = birth–partner, P = partner, PB = partner–birth.
 * Mapped from the HR/school systems' codes (AFAS `ViUs`, Somtoday `gebruikAchternaam`…).
 */
export type NameConvention = 'B' | 'BP' | 'P' | 'PB'

/** One human, merged from one or more source records, with a stable key. */
export interface Person {
  readonly kind: 'person'
  /** Stable across runs; for a single source, that source's id for the person. */
  readonly key: string
  /** Source name → the record's id in that source. */
  readonly sourceIds: Readonly<Record<string, string>>
  readonly givenName: string
  readonly preferredGivenName?: string
  readonly middleName?: string
  /** Official initials if the source has them ("J.P."); rules can also derive them. */
  readonly initials?: string
  /** Birth family name without its prefix ("Berg" for "van den Berg"). */
  readonly familyName: string
  /** Prefix of the birth family name ("van den"). */
  readonly familyNamePrefix?: string
  readonly partnerName?: string
  readonly partnerNamePrefix?: string
  readonly nameConvention?: NameConvention
  readonly email?: string
  /** Username as the source knows it (OneRoster `username`), if any. */
  readonly username?: string
  readonly birthDate?: string
  /** Source-specific fields a rule may read: `person.attributes.eckId`, `person.attributes["metadata.x"]`. */
  readonly attributes: Readonly<Record<string, Scalar>>
  readonly contracts: readonly Contract[]
  readonly memberships: readonly Membership[]
}
