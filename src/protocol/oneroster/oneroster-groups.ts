/**
 * OneRoster records → Koppel groups (orgs, academic sessions, courses, classes), with keys prefixed by kind so
 * that ids from different collections cannot collide: `org/<id>`, `session/<id>`, `course/<id>`, `class/<id>`.
 * Also resolves which school year a session or class belongs to. Pure; does not build persons. Shared by the
 * OneRoster CSV and REST connectors, so that one board gives the same groups over either binding.
 */
import type { Group, GroupType, Scalar } from '../../model/index.ts'
import type { OneRosterGroupRecords, OneRosterSession } from './oneroster-records.ts'

export const orgKey = (id: string): string => `org/${id}`
export const sessionKey = (id: string): string => `session/${id}`
export const courseKey = (id: string): string => `course/${id}`
export const classKey = (id: string): string => `class/${id}`

export interface SchoolYear {
  readonly label: string
  readonly start?: string
  readonly end?: string
}

const ORG_TYPES: Readonly<Record<string, GroupType>> = {
  district: 'board',
  school: 'school',
  department: 'department',
}
const CLASS_TYPES: Readonly<Record<string, GroupType>> = {
  homeroom: 'class',
  scheduled: 'teaching-group',
}

/** Finds school years by walking session parents; falls back to the sessions' `schoolYear` (ending year) field. */
export class SchoolYears {
  readonly #sessions: ReadonlyMap<string, OneRosterSession>
  readonly #cache = new Map<string, SchoolYear | undefined>()

  constructor(sessions: ReadonlyMap<string, OneRosterSession>) {
    this.#sessions = sessions
  }

  ofSession(id: string): SchoolYear | undefined {
    if (this.#cache.has(id)) return this.#cache.get(id)
    const year = this.#resolve(id)
    this.#cache.set(id, year)
    return year
  }

  /** The schoolYear session whose window holds `today` (start inclusive, end exclusive). */
  current(today: string): SchoolYear | undefined {
    for (const s of this.#sessions.values()) {
      if (s.type === 'schoolYear' && s.start <= today && today < s.end) return fromSession(s)
    }
    return undefined
  }

  #resolve(id: string): SchoolYear | undefined {
    const sessions = this.#sessions
    const first = sessions.get(id)
    let s = first
    // parent chains are short (gradingPeriod → term → schoolYear); the bound guards against a cycle in bad data
    for (let hops = 0; s !== undefined && hops < 8; hops++) {
      if (s.type === 'schoolYear') return fromSession(s)
      s = s.parent === '' ? undefined : sessions.get(s.parent)
    }
    const y = Number(first?.schoolYear)
    return Number.isInteger(y) && y > 0 ? { label: `${y - 1}-${y}` } : undefined
  }
}

function fromSession(s: OneRosterSession): SchoolYear {
  return { label: s.title, start: s.start, end: s.end }
}

export function buildGroups(r: OneRosterGroupRecords, years: SchoolYears): Group[] {
  const groups: Group[] = []
  for (const o of r.orgs.values()) {
    groups.push(
      group(orgKey(o.id), ORG_TYPES[o.type] ?? 'other', o.name, {
        code: o.identifier,
        parent: o.parent === '' ? '' : orgKey(o.parent),
        attributes: { oneRosterType: o.type },
      }),
    )
  }
  for (const s of r.sessions.values()) {
    groups.push(
      group(sessionKey(s.id), s.type === 'schoolYear' ? 'school-year' : 'other', s.title, {
        parent: s.parent === '' ? '' : sessionKey(s.parent),
        schoolYear: years.ofSession(s.id)?.label ?? '',
        attributes: {
          oneRosterType: s.type,
          startDate: s.start,
          endDate: s.end,
          schoolYear: s.schoolYear,
        },
      }),
    )
  }
  for (const c of r.courses.values()) {
    groups.push(
      group(courseKey(c.id), 'course', c.title, {
        code: c.code,
        parent: orgKey(c.org),
        schoolYear: c.schoolYear === '' ? '' : (years.ofSession(c.schoolYear)?.label ?? ''),
        attributes: { grades: c.grades, subjects: c.subjects, subjectCodes: c.subjectCodes },
      }),
    )
  }
  for (const c of r.classes.values()) {
    groups.push(
      group(classKey(c.id), CLASS_TYPES[c.classType] ?? 'other', c.title, {
        code: c.code,
        parent: orgKey(c.school),
        schoolYear: c.terms[0] === undefined ? '' : (years.ofSession(c.terms[0])?.label ?? ''),
        attributes: {
          classType: c.classType,
          course: c.course === '' ? '' : courseKey(c.course),
          terms: c.terms.map(sessionKey).join(','),
          location: c.location,
          grades: c.grades,
          subjects: c.subjects,
          subjectCodes: c.subjectCodes,
          periods: c.periods,
        },
      }),
    )
  }
  return groups
}

/** Builds a frozen group; empty strings mean "not given" and are left out. */
function group(
  key: string,
  type: GroupType,
  name: string,
  o: { code?: string; parent?: string; schoolYear?: string; attributes: Record<string, string> },
): Group {
  const attributes: Record<string, Scalar> = {}
  for (const [k, v] of Object.entries(o.attributes)) if (v !== '') attributes[k] = v
  return Object.freeze({
    kind: 'group' as const,
    key,
    type,
    name,
    ...(o.code ? { code: o.code } : {}),
    ...(o.parent ? { parent: o.parent } : {}),
    ...(o.schoolYear ? { schoolYear: o.schoolYear } : {}),
    attributes: Object.freeze(attributes),
  })
}
