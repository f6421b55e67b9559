// Generates everything for one school from the board's seed and the school's index alone, so schools can
// be produced one at a time (and independently of each other, apart from board-unique staff e-mail).
import { Rng } from './prng.ts'
import type { SchoolChunk, SchoolYear, SimEnrolment, SimPupil, SimSchool } from './board-model.ts'
import { schoolTypes } from './curriculum.ts'
import { buildStructure } from './school-structure.ts'
import { buildHouseholds } from './households.ts'
import { buildStaff } from './staffing.ts'
import { GroupIndex, groupsForPupil } from './group-index.ts'
import { addDays, daysBetween } from './school-dates.ts'

export interface MidYear {
  /** Fraction of pupils whose enrolments already ended (endDate in the past, still in the export). */
  readonly left?: number
  /** Fraction of pupils whose enrolments start later (beginDate in the future). */
  readonly starting?: number
}

export interface ChunkContext {
  readonly seed: string
  readonly today: string
  readonly year: SchoolYear
  readonly domain: string
  readonly midYear: MidYear
  /** Staff e-mail local parts taken so far in this pass over the board. */
  readonly usedEmails: Set<string>
}

/** Per pupil the window of their enrolments: past end for leavers, future begin for starters. */
function midYearWindows(
  rng: Rng,
  ctx: ChunkContext,
  pupils: readonly SimPupil[],
): Map<string, { begin: string; end: string }> {
  const out = new Map<string, { begin: string; end: string }>()
  const sinceStart = daysBetween(ctx.year.startDate, ctx.today)
  const untilEnd = daysBetween(ctx.today, ctx.year.endDate)
  const left = sinceStart >= 1 ? Math.round((ctx.midYear.left ?? 0) * pupils.length) : 0
  const starting = untilEnd >= 2 ? Math.round((ctx.midYear.starting ?? 0) * pupils.length) : 0
  const chosen = rng.sample(pupils, left + starting)
  chosen.forEach((p, i) => {
    if (i < left)
      out.set(p.id, { begin: '', end: addDays(ctx.year.startDate, 1 + rng.int(sinceStart)) })
    else
      out.set(p.id, { begin: addDays(ctx.today, 1 + rng.int(Math.min(42, untilEnd - 1))), end: '' })
  })
  return out
}

export function generateSchoolChunk(ctx: ChunkContext, school: SimSchool): SchoolChunk {
  const type = schoolTypes.items.find((t) => t.type === school.type)
  if (!type) throw new Error(`school ${school.brin}: unknown school type ${school.type}`)
  const { courses, groups, slots } = buildStructure(
    school,
    type,
    ctx.year,
    new Rng(ctx.seed, school.index, 'structure'),
  )
  const { pupils, guardians } = buildHouseholds(
    new Rng(ctx.seed, school.index, 'households'),
    slots,
    school.firstPupilNumber,
    school.guardians,
    ctx.year,
  )
  const rng = new Rng(ctx.seed, school.index, 'enrolments')
  const index = new GroupIndex(groups)
  const windows = midYearWindows(rng, ctx, pupils)
  const enrolments: SimEnrolment[] = []
  for (const p of pupils) {
    const w = windows.get(p.id)
    for (const groupId of groupsForPupil(p, index, rng)) {
      enrolments.push({
        id: rng.uuid(),
        groupId,
        locationId: p.locationId,
        personId: p.id,
        role: 'pupil',
        beginDate: w?.begin ?? '',
        endDate: w?.end ?? '',
      })
    }
  }
  const staffed = buildStaff(
    new Rng(ctx.seed, school.index, 'staff'),
    school,
    ctx.year,
    groups,
    ctx.domain,
    ctx.usedEmails,
  )
  return {
    school,
    courses,
    groups,
    pupils,
    staff: staffed.staff,
    guardians,
    enrolments: [...enrolments, ...staffed.enrolments],
  }
}
