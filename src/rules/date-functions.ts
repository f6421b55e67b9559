/**
 * Calendar helpers for time-aware conditions and mappings, over `YYYY-MM-DD` strings (the model's IsoDate).
 * Dates are calendar days without a time zone, so all arithmetic is done in UTC. Throws on malformed dates
 * so that a bad source value surfaces as an issue instead of a silently wrong answer. The arithmetic is
 * src/util/dates.ts's; these are the checked forms the CEL functions call.
 */

import { dayNumber, fromDayNumber } from '../util/dates.ts'

export function yearOf(date: string): number {
  dayNumber(date)
  return Number(date.slice(0, 4))
}

/** Whole days from `from` to `to`: positive when `to` is later ("2025-01-01", "2025-01-31" → 30). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from)
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days)
}

/**
 * The Dutch school year a date falls in, as "2025-2026". Assumption: the school year turns over on 1 August
 * (the legal school year runs 1 August – 31 July, WVO art. 1).
 */
export function schoolYearOf(date: string): string {
  const y = yearOf(date)
  const start = Number(date.slice(5, 7)) >= 8 ? y : y - 1
  return `${start}-${start + 1}`
}

/** The calendar year a school year label ("2025-2026" or "2025/2026") ends in. */
export function schoolYearEnd(label: string): number {
  const m = /^(\d{4})\s*[-/]\s*(\d{4})$/.exec(label.trim())
  if (m === null) throw new Error(`not a school year label (YYYY-YYYY): "${label}"`)
  return Number(m[2])
}

/**
 * The last grade (leerjaar) of a VO programme: vmbo/mavo 4, havo 5, vwo (atheneum, gymnasium) 6. Unknown
 * programmes count as 6, the longest, so that an account is never planned to end too early.
 */
export function finalGrade(programme: string | undefined): number {
  const p = (programme ?? '').toLowerCase()
  if (/vmbo|mavo|\bbb\b|\bkb\b|\bgl\b|\btl\b/.test(p)) return 4
  if (/havo/.test(p)) return 5
  return 6
}

/**
 * The calendar year a pupil is expected to finish: the end year of the contract's school year plus the
 * grades still to go, assuming no repeated or skipped years. Used for usernames or groups like "lln2029".
 */
export function graduationYear(schoolYear: string, grade: number, last: number): number {
  return schoolYearEnd(schoolYear) + (last - grade)
}
