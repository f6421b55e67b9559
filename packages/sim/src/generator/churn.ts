// Produces the next export of a board: leavers disappear with their enrolments (and guardians left without
// a child), movers change stamgroep or location, joiners arrive as new pupils. Works chunk by chunk on top
// of the previous board, so it streams like generation does. Does not roll the school year over.
import { Rng } from './prng.ts'
import type {
  SchoolChunk,
  SimBoard,
  SimEnrolment,
  SimGroup,
  SimGuardian,
  SimPupil,
  SimSchool,
} from './board-model.ts'
import { allocate } from './board-plan.ts'
import { drawUpperChoice, isUpperGrade, lowerCurriculum } from './curriculum.ts'
import { drawFamilyName } from './dutch-names.ts'
import { GroupIndex, groupsForPupil } from './group-index.ts'
import type { Placement } from './group-index.ts'
import { guardiansFor, newPupil } from './households.ts'
import { parseIsoDate } from './school-dates.ts'

export interface ChurnOptions {
  readonly seed: number | string
  /** Date of the next export; enrolments of movers and joiners begin here. Same school year as the board. */
  readonly today: string
  /** Counts (whole numbers) or fractions of the board's pupils (values between 0 and 1). */
  readonly movers?: number
  readonly leavers?: number
  readonly joiners?: number
}

interface Counts {
  readonly movers: number
  readonly leavers: number
  readonly joiners: number
  readonly firstNumber: number
}

function resolve(name: string, value: number | undefined, pupils: number): number {
  if (value === undefined || value === 0) return 0
  if (!(value > 0) || (value >= 1 && !Number.isInteger(value))) {
    throw new RangeError(
      `churn ${name} must be a whole count or a fraction between 0 and 1, got ${value}`,
    )
  }
  return value < 1 ? Math.round(value * pupils) : value
}

export function applyChurn(board: SimBoard, options: ChurnOptions): SimBoard {
  const today = options.today
  if (parseIsoDate(today) < parseIsoDate(board.today)) {
    throw new RangeError(`churn today ${today} is before the board's ${board.today}`)
  }
  if (today >= board.schoolYear.endDate) {
    throw new RangeError(
      `churn today ${today} is past school year ${board.schoolYear.title}; generate a new board instead`,
    )
  }
  const total = board.totals.pupils
  const leavers = resolve('leavers', options.leavers, total)
  const movers = resolve('movers', options.movers, total)
  const joiners = resolve('joiners', options.joiners, total)
  if (leavers + movers > total)
    throw new RangeError(`churn movers + leavers (${movers + leavers}) exceed the ${total} pupils`)
  const pupilsPer = board.schools.map((s) => s.pupils)
  const leaversPer = allocate(leavers, pupilsPer)
  const moversPer = allocate(
    movers,
    pupilsPer.map((p, i) => p - (leaversPer[i] as number)),
  )
  const joinersPer = allocate(
    joiners,
    pupilsPer.map((p) => p + 1),
  )
  const counts: Counts[] = []
  let number = board.nextPupilNumber
  const schools = board.schools.map((s, i): SimSchool => {
    const [m, l, j] = [moversPer[i] as number, leaversPer[i] as number, joinersPer[i] as number]
    counts.push({ movers: m, leavers: l, joiners: j, firstNumber: number })
    number += joinersPer[i] as number
    const pupils = s.pupils - (leaversPer[i] as number) + (joinersPer[i] as number)
    // Guardian counts after churn depend on who leaves; this is the expected value, not an exact count.
    return {
      ...s,
      pupils,
      guardians: s.pupils > 0 ? Math.round((s.guardians * pupils) / s.pupils) : s.guardians,
    }
  })
  const pupils = schools.reduce((a, s) => a + s.pupils, 0)
  const guardians = schools.reduce((a, s) => a + s.guardians, 0)
  const seed = String(options.seed)
  return {
    ...board,
    today,
    schools,
    nextPupilNumber: number,
    totals: {
      pupils,
      staff: board.totals.staff,
      guardians,
      persons: pupils + board.totals.staff + guardians,
    },
    *chunks(): Generator<SchoolChunk> {
      let i = 0
      for (const chunk of board.chunks()) {
        yield churnChunk(
          { ...chunk, school: schools[i] as SimSchool },
          counts[i] as Counts,
          seed,
          today,
          board,
        )
        i++
      }
    },
  }
}

function churnChunk(
  chunk: SchoolChunk,
  counts: Counts,
  seed: string,
  today: string,
  board: SimBoard,
): SchoolChunk {
  const rng = new Rng(seed, 'churn', chunk.school.index)
  const index = new GroupIndex(chunk.groups)
  const leaving = new Set(rng.sample(chunk.pupils, counts.leavers).map((p) => p.id))
  const byPupil = new Map<string, SimEnrolment[]>()
  const others: SimEnrolment[] = []
  for (const e of chunk.enrolments) {
    if (e.role !== 'pupil') others.push(e)
    else if (!leaving.has(e.personId))
      byPupil.set(e.personId, [...(byPupil.get(e.personId) ?? []), e])
  }
  const guardians = chunk.guardians
    .map((g) =>
      g.childIds.some((c) => leaving.has(c))
        ? { ...g, childIds: g.childIds.filter((c) => !leaving.has(c)) }
        : g,
    )
    .filter((g) => g.childIds.length > 0)
  const staying = chunk.pupils.filter((p) => !leaving.has(p.id))
  // Movers come from pupils with an ordinary year first; those already leaving or starting only if needed.
  const ordinary = (p: SimPupil) =>
    (byPupil.get(p.id) ?? []).every((e) => !e.beginDate && !e.endDate)
  const candidates = [
    ...rng.shuffled(staying.filter(ordinary)),
    ...rng.shuffled(staying.filter((p) => !ordinary(p))),
  ]
  const moving = new Map<string, SimPupil>()
  for (const p of candidates) {
    if (moving.size >= counts.movers) break
    const moved = move(rng, p, index, chunk.school)
    if (moved) moving.set(p.id, moved)
  }
  const pupils: SimPupil[] = []
  const enrolments: SimEnrolment[] = []
  for (const p of staying) {
    const moved = moving.get(p.id)
    const current = byPupil.get(p.id) ?? []
    if (!moved) {
      pupils.push(p)
      enrolments.push(...current)
      continue
    }
    pupils.push(moved)
    const keepClusters =
      moved.locationId === p.locationId &&
      moved.level === p.level &&
      moved.grade === p.grade &&
      isUpperGrade(p)
    const wanted = keepClusters
      ? [
          moved.stamgroepId,
          ...current.filter((e) => index.get(e.groupId)?.kind === 'lesgroep').map((e) => e.groupId),
        ]
      : groupsForPupil(moved, index, rng)
    enrolments.push(...reEnrol(rng, moved, current, wanted, today))
  }
  const joined = joinPupils(rng, chunk, index, counts, board, today)
  return {
    ...chunk,
    pupils: [...pupils, ...joined.pupils],
    guardians: [...guardians, ...joined.guardians],
    enrolments: [...enrolments, ...joined.enrolments, ...others],
  }
}

/** Unchanged groups keep their enrolment (and its id); new groups get a new enrolment from `today`. */
function reEnrol(
  rng: Rng,
  p: SimPupil,
  current: readonly SimEnrolment[],
  wanted: readonly string[],
  today: string,
): SimEnrolment[] {
  const want = new Set(wanted)
  const kept = current.filter((e) => want.has(e.groupId))
  const have = new Set(kept.map((e) => e.groupId))
  const added = wanted
    .filter((g) => !have.has(g))
    .map((groupId): SimEnrolment => ({
      id: rng.uuid(),
      groupId,
      locationId: p.locationId,
      personId: p.id,
      role: 'pupil',
      beginDate: today,
      endDate: '',
    }))
  return [...kept, ...added]
}

/** Another stamgroep: a location move if the stream runs elsewhere (30%), else a class move, else a level change. */
function move(rng: Rng, p: SimPupil, index: GroupIndex, school: SimSchool): SimPupil | undefined {
  const sameStream = school.locations
    .flatMap((l) => index.stamgroepen(l.id, p.level, p.grade))
    .filter((g) => g.id !== p.stamgroepId)
  const elsewhere = sameStream.filter((g) => g.locationId !== p.locationId)
  const here = sameStream.filter((g) => g.locationId === p.locationId)
  const all = index.allStamgroepen().filter((g) => g.id !== p.stamgroepId)
  const target =
    elsewhere.length > 0 && (here.length === 0 || rng.chance(0.3))
      ? rng.pick(elsewhere)
      : here.length > 0
        ? rng.pick(here)
        : all.filter((g) => g.grade === p.grade).length > 0
          ? rng.pick(all.filter((g) => g.grade === p.grade))
          : all.length > 0
            ? rng.pick(all)
            : undefined
  if (!target) return undefined
  const sameStreamMove = target.level === p.level && target.grade === p.grade
  const placement = sameStreamMove
    ? { subjects: p.subjects, profile: p.profile }
    : choiceFor(rng, target, school)
  const { locationId, level, grade } = target
  return { ...p, locationId, level, grade, stamgroepId: target.id, ...placement }
}

function choiceFor(
  rng: Rng,
  stamgroep: SimGroup,
  school: SimSchool,
): { subjects: readonly string[]; profile: string } {
  const classics = school.type === 'gymnasium'
  if (isUpperGrade(stamgroep)) return drawUpperChoice(rng, stamgroep, classics)
  return { subjects: lowerCurriculum(stamgroep, classics), profile: '' }
}

function joinPupils(
  rng: Rng,
  chunk: SchoolChunk,
  index: GroupIndex,
  counts: Counts,
  board: SimBoard,
  today: string,
): { pupils: SimPupil[]; guardians: SimGuardian[]; enrolments: SimEnrolment[] } {
  const stamgroepen = index.allStamgroepen()
  const guardianRate =
    chunk.school.pupils > 0 ? Math.min(1, chunk.school.guardians / chunk.school.pupils) : 0
  const out = {
    pupils: [] as SimPupil[],
    guardians: [] as SimGuardian[],
    enrolments: [] as SimEnrolment[],
  }
  for (let i = 0; i < counts.joiners && stamgroepen.length > 0; i++) {
    const stamgroep = rng.pick(stamgroepen)
    const placement: Placement & { profile: string } = {
      locationId: stamgroep.locationId,
      level: stamgroep.level,
      grade: stamgroep.grade,
      stamgroepId: stamgroep.id,
      ...choiceFor(rng, stamgroep, chunk.school),
    }
    const family = drawFamilyName(rng)
    let pupil = newPupil(rng, placement, counts.firstNumber + i, family, board.schoolYear)
    if (rng.chance(guardianRate / 1.5)) {
      const made = guardiansFor(rng, family, [pupil.id], rng.chance(0.55) ? 2 : 1)
      out.guardians.push(...made)
      pupil = { ...pupil, guardianIds: made.map((g) => g.id) }
    }
    out.pupils.push(pupil)
    out.enrolments.push(...reEnrol(rng, pupil, [], groupsForPupil(pupil, index, rng), today))
  }
  return out
}
