import type {
  Account,
  Action,
  ActionKind,
  ActionOutcome,
  GroupAction,
  Plan,
  ProvisionedGroup,
} from '../model/index.ts'
import { GROUP_MEMBERSHIP, isGroupAction, isPermissionAction } from '../model/index.ts'
import { ConnectorError } from '../contract/index.ts'
import type { ActionCompletion, AuditEventInput, JournalEntry, Store } from '../store/store.ts'
import type { EngineTarget } from './engine-types.ts'
import { executeAction } from './execute-action.ts'
import { executeGroupAction } from './execute-group-action.ts'
import { describeError, retryDelay, unreachable, UNREACHABLE_RETRIES } from './retry-policy.ts'
import { runPool } from './run-pool.ts'
import { memoryRate, type TargetRate } from './target-rate.ts'

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
  /**
   * Set when `koppel worker` processes apply (PostgreSQL store, `store.workers`): each phase of each target goes
   * to the workers as jobs and this process only orders the phases and reads the outcomes from the journal.
   */
  readonly queue?: ApplyQueue
  /** A target's Retry-After shared by every process applying to it (workers); without it, this apply's own. */
  readonly pause?: TargetPause
  /** The schedule of a target's operationsPerSecond shared by every process (workers); without it, this apply's. */
  readonly rate?: TargetRate
}

/**
 * A target paused for everyone that applies to it: a throttled answer's Retry-After pauses the target for all
 * workers (src/worker/target-pause.ts keeps it in PostgreSQL), not only for the action that got it.
 */
export interface TargetPause {
  /** Resolves when the target is not paused (at once, or when the pause ends). */
  wait(target: string, signal?: AbortSignal): Promise<void>
  /** Pauses the target for everyone for `ms` from now (a longer pause already set stays). */
  pause(target: string, ms: number): Promise<void>
}

/**
 * One pass of one target's phase, handed to the workers (src/worker). The queue keeps one account's actions in
 * the order given and runs different accounts side by side; runPass resolves once every job has ended (done,
 * or given up after its retries). Outcomes are not returned: the workers journal them, the journal is the truth.
 */
export interface QueuedPass {
  readonly planId: string
  readonly runId: string
  readonly actor: string
  readonly target: string
  readonly actions: readonly Action[]
}

export interface ApplyQueue {
  runPass(pass: QueuedPass): Promise<void>
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
  return d === undefined
    ? 'target unreachable'
    : `${d.target} is unreachable${d.address !== undefined ? ` at ${d.address}` : ''}`
}

/**
 * Phases keep dependencies simple: groups exist before anyone is granted them, a grant waits for its account's
 * create, a correlate's update for the correlate, and destructive actions go last (groups are archived after
 * their members' revokes) so a failed run leaves people with more access, never less. Revokes wait for the
 * grants: a replaced owner leaves a group after the new one joined (Entra ID refuses to remove a group's last
 * owner), and a failed grant leaves the old access in place. Archives go first, though: an archived group keeps
 * its members, and at the turnover next year's "Klas 1A" may only be made once last year's no longer holds the
 * name (LDAP's cn in the OU, Entra's and Google's name checks). A write-back goes last:
 * it writes the account's values as they are after everything else. A child group's create waits for its
 * parent's (`after`): the groups phase runs in two passes, parents first.
 */
export const PHASE_ORDER = [
  'group-archives',
  'groups',
  'accounts',
  'state',
  'permissions',
  'revokes',
  'removals',
  'group-removals',
  'write-backs',
] as const
export type Phase = (typeof PHASE_ORDER)[number]

/** Every kind's phase: a new kind does not compile until it is placed (else it would never be applied). */
export const PHASES: Readonly<Record<ActionKind, Phase>> = {
  create: 'accounts',
  correlate: 'accounts',
  enable: 'state',
  update: 'state',
  grant: 'permissions',
  revoke: 'revokes',
  disable: 'removals',
  delete: 'removals',
  'write-back': 'write-backs',
  'group-create': 'groups',
  'group-update': 'groups',
  'group-archive': 'group-archives',
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
  readonly rate: TargetRate
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
  for (const e of await o.store.journalFor(plan.id))
    if (e.phase === 'applied' || e.phase === 'skipped') done.set(e.actionId, e)
  const ledger = new Map<string, Account>()
  const groups = new Map<string, ProvisionedGroup>()
  // queued: the workers read the rows of their own job's accounts
  if (o.queue === undefined) {
    for (const a of await o.store.listAccounts()) ledger.set(`${a.target}\u0000${a.person}`, a)
    if (plan.actions.some(needsGroups))
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
    rate: o.rate ?? memoryRate(),
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
        const passes =
          PHASES[phase[0]?.kind ?? 'create'] === 'groups'
            ? [
                phase.filter((a) => a.after === undefined),
                phase.filter((a) => a.after !== undefined),
              ]
            : [phase]
        for (const pass of passes) {
          if (pass.length === 0) continue
          // a target no longer configured has no workers: its actions fail here, as they do in one process
          const finished =
            o.queue === undefined || target === undefined
              ? await applyPhase(ctx, pass, target)
              : await queuedPass(ctx, o.queue, pass, name)
          for (const r of finished) results.push(r)
        }
      }
    }),
  )
  return results
}

const needsGroups = (a: Action): boolean =>
  isGroupAction(a.kind) || (isPermissionAction(a) && a.permissionType === GROUP_MEMBERSHIP)

/** A pass run by the workers; its outcomes as the workers journaled them. */
async function queuedPass(
  ctx: ApplyContext,
  queue: ApplyQueue,
  pass: readonly Action[],
  target: string,
): Promise<AppliedAction[]> {
  const { o, planId } = ctx
  if (o.stop?.aborted === true)
    return pass.map((action) => ({
      action,
      outcome: 'pending',
      attempts: 0,
      message: 'not sent: the apply was stopped',
    }))
  await queue.runPass({ planId, runId: o.runId, actor: o.actor, target, actions: pass })
  const journal = new Map(
    (
      await o.store.journalFor(
        planId,
        pass.map((a) => a.id),
      )
    ).map((e) => [e.actionId, e]),
  )
  return pass.map((action) => {
    const e = journal.get(action.id)
    const r: AppliedAction =
      e === undefined || e.phase === 'started'
        ? // a job given up after its retries (a worker died every time, the store failed): sent again next run
          {
            action,
            outcome: 'pending',
            attempts: e?.attempts ?? 0,
            message: e?.message ?? 'not sent: its worker job ended without recording an outcome',
          }
        : {
            action,
            outcome: e.phase,
            attempts: e.attempts,
            ...(e.message !== undefined ? { message: e.message } : {}),
          }
    ctx.outcome.set(action.id, r.outcome)
    ctx.progressed()
    return r
  })
}

/**
 * A worker's job (src/worker): some actions of one plan on one target, for one account (or group), applied one
 * after another with the journal, ledger and audit writes of the in-process apply. Actions the journal already
 * has as done (a job retried after its worker died) are skipped; those it has as started are sent again, as on
 * any resume. What a dependant waits for (`after`) is read from the journal too. Throws when the store fails, so
 * the queue retries the job.
 */
export async function applyQueuedActions(
  plan: Plan,
  actionIds: readonly string[],
  o: ApplyOptions & { readonly target: string },
): Promise<AppliedAction[]> {
  return applyQueuedJobs(plan, [actionIds], { ...o, lanes: 1 })
}

/**
 * Several jobs of one plan and target at once (a worker's fetched batch): each job's actions one after another,
 * up to `lanes` jobs side by side, with one journal transaction before and one after for the whole batch instead
 * of two per job. The jobs must be of different accounts (the queue's singleton keys see to that).
 */
export async function applyQueuedJobs(
  plan: Plan,
  jobs: readonly (readonly string[])[],
  o: ApplyOptions & { readonly target: string; readonly lanes: number },
): Promise<AppliedAction[]> {
  const actionIds = jobs.flat()
  const wanted = new Set(actionIds)
  const byId = actionIndex(plan)
  const found: { readonly action: Action; readonly index: number }[] = []
  for (const id of wanted) {
    const at = byId.get(id)
    if (at === undefined || at.action.target !== o.target)
      throw new Error(`plan ${plan.id} has no action ${id} on ${o.target}`)
    found.push(at)
  }
  // plan order, whatever the job's order
  const actions = found.sort((x, y) => x.index - y.index).map((f) => f.action)
  const dependencies = actions.flatMap((a) => (a.after !== undefined ? [a.after] : []))
  const ledger = new Map<string, Account>()
  for (const row of await o.store.getAccounts(o.target, [...new Set(actions.map((a) => a.person))]))
    ledger.set(`${o.target}\u0000${row.person}`, row)
  const outcome = new Map<string, ActionOutcome>()
  const done = new Set<string>()
  for (const e of await o.store.journalFor(plan.id, [...actionIds, ...dependencies])) {
    // a create that failed only to deliver its password left the account and its ledger row: its dependants
    // run, as they do in one process (keepsRow there)
    const created =
      e.phase === 'failed' && !wanted.has(e.actionId) && createdAnyway(plan, e.actionId, ledger)
    if (e.phase !== 'applied' && e.phase !== 'skipped' && !created) continue
    outcome.set(e.actionId, 'applied')
    if (wanted.has(e.actionId)) done.add(e.actionId)
  }
  const groups = new Map<string, ProvisionedGroup>()
  if (actions.some(needsGroups))
    for (const g of await o.store.listGroups(o.target)) groups.set(`${g.target}\u0000${g.key}`, g)
  const ctx: ApplyContext = {
    o,
    planId: plan.id,
    now: o.now ?? (() => new Date()),
    sleep: o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    outcome,
    ledger,
    groups,
    down: new Map(),
    rate: o.rate ?? memoryRate(),
    progressed: () => {},
  }
  const todo = actions.filter((a) => !done.has(a.id))
  if (todo.length === 0) return []
  // a lane per job, in plan order within it
  const laneOf = new Map<string, number>()
  jobs.forEach((ids, lane) => {
    for (const id of ids) laneOf.set(id, lane)
  })
  return applyPhase(
    ctx,
    todo,
    o.targets.find((t) => t.name === o.target),
    Math.max(1, o.lanes),
    (a) => laneOf.get(a.id) ?? 0,
  )
}

/** A failed create of an account the ledger has anyway (the create worked, a side effect did not). */
function createdAnyway(
  plan: Plan,
  actionId: string,
  ledger: ReadonlyMap<string, Account>,
): boolean {
  const a = actionIndex(plan).get(actionId)?.action
  return a?.kind === 'create' && ledger.has(`${a.target}\u0000${a.person}`)
}

type ActionIndex = ReadonlyMap<string, { readonly action: Action; readonly index: number }>
const indexes = new WeakMap<Plan, ActionIndex>()

/** A plan's actions by id, built once per plan object: a worker runs thousands of jobs of one (cached) plan. */
function actionIndex(plan: Plan): ActionIndex {
  let byId = indexes.get(plan)
  if (byId === undefined) {
    byId = new Map(plan.actions.map((action, index) => [action.id, { action, index }]))
    indexes.set(plan, byId)
  }
  return byId
}

async function runOne(
  ctx: ApplyContext,
  action: Action,
  target: EngineTarget | undefined,
): Promise<AppliedAction & { readonly row?: Account; readonly groupRow?: ProvisionedGroup }> {
  const { outcome, ledger, down, now, sleep } = ctx
  const signal = ctx.o.signal
  if (target === undefined)
    return {
      action,
      outcome: 'failed',
      attempts: 0,
      message: `target ${action.target} is no longer configured`,
    }
  const notSent = (attempts: number): AppliedAction => ({
    action,
    outcome: 'pending',
    attempts,
    message: `not sent: ${describeDown(down.get(action.target))}`,
  })
  if (down.has(action.target)) return notSent(0)
  if (action.after !== undefined && outcome.get(action.after) !== 'applied') {
    return {
      action,
      outcome: 'skipped',
      attempts: 0,
      message: `waits for ${action.after}, which did not succeed`,
    }
  }
  const key = `${action.target}\u0000${action.person}`
  const groupOf = (k: string) => ctx.groups.get(`${action.target}\u0000${k}`)
  const perSecond = target.apply.operationsPerSecond
  for (let attempt = 1; ; attempt++) {
    await ctx.o.pause?.wait(action.target, signal)
    if (perSecond !== undefined) await ctx.rate.take(action.target, perSecond, signal)
    try {
      if ('group' in action) {
        const groupRow = await executeGroupAction(
          action as GroupAction,
          target,
          groupOf,
          now().toISOString(),
          signal,
        )
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
        return {
          action,
          outcome: 'failed',
          attempts: attempt,
          message: deliveryFailed,
          row: next,
          keepsRow: true,
        }
      }
      // the ledger's row, not `next`: another action of this account may have built on `next` meanwhile
      return { action, outcome: 'applied', attempts: attempt, row: ledger.get(key) ?? next }
    } catch (e) {
      // a target that cannot be reached is down for the rest of this apply: its other actions are not sent one by
      // one into the same refused connection (with retries each), they stay for the next run
      const gone = unreachable(e)
      if (gone !== undefined && (attempt > UNREACHABLE_RETRIES || down.has(action.target))) {
        if (!down.has(action.target))
          down.set(action.target, { target: action.target, ...gone, message: describeError(e) })
        return notSent(attempt)
      }
      const delay = retryDelay(e, attempt, target.apply)
      if (delay === undefined || signal?.aborted === true)
        return { action, outcome: 'failed', attempts: attempt, message: describeError(e) }
      // the target asked to be left alone for a while: every worker's next request waits too
      if (ConnectorError.isInstance(e) && e.kind === 'rate-limited' && e.retryAfterMs !== undefined)
        await ctx.o.pause?.pause(action.target, e.retryAfterMs)
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
async function applyPhase(
  ctx: ApplyContext,
  phase: readonly Action[],
  target: EngineTarget | undefined,
  concurrency = target?.apply.concurrency ?? 1,
  /** Actions of one lane run one after another; without lanes every action is its own. */
  laneOf?: (action: Action) => number,
): Promise<AppliedAction[]> {
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
      p = enqueue(() =>
        o.store.journalStart(
          slice.map((a) => ({
            planId,
            actionId: a.id,
            runId: o.runId,
            phase: 'started',
            at,
            attempts: 0,
          })),
        ),
      )
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
  const lanes: { action: Action; index: number }[][] = []
  if (laneOf === undefined) for (const x of indexed) lanes.push([x])
  else {
    const byLane = new Map<number, { action: Action; index: number }[]>()
    for (const x of indexed) {
      const lane = byLane.get(laneOf(x.action))
      if (lane === undefined) byLane.set(laneOf(x.action), [x])
      else lane.push(x)
    }
    lanes.push(...byLane.values())
  }
  const one = async ({ action, index }: { action: Action; index: number }): Promise<void> => {
    if (failedWrite !== undefined) return
    if (o.stop?.aborted === true) {
      const r: AppliedAction = {
        action,
        outcome: 'pending',
        attempts: 0,
        message: 'not sent: the apply was stopped',
      }
      results.push(r)
      return
    }
    try {
      await started(index)
      // the next wave's rows are written while this one runs, so the stream does not stall at a wave's end;
      // a failure of that write surfaces when the next wave awaits the same promise
      if (index % size === 0 && index + size < phase.length)
        void started(index + size).catch(() => {})
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
  }
  await runPool(lanes, concurrency, async (lane) => {
    for (const x of lane) await one(x)
  })
  if (batch.length > 0) flush().catch((e: unknown) => (failedWrite ??= e))
  await writes.catch((e: unknown) => (failedWrite ??= e))
  if (failedWrite !== undefined) throw failedWrite
  return results
}

/** One transaction per batch: outcomes, the final ledger row of each account and group the batch touched, audit events. */
async function record(
  ctx: ApplyContext,
  finished: readonly AppliedAction[],
  rows: ReadonlyMap<string, Account>,
  groupRows: ReadonlyMap<string, ProvisionedGroup>,
  at: string,
): Promise<void> {
  const { o, planId } = ctx
  const lastFor = new Map<string, string>()
  for (const f of finished)
    if (f.outcome === 'applied' || f.keepsRow === true)
      lastFor.set(`${f.action.target}\u0000${f.action.person}`, f.action.id)
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
    return account !== undefined
      ? { entry, account }
      : group !== undefined
        ? { entry, group }
        : { entry }
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
      ...(f.action.reason.membership !== undefined
        ? { membership: f.action.reason.membership }
        : {}),
      ...(f.message !== undefined ? { message: f.message } : {}),
      attempts: f.attempts,
    },
  }))
  // one transaction: the outcomes, the ledger rows and the audit events of the wave
  await o.store.journalFinish(completions, audit)
}
