/**
 * One enrollment record per distinct (class, school, role, primary, begin, end). The pupils of a class share
 * every value of their enrollment rows except the user, so a million rows come down to a few thousand distinct
 * records: sharing them keeps about a million objects out of the heap, and out of the young generation's
 * copying while the file is read, and lets the mapping share one membership per record
 * (oneroster-csv-mapping.ts). Records are never changed after they are made (the model is immutable), so the
 * sharing cannot be observed.
 */
import type { EnrollmentRecord } from './oneroster-csv-roster.ts'

/**
 * How many variants of one class are compared before a record is made unshared: an export that gives every
 * enrollment its own dates must not turn the lookup quadratic.
 */
const MAX_VARIANTS = 32

export class EnrollmentPool {
  readonly #byClass = new Map<string, EnrollmentRecord[]>()

  /** A record with these values: an earlier one when there is one. */
  record(
    cls: string,
    school: string,
    role: string,
    primary: boolean | undefined,
    begin: string,
    end: string,
  ): EnrollmentRecord {
    let variants = this.#byClass.get(cls)
    if (variants === undefined) this.#byClass.set(cls, (variants = []))
    for (const e of variants) if (sameEnrollment(e, school, role, primary, begin, end)) return e
    const e: EnrollmentRecord = { cls, school, role, primary, begin, end }
    if (variants.length < MAX_VARIANTS) variants.push(e)
    return e
  }
}

/** Whether `e` has these values (the caller's cheap check before asking the pool). */
export function sameEnrollment(
  e: EnrollmentRecord | undefined,
  school: string,
  role: string,
  primary: boolean | undefined,
  begin: string,
  end: string,
): e is EnrollmentRecord {
  return (
    e !== undefined &&
    e.school === school &&
    e.role === role &&
    e.primary === primary &&
    e.begin === begin &&
    e.end === end
  )
}
