// Staffs one school: teachers with subjects drawn from the lesgroepen that need teaching, support staff,
// and the enrolments that tie them to groups (teacher of each lesgroep, mentor of each stamgroep,
// coordinator over the stamgroepen of a level at a location). E-mail addresses are unique across the board.
import type { Rng } from './prng.ts'
import type {
  SchoolYear,
  SimEnrolment,
  SimGroup,
  SimSchool,
  SimStaff,
  StaffFunction,
} from './board-model.ts'
import {
  asciiSlug,
  drawFamilyName,
  drawGivenName,
  drawSex,
  drawStaffNameUsage,
} from './dutch-names.ts'
import { addDays } from './school-dates.ts'
import { allocate } from './board-plan.ts'
import { subjectTitles } from './curriculum.ts'
import { weightedTable } from './prng.ts'

export const TEACHER_SHARE = 0.8
const supportTitles = [
  'conciërge',
  'administratief medewerker',
  'ICT-coördinator',
  'decaan',
  'zorgcoördinator',
  'onderwijsassistent',
  'TOA',
  'roostermaker',
  'mediathecaris',
]

function uniqueEmail(local: string, domain: string, used: Set<string>): string {
  let candidate = local
  for (let n = 2; used.has(candidate); n++) candidate = `${local}${n}`
  used.add(candidate)
  return `${candidate}@${domain}`
}

function newStaff(
  rng: Rng,
  year: SchoolYear,
  employeeNumber: number,
  locationId: string,
  fn: StaffFunction,
  subjects: string[],
  domain: string,
  usedEmails: Set<string>,
): SimStaff {
  const sex = drawSex(rng)
  const givenName = drawGivenName(rng, sex, 'adult')
  const family = drawFamilyName(rng)
  const usage = drawStaffNameUsage(rng)
  const local = `${asciiSlug(givenName).slice(0, 1)}.${asciiSlug(family.prefix + family.name)}`
  return {
    kind: 'staff',
    id: rng.uuid(),
    employeeNumber: String(employeeNumber),
    sex,
    givenName,
    familyName: family.name,
    familyNamePrefix: family.prefix,
    ...usage,
    birthDate: addDays(`${year.endYear - 66}-01-01`, rng.int(365 * 43)),
    email: uniqueEmail(local, domain, usedEmails),
    function: fn,
    title:
      fn === 'support'
        ? rng.pick(supportTitles)
        : ['docent', subjects.map((s) => subjectTitles[s] ?? s).join(' en ')].join(' ').trim(),
    locationId,
    subjects,
  }
}

export function buildStaff(
  rng: Rng,
  school: SimSchool,
  year: SchoolYear,
  groups: readonly SimGroup[],
  domain: string,
  usedEmails: Set<string>,
): { staff: SimStaff[]; enrolments: SimEnrolment[] } {
  const teacherCount =
    school.staff < 2 ? school.staff : Math.max(1, Math.round(school.staff * TEACHER_SHARE))
  const locations = school.locations
  const groupCount = locations.map((l) => groups.filter((g) => g.locationId === l.id).length)
  const teachersPer = allocate(
    teacherCount,
    groupCount.map((n) => n + 1),
  )
  const supportPer = allocate(
    school.staff - teacherCount,
    groupCount.map((n) => n + 1),
  )
  const staff: SimStaff[] = []
  let number = school.firstEmployeeNumber
  locations.forEach((location, li) => {
    const demand = new Map<string, number>()
    for (const g of groups) {
      if (g.locationId === location.id && g.kind === 'lesgroep')
        demand.set(g.subject, (demand.get(g.subject) ?? 0) + 1)
    }
    const table = demand.size > 0 ? weightedTable([...demand]) : undefined
    for (let i = 0; i < (teachersPer[li] as number); i++) {
      const subjects = table ? [rng.weighted(table)] : []
      if (table && rng.chance(0.25)) {
        const second = rng.weighted(table)
        if (!subjects.includes(second)) subjects.push(second)
      }
      staff.push(
        newStaff(rng, year, number++, location.id, 'teacher', subjects, domain, usedEmails),
      )
    }
    for (let i = 0; i < (supportPer[li] as number); i++) {
      staff.push(newStaff(rng, year, number++, location.id, 'support', [], domain, usedEmails))
    }
  })
  return { staff, enrolments: assignGroups(rng, staff, groups) }
}

function assignGroups(
  rng: Rng,
  staff: readonly SimStaff[],
  groups: readonly SimGroup[],
): SimEnrolment[] {
  const teachers = staff.filter((s) => s.function === 'teacher')
  const load = new Map<string, number>(teachers.map((t) => [t.id, 0]))
  const leastLoaded = (candidates: readonly SimStaff[]) =>
    candidates.reduce((best, t) => ((load.get(t.id) ?? 0) < (load.get(best.id) ?? 0) ? t : best))
  const enrolments: SimEnrolment[] = []
  const enrol = (person: SimStaff, g: SimGroup, role: SimEnrolment['role']) => {
    const id = rng.uuid()
    enrolments.push({
      id,
      groupId: g.id,
      locationId: g.locationId,
      personId: person.id,
      role,
      beginDate: '',
      endDate: '',
    })
  }
  if (teachers.length === 0) return enrolments
  const index = new Map<string, SimStaff[]>()
  const add = (key: string, t: SimStaff) => {
    const list = index.get(key)
    if (list) list.push(t)
    else index.set(key, [t])
  }
  for (const t of teachers) {
    add(`loc|${t.locationId}`, t)
    for (const s of t.subjects) {
      add(`sub|${s}`, t)
      add(`both|${t.locationId}|${s}`, t)
    }
  }
  const mentorTurn = new Map<string, number>()
  for (const g of groups) {
    const here = index.get(`loc|${g.locationId}`) ?? []
    if (g.kind === 'lesgroep') {
      // Prefer a subject teacher at this location, then one elsewhere on the BRIN (who then also works here).
      const pool = [
        index.get(`both|${g.locationId}|${g.subject}`),
        index.get(`sub|${g.subject}`),
        here,
        teachers,
      ].find((p) => p !== undefined && p.length > 0) as SimStaff[]
      const t = leastLoaded(pool)
      load.set(t.id, (load.get(t.id) ?? 0) + 1)
      enrol(t, g, 'teacher')
    } else {
      const pool = here.length > 0 ? here : teachers
      const turn = mentorTurn.get(g.locationId) ?? rng.int(pool.length)
      mentorTurn.set(g.locationId, turn + 1)
      enrol(pool[turn % pool.length] as SimStaff, g, 'mentor')
    }
  }
  // One coordinator (teamleider) per level and location, from the support staff there.
  const support = staff.filter((s) => s.function === 'support')
  const byLevel = new Map<string, SimGroup[]>()
  for (const g of groups) {
    if (g.kind !== 'stamgroep') continue
    const key = `${g.locationId}|${g.level}`
    const list = byLevel.get(key)
    if (list) list.push(g)
    else byLevel.set(key, [g])
  }
  let turn = 0
  for (const stamgroepen of byLevel.values()) {
    const here = support.filter((s) => s.locationId === stamgroepen[0]?.locationId)
    if (here.length === 0) continue
    const coordinator = here[turn++ % here.length] as SimStaff
    for (const g of stamgroepen) enrol(coordinator, g, 'coordinator')
  }
  return enrolments
}
