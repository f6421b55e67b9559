import type { Plan } from '../model/index.ts'
import { toIsoDate } from '../util/dates.ts'

/**
 * The day of `plan --at D` (or its older name `--today D`): checked here, because a date that is not one would
 * otherwise reach the time windows as text and compare wrongly instead of failing.
 */
export function previewDate(flags: {
  readonly at?: string
  readonly today?: string
}): { ok: true; date?: string } | { ok: false; message: string } {
  if (flags.at !== undefined && flags.today !== undefined && flags.at !== flags.today) {
    return {
      ok: false,
      message: `--at ${flags.at} and --today ${flags.today} disagree; --today is the old name of --at, give one`,
    }
  }
  const date = flags.at ?? flags.today
  if (date === undefined) return { ok: true }
  const flag = flags.at !== undefined ? '--at' : '--today'
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN
  if (Number.isNaN(ms) || toIsoDate(new Date(ms)) !== date) {
    return {
      ok: false,
      message: `${flag} must be a date as YYYY-MM-DD (e.g. 2027-08-01), got ${JSON.stringify(date.slice(0, 40))}`,
    }
  }
  return { ok: true, date }
}

/** The warning under a plan made for another day than the clock's: it is stored, but never applied. */
export function previewNotice(plan: Plan, clockDay: string): string | undefined {
  const day = plan.inputs['today']
  if (day === undefined || day === clockDay) return undefined
  return [
    `PREVIEW: this is the plan as it would be on ${day}, made on ${clockDay} with today's data`,
    `(sources that publish next school year's data are read for it, e.g. Somtoday with peilschooljaar VOLGEND).`,
    `It will not be applied: \`koppel apply --plan ${plan.id}\` refuses a preview. On ${day}, run \`koppel run\`.`,
  ].join('\n')
}
