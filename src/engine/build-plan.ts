import type { TargetAccount } from '../contract/index.ts'
import type {
  Account,
  Action,
  ActionKind,
  Group,
  GuardFinding,
  Issue,
  Person,
  Plan,
  PlanSummary,
  ProvisionedGroup,
  SecretChannel,
} from '../model/index.ts'
import { ACTION_KINDS, GROUP_MEMBERSHIP } from '../model/index.ts'
import { ledgerText } from '../store/ledger-text.ts'
import type { Store } from '../store/store.ts'
import { canonicalJson, canonicalJsonListTo, HashSink, sha256 } from '../util/canonical-json.ts'
import { desire, parseMembershipId, type DesiredAccount, type GroupIndex } from './desire.ts'
import type { EngineSetup } from './engine-types.ts'
import { guard } from './guard.ts'
import { planGroups } from './plan-groups.ts'
import { holdBack, planTarget } from './plan-target.ts'
import { planWriteBack } from './plan-write-back.ts'

export interface PlanInputs {
  readonly setup: EngineSetup
  /** Merged persons, sorted by key. */
  readonly persons: readonly Person[]
  /** All ledger rows, every target. */
  readonly ledger: readonly Account[]
  /** Per target, its own listing where it was read. */
  readonly listings: ReadonlyMap<string, readonly TargetAccount[]>
  readonly today: string
  /** Hashes of what the plan was computed from, beyond config and ledger (snapshot hashes per source). */
  readonly inputs: Readonly<Record<string, string>>
  /** Findings from before planning, e.g. a source that shrank too much. */
  readonly sourceFindings: readonly GuardFinding[]
  readonly createdAt: string
  /** Source name → record id → that source's own record; needed only by targets with write-backs. */
  readonly sourceRecords?: ReadonlyMap<string, ReadonlyMap<string, Person>>
  /** Conflicts found while merging persons across sources (reported, never blocking). */
  readonly mergeIssues?: readonly Issue[]
  /**
   * Only these persons' actions (`koppel run --person`). Everyone is still planned, so unique values are handed
   * out as in a full plan; the guard then judges the actions that remain.
   */
  readonly only?: ReadonlySet<string>
  /** Persons under a hold (hold.ts): nothing is planned for them, and the plan says so in a note. */
  readonly held?: ReadonlyMap<string, string>
  /** The sources' groups (classes, lesson groups, courses), for targets with a `groups:` section. */
  readonly groups?: readonly Group[]
  /** The group ledger, every target. */
  readonly groupLedger?: readonly ProvisionedGroup[]
}

/** Where a new account's initial password goes: the person's source record, or their manager's / mentor's mail. */
function secretsGoTo(
  target: EngineSetup['targets'][number],
  key: string,
  persons: ReadonlyMap<string, Person>,
  desired: ReadonlyMap<string, DesiredAccount> | undefined,
  notes: string[],
): SecretChannel | undefined {
  const d = target.secretDelivery
  if (d === undefined) return undefined
  if (d.kind === 'write-back') {
    const record = persons.get(key)?.sourceIds[d.source]
    return record !== undefined ? { source: d.source, record } : undefined
  }
  const manager = desired?.get(key)?.contract.manager
  const mail = manager !== undefined ? persons.get(manager)?.email : undefined
  if (mail === undefined) {
    notes.push(
      `${target.name}/${key}: no ${manager === undefined ? 'manager or mentor' : `e-mail for manager/mentor ${manager}`}, so the initial password will not be mailed`,
    )
    return undefined
  }
  return { mail }
}

const KIND_ORDER = new Map<ActionKind, number>(ACTION_KINDS.map((k, i) => [k, i]))

/**
 * Computes the whole plan: desire → per-target diff → guard. The actions, inputs and findings are canonical and
 * sorted, so the same inputs give a byte-identical plan and the same id (the id is derived from the hash).
 */
export function buildPlan(p: PlanInputs): Plan {
  const groupLedgerByTarget = groupBy(p.groupLedger ?? [], (g) => g.target)
  const groupPlans = new Map<string, ReturnType<typeof planGroups>>()
  const groupIssues: Issue[] = []
  for (const target of p.setup.targets) {
    if (target.groups === undefined && !groupLedgerByTarget.has(target.name)) continue
    const evaluated = target.groups?.evaluate(p.groups ?? [], p.today) ?? { groups: [], issues: [] }
    const planned = planGroups({
      target,
      desired: evaluated.groups,
      ledger: groupLedgerByTarget.get(target.name) ?? [],
      today: p.today,
      incomplete: evaluated.issues.length > 0,
    })
    groupPlans.set(target.name, planned)
    for (const i of evaluated.issues) groupIssues.push(i)
    for (const i of planned.issues) groupIssues.push(i)
  }
  const bySource = new Map<string, string>()
  for (const [target, gp] of groupPlans)
    for (const g of gp.desired.values())
      bySource.set(`${target}\u0000${g.set}\u0000${g.source.key}`, g.key)
  const groupIndex: GroupIndex = {
    sourceGroups: new Map((p.groups ?? []).map((g) => [g.key, g])),
    syncKeyOf: (target, set, group) => bySource.get(`${target}\u0000${set}\u0000${group}`),
  }
  const wanted = desire(p.persons, p.setup.rules, p.setup.targets, p.today, groupIndex)
  const persons = new Map(p.persons.map((x) => [x.key, x]))
  const ledgerByTarget = groupBy(p.ledger, (a) => a.target)
  const actions: Action[] = []
  const issues: Issue[] = [...(p.mergeIssues ?? []), ...groupIssues, ...wanted.issues]
  const notes: string[] = []
  const frozen =
    p.held === undefined || p.held.size === 0
      ? wanted.frozen
      : new Set([...wanted.frozen, ...p.held.keys()])
  for (const [key, why] of p.held ?? [])
    if (p.only === undefined || p.only.has(key)) notes.push(why)
  for (const target of p.setup.targets) {
    const gp = groupPlans.get(target.name)
    // hold windows (lifecycle.holds) hold group kinds too, e.g. no group-archive before the turnover is checked
    const groupActions =
      gp === undefined
        ? []
        : holdBack(target, p.today, { actions: gp.actions, issues: [], notes }).actions
    for (const a of groupActions) actions.push(a)
    const tp = planTarget({
      target,
      persons,
      desired: wanted.byTarget.get(target.name) ?? new Map(),
      frozen,
      ledger: ledgerByTarget.get(target.name) ?? [],
      listing: p.listings.get(target.name),
      today: p.today,
      ...(gp !== undefined
        ? { groups: groupStates(groupLedgerByTarget.get(target.name) ?? [], gp.desired) }
        : {}),
    })
    // a loop, not push(...xs): spreading 100k+ actions as arguments overflows the call stack
    const desiredHere = wanted.byTarget.get(target.name)
    for (const a of tp.actions) {
      const to =
        a.kind === 'create' && target.secretDelivery !== undefined
          ? secretsGoTo(target, a.person, persons, desiredHere, notes)
          : undefined
      actions.push(a.kind === 'create' && to !== undefined ? { ...a, deliverSecretsTo: to } : a)
    }
    const writeBacks = planWriteBack({
      target,
      actions: tp.actions,
      desired: wanted.byTarget.get(target.name) ?? new Map(),
      frozen,
      ledger: ledgerByTarget.get(target.name) ?? [],
      records: p.sourceRecords ?? new Map(),
    })
    for (const a of writeBacks) actions.push(a)
    for (const i of tp.issues) issues.push(i)
    for (const n of tp.notes) notes.push(n)
  }
  actions.sort(compareActions)
  const only = p.only
  if (only !== undefined) {
    // a scoped plan keeps the groups its memberships need (created or renamed), not the rest of the group work
    const kept = actions.filter((a) => only.has(a.person))
    const needed = new Set(
      kept.flatMap((a) =>
        a.kind === 'grant' && a.permissionType === GROUP_MEMBERSHIP
          ? [`${a.target}/${parseMembershipId(a.permission).key}`]
          : [],
      ),
    )
    const groupWork = actions.filter(
      (a) =>
        (a.kind === 'group-create' || a.kind === 'group-update') &&
        needed.has(`${a.target}/${a.group.key}`),
    )
    const mine = issues.filter((i) => i.record === undefined || only.has(i.record))
    actions.length = 0
    issues.length = 0
    for (const a of [...groupWork, ...kept].sort(compareActions)) actions.push(a)
    for (const i of mine) issues.push(i)
  }
  const inputs: Record<string, string> = {
    ...p.inputs,
    config: p.setup.configHash,
    today: p.today,
    ledger: ledgerHash(p.ledger),
  }
  // the group ledger too, once there is one: apply refuses a plan whose groups another apply changed meanwhile
  if (p.groupLedger !== undefined && p.groupLedger.length > 0)
    inputs['groups'] = groupLedgerHash(p.groupLedger)
  const summary = summarise(actions)
  const findings = [
    ...p.sourceFindings,
    ...guard(actions, p.setup.targets, ledgerByTarget, groupLedgerByTarget),
  ]
  const hash = planHash(actions, inputs, findings, issues)
  return {
    kind: 'plan',
    id: `plan-${hash.slice(0, 12)}`,
    hash,
    createdAt: p.createdAt,
    status: findings.length > 0 ? 'blocked' : 'planned',
    summary,
    actions,
    findings,
    issues,
    notes,
    inputs,
  }
}

/** Sync key → where the group is and whether it is (or is about to be) archived. */
function groupStates(
  ledger: readonly ProvisionedGroup[],
  desired: ReadonlyMap<string, unknown>,
): Map<string, { locator?: string; archived: boolean }> {
  const out = new Map<string, { locator?: string; archived: boolean }>()
  for (const g of ledger)
    if (g.state !== 'deleted') out.set(g.key, { locator: g.locator, archived: !desired.has(g.key) })
  for (const key of desired.keys()) if (!out.has(key)) out.set(key, { archived: false })
  return out
}

export function summarise(actions: readonly Action[]): PlanSummary {
  const s: Record<string, Partial<Record<ActionKind, number>>> = {}
  for (const a of actions) {
    const t = (s[a.target] ??= {})
    t[a.kind] = (t[a.kind] ?? 0) + 1
  }
  return s
}

/** Targets in plan order, then person, then kind (creates before grants), then permission. */
export function compareActions(a: Action, b: Action): number {
  if (a.target !== b.target) return a.target < b.target ? -1 : 1
  if (a.person !== b.person) return a.person < b.person ? -1 : 1
  const k = (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0)
  if (k !== 0) return k
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * sha256 of canonicalJson({ actions, inputs, findings, issues }), streamed action by action into the hash: the
 * same bytes without building one string of the whole plan (hundreds of MB at 100,000 persons).
 */
export function planHash(
  actions: readonly Action[],
  inputs: Readonly<Record<string, string>>,
  findings: readonly GuardFinding[],
  issues: readonly Issue[],
): string {
  const h = new HashSink()
  // the keys in canonical (sorted) order: actions, findings, inputs, issues
  h.push('{"actions":')
  canonicalJsonListTo(actions, h)
  h.push(`,"findings":${canonicalJson(findings)},"inputs":${canonicalJson(inputs)},"issues":`)
  canonicalJsonListTo(issues, h)
  h.push('}')
  return h.digest()
}

/** The group ledger's version fields, as ledgerHash does for accounts. */
export function groupLedgerHash(
  groups: readonly Pick<ProvisionedGroup, 'target' | 'key' | 'targetId' | 'state' | 'updatedAt'>[],
): string {
  return sha256(
    groups
      .map(
        (g) => `${g.target}\u0000${g.key}\u0000${g.targetId}\u0000${g.state}\u0000${g.updatedAt}`,
      )
      .sort()
      .join('\n'),
  )
}

/** A plan is only valid against the ledger it was computed from; apply refuses a plan whose ledger moved on. */
export function ledgerHash(
  ledger: readonly Pick<Account, 'target' | 'person' | 'targetId' | 'state' | 'updatedAt'>[],
): string {
  return sha256(ledgerText(ledger))
}

/** ledgerHash of the store's ledger as it is now, without a row object per account. */
export async function storedLedgerHash(store: Pick<Store, 'ledgerText'>): Promise<string> {
  return sha256(await store.ledgerText())
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
