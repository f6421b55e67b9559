/**
 * Calendar arithmetic on ISO dates (YYYY-MM-DD) in UTC, so that a plan never depends on the machine's zone.
 * The one home of date helpers: the engine, the rules' CEL functions, the connectors and the simulators all
 * count days here. The fast helpers trust their input (dates Koppel made or checked); `dayNumber` checks.
 */

const DAY_MS = 86_400_000

export function toIsoDate(d: Date): string {
  return d.toISOString().slice(0, 10)
}

export function addDays(date: string, days: number): string {
  // Called per contract with the same few (today, lead) pairs: remembered, as a Date round trip costs ~1 µs.
  const key = `${date}\u0000${days}`
  let out = added.get(key)
  if (out === undefined) {
    const d = new Date(`${date}T00:00:00Z`)
    d.setUTCDate(d.getUTCDate() + days)
    out = toIsoDate(d)
    if (added.size >= 4096) added.clear()
    added.set(key, out)
  }
  return out
}

const added = new Map<string, string>()

/** Whole days from `from` to `to` (both YYYY-MM-DD): positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMs(to) - utcMs(from)) / DAY_MS)
}

// Unvalidated: for dates this code made or checked; hot in the generator (birth dates).
const utcMs = (date: string): number =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))
}

/**
 * Whether a YYYY-MM-DD text names a day that exists: `2025-02-30` does not (Date.parse rolls it over to
 * March, which would silently move a contract's end).
 */
export function isCalendarDate(s: string): boolean {
  const ms = Date.parse(`${s}T00:00:00Z`)
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(ms) && toIsoDate(new Date(ms)) === s
}

/**
 * Days since 1970-01-01 of a date; accepts a full timestamp too and uses its date part. Throws on text that
 * is not a calendar date, so that a bad source value surfaces as an issue instead of a silently wrong answer.
 */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date)
  if (m === null) throw new Error(`not a date (YYYY-MM-DD): "${date}"`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const ms = Date.UTC(y, mo - 1, d)
  const back = new Date(ms)
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    throw new Error(`not a calendar date: "${date}"`)
  return ms / DAY_MS
}

export function fromDayNumber(n: number): string {
  return toIsoDate(new Date(n * DAY_MS))
}

/** Whether `today` (YYYY-MM-DD) falls in a yearly window given as MM-DD bounds, inclusive; wraps over new year. */
export function inYearlyWindow(today: string, from: string, to: string): boolean {
  const md = today.slice(5)
  return from <= to ? md >= from && md <= to : md >= from || md <= to
}
