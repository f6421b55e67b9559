/**
 * Diffs one target's desired groups (its `provisionGroups:` section over the sources' groups) against its group ledger:
 * a new group is created, a changed one updated (a title change renames it; its sync key never changes), one
 * gone from the sources archived, and an archived one deleted once its set's grace period has passed. An
 * archived group that comes back is restored by an update. Computes only; writes nothing.
 */
import type {
  Action,
  AttributeValue,
  Attributes,
  FieldChange,
  Issue,
  ProvisionedGroup,
  Reason,
} from '../model/index.ts'
import type { DesiredGroup } from '../rules/index.ts'
import { addDays } from '../util/dates.ts'
import type { EngineTarget } from './engine-types.ts'

export interface GroupPlanInput {
  readonly target: EngineTarget
  readonly desired: readonly DesiredGroup[]
  /** This target's group ledger rows. */
  readonly ledger: readonly ProvisionedGroup[]
  readonly today: string
  /** Some group of this target failed to evaluate: nothing is archived or deleted (it may be the failed one). */
  readonly incomplete?: boolean
}

export interface GroupPlan {
  readonly actions: Action[]
  readonly issues: Issue[]
  /** Sync key → the desired group, after duplicates were dropped. */
  readonly desired: ReadonlyMap<string, DesiredGroup>
}

/** Field that marks an archived group in a `group-update` that restores it. */
export const ARCHIVED_FIELD = 'archived'

export const groupPerson = (key: string): string => `group:${key}`
const actionId = (target: string, key: string, kind: string) =>
  `${target}/${groupPerson(key)}/${kind}`

export function planGroups(input: GroupPlanInput): GroupPlan {
  const { target, today } = input
  const out: GroupPlan = { actions: [], issues: [], desired: new Map() }
  const desired = out.desired as Map<string, DesiredGroup>
  for (const g of input.desired) {
    const first = desired.get(g.key)
    if (first === undefined) desired.set(g.key, g)
    else {
      out.issues.push({
        severity: 'error',
        code: 'duplicate_group',
        record: `group ${g.source.key}`,
        field: `provisionGroups.${g.set}.id`,
        message: `${target.name}: sync key ${g.key} of group ${g.source.key} (set ${g.set}) is already that of group ${first.source.key} (set ${first.set}); the second is left out`,
      })
    }
  }
  if (desired.size > 0 && target.connector.createGroup === undefined) {
    out.issues.push({
      severity: 'error',
      code: 'groups_unsupported',
      record: target.name,
      field: 'provisionGroups',
      message: `${target.name}: the ${target.connector.type} connector cannot provision groups; its provisionGroups: section is ignored`,
    })
    return out
  }
  const ledger = new Map(input.ledger.filter((g) => g.state !== 'deleted').map((g) => [g.key, g]))
  const creating = new Set<string>()
  for (const g of [...desired.values()].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  )) {
    const row = ledger.get(g.key)
    const base = {
      target: target.name,
      person: groupPerson(g.key),
      label: g.title,
      changes: [] as FieldChange[],
    }
    const what = `${g.source.type} ${g.source.name}${g.source.schoolYear !== undefined ? ` (${g.source.schoolYear})` : ''}`
    if (row === undefined) {
      creating.add(g.key)
      const changes = Object.keys(g.attributes)
        .sort()
        .map((field) => ({ field, new: g.attributes[field] as AttributeValue }))
      out.actions.push({
        ...base,
        kind: 'group-create',
        id: actionId(target.name, g.key, 'group-create'),
        group: { key: g.key, set: g.set },
        changes,
        reason: { rule: g.set, change: 'joiner', detail: `new ${what} in the source` },
      })
      continue
    }
    const changes = diff(g.attributes, row.attributes)
    const archived = row.state === 'archived'
    if (archived) changes.push({ field: ARCHIVED_FIELD, old: 'true' })
    if (changes.length === 0) continue
    const title = changes.find((c) => c.field === 'title')
    const reason: Reason = archived
      ? {
          rule: g.set,
          change: 'returner',
          detail: `${what} is back in the source; restored from the archive`,
        }
      : {
          rule: g.set,
          change: 'mover',
          detail:
            title !== undefined
              ? `renamed: ${show(title.old)} → ${show(title.new)}${changes.length > 1 ? `; ${describe(changes.filter((c) => c !== title))}` : ''}`
              : describe(changes),
        }
    out.actions.push({
      ...base,
      kind: 'group-update',
      id: actionId(target.name, g.key, 'group-update'),
      group: { key: g.key, set: g.set, ref: { targetId: row.targetId, locator: row.locator } },
      changes,
      reason,
    })
  }
  // a child waits for its parent's create (one `after`: the parent; the child's own create needs nothing else)
  for (let i = 0; i < out.actions.length; i++) {
    const a = out.actions[i] as Action
    const parent =
      a.kind === 'group-create' && a.group !== undefined
        ? desired.get(a.group.key)?.attributes['parent']
        : undefined
    if (typeof parent === 'string' && creating.has(parent))
      out.actions[i] = { ...a, after: actionId(target.name, parent, 'group-create') }
  }
  if (input.incomplete === true) return out
  const graceOf = new Map((target.groups?.sets ?? []).map((s) => [s.name, s.deleteAfterDays]))
  for (const row of [...ledger.values()].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  )) {
    if (desired.has(row.key)) continue
    const title = typeof row.attributes['title'] === 'string' ? row.attributes['title'] : row.key
    const base = {
      target: target.name,
      person: groupPerson(row.key),
      label: title,
      changes: [] as FieldChange[],
      group: { key: row.key, set: row.set, ref: { targetId: row.targetId, locator: row.locator } },
    }
    if (row.state === 'active') {
      const gone = graceOf.has(row.set)
        ? 'no longer in the source (or no longer selected by its group set)'
        : `its group set ${row.set} is no longer configured`
      out.actions.push({
        ...base,
        kind: 'group-archive',
        id: actionId(target.name, row.key, 'group-archive'),
        reason: { rule: row.set, change: 'leaver', detail: `${gone}; archived, members kept` },
      })
      continue
    }
    const days = graceOf.get(row.set)
    if (
      days === undefined ||
      days === null ||
      row.archivedAt === undefined ||
      target.connector.deleteGroup === undefined
    )
      continue
    const due = addDays(row.archivedAt.slice(0, 10), days)
    if (today < due) continue
    out.actions.push({
      ...base,
      kind: 'group-delete',
      id: actionId(target.name, row.key, 'group-delete'),
      reason: {
        rule: row.set,
        change: 'grace-expired',
        detail: `archived on ${row.archivedAt.slice(0, 10)}, grace of ${days} days ended ${due}`,
      },
    })
  }
  return out
}

function diff(wanted: Attributes, had: Attributes): FieldChange[] {
  const out: FieldChange[] = []
  for (const field of [...new Set([...Object.keys(wanted), ...Object.keys(had)])].sort()) {
    const n = wanted[field]
    const o = had[field]
    if (show(n) === show(o)) continue
    out.push({
      field,
      ...(o !== undefined ? { old: o } : {}),
      ...(n !== undefined ? { new: n } : {}),
    })
  }
  return out
}

function describe(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${show(c.old)} → ${show(c.new)}`).join('; ')
}

function show(v: AttributeValue | undefined): string {
  return v === undefined ? '∅' : typeof v === 'string' ? v : v.join(', ')
}
