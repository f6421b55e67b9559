/**
 * The overview's "actions per day" chart: applied and failed actions of the stored runs, per day in the school's
 * time zone, as inline SVG (no script; colours come from the stylesheet) with the same numbers as a table for
 * screen readers and keyboard users.
 */
import type { RunReport } from '../model/index.ts'
import { html, type SafeHtml } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'

export interface DayCount {
  /** YYYY-MM-DD in the chart's time zone. */
  readonly day: string
  readonly applied: number
  readonly failed: number
}

/** The `days` days up to and including the day of `now`, oldest first; days without runs count 0. */
export function actionsPerDay(
  reports: readonly Pick<RunReport, 'startedAt' | 'counts'>[],
  now: Date,
  o: { readonly days?: number; readonly timezone?: string } = {},
): DayCount[] {
  const days = o.days ?? 14
  const dayOf = new Intl.DateTimeFormat('sv-SE', {
    timeZone: o.timezone ?? 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
  const out = new Map<string, { applied: number; failed: number }>()
  // days are counted back from the local date of `now`; noon UTC keeps a date arithmetic step off DST edges
  const today = Date.parse(`${dayOf.format(now)}T12:00:00Z`)
  for (let i = days - 1; i >= 0; i--)
    out.set(new Date(today - i * 86_400_000).toISOString().slice(0, 10), { applied: 0, failed: 0 })
  for (const r of reports) {
    const slot = out.get(dayOf.format(new Date(r.startedAt)))
    if (slot === undefined) continue
    for (const kinds of Object.values(r.counts)) {
      for (const outcomes of Object.values(kinds)) {
        slot.applied += outcomes?.applied ?? 0
        slot.failed += outcomes?.failed ?? 0
      }
    }
  }
  return [...out].map(([day, c]) => ({ day, ...c }))
}

const BAR = 36
const GAP = 8
const HEIGHT = 120

export function actionsChart(lang: Lang, counts: readonly DayCount[]): SafeHtml {
  const max = Math.max(1, ...counts.map((c) => c.applied + c.failed))
  const width = counts.length * (BAR + GAP)
  const scale = (n: number) => Math.round((n / max) * HEIGHT)
  const bars = counts.map((c, i) => {
    const x = i * (BAR + GAP)
    const hApplied = scale(c.applied)
    const hFailed = scale(c.failed)
    return html`<g><title>${c.day}: ${c.applied} ${t(lang, 'applied').toLowerCase()}, ${c.failed} ${t(lang, 'failures').toLowerCase()}</title>
<rect class="bar-applied" x="${x}" y="${HEIGHT - hApplied}" width="${BAR}" height="${hApplied}"></rect>
<rect class="bar-failed" x="${x}" y="${HEIGHT - hApplied - hFailed}" width="${BAR}" height="${hFailed}"></rect>
<text x="${x + BAR / 2}" y="${HEIGHT + 14}" text-anchor="middle">${c.day.slice(5)}</text></g>`
  })
  const rows = counts.map(
    (c) => html`<tr><th scope="row">${c.day}</th><td>${c.applied}</td><td>${c.failed}</td></tr>`,
  )
  return html`<h2 id="chart-title">${t(lang, 'actionsPerDay')}</h2>
<figure class="chart"><svg role="img" aria-labelledby="chart-title" viewBox="0 0 ${width} ${HEIGHT + 20}" width="${width}" height="${HEIGHT + 20}">${bars}</svg>
<figcaption><span class="key-applied">${t(lang, 'applied')}</span> <span class="key-failed">${t(lang, 'failures')}</span></figcaption></figure>
<details><summary>${t(lang, 'actionsPerDay')}: ${t(lang, 'count')}</summary>
<table><thead><tr><th scope="col">${t(lang, 'day')}</th><th scope="col">${t(lang, 'applied')}</th><th scope="col">${t(lang, 'failures')}</th></tr></thead><tbody>${rows}</tbody></table></details>`
}
