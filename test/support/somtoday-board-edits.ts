// Changes to a generated board as the Somtoday simulator then serves them: a pupil who drops a lesson group, a
// lesgroep renamed, a teacher replaced, next school year. Each returns a new board over the same generator (the
// generator streams its schools; an edit is applied to every chunk it yields).
import type {
  SchoolChunk,
  SchoolYear,
  SimBoard,
  SimEnrolment,
  SimGroup,
} from '@koppel/sim/generator'

function edited(board: SimBoard, edit: (chunk: SchoolChunk) => SchoolChunk): SimBoard {
  // chunks() is spelled out: a spread does not copy it when the board is a class instance
  return {
    ...board,
    chunks: function* () {
      for (const chunk of board.chunks()) yield edit(chunk)
    },
  }
}

const mapEnrolments = (
  board: SimBoard,
  f: (e: SimEnrolment) => SimEnrolment | undefined,
): SimBoard =>
  edited(board, (c) => ({
    ...c,
    enrolments: c.enrolments.flatMap((e) => {
      const out = f(e)
      return out === undefined ? [] : [out]
    }),
  }))

/** The pupil no longer takes the lesson group. */
export const dropLessonGroup = (board: SimBoard, pupil: string, group: string): SimBoard =>
  mapEnrolments(board, (e) =>
    e.personId === pupil && e.groupId === group && e.role === 'pupil' ? undefined : e,
  )

/** The group gets another name (same id, so Somtoday's uuid stays). */
export const renameGroup = (board: SimBoard, group: string, title: string): SimBoard =>
  edited(board, (c) => ({
    ...c,
    groups: c.groups.map((g): SimGroup => (g.id === group ? { ...g, title } : g)),
  }))

/** Another teacher teaches the lesson group. */
export const replaceTeacher = (
  board: SimBoard,
  group: string,
  from: string,
  to: string,
): SimBoard =>
  mapEnrolments(board, (e) =>
    e.groupId === group && e.role === 'teacher' && e.personId === from ? { ...e, personId: to } : e,
  )

const nextYear = (d: string) => `${Number(d.slice(0, 4)) + 1}${d.slice(4)}`

/**
 * The same school a year on: the school year and its terms one year later. Groups and enrolments keep their
 * ids, so the source's groups differ only in their school year, which is what makes the sync keys new.
 */
export function nextSchoolYear(board: SimBoard): SimBoard {
  const y = board.schoolYear
  const [a = '', b = ''] = y.title.split('-')
  const label = (s: string) => s.replaceAll(y.title, `${Number(a) + 1}-${Number(b) + 1}`)
  const schoolYear: SchoolYear = {
    id: label(y.id),
    title: label(y.title),
    startDate: nextYear(y.startDate),
    endDate: nextYear(y.endDate),
    endYear: y.endYear + 1,
    terms: y.terms.map((t) => ({
      id: label(t.id),
      title: label(t.title),
      startDate: nextYear(t.startDate),
      endDate: nextYear(t.endDate),
    })),
  }
  return { ...edited(board, (c) => c), schoolYear, today: nextYear(board.today) }
}
