// Gathers all chunks of a board into flat arrays: for tests and small simulators only, since it holds the
// whole board in memory (use board.chunks() for anything large).
import type {
  SchoolChunk,
  SimBoard,
  SimCourse,
  SimEnrolment,
  SimGroup,
  SimGuardian,
  SimPupil,
  SimSchool,
  SimStaff,
} from './board-model.ts'

export interface CollectedBoard {
  readonly schools: SimSchool[]
  readonly courses: SimCourse[]
  readonly groups: SimGroup[]
  readonly pupils: SimPupil[]
  readonly staff: SimStaff[]
  readonly guardians: SimGuardian[]
  readonly enrolments: SimEnrolment[]
}

export function collectBoard(board: SimBoard): CollectedBoard {
  const out: CollectedBoard = {
    schools: [],
    courses: [],
    groups: [],
    pupils: [],
    staff: [],
    guardians: [],
    enrolments: [],
  }
  for (const c of board.chunks() as Iterable<SchoolChunk>) {
    out.schools.push(c.school)
    for (const key of [
      'courses',
      'groups',
      'pupils',
      'staff',
      'guardians',
      'enrolments',
    ] as const) {
      for (const item of c[key]) (out[key] as unknown[]).push(item)
    }
  }
  return out
}
