import type { IsoDate, Scalar } from './values.ts'

export type ContractRole = 'student' | 'teacher' | 'staff' | 'administrator' | 'guardian' | 'other'

/**
 * Why a person is here, with a time window: an enrolment (pupil) or an employment (staff).
 * `start` is inclusive, `end` exclusive; absent means unbounded.
 */
export interface Contract {
  readonly kind: 'enrolment' | 'employment'
  /** Unique within its source. */
  readonly id: string
  readonly source: string
  readonly role: ContractRole
  readonly start?: IsoDate
  readonly end?: IsoDate
  /** Group key of the school or organisational unit. */
  readonly organisation: string
  /** Official code of the organisation: BRIN (e.g. "12AB") or a department code. */
  readonly organisationCode?: string
  readonly organisationName?: string
  readonly location?: string
  /** The school year's label, e.g. "2026-2027". */
  readonly schoolYear?: string
  /** Leerjaar 1–6 (VO) or similar. */
  readonly grade?: number
  readonly programme?: string
  /** Name of the class (stamgroep), e.g. "2B". */
  readonly classGroup?: string
  /** Job title / functie (staff). */
  readonly title?: string
  readonly department?: string
  /** Person key of the manager (staff) or mentor (pupil). */
  readonly manager?: string
  /** Whether this contract is the person's primary one (set by the merge stage). */
  readonly primary?: boolean
  readonly attributes: Readonly<Record<string, Scalar>>
}
