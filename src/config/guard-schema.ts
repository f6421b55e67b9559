/**
 * Schema of a target's `guard:` section: per action kind, the most a single plan may do before it is blocked
 * for approval. Defaults are merged per field, so raising `delete.maxCount` keeps the default percentage
 * limit; `null` lifts one limit, `off: true` lifts both. Does not evaluate plans (that is the guard stage).
 */
import { z } from 'zod'
import { ACTION_KINDS } from '../model/index.ts'
import type { ActionKind } from '../model/index.ts'
import type { GuardConfig, GuardLimit } from './config-types.ts'

/** The guard every target gets unless its config says otherwise. */
export const DEFAULT_GUARD: GuardConfig = {
  // a percentage only, so the first load into an empty ledger passes; against a filled one a mass create is
  // as suspicious as a mass delete (a changed baseDn re-creating every account). From 50 creates on: a small
  // board taking in a class, or the rest of a first load that was cut short, is no mass mistake.
  create: { maxPercent: 25, minCount: 50 },
  disable: { maxCount: 50, maxPercent: 10 },
  delete: { maxCount: 50, maxPercent: 10 },
  revoke: { maxPercent: 25 },
  update: { maxPercent: 50 },
  // groups: the same shape, counted against the groups Koppel manages in the target (a school year's turnover
  // archives them all at once, which the guard shows whole for approval)
  'group-create': { maxPercent: 25, minCount: 50 },
  'group-update': { maxPercent: 50, minCount: 20 },
  'group-archive': { maxCount: 50, maxPercent: 10 },
  'group-delete': { maxCount: 50, maxPercent: 10 },
}

const limitInput = z
  .strictObject({
    maxCount: z
      .int()
      .min(0)
      .nullable()
      .optional()
      .describe(
        'Block the plan when it holds more than this many actions of this kind; null lifts a default.',
      ),
    maxPercent: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .optional()
      .describe(
        "Block the plan when this kind touches more than this percentage of the target's accounts; null lifts a default.",
      ),
    minCount: z
      .int()
      .min(0)
      .nullable()
      .optional()
      .describe(
        'maxPercent counts only for plans with at least this many actions of this kind; null lifts a default.',
      ),
    off: z
      .boolean()
      .optional()
      .describe('true: no guard for this action kind (explicitly, instead of by omission).'),
  })
  .refine(
    (l) => l.off !== true || (l.maxCount == null && l.maxPercent == null && l.minCount == null),
    {
      message: 'off: true cannot be combined with maxCount, maxPercent or minCount',
      path: ['off'],
    },
  )
  .describe('Limits for one action kind.')

type LimitInput = z.output<typeof limitInput>

const kindDescriptions: Readonly<Record<ActionKind, string>> = {
  create:
    'Creating accounts (default maxPercent 25 of the accounts already managed, from 50 creates on; none on an empty ledger).',
  correlate: 'Linking existing target accounts to persons (no limit by default).',
  update: 'Changing attributes of accounts (default maxPercent 50).',
  enable: 'Re-enabling accounts (no limit by default).',
  disable: 'Disabling accounts of leavers (default maxCount 50, maxPercent 10).',
  delete: 'Deleting accounts after the grace period (default maxCount 50, maxPercent 10).',
  grant: 'Adding permissions such as group memberships (no limit by default).',
  revoke: 'Removing permissions (default maxPercent 25).',
  'write-back': 'Writing values back to a source (no limit by default).',
  'group-create':
    'Creating groups and courses (default maxPercent 25 of the groups already managed, from 50 on).',
  'group-update': 'Renaming or changing groups (default maxPercent 50, from 20 on).',
  'group-archive':
    'Archiving groups no longer in the sources (default maxCount 50, maxPercent 10).',
  'group-delete':
    'Deleting archived groups after their grace period (default maxCount 50, maxPercent 10).',
}

const guardShape = Object.fromEntries(
  ACTION_KINDS.map((k) => [k, limitInput.optional().describe(kindDescriptions[k])]),
) as Record<ActionKind, z.ZodOptional<typeof limitInput>>

function mergeLimit(
  given: LimitInput | undefined,
  fallback: GuardLimit | undefined,
): GuardLimit | undefined {
  if (given?.off === true) return { off: true }
  const pick = (key: 'maxCount' | 'maxPercent' | 'minCount'): number | undefined =>
    given !== undefined && key in given ? (given[key] ?? undefined) : fallback?.[key]
  const maxCount = pick('maxCount')
  const maxPercent = pick('maxPercent')
  const minCount = pick('minCount')
  if (maxCount === undefined && maxPercent === undefined)
    return given?.off === false ? { off: false } : undefined
  return {
    ...(maxCount !== undefined && { maxCount }),
    ...(maxPercent !== undefined && { maxPercent }),
    ...(maxPercent !== undefined && minCount !== undefined && { minCount }),
  }
}

export function applyGuardDefaults(given: Partial<Record<ActionKind, LimitInput>>): GuardConfig {
  const out: Partial<Record<ActionKind, GuardLimit>> = {}
  for (const kind of ACTION_KINDS) {
    const limit = mergeLimit(given[kind], DEFAULT_GUARD[kind])
    if (limit !== undefined) out[kind] = limit
  }
  return out
}

export const guardSchema = z
  .strictObject(guardShape)
  .default({})
  .describe(
    'Safety limits per action kind. On by default: disable/delete 50 or 10 %, create 25 % (from 50 on), revoke 25 %, ' +
      'update 50 %. ' +
      'A plan over a limit is blocked until approved.',
  )
  .transform(applyGuardDefaults)
