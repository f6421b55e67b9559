// Checks a collected board for dangling references and duplicate ids; returns the problems found, each
// naming the record. Used by tests and handy for anyone who edits generated data by hand.
import type { CollectedBoard } from './collect-board.ts'

export function boardIntegrityProblems(b: CollectedBoard): string[] {
  const problems: string[] = []
  const unique = (what: string, ids: readonly string[]) => {
    const seen = new Set<string>()
    for (const id of ids) {
      if (seen.has(id)) problems.push(`duplicate ${what} id ${id}`)
      seen.add(id)
    }
    return seen
  }
  const locations = unique(
    'location',
    b.schools.flatMap((s) => s.locations.map((l) => l.id)),
  )
  const courses = unique(
    'course',
    b.courses.map((c) => c.id),
  )
  unique(
    'group',
    b.groups.map((g) => g.id),
  )
  unique(
    'enrolment',
    b.enrolments.map((e) => e.id),
  )
  const persons = unique(
    'person',
    [...b.pupils, ...b.staff, ...b.guardians].map((p) => p.id),
  )
  const groups = new Map(b.groups.map((g) => [g.id, g]))
  for (const c of b.courses)
    if (!locations.has(c.locationId))
      problems.push(`course ${c.id}: unknown location ${c.locationId}`)
  for (const g of b.groups) {
    if (!courses.has(g.courseId)) problems.push(`group ${g.id}: unknown course ${g.courseId}`)
    if (!locations.has(g.locationId))
      problems.push(`group ${g.id}: unknown location ${g.locationId}`)
  }
  for (const e of b.enrolments) {
    const g = groups.get(e.groupId)
    if (!g) problems.push(`enrolment ${e.id}: unknown group ${e.groupId}`)
    else if (g.locationId !== e.locationId)
      problems.push(`enrolment ${e.id}: location ${e.locationId} is not the group's`)
    if (!persons.has(e.personId)) problems.push(`enrolment ${e.id}: unknown person ${e.personId}`)
  }
  for (const p of b.pupils) {
    if (groups.get(p.stamgroepId)?.kind !== 'stamgroep')
      problems.push(`pupil ${p.number}: unknown stamgroep ${p.stamgroepId}`)
    for (const g of p.guardianIds)
      if (!persons.has(g)) problems.push(`pupil ${p.number}: unknown guardian ${g}`)
  }
  for (const g of b.guardians) {
    for (const c of g.childIds)
      if (!persons.has(c)) problems.push(`guardian ${g.id}: unknown child ${c}`)
  }
  return problems
}
