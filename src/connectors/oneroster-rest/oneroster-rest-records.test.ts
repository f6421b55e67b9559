import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  eachRecord,
  readEnrollment,
  restIssues,
  type EnrollmentRec,
} from './oneroster-rest-records.ts'

const ref = (sourcedId: string, type: string) => ({
  sourcedId,
  type,
  href: `/${type}s/${sourcedId}`,
})
const enrollment = (id: string, user: string, cls: string) =>
  // a new object per record, as JSON.parse hands them out: every string a copy of its own
  JSON.parse(
    JSON.stringify({
      sourcedId: id,
      status: 'active',
      user: ref(user, 'user'),
      class: ref(cls, 'class'),
      school: ref('school-1', 'org'),
      role: 'student',
      beginDate: '2026-08-01',
      endDate: '2027-07-31',
    }),
  ) as Record<string, unknown>

test('enrollments keep one copy of each user, class, school, role and date, and not their own ids', () => {
  const strings = new Map<string, string>()
  const state = { seen: new Set<string>(), count: 0, strings }
  const out: EnrollmentRec[] = []
  const rows = [
    enrollment('e1', 'u1', 'c1'),
    enrollment('e2', 'u1', 'c2'),
    enrollment('e3', 'u2', 'c1'),
  ]
  const issues = restIssues('rest')
  eachRecord(rows, 'enrollments', issues, (r) => out.push(readEnrollment(r)), state)
  assert.equal(issues.errorCount, 0)
  assert.deepEqual(
    [...strings.keys()].sort(),
    ['2026-08-01', '2027-07-31', 'c1', 'c2', 'school-1', 'student', 'u1', 'u2'],
    'the table holds each distinct value once, and no enrollment id',
  )
  assert.deepEqual(out[1], {
    user: 'u1',
    cls: 'c2',
    school: 'school-1',
    role: 'student',
    primary: undefined,
    begin: '2026-08-01',
    end: '2027-07-31',
  })
  assert.equal(state.seen.has('e2'), true, 'duplicates are still found by id')
  eachRecord([enrollment('e2', 'u3', 'c3')], 'enrollments', issues, () => undefined, state)
  assert.match(issues.all()[0]?.message ?? '', /e2 appears twice/)
})
