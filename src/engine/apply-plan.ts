import type { Account, Action, ActionKind, ActionOutcome, GroupAction, Plan, ProvisionedGroup } from '../model/index.ts'
import { GROUP_MEMBERSHIP, isGroupAction, isPermissionAction } from '../model/index.ts'
import type { ActionCompletion, AuditEventInput, JournalEntry, Store } from '../store/store.ts'
import type { EngineTarget } from './engine-types.ts'
import { executeAction } from './execute-action.ts'
import { executeGroupAction } from './execute-group-action.ts'
import { describeError, retryDelay, unreachable, UNREACHABLE_RETRIES } from './retry-policy.ts'
import { runPool } from './run-pool.ts'

export interface ApplyOptions {
  readonly store: Store
  readonly targets: readonly EngineTarget[]
  readonly runId: string
  readonly actor: string
  readonly now?: () => Date
  readonly sleep?: (ms: number) => Promise<void>
  readonly onProgress?: (done: number, total: number) => void
  readonly signal?: AbortSignal
  /**
   * A graceful stop (SIGTERM): actions already sent finish and are journaled; the rest are not sent and come
   * back as `pending`, for a resume. Unlike `signal` it never cuts a request in flight.
   */
  readonly stop?: AbortSignal
  /** Actions journaled per transaction; bigger waves mean fewer commits, smaller ones less rework after a crash. */
  readonly waveSize?: number
}

export interface AppliedAction {
  readonly action: Action
  readonly outcome: ActionOutcome
  readonly attempts: number
  readonly message?: string
  /** Failed, yet the account exists and its ledger row is recorded (a create whose password delivery failed). */
  readonly keepsRow?: true
}

/** A target that could not be reached during an apply; its actions from then on were not sent. */
export interface TargetDown {
  readonly target: string
  readonly address?: string
  readonly message: string
}

function describeDown(d: TargetDown | undefined): string {
  return d === undefined ? 'target unreachable' : `${d.target} is unreachable${d.address !== undefined ? ` at ${d.address}` : ''}`
}

/**
 * Phases keep dependencies simple: groups exist before anyone is granted them, a grant waits for its account's
 * create, a correlate's update for the correlate, and destructive actions go last (groups are archived after
 * their members' revokes) so a failed run leaves people with more access, never less. A write-back goes last:
 * it writes the account's values as they are after everything else. A child group's create waits for its
 * parent's (`after`): the groups phase runs in two passes, parents first.
 */
export const PHASE_ORDER = ['groups', 'accounts', 'state', 'permissions', 'removals', 'group-removals', 'write-backs'] as const
export type Phase = (typeof PHASE_ORDER)[number]

/** Every kind's phase: a new kind does not compile until it is placed (else it would never be applied). */
export const PHASES: Readonly<Record<ActionKind, Phase>> = {
  create: 'accounts',
  correlate: 'accounts',
  enable: 'state',
  update: 'state',
  grant: 'permissions',
  revoke: 'permissions',
  disable: 'removals',
  delete: 'removals',
  'write-back': 'write-backs',
  'group-create': 'groups',
  'group-update': 'groups',
  'group-archive': 'group-removals',
  'group-delete': 'group-removals',
}

/** A target's actions per phase, in phase order; plan order within a phase. */
export function byPhase(actions: readonly Action[]): Action[][] {
  const phases = new Map<Phase, Action[]>(PHASE_ORDER.map((p) => [p, []]))
  for (const a of actions) phases.get(PHASES[a.kind])?.push(a)
  return [...phases.values()]
}

/** What every action of one apply shares: its settings and clock, and what the actions learn of each other. */
interface ApplyContext {
  readonly o: ApplyOptions
  readonly planId: string
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  /** Action id → outcome so far, for dependants (`after`). */
  readonly outcome: Map<string, ActionOutcome>
  /** `target\0person` → the account's ledger row as the actions applied so far left it. */
  readonly ledger: Map<string, Account>
  /** `target\0key` → the provisioned group's ledger row as the actions applied so far left it. */
  readonly groups: Map<string, ProvisionedGroup>
  /** Targets found unreachable during this apply. */
  readonly down: Map<string, TargetDown>
  readonly progressed: () => void
}

/**
 * Applies a stored plan. Every action is journaled as started before it is sent and as applied/failed (with its
 * ledger row, in one transaction) after it returns, in batches of `waveSize`. Actions already applied by an earlier,
 * interrupted apply of the same plan are skipped; actions left "started" are sent again, which is safe because
 * every connector operation is idempotent (create looks for its anchor first). Never throws for a failed action.
 */
export async function applyPlan(plan: Plan, o: ApplyOptions): Promise<AppliedAction[]> {
  const targets = new Map(o.targets.map((t) => [t.name, t]))
  const done = new Map<string, JournalEntry>()
  for (const e of await o.store.journalFor(plan.id)) if (e.phase === 'applied' || e.phase === 'skipped') done.set(e.actionId, e)
  const ledger = new Map<string, Account>()
  for (const a of await o.store.listAccounts()) ledger.set(`${a.target}\u0000${a.person}`, a)
  const groups = new Map<string, ProvisionedGroup>()
  if (plan.actions.some((a) => isGroupAction(a.kind) || (isPermissionAction(a) && a.permissionType === GROUP_MEMBERSHIP))) {
    for (const g of await o.store.listGroups()) groups.set(`${g.target}\u0000${g.key}`, g)
  }

  const outcome = new Map<string, ActionOutcome>()
  for (const id of done.keys()) outcome.set(id, 'applied')
  const results: AppliedAction[] = []
  let progress = done.size
  o.onProgress?.(progress, plan.actions.length)
  const ctx: ApplyContext = {
    o,
    planId: plan.id,
    now: o.now ?? (() => new Date()),
    sleep: o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    outcome,
    ledger,
    groups,
    down: new Map(),
    progressed: () => o.onProgress?.(++progress, plan.actions.length),
  }

  const byTarget = new Map<string, Action[]>()
  for (const a of plan.actions) {
    if (done.has(a.id)) continue
    const list = byTarget.get(a.target)
    if (list === undefined) byTarget.set(a.target, [a])
    else list.push(a)
  }

  // targets are applied side by side: a slow or failing target never holds up another
  await Promise.all(
    [...byTarget].map(async ([name, actions]) => {
      const target = targets.get(name)
      for (const phase of byPhase(actions)) {
        if (phase.length === 0) continue
        // group creates that wait for a parent's create run in a second pass, after the parents
        const passes = PHASES[phase[0]?.kind ?? 'create'] === 'groups' ? [phase.filter((a) => a.after === undefined), phase.filter((a) => a.after !== undefined)] : [phase]
        for (const pass of passes) {
          if (pass.length === 0) continue
          const finished = await applyPhase(ctx, pass, target)
          for (const r of finished) results.push(r)
        }
      }
    }),
  )
  return results
}

async function runOne(ctx: ApplyContext, action: Action, target: EngineTarget | undefined): Promise<AppliedAction & { readonly row?: Account; readonly groupRow?: ProvisionedGroup }> {
  const { outcome, ledger, down, now, sleep } = ctx
  const signal = ctx.o.signal
  if (target === undefined) return { action, outcome: 'failed', attempts: 0, message: `target ${action.target} is no longer configured` }
  const notSent = (attempts: number): AppliedAction => ({ action, outcome: 'pending', attempts, message: `not sent: ${describeDown(down.get(action.target))}` })
  if (down.has(action.target)) return notSent(0)
  if (action.after !== undefined && outcome.get(action.after) !== 'applied') {
    return { action, outcome: 'skipped', attempts: 0, message: `waits for ${action.after}, which did not succeed` }
  }
  const key = `${action.target}\u0000${action.person}`
  const groupOf = (k: string) => ctx.groups.get(`${action.target}\u0000${k}`)
  for (let attempt = 1; ; attempt++) {
    try {
      if ('group' in action) {
        const groupRow = await executeGroupAction(action as GroupAction, target, groupOf, now().toISOString(), signal)
        ctx.groups.set(`${action.target}\u0000${groupRow.key}`, groupRow)
        return { action, outcome: 'applied', attempts: attempt, groupRow }
      }
      const { row: next, deliveryFailed } = await executeAction(action, target, {
        currentOf: () => ledger.get(key),
        commit: (row) => ledger.set(key, row),
        now: now().toISOString(),
        signal,
        groupOf,
      })
      if (next === undefined) return { action, outcome: 'applied', attempts: attempt }
      if (deliveryFailed !== undefined) {
        // the account exists: record it (so nothing creates it twice) and report the failed delivery
        ledger.set(key, next)
        return { action, outcome: 'failed', attempts: attempt, message: deliveryFailed, row: next, keepsRow: true }
      }
      // the ledger's row, not `next`: another action of this account may have built on `next` meanwhile
      return { action, outcome: 'applied', attempts: attempt, row: ledger.get(key) ?? next }
    } catch (e) {
      // a target that cannot be reached is down for the rest of this apply: its other actions are not sent one by
      // one into the same refused connection (with retries each), they stay for the next run
      const gone = unreachable(e)
      if (gone !== undefined && (attempt > UNREACHABLE_RETRIES || down.has(action.target))) {
        if (!down.has(action.target)) down.set(action.target, { target: action.target, ...gone, message: describeError(e) })
        return notSent(attempt)
      }
      const delay = retryDelay(e, attempt, target.apply)
      if (delay === undefined || signal?.aborted === true) return { action, outcome: 'failed', attempts: attempt, message: describeError(e) }
      await sleep(delay)
      if (down.has(action.target)) return notSent(attempt)
    }
  }
}

/**
 * One phase of one target as a continuous stream: up to `concurrency` actions in flight the whole time, with no
 * pause between waves. Store writes go through one queue, in order: a wave's "started" rows are committed before
 * any of its actions is sent (write-ahead), and outcomes are recorded in batches of a wave while later actions
 * run. A crash loses at most the unrecorded outcomes, whose actions are sent again (idempotently) on resume.
 */
async function applyPhase(ctx: ApplyContext, phase: readonly Action[], target: EngineTarget | undefined): Promise<AppliedAction[]> {
  const { o, planId, now } = ctx
  const size = o.waveSize ?? 500
  let writes: Promise<void> = Promise.resolve()
  const enqueue = (write: () => Promise<void>): Promise<void> => (writes = writes.then(write))
  const startedWaves = new Map<number, Promise<void>>()
  const started = (index: number): Promise<void> => {
    const wave = Math.floor(index / size)
    let p = startedWaves.get(wave)
    if (p === undefined) {
      const slice = phase.slice(wave * size, (wave + 1) * size)
      const at = now().toISOString()
      p = enqueue(() => o.store.journalStart(slice.map((a) => ({ planId, actionId: a.id, runId: o.runId, phase: 'started', at, attempts: 0 }))))
      startedWaves.set(wave, p)
    }
    return p
  }
  const results: AppliedAction[] = []
  let batch: AppliedAction[] = []
  let rows = new Map<string, Account>()
  let groupRows = new Map<string, ProvisionedGroup>()
  const flush = (): Promise<void> => {
    const finished = batch
    const touched = rows
    const touchedGroups = groupRows
    batch = []
    rows = new Map()
    groupRows = new Map()
    return enqueue(() => record(ctx, finished, touched, touchedGroups, now().toISOString()))
  }
  let failedWrite: unknown
  const indexed = phase.map((action, index) => ({ action, index }))
  await runPool(indexed, target?.apply.concurrency ?? 1, async ({ action, index }) => {
    if (failedWrite !== undefined) return
    if (o.stop?.aborted === true) {
      const r: AppliedAction = { action, outcome: 'pending', attempts: 0, message: 'not sent: the apply was stopped' }
      results.push(r)
      return
    }
    try {
      await started(index)
      // the next wave's rows are written while this one runs, so the stream does not stall at a wave's end;
      // a failure of that write surfaces when the next wave awaits the same promise
      if (index % size === 0 && index + size < phase.length) void started(index + size).catch(() => {})
    } catch (e) {
      failedWrite ??= e
      return
    }
    const { row, groupRow, ...r } = await runOne(ctx, action, target)
    // the row joins the batch the outcome lands in (a batch may have been flushed while the action ran)
    if (row !== undefined) rows.set(`${action.target}\u0000${action.person}`, row)
    if (groupRow !== undefined) groupRows.set(action.id, groupRow)
    // dependants (the new account's grants) run when the account exists, even if a side effect failed
    ctx.outcome.set(action.id, r.keepsRow === true ? 'applied' : r.outcome)
    batch.push(r)
    results.push(r)
    ctx.progressed()
    if (batch.length >= size) flush().catch((e: unknown) => (failedWrite ??= e))
  })
  if (batch.length > 0) flush().catch((e: unknown) => (failedWrite ??= e))
  await writes.catch((e: unknown) => (failedWrite ??= e))
  if (failedWrite !== undefined) throw failedWrite
  return results
}

/** One transaction per batch: outcomes, the final ledger row of each account and group the batch touched, audit events. */
async function record(ctx: ApplyContext, finished: readonly AppliedAction[], rows: ReadonlyMap<string, Account>, groupRows: ReadonlyMap<string, ProvisionedGroup>, at: string): Promise<void> {
  const { o, planId } = ctx
  const lastFor = new Map<string, string>()
  for (const f of finished) if (f.outcome === 'applied' || f.keepsRow === true) lastFor.set(`${f.action.target}\u0000${f.action.person}`, f.action.id)
  const completions: ActionCompletion[] = finished.map((f) => {
    const key = `${f.action.target}\u0000${f.action.person}`
    const account = lastFor.get(key) === f.action.id ? rows.get(key) : undefined
    const entry: JournalEntry = {
      planId,
      actionId: f.action.id,
      runId: o.runId,
      phase: f.outcome === 'pending' ? 'started' : f.outcome,
      at,
      attempts: f.attempts,
      ...(f.message !== undefined ? { message: f.message } : {}),
    }
    const group = groupRows.get(f.action.id)
    return account !== undefined ? { entry, account } : group !== undefined ? { entry, group } : { entry }
  })
  const audit: AuditEventInput[] = finished.map((f) => ({
    type: `action.${f.outcome}`,
    actor: o.actor,
    planId,
    runId: o.runId,
    target: f.action.target,
    person: f.action.person,
    actionId: f.action.id,
    data: {
      kind: f.action.kind,
      reason: f.action.reason.detail,
      ...(f.action.reason.rule !== undefined ? { rule: f.action.reason.rule } : {}),
      fields: f.action.changes.map((c) => c.field),
      ...(isPermissionAction(f.action) ? { permission: f.action.permission } : {}),
      ...('group' in f.action ? { group: f.action.group.key } : {}),
      ...(f.action.reason.membership !== undefined ? { membership: f.action.reason.membership } : {}),
      ...(f.message !== undefined ? { message: f.message } : {}),
      attempts: f.attempts,
    },
  }))
  // one transaction: the outcomes, the ledger rows and the audit events of the wave
  await o.store.journalFinish(completions, audit)
}
