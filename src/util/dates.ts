/** Calendar arithmetic on ISO dates (YYYY-MM-DD) in UTC, so that a plan never depends on the machine's zone. */

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

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))
}

/** Whether `today` (YYYY-MM-DD) falls in a yearly window given as MM-DD bounds, inclusive; wraps over new year. */
export function inYearlyWindow(today: string, from: string, to: string): boolean {
  const md = today.slice(5)
  return from <= to ? md >= from && md <= to : md >= from || md <= to
}
