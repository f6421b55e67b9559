/**
 * The schedules as the dashboard shows them: the next times by each cron expression (nextTimes, as
 * `koppel status` computes them) and, under `koppel serve`, the scheduler's last outcome and whether it runs now.
 */
import { nextTimes } from '../serve/scheduler.ts'
import type { DashboardOptions } from './dashboard-http.ts'
import type { ScheduleRow } from '../web/schedules-page.ts'

export function scheduleRows(
  o: Pick<DashboardOptions, 'config' | 'schedules'>,
  now: Date,
): ScheduleRow[] {
  const states = new Map((o.schedules?.() ?? []).map((s) => [s.name, s]))
  return nextTimes(o.config?.schedules ?? [], now).map((n) => {
    const s = states.get(n.name)
    return {
      ...n,
      ...(s?.last !== undefined ? { last: s.last } : {}),
      ...(s !== undefined ? { running: s.running } : {}),
    }
  })
}
