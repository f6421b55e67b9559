/**
 * `koppel drift [target]` (and the dashboard's drift page): how each listable target differs from what Koppel
 * manages — accounts Koppel does not manage, managed accounts missing from the target, attributes, enabled state
 * and groups changed there by someone else — each with the action the next plan would take, from the planner
 * itself (a fresh plan with the targets read, like `plan`; nothing is stored or audited).
 */
import type { TargetAccount } from '../contract/index.ts'
import {
  isPermissionAction,
  type Account,
  type Action,
  type FieldChange,
  type Issue,
} from '../model/index.ts'
import { toIsoDate } from '../util/dates.ts'
import { buildPlan } from './build-plan.ts'
import { diffAttributes, sameValue } from './diff-attributes.ts'
import { readSources } from './read-sources.ts'
import { activeHolds } from './hold.ts'
import { mergePersons } from './merge-persons.ts'
import { valueOf } from './account-values.ts'
import { labelOf } from './action-subject.ts'
import { recordsForWriteBack, type Engine } from './pipeline.ts'

export type DriftKind = 'unmanaged' | 'missing' | 'attributes' | 'state' | 'groups'

export interface DriftItem {
  readonly kind: DriftKind
  readonly account: { readonly id: string; readonly locator: string }
  /** The person Koppel knows the account as (managed), or would adopt it for (unmanaged, anchor matches). */
  readonly person?: { readonly key: string; readonly label: string }
  /** attributes: the target's value (`old`) against what Koppel last wrote (`new`); groups: as field `groups`. */
  readonly changes?: readonly FieldChange[]
  /** What the next plan does about it; empty when it does nothing. */
  readonly actions: readonly DriftAction[]
  /** Why nothing is done, or what to know: "not adopted (drift.adopt is off)", "no person matches its anchor". */
  readonly note?: string
}

/** One action of the next plan, as the drift report shows it (`permission` for a grant or revoke). */
export interface DriftAction {
  readonly id: string
  readonly kind: Action['kind']
  readonly permission?: string
  readonly reason: Action['reason']
}

export interface TargetDrift {
  readonly target: string
  /** False for a target that cannot list its accounts: nothing could be compared. */
  readonly listed: boolean
  readonly accounts: number
  readonly managed: number
  readonly adopt: boolean
  readonly items: readonly DriftItem[]
}

export type DriftOutcome =
  | { readonly ok: true; readonly today: string; readonly targets: readonly TargetDrift[] }
  | { readonly ok: false; readonly issues: readonly Issue[] }

export async function driftReport(
  engine: Engine,
  o: { readonly target?: string } = {},
): Promise<DriftOutcome> {
  const { setup, store } = engine
  const targets = setup.targets.filter((t) => o.target === undefined || t.name === o.target)
  if (targets.length === 0) {
    const names = setup.targets.map((t) => t.name).join(', ')
    return {
      ok: false,
      issues: [
        {
          severity: 'error',
          code: 'unknown_target',
          field: 'target',
          value: o.target ?? '',
          message: `no target "${o.target}" (targets: ${names})`,
        },
      ],
    }
  }
  const today = toIsoDate(engine.now())
  const read = await readSources(engine, today)
  if ('issues' in read) return { ok: false, issues: read.issues }
  const ledger = await store.listAccounts()
  const merged = mergePersons(read.snapshots, {
    primaryOrder: setup.primaryContract,
    ...(setup.match !== undefined ? { match: setup.match } : {}),
    ledgerKeys: new Set(ledger.filter((a) => a.state !== 'deleted').map((a) => a.person)),
  })
  const held = activeHolds(await store.listHolds(), today)
  const listings = new Map<string, readonly TargetAccount[]>()
  for (const t of targets) {
    const list = t.connector.listAccounts
    if (!t.connector.capabilities.listAccounts || list === undefined) continue
    const accounts: TargetAccount[] = []
    for await (const a of list.call(t.connector)) accounts.push(a)
    listings.set(t.name, accounts)
  }
  const plan = buildPlan({
    setup: { ...setup, targets },
    persons: merged.persons,
    ledger,
    listings,
    today,
    inputs: {},
    sourceFindings: [],
    createdAt: engine.now().toISOString(),
    sourceRecords: recordsForWriteBack(setup, read.snapshots),
    held,
  })
  const persons = new Map(merged.persons.map((p) => [p.key, p]))
  const out: TargetDrift[] = []
  for (const t of targets) {
    const listing = listings.get(t.name)
    const rows = ledger.filter((a) => a.target === t.name && a.state !== 'deleted')
    const adopt = t.adopt !== false
    if (listing === undefined) {
      out.push({
        target: t.name,
        listed: false,
        accounts: 0,
        managed: rows.length,
        adopt,
        items: [],
      })
      continue
    }
    const actions = plan.actions.filter((a) => a.target === t.name)
    const byPerson = groupBy(actions, (a) => a.person)
    const label = (key: string, account?: Account) => {
      const p = persons.get(key)
      return {
        key,
        label:
          p !== undefined
            ? labelOf(p)
            : String(account?.attributes['cn'] ?? account?.attributes['displayName'] ?? key),
      }
    }
    const items: DriftItem[] = []
    const listed = new Map(listing.map((l) => [l.id, l]))
    const managed = new Set(rows.map((r) => r.targetId))

    for (const l of listing) {
      if (managed.has(l.id)) continue
      const correlate = actions.find((a) => a.kind === 'correlate' && a.account?.targetId === l.id)
      const anchor = valueOf(l.attributes, t.anchorAttribute)?.toLowerCase()
      const unadopted =
        correlate === undefined && anchor !== undefined
          ? plan.issues.find(
              (i) =>
                i.code === 'unmanaged_account' &&
                i.message.startsWith(`${t.name}: `) &&
                i.value?.toLowerCase() === anchor,
            )
          : undefined
      const key = correlate?.person ?? unadopted?.record
      items.push({
        kind: 'unmanaged',
        account: { id: l.id, locator: l.locator },
        ...(key !== undefined ? { person: label(key) } : {}),
        actions: correlate !== undefined ? (byPerson.get(correlate.person) ?? []).map(slim) : [],
        ...(correlate === undefined
          ? {
              note:
                unadopted !== undefined
                  ? 'matches a person; not adopted (drift.adopt is off)'
                  : 'no person matches its anchor; Koppel leaves it alone',
            }
          : {}),
      })
    }

    for (const row of rows) {
      const l = listed.get(row.targetId)
      const mine = (byPerson.get(row.person) ?? []).map(slim)
      const ref = { id: row.targetId, locator: l?.locator ?? row.locator }
      const hold = held.has(row.person)
        ? { note: 'the person is held (koppel hold): nothing is planned until the hold ends' }
        : {}
      if (l === undefined) {
        items.push({
          kind: 'missing',
          account: ref,
          person: label(row.person, row),
          actions: mine,
          ...(mine.length === 0
            ? {
                note: `Koppel's ${row.state} account is gone from the target; nothing is planned for it`,
              }
            : {}),
          ...hold,
        })
        continue
      }
      // what Koppel last wrote (the ledger) against the target: only attributes Koppel maps and wrote
      const fields = t.mapping.attributes.filter(
        (f) => f !== 'dn' && row.attributes[f] !== undefined,
      )
      const changes = diffAttributes(row.attributes, l.attributes, fields)
      if (!sameValue('dn', row.locator, l.locator))
        changes.push({ field: 'dn', old: l.locator, new: row.locator })
      if (changes.length > 0) {
        items.push({
          kind: 'attributes',
          account: ref,
          person: label(row.person, row),
          changes,
          actions: mine.filter((a) => a.kind === 'update'),
          ...hold,
        })
      }
      if (l.enabled !== (row.state === 'active')) {
        items.push({
          kind: 'state',
          account: ref,
          person: label(row.person, row),
          changes: [
            { field: 'enabled', old: String(l.enabled), new: String(row.state === 'active') },
          ],
          actions: mine.filter((a) => a.kind === 'enable' || a.kind === 'disable'),
          ...hold,
        })
      }
      const groups = groupDrift(row, l)
      if (groups !== undefined) {
        items.push({
          kind: 'groups',
          account: ref,
          person: label(row.person, row),
          changes: [groups],
          actions: mine.filter((a) => a.kind === 'grant' || a.kind === 'revoke'),
          ...hold,
        })
      }
    }
    out.push({
      target: t.name,
      listed: true,
      accounts: listing.length,
      managed: rows.length,
      adopt,
      items,
    })
  }
  return { ok: true, today, targets: out }
}

/** Groups Koppel granted (ledger) against the groups the listing reports, case aside; undefined when equal. */
function groupDrift(row: Account, l: TargetAccount): FieldChange | undefined {
  if (l.permissions === undefined) return undefined
  const granted = row.permissions
    .filter((p) => p.startsWith('group:'))
    .map((p) => p.slice('group:'.length))
  const has = new Set(l.permissions.map((p) => p.toLowerCase()))
  const missing = granted.filter((g) => !has.has(g.toLowerCase()))
  if (missing.length === 0) return undefined
  return {
    field: 'groups',
    old: l.permissions.filter((p) => granted.some((g) => g.toLowerCase() === p.toLowerCase())),
    new: granted,
  }
}

function slim(a: Action): DriftAction {
  return {
    id: a.id,
    kind: a.kind,
    ...(isPermissionAction(a) ? { permission: a.permission } : {}),
    reason: a.reason,
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const i of items) {
    const k = key(i)
    const list = m.get(k)
    if (list === undefined) m.set(k, [i])
    else list.push(i)
  }
  return m
}
