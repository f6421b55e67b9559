// Builds one school's teaching structure: stamgroepen per location and stream, the lesgroepen lower grades
// are taught in, upper-grade clusters sized to the subject choices, the courses that carry them, and one
// placement slot per pupil. Names and persons come later (households.ts, staffing.ts).
import type { Rng } from './prng.ts'
import type {
  Level,
  SchoolYear,
  SimCourse,
  SimGroup,
  SimLocation,
  SimSchool,
} from './board-model.ts'
import {
  drawUpperChoice,
  isUpperGrade,
  levelLetter,
  lowerCurriculum,
  streamsOf,
  subjectTitles,
} from './curriculum.ts'
import type { SchoolType } from './curriculum.ts'
import { allocate } from './board-plan.ts'

export const CLASS_SIZE = 27
export const CLUSTER_SIZE = 28

export interface Slot {
  readonly locationId: string
  readonly level: Level
  readonly grade: number
  readonly stamgroepId: string
  readonly subjects: readonly string[]
  readonly profile: string
}

export interface Structure {
  readonly courses: SimCourse[]
  readonly groups: SimGroup[]
  readonly slots: Slot[]
}

/** a, b, …, z, aa, ab, … */
export function classSuffix(n: number): string {
  let s = ''
  for (let i = n + 1; i > 0; i = Math.floor((i - 1) / 26))
    s = String.fromCharCode(97 + ((i - 1) % 26)) + s
  return s
}

function stamgroepTitle(level: Level, grade: number, n: number): string {
  return level === 'brugklas'
    ? `${grade}${classSuffix(n).toUpperCase()}`
    : `${levelLetter[level]}${grade}${classSuffix(n)}`
}

class CourseBook {
  readonly #courses = new Map<string, { course: SimCourse; grades: Set<number> }>()
  readonly #year: number
  constructor(year: number) {
    this.#year = year
  }

  idFor(location: SimLocation, code: string, grade: number): string {
    const key = `${location.id}|${code}`
    let entry = this.#courses.get(key)
    if (!entry) {
      const title = code === 'stamgroep' ? 'Stamgroep' : (subjectTitles[code] ?? code)
      const course = {
        id: `crs-${this.#year}-${location.code}-${code}`,
        locationId: location.id,
        code,
        title,
        grades: [],
      }
      entry = { course, grades: new Set() }
      this.#courses.set(key, entry)
    }
    entry.grades.add(grade)
    return entry.course.id
  }

  all(): SimCourse[] {
    const sorted = (grades: Set<number>) => [...grades].sort((a, b) => a - b)
    return [...this.#courses.values()].map(({ course, grades }) => ({
      ...course,
      grades: sorted(grades),
    }))
  }
}

export function buildStructure(
  school: SimSchool,
  type: SchoolType,
  year: SchoolYear,
  rng: Rng,
): Structure {
  const classics = school.type === 'gymnasium'
  const courses = new CourseBook(year.endYear)
  const groups: SimGroup[] = []
  const slots: Slot[] = []
  const streams = streamsOf(type)
  const perStream = allocate(
    school.pupils,
    streams.map((s) => s.weight),
  )
  streams.forEach(({ stream }, si) => {
    const { level, grade } = stream
    const upper = isUpperGrade(stream)
    const locations = school.locations.filter((l) => l.levels.includes(level))
    const perLocation = allocate(
      perStream[si] as number,
      locations.map(() => 1),
    )
    let letter = 0
    locations.forEach((location, li) => {
      const pupils = perLocation[li] as number
      if (pupils === 0) return
      const sizes = allocate(
        pupils,
        Array.from({ length: Math.max(1, Math.round(pupils / CLASS_SIZE)) }, () => 1),
      )
      for (const size of sizes) {
        const title = stamgroepTitle(level, grade, letter++)
        const stamgroep: SimGroup = {
          id: `cls-${year.endYear}-${location.code}-${title}`,
          kind: 'stamgroep',
          title,
          locationId: location.id,
          courseId: courses.idFor(location, 'stamgroep', grade),
          level,
          grade,
          subject: '',
          stamgroepId: '',
        }
        groups.push(stamgroep)
        const curriculum = upper ? [] : lowerCurriculum(stream, classics)
        for (const subject of curriculum) {
          const t = `${title}-${subject}`
          groups.push({
            id: `cls-${year.endYear}-${location.code}-${t}`,
            kind: 'lesgroep',
            title: t,
            locationId: location.id,
            courseId: courses.idFor(location, subject, grade),
            level,
            grade,
            subject,
            stamgroepId: stamgroep.id,
          })
        }
        for (let i = 0; i < size; i++) {
          const choice = upper
            ? drawUpperChoice(rng, stream, classics)
            : { profile: '', subjects: curriculum }
          slots.push({
            locationId: location.id,
            level,
            grade,
            stamgroepId: stamgroep.id,
            ...choice,
          })
        }
      }
    })
  })
  groups.push(...buildClusters(school, slots, courses, year))
  return { courses: courses.all(), groups, slots }
}

// Clusters are numbered per stream and subject across the school, so `V5-wisB-3` is unique on the BRIN.
function buildClusters(
  school: SimSchool,
  slots: readonly Slot[],
  courses: CourseBook,
  year: SchoolYear,
): SimGroup[] {
  const takers = new Map<string, { slot: Slot; count: number; subject: string }>()
  for (const slot of slots) {
    if (!isUpperGrade(slot)) continue
    for (const subject of slot.subjects) {
      const key = `${slot.locationId}|${slot.level}|${slot.grade}|${subject}`
      const t = takers.get(key)
      if (t) t.count++
      else takers.set(key, { slot, count: 1, subject })
    }
  }
  const numbering = new Map<string, number>()
  const out: SimGroup[] = []
  for (const { slot, count, subject } of takers.values()) {
    const location = school.locations.find((l) => l.id === slot.locationId) as SimLocation
    const prefix = `${levelLetter[slot.level]}${slot.grade}-${subject}`
    for (let i = 0; i < Math.ceil(count / CLUSTER_SIZE); i++) {
      const n = (numbering.get(prefix) ?? 0) + 1
      numbering.set(prefix, n)
      const title = `${prefix}-${n}`
      out.push({
        id: `cls-${year.endYear}-${location.code}-${title}`,
        kind: 'lesgroep',
        title,
        locationId: location.id,
        courseId: courses.idFor(location, subject, slot.grade),
        level: slot.level,
        grade: slot.grade,
        subject,
        stamgroepId: '',
      })
    }
  }
  return out
}
