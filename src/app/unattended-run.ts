/**
 * One unattended sync, as `koppel serve` runs it on a schedule: resume an interrupted apply first, then
 * read → plan → guard → apply, and tell the administrators how it ended. A blocked or rejected plan is never
 * applied; a blocked one is notified once per set of findings, not at every tick while it waits for approval.
 */
import { applyStoredPlan, deliverPending, interruptedPlans, makePlan } from '../engine/index.ts'
import type { ChangedRecords } from '../engine/index.ts'
import { formatIssue } from '../model/index.ts'
import type { Plan, RunReport } from '../model/index.ts'
import type { StatusInput } from '../notify/status-mail.ts'
import type { LoadedEngine } from './load-engine.ts'
import { runMetrics } from '../ops/metrics.ts'

/** The part of a pino logger a run writes to: an object of fields first, then the message. */
export interface RunLog {
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
  child(bindings: Record<string, unknown>): RunLog
}

export type RunOutcomeKind =
  'completed' | 'unchanged' | 'blocked' | 'rejected' | 'failed' | 'busy' | 'stopped'

export interface UnattendedOutcome {
  readonly kind: RunOutcomeKind
  readonly planId?: string
  readonly runId?: string
  readonly message?: string
}

export interface UnattendedOptions {
  readonly actor: string
  readonly log: RunLog
  /** SIGTERM: the action in flight finishes, nothing further is sent, the plan is left to resume. */
  readonly signal?: AbortSignal
  /**
   * What this process already notified as blocked (blockedSituation): the same findings at the next tick (a
   * new plan id on a new day) wait for the same approval and are not told again.
   */
  readonly notifiedBlocked?: Set<string>
  /** Only these records of one source (the change path); everyone else's work waits for the schedule. */
  readonly changed?: ChangedRecords
  /**
   * Whether a run that completed (or had nothing to do) is notified; blocked and failed runs always are. The
   * change path turns it off: a status mail per pupil's class change would bury the ones that matter.
   */
  readonly notifyCompleted?: boolean
}

type Tell = (input: Omit<StatusInput, 'tenant' | 'auditHead'>) => Promise<void>

/** Finishes applies a killed or stopped process left `applying` (serve does this when it starts). */
export async function resumeInterrupted(
  loaded: LoadedEngine,
  o: UnattendedOptions,
): Promise<UnattendedOutcome[]> {
  return counted(loaded, await resumeWith(loaded, o, teller(loaded, o.log)))
}

function counted(loaded: LoadedEngine, outcomes: UnattendedOutcome[]): UnattendedOutcome[] {
  for (const r of outcomes) runMetrics.runEnded(loaded.config.tenant, r.kind)
  return outcomes
}

function teller(loaded: LoadedEngine, log: RunLog, notifyCompleted = true): Tell {
  return async (input) => {
    if (loaded.notifier === undefined) return
    if (!notifyCompleted && (input.outcome === 'completed' || input.outcome === 'unchanged')) return
    for (const problem of await loaded.notifier.runEnded(input))
      log.warn({ planId: input.plan?.id }, problem)
  }
}

async function resumeWith(
  loaded: LoadedEngine,
  o: UnattendedOptions,
  tell: Tell,
): Promise<UnattendedOutcome[]> {
  const outcomes: UnattendedOutcome[] = []
  for (const p of await interruptedPlans(loaded.engine.store)) {
    o.log.info({ planId: p.id }, 'resuming an interrupted apply')
    const r = await applyAndTell(loaded, p, o, tell)
    outcomes.push(r)
    if (r.kind !== 'completed') break
  }
  return outcomes
}

export async function unattendedRun(
  loaded: LoadedEngine,
  o: UnattendedOptions,
): Promise<UnattendedOutcome[]> {
  return counted(loaded, await runOnce(loaded, o))
}

async function runOnce(loaded: LoadedEngine, o: UnattendedOptions): Promise<UnattendedOutcome[]> {
  const { engine } = loaded
  const tell = teller(loaded, o.log, o.notifyCompleted)
  const outcomes = await resumeWith(loaded, o, tell)
  if (outcomes.some((r) => r.kind !== 'completed')) return outcomes
  if (o.signal?.aborted === true)
    return [...outcomes, { kind: 'stopped', message: 'stopped before planning' }]
  const stages = runMetrics.stageTimer(loaded.config.tenant)
  const planStart = performance.now()
  const made = await makePlan(engine, {
    actor: o.actor,
    ...(o.changed !== undefined ? { changed: o.changed } : {}),
    onStage: (stage, detail) => {
      stages.onStage(stage, detail)
      o.log.info({ stage }, detail)
    },
  }).finally(stages.end)
  runMetrics.planned(loaded.config.tenant, (performance.now() - planStart) / 1000)
  if (!made.ok) {
    const error = [
      'The plan was not made: a source could not be read. Nothing was changed.',
      ...made.issues.slice(0, 20).map(formatIssue),
    ].join('\n')
    o.log.error({ issues: made.issues.length }, error)
    await tell({ outcome: 'failed', error })
    return [...outcomes, { kind: 'failed', message: error }]
  }
  const plan = made.plan
  const log = o.log.child({ planId: plan.id })
  log.info({ status: plan.status, actions: plan.actions.length, summary: plan.summary }, 'planned')
  if (plan.status === 'blocked') {
    log.warn(
      { findings: plan.findings.map((f) => f.message) },
      `blocked by the guard; waits for koppel approve ${plan.id}`,
    )
    const situation = blockedSituation(plan)
    if (o.notifiedBlocked?.has(situation) !== true) {
      await tell({ outcome: 'blocked', plan })
      o.notifiedBlocked?.add(situation)
    }
    return [...outcomes, { kind: 'blocked', planId: plan.id }]
  }
  if (plan.status === 'rejected') {
    log.warn({}, 'the same work an admin rejected; not applied')
    return [...outcomes, { kind: 'rejected', planId: plan.id }]
  }
  if (plan.actions.length === 0) {
    const d = await deliverPending(engine, { actor: o.actor })
    if (d !== undefined && 'busy' in d)
      return [...outcomes, { kind: 'busy', planId: plan.id, message: d.busy }]
    for (const m of d?.messages ?? []) log.info({}, m)
    if (d === undefined) await tell({ outcome: 'unchanged', plan })
    return [
      ...outcomes,
      { kind: d === undefined || d.ok ? 'unchanged' : 'failed', planId: plan.id },
    ]
  }
  return [...outcomes, await applyAndTell(loaded, plan, { ...o, log }, tell)]
}

async function applyAndTell(
  loaded: LoadedEngine,
  plan: Plan,
  o: UnattendedOptions,
  tell: Tell,
): Promise<UnattendedOutcome> {
  const applyStart = performance.now()
  const r = await applyStoredPlan(loaded.engine, plan.id, {
    actor: o.actor,
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  })
  if (r.ok)
    runMetrics.applied(
      loaded.config.tenant,
      r.report,
      (performance.now() - applyStart) / 1000,
      await retriesByTarget(loaded, plan),
    )
  if (!r.ok) {
    o.log.warn({ planId: plan.id, reason: r.reason }, r.message)
    return { kind: r.reason === 'busy' ? 'busy' : 'failed', planId: plan.id, message: r.message }
  }
  const report: RunReport = r.report
  const stopped =
    o.signal?.aborted === true && (await loaded.engine.store.planStatus(plan.id)) === 'applying'
  o.log.info(
    {
      planId: plan.id,
      runId: report.runId,
      state: report.state,
      failures: report.failures.length,
      counts: report.counts,
      auditHead: report.auditHead,
    },
    stopped ? 'apply stopped; resumed at the next start' : 'applied',
  )
  if (stopped) return { kind: 'stopped', planId: plan.id, runId: report.runId }
  const failed = report.failures.length > 0 || report.state === 'failed'
  const stored = await loaded.engine.store.getPlan(plan.id)
  await tell({
    outcome: failed ? 'failed' : 'completed',
    report,
    ...(stored !== undefined ? { plan: stored } : {}),
  })
  return { kind: failed ? 'failed' : 'completed', planId: plan.id, runId: report.runId }
}

/** Attempts beyond the first per target, from the plan's journal (the apply retries inside the engine). */
async function retriesByTarget(loaded: LoadedEngine, plan: Plan): Promise<Map<string, number>> {
  const targetOf = new Map(plan.actions.map((a) => [a.id, a.target]))
  const retries = new Map<string, number>()
  for (const e of await loaded.engine.store.journalFor(plan.id)) {
    const target = targetOf.get(e.actionId)
    if (e.phase === 'started' || e.attempts <= 1 || target === undefined) continue
    retries.set(target, (retries.get(target) ?? 0) + e.attempts - 1)
  }
  return retries
}

/** The guard's findings as numbers: two plans with the same ones are the same blocked situation. */
export function blockedSituation(plan: Pick<Plan, 'findings'>): string {
  return plan.findings
    .map((f) => `${f.target}/${f.kind}/${f.count}/${f.base}/${f.limit}`)
    .sort()
    .join(' ')
}
