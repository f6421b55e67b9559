import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  addDays,
  daysBetween,
  finalGrade,
  graduationYear,
  schoolYearEnd,
  schoolYearOf,
  yearOf,
} from './date-functions.ts'

describe('date functions', () => {
  test('yearOf and daysBetween, including leap days and timestamps', () => {
    assert.equal(yearOf('2026-08-01'), 2026)
    assert.equal(daysBetween('2025-01-01', '2025-01-31'), 30)
    assert.equal(daysBetween('2024-02-28', '2024-03-01'), 2)
    assert.equal(daysBetween('2025-03-01', '2025-02-28'), -1)
    assert.equal(daysBetween('2025-03-30T23:00:00+02:00', '2025-03-31'), 1)
  })
  test('addDays crosses months and years', () => {
    assert.equal(addDays('2025-12-31', 1), '2026-01-01')
    assert.equal(addDays('2024-03-01', -1), '2024-02-29')
  })
  test('malformed dates throw', () => {
    assert.throws(() => yearOf('01-02-2025'), /not a date/)
    assert.throws(() => daysBetween('2025-02-30', '2025-03-01'), /not a calendar date/)
  })
  test('school years turn over on 1 August', () => {
    assert.equal(schoolYearOf('2025-07-31'), '2024-2025')
    assert.equal(schoolYearOf('2025-08-01'), '2025-2026')
    assert.equal(schoolYearEnd('2025-2026'), 2026)
    assert.equal(schoolYearEnd('2025/2026'), 2026)
    assert.throws(() => schoolYearEnd('2025'))
  })
  test('graduation year from school year, grade and programme length', () => {
    assert.equal(finalGrade('vwo'), 6)
    assert.equal(finalGrade('HAVO'), 5)
    assert.equal(finalGrade('vmbo-kb'), 4)
    assert.equal(finalGrade(undefined), 6)
    assert.equal(graduationYear('2025-2026', 3, 6), 2029)
    assert.equal(graduationYear('2025-2026', 5, 5), 2026)
  })
})
