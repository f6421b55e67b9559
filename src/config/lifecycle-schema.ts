/**
 * Schema of a target's `lifecycle:` section: when accounts are made before a contract starts, disabled after it
 * ends and deleted after a grace period, and the yearly windows (summer, school-year turnover) in which some
 * action kinds are held back. Does not compute dates (that is the planner's work).
 */
import { z } from 'zod'
import { ACTION_KINDS } from '../model/index.ts'

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isMonthDay(s: string): boolean {
  const m = /^(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const month = Number(m[1])
  const day = Number(m[2])
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0)
}

const monthDay = (what: string) =>
  z.string().refine(isMonthDay, { message: 'must be a date as MM-DD, e.g. 07-15' }).describe(what)

const holdSchema = z
  .strictObject({
    from: monthDay('First day of the window, MM-DD (inclusive).'),
    to: monthDay(
      'Last day of the window, MM-DD (inclusive); before `from` means the window wraps over new year.',
    ),
    kinds: z
      .array(z.enum(ACTION_KINDS))
      .min(1)
      .describe('Action kinds held back inside the window, e.g. [delete] or [disable, delete].'),
  })
  .describe('A yearly window in which the listed action kinds wait; other kinds go ahead.')

const days = z.int().min(0)

export const lifecycleSchema = z
  .strictObject({
    provisionDaysBefore: days
      .default(14)
      .describe(
        'Create accounts this many days before a contract starts, so pupils can log in on day one.',
      ),
    disableAfterDays: days
      .default(0)
      .describe(
        'Disable an account this many days after the last contract ended (0: the next day).',
      ),
    deleteAfterDays: days
      .nullable()
      .default(30)
      .describe('Delete an account this many days after it was disabled; null: never delete.'),
    revokeOnDisable: z
      .boolean()
      .default(true)
      .describe(
        'A disabled account loses the groups and permissions Koppel granted it (planned as revokes); a returner gets them back from the rules.',
      ),
    holds: z
      .array(holdSchema)
      .default([])
      .describe(
        "Yearly windows in which action kinds are held back, e.g. { from: '07-15', to: '08-31', kinds: [delete] }.",
      ),
  })
  .default({
    provisionDaysBefore: 14,
    disableAfterDays: 0,
    deleteAfterDays: 30,
    revokeOnDisable: true,
    holds: [],
  })
  .describe(
    'When accounts are created, disabled and deleted relative to the contracts (instroom, uitstroom).',
  )
