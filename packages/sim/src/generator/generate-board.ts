// The generator's entry point: plans a board and hands out its schools lazily, one chunk at a time.
import type { SchoolChunk, SimBoard } from './board-model.ts'
import { planBoard } from './board-plan.ts'
import { generateSchoolChunk } from './school-chunk.ts'
import type { MidYear } from './school-chunk.ts'
import { parseIsoDate, schoolYearFor } from './school-dates.ts'

export interface GenerateBoardOptions {
  readonly seed: number | string
  /** pupils + staff + guardians, about 80 / 8 / 12 % */
  readonly persons: number
  /** `YYYY-MM-DD`; picks the current school year and anchors mid-year dates */
  readonly today: string
  /** default: one per ~1,000 pupils */
  readonly schools?: number
  /** fractions of pupils that already left / start later this year; default none */
  readonly midYear?: MidYear
}

export function generateBoard(options: GenerateBoardOptions): SimBoard {
  parseIsoDate(options.today)
  for (const [field, value] of Object.entries(options.midYear ?? {})) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 0.5)) {
      throw new RangeError(`midYear.${field} must be a fraction from 0 to 0.5, got ${value}`)
    }
  }
  const seed = String(options.seed)
  const plan = planBoard(seed, options.persons, options.schools)
  const schoolYear = schoolYearFor(options.today)
  const last = plan.schools.at(-1)
  const board: SimBoard = {
    id: plan.id,
    name: plan.name,
    domain: plan.domain,
    seed,
    today: options.today,
    schoolYear,
    schools: plan.schools,
    totals: plan.totals,
    nextPupilNumber: last ? last.firstPupilNumber + last.pupils : 100000,
    *chunks(): Generator<SchoolChunk> {
      const ctx = {
        seed,
        today: options.today,
        year: schoolYear,
        domain: plan.domain,
        midYear: options.midYear ?? {},
        usedEmails: new Set<string>(),
      }
      for (const school of plan.schools) yield generateSchoolChunk(ctx, school)
    },
  }
  return board
}
