/** Schedules: the next times by each cron expression (nextTimes, as `koppel status`) and, under `koppel serve`, the last outcome. */
import { html } from '../notify/html.ts'
import { t, type Lang } from './i18n.ts'
import { page, type Viewer } from './layout.ts'

export interface ScheduleRow {
  readonly name: string
  readonly cron: string
  readonly timezone: string
  readonly next: string | undefined
  readonly last?: { readonly at: string; readonly outcome: string }
  readonly running?: boolean
}

export function schedulesPage(lang: Lang, viewer: Viewer, rows: readonly ScheduleRow[]): string {
  const body =
    rows.length === 0
      ? html`<p>${t(lang, 'noSchedules')}</p>`
      : html`<table><thead><tr><th scope="col">${t(lang, 'schedule')}</th><th scope="col">cron</th><th scope="col">${t(lang, 'timezone')}</th><th scope="col">${t(lang, 'nextTime')}</th><th scope="col">${t(lang, 'lastRun')}</th></tr></thead>
<tbody>${rows.map(
          (
            r,
          ) => html`<tr><th scope="row">${r.name}</th><td><code>${r.cron}</code></td><td>${r.timezone}</td><td>${r.next === undefined ? '-' : html`<time datetime="${r.next}">${localTime(r.next, r.timezone)}</time> (${r.next})`}</td>
<td>${r.running === true ? t(lang, 'running') : r.last === undefined ? '-' : `${r.last.at}: ${r.last.outcome}`}</td></tr>`,
        )}</tbody></table>`
  return page(lang, t(lang, 'schedules'), viewer, body)
}

/** The time as the school reads it: in the schedule's own time zone. */
function localTime(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(iso))
}
