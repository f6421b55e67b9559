// The generator's in-memory model of a Dutch school board: plain data in Dutch school terms, independent of
// OneRoster or any other wire format (writers and simulators map from it). Types only.

export type IsoDate = string
export type Sex = 'male' | 'female' | 'unspecified'
export type NameConvention = 'B' | 'BP' | 'P' | 'PB'

/** vo levels; `brugklas` is a mixed first-year class ("1A") at a scholengemeenschap. */
export type Level = 'brugklas' | 'vmbo-b' | 'vmbo-k' | 'vmbo-t' | 'havo' | 'vwo'

export interface SchoolTerm {
  readonly id: string
  readonly title: string
  readonly startDate: IsoDate
  readonly endDate: IsoDate
}

export interface SchoolYear {
  readonly id: string
  /** `2026-2027` */
  readonly title: string
  /** 1 August */
  readonly startDate: IsoDate
  /** 1 August of the next year: end-exclusive, as OneRoster wants it. */
  readonly endDate: IsoDate
  /** The calendar year in which the school year ends (OneRoster `schoolYear`). */
  readonly endYear: number
  readonly terms: readonly SchoolTerm[]
}

export interface Stream {
  readonly level: Level
  readonly grade: number
}

/** A vestiging: BRIN + two digits. */
export interface SimLocation {
  readonly id: string
  /** `12AB00` */
  readonly code: string
  readonly name: string
  readonly city: string
  readonly levels: readonly Level[]
}

/** One school (BRIN) with its locations and its share of the board's persons; small, known before generation. */
export interface SimSchool {
  readonly index: number
  /** `12AB` */
  readonly brin: string
  readonly name: string
  readonly type: string
  readonly locations: readonly SimLocation[]
  readonly pupils: number
  readonly staff: number
  readonly guardians: number
  /** First leerlingnummer of this school's originally generated pupils. */
  readonly firstPupilNumber: number
  readonly firstEmployeeNumber: number
}

export interface PersonName {
  readonly givenName: string
  /** Birth family name without prefix ("Berg"). */
  readonly familyName: string
  /** "van den"; empty when none. */
  readonly familyNamePrefix: string
}

export interface SimPupil extends PersonName {
  readonly kind: 'pupil'
  readonly id: string
  /** leerlingnummer */
  readonly number: string
  readonly sex: Sex
  readonly birthDate: IsoDate
  readonly locationId: string
  readonly level: Level
  readonly grade: number
  readonly stamgroepId: string
  /** Subject codes the pupil takes (the whole curriculum in lower grades, the vakkeuze in upper grades). */
  readonly subjects: readonly string[]
  /** Upper-grade profile (NT, NG, EM, CM, or a vmbo sector); empty in lower grades. */
  readonly profile: string
  readonly guardianIds: readonly string[]
}

export type StaffFunction = 'teacher' | 'support'

export interface SimStaff extends PersonName {
  readonly kind: 'staff'
  readonly id: string
  readonly employeeNumber: string
  readonly sex: Sex
  readonly birthDate: IsoDate
  readonly partnerName: string
  readonly partnerNamePrefix: string
  readonly nameConvention: NameConvention
  readonly email: string
  readonly function: StaffFunction
  readonly title: string
  readonly locationId: string
  readonly subjects: readonly string[]
}

export interface SimGuardian extends PersonName {
  readonly kind: 'guardian'
  readonly id: string
  readonly sex: Sex
  readonly email: string
  readonly childIds: readonly string[]
}

export interface SimCourse {
  readonly id: string
  readonly locationId: string
  /** Subject code (`wisB`), or `stamgroep` for the course that carries the homerooms. */
  readonly code: string
  readonly title: string
  readonly grades: readonly number[]
}

export type GroupKind = 'stamgroep' | 'lesgroep'

export interface SimGroup {
  readonly id: string
  readonly kind: GroupKind
  /** `H3a`, `1A`, `H2a-ne`, `V5-wisB-1` */
  readonly title: string
  readonly locationId: string
  readonly courseId: string
  readonly level: Level
  readonly grade: number
  /** Subject code for lesgroepen; empty for stamgroepen. */
  readonly subject: string
  /** For lower-grade lesgroepen: the stamgroep they are taught as; empty for clusters. */
  readonly stamgroepId: string
}

/** pupil in a group; mentor of a stamgroep; teacher of a lesgroep; coordinator (support staff) over stamgroepen. */
export type EnrolmentRole = 'pupil' | 'mentor' | 'teacher' | 'coordinator'

export interface SimEnrolment {
  readonly id: string
  readonly groupId: string
  readonly locationId: string
  readonly personId: string
  readonly role: EnrolmentRole
  /** Empty when it runs from the start of the school year. */
  readonly beginDate: IsoDate
  /** Exclusive; empty when open. */
  readonly endDate: IsoDate
}

/** Everything generated for one school: the unit the writers stream. */
export interface SchoolChunk {
  readonly school: SimSchool
  readonly courses: readonly SimCourse[]
  readonly groups: readonly SimGroup[]
  readonly pupils: readonly SimPupil[]
  readonly staff: readonly SimStaff[]
  readonly guardians: readonly SimGuardian[]
  readonly enrolments: readonly SimEnrolment[]
}

export interface BoardTotals {
  readonly pupils: number
  readonly staff: number
  readonly guardians: number
  readonly persons: number
}

export interface SimBoard {
  readonly id: string
  readonly name: string
  /** e-mail domain of staff */
  readonly domain: string
  readonly seed: string
  readonly today: IsoDate
  readonly schoolYear: SchoolYear
  readonly schools: readonly SimSchool[]
  readonly totals: BoardTotals
  /** Next free leerlingnummer (joiners continue from here). */
  readonly nextPupilNumber: number
  /**
   * Generates the schools one at a time, in order. Each call starts afresh and yields the same data;
   * nothing is kept between chunks, so a million persons stream in bounded memory.
   */
  chunks(): Iterable<SchoolChunk>
}
