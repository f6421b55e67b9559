import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  addDays,
  dayNumber,
  daysBetween,
  fromDayNumber,
  inYearlyWindow,
  isCalendarDate,
  isIsoDate,
  toIsoDate,
} from './dates.ts'

test('addDays counts calendar days in UTC over month, leap-day and year ends, both ways', () => {
  assert.equal(addDays('2024-02-28', 1), '2024-02-29')
  assert.equal(addDays('2023-02-28', 1), '2023-03-01')
  assert.equal(addDays('2025-12-31', 1), '2026-01-01')
  assert.equal(addDays('2026-01-01', -1), '2025-12-31')
  assert.equal(
    addDays('2026-03-29', 1),
    '2026-03-30',
    'a DST change in Europe does not shift the day',
  )
  assert.equal(addDays('2026-03-29', 0), '2026-03-29')
  // Asked again: the remembered answer is the same.
  assert.equal(addDays('2024-02-28', 1), '2024-02-29')
})

test('daysBetween is the inverse of addDays, negative when `to` is earlier', () => {
  assert.equal(daysBetween('2025-01-01', '2025-01-31'), 30)
  assert.equal(daysBetween('2025-01-31', '2025-01-01'), -30)
  assert.equal(daysBetween('2024-02-01', '2024-03-01'), 29)
  for (const n of [-400, -1, 0, 1, 365, 366, 1000])
    assert.equal(daysBetween('2024-02-29', addDays('2024-02-29', n)), n)
})

test('isIsoDate takes the form; isCalendarDate also wants a day that exists', () => {
  assert.equal(isIsoDate('2025-08-01'), true)
  assert.equal(isIsoDate('2025-8-1'), false)
  assert.equal(isIsoDate('2025-13-01'), false)
  assert.equal(isCalendarDate('2024-02-29'), true)
  assert.equal(isCalendarDate('2025-02-29'), false)
  assert.equal(isCalendarDate('2025-04-31'), false)
  assert.equal(isCalendarDate('2025-04-30T00:00'), false)
})

test('dayNumber checks and takes the date part of a timestamp; fromDayNumber goes back', () => {
  assert.equal(dayNumber('1970-01-02'), 1)
  assert.equal(dayNumber('2025-01-01T23:59:59+02:00'), dayNumber('2025-01-01'))
  assert.equal(fromDayNumber(dayNumber('2024-02-29') + 1), '2024-03-01')
  assert.throws(() => dayNumber('01-02-2025'), /not a date \(YYYY-MM-DD\): "01-02-2025"/)
  assert.throws(() => dayNumber('2025-02-30'), /not a calendar date: "2025-02-30"/)
})

test('toIsoDate gives the UTC day, whatever the machine zone', () => {
  assert.equal(toIsoDate(new Date('2025-12-31T23:30:00-02:00')), '2026-01-01')
})

test('inYearlyWindow is inclusive and wraps over new year', () => {
  assert.equal(inYearlyWindow('2026-07-15', '07-01', '08-31'), true)
  assert.equal(inYearlyWindow('2026-09-01', '07-01', '08-31'), false)
  assert.equal(inYearlyWindow('2026-01-02', '12-20', '01-05'), true)
  assert.equal(inYearlyWindow('2026-12-19', '12-20', '01-05'), false)
})
