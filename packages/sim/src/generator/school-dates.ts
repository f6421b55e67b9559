// Calendar helpers for the generator: the Dutch school year (1 August – 31 July) and date arithmetic on
// `YYYY-MM-DD` strings in UTC. Holds no state and knows nothing about OneRoster.
import type { Rng } from './prng.ts'
import type { SchoolYear } from './board-model.ts'
import { addDays, daysBetween } from '../../../../src/util/dates.ts'

export { addDays, daysBetween }

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function parseIsoDate(text: string, field = 'today'): number {
  const m = ISO_DATE.exec(text)
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN
  if (!m || Number.isNaN(ms) || toIsoDate(ms) !== text) {
    throw new RangeError(`${field} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(text)}`)
  }
  return ms
}

export function toIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** A uniformly drawn date in [from, to) (`from` when the range is empty). */
export function dateBetween(rng: Rng, from: string, to: string): string {
  const span = daysBetween(from, to)
  return span <= 0 ? from : addDays(from, rng.int(span))
}

/** The school year that contains `today`, with four periods as Somtoday-style terms. */
export function schoolYearFor(today: string): SchoolYear {
  const ms = parseIsoDate(today)
  const d = new Date(ms)
  const startYear = d.getUTCMonth() >= 7 ? d.getUTCFullYear() : d.getUTCFullYear() - 1
  const endYear = startYear + 1
  const title = `${startYear}-${endYear}`
  const id = `as-${title}`
  const startDate = `${startYear}-08-01`
  const endDate = `${endYear}-08-01`
  // Period boundaries roughly follow the usual report cycle; exact dates differ per school.
  const bounds = [startDate, `${startYear}-11-01`, `${endYear}-02-01`, `${endYear}-04-15`, endDate]
  const terms = [1, 2, 3, 4].map((n) => ({
    id: `${id}-p${n}`,
    title: `Periode ${n} ${title}`,
    startDate: bounds[n - 1] as string,
    endDate: bounds[n] as string,
  }))
  return { id, title, startDate, endDate, endYear, terms }
}
