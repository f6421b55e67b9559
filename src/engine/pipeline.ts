import { randomUUID } from 'node:crypto'
import type { SourceConnector, TargetAccount } from '../contract/index.ts'
import type { GuardFinding, Issue, Plan, RunReport, SourceSnapshot } from '../model/index.ts'
import type { Store } from '../store/store.ts'
import { toIsoDate } from '../util/dates.ts'
import { applyPlan } from './apply-plan.ts'
import { buildPlan, ledgerHash } from './build-plan.ts'
import type { EngineSetup, SourceSafety } from './engine-types.ts'
import { mergePersons } from './merge-persons.ts'
import { buildReport } from './report.ts'
import { snapshotHash } from './snapshot-hash.ts'
import { acquireApplyLease } from './apply-lease.ts'
import { checkSourceSafety } from './source-safety.ts'

export interface EngineSource {
  readonly connector: SourceConnector
  readonly safety: SourceSafety
}

export interface Engine {
  readonly store: Store
  readonly sources: readonly EngineSource[]
  readonly setup: EngineSetup
  readonly now?: () => Date
}

export type Stage = 'read' | 'list' | 'plan' | 'apply'

export interface PlanOptions {
  /** Overrides "today" (YYYY-MM-DD) for time windows: previews of next school year, tests. */
  readonly today?: string
  /** Read each listing-capable target to correlate existing accounts and detect drift (default true). */
  readonly readTargets?: boolean
  readonly actor: string
  readonly onStage?: (stage: Stage, detail: string) => void
  readonly onProgress?: (stage: Stage, done: number, total?: number) => void
}

export type PlanOutcome = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly issues: readonly Issue[] }

/**
 * read → merge → desire → plan → guard, then store the plan (and the snapshots it was made from) and audit it.
 * A source that fails to read stops the whole plan: a partial read never becomes deletions.
 */
export async function makePlan(engine: Engine, o: PlanOptions): Promise<PlanOutcome> {
  const now = engine.now ?? (() => new Date())
  const today = o.today ?? toIsoDate(now())
  const { store, setup } = engine
  const snapshots: SourceSnapshot[] = []
  const findings: GuardFinding[] = []
  const inputs: Record<string, string> = {}
  const records = []
  for (const { connector, safety } of engine.sources) {
    o.onStage?.('read', connector.name)
    const r = await connector.read({ today, onProgress: (n) => o.onProgress?.('read', n) })
    if (!r.ok) {
      await store.appendAudit([{ type: 'source.rejected', actor: o.actor, data: { source: connector.name, issues: r.issues.length } }])
      return { ok: false, issues: r.issues }
    }
    if (r.snapshot.mode === 'delta') {
      return { ok: false, issues: [{ severity: 'error', code: 'delta_unsupported', source: connector.name, message: 'delta exports are not supported yet: export a bulk (full) set' }] }
    }
    const previous = await store.lastUsedSnapshot(connector.name)
    const finding = checkSourceSafety(r.snapshot, previous, safety)
    if (finding !== undefined) findings.push(finding)
    const hash = snapshotHash(r.snapshot)
    inputs[`source:${connector.name}`] = hash
    snapshots.push(r.snapshot)
    records.push({
      id: `${connector.name}-${hash.slice(0, 12)}`,
      source: connector.name,
      takenAt: r.snapshot.takenAt,
      hash,
      persons: r.snapshot.persons.length,
      groups: r.snapshot.groups.length,
      personKeys: r.snapshot.persons.map((p) => p.key).sort(),
      used: finding === undefined,
      ...(finding !== undefined ? { note: finding.message } : {}),
    })
  }
  o.onStage?.('plan', 'merging persons')
  const persons = mergePersons(snapshots, setup.primaryContract)
  const ledger = await store.listAccounts()
  const listings = new Map<string, readonly TargetAccount[]>()
  if (o.readTargets !== false) {
    for (const t of setup.targets) {
      const list = t.connector.listAccounts
      if (!t.connector.capabilities.listAccounts || list === undefined) continue
      o.onStage?.('list', t.name)
      const accounts: TargetAccount[] = []
      for await (const a of list.call(t.connector)) {
        accounts.push(a)
        if (accounts.length % 1000 === 0) o.onProgress?.('list', accounts.length)
      }
      listings.set(t.name, accounts)
    }
  }
  o.onStage?.('plan', `${persons.length} persons`)
  const plan = buildPlan({ setup, persons, ledger, listings, today, inputs, sourceFindings: findings, createdAt: now().toISOString() })
  for (const r of records) await store.saveSnapshot(r)
  await store.savePlan(plan)
  await store.appendAudit([
    {
      type: plan.status === 'blocked' ? 'plan.blocked' : 'plan.created',
      actor: o.actor,
      planId: plan.id,
      data: { hash: plan.hash, actions: plan.actions.length, summary: plan.summary, findings: plan.findings.map((f) => f.message) },
    },
  ])
  return { ok: true, plan }
}

export type ApplyRefusal = { readonly ok: false; readonly reason: 'blocked' | 'stale' | 'busy' | 'done' | 'not-found'; readonly message: string }

export interface ApplyRunOptions {
  readonly actor: string
  readonly onProgress?: (done: number, total: number) => void
  readonly waveSize?: number
}

/**
 * Applies a stored plan after checking that it may be applied: not blocked (approve first), not already applied,
 * and computed against the ledger as it is now — a plan made before another apply changed the ledger is stale.
 * An interrupted apply (status `applying`) is resumed. One apply per tenant at a time (a lease in the store).
 */
export async function applyStoredPlan(engine: Engine, planId: string, o: ApplyRunOptions): Promise<{ ok: true; report: RunReport } | ApplyRefusal> {
  const { store, setup } = engine
  const now = engine.now ?? (() => new Date())
  const plan = await store.getPlan(planId)
  if (plan === undefined) return { ok: false, reason: 'not-found', message: `no plan ${planId}` }
  if (plan.status === 'blocked') return { ok: false, reason: 'blocked', message: `plan ${planId} is blocked by the guard; review it and run \`koppel approve ${planId}\`` }
  if (plan.status === 'applied' || plan.status === 'superseded') return { ok: false, reason: 'done', message: `plan ${planId} is ${plan.status}` }
  const resuming = plan.status === 'applying' || plan.status === 'failed'
  if (!resuming && ledgerHash(await store.listAccounts()) !== plan.inputs['ledger']) {
    return { ok: false, reason: 'stale', message: `plan ${planId} was made against an older ledger; run \`koppel plan\` again` }
  }
  const lease = await acquireApplyLease(store)
  if (lease === undefined) {
    const current = await store.leaseHolder('apply')
    const by = current === undefined ? '' : ` (${current.holder.split(' ').slice(0, 2).join(' pid ')}, lease until ${new Date(current.expiresAt).toISOString()})`
    return { ok: false, reason: 'busy', message: `another apply is running for this tenant${by}` }
  }
  const holder = randomUUID()
  try {
    const runId = `run-${now().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${holder.slice(0, 6)}`
    const startedAt = now().toISOString()
    await store.setPlanStatus(plan.id, 'applying')
    await store.appendAudit([{ type: resuming ? 'apply.resumed' : 'apply.started', actor: o.actor, planId: plan.id, runId }])
    const applied = await applyPlan(plan, {
      store,
      targets: setup.targets,
      runId,
      actor: o.actor,
      now,
      ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
      ...(o.waveSize !== undefined ? { waveSize: o.waveSize } : {}),
    })
    const failed = applied.filter((a) => a.outcome === 'failed').length
    const state = failed > 0 ? 'failed' : 'done'
    await store.setPlanStatus(plan.id, failed > 0 ? 'failed' : 'applied')
    const report = buildReport({ runId, planId: plan.id, state, startedAt, finishedAt: now().toISOString(), applied, messages: resuming ? [`resumed an interrupted apply of ${plan.id}`] : [] })
    await store.saveRun(report)
    await store.appendAudit([{ type: 'run.finished', actor: o.actor, planId: plan.id, runId, data: { state, failures: failed, actions: applied.length } }])
    return { ok: true, report }
  } finally {
    await lease.release()
  }
}

/** Plans whose apply was interrupted (process killed): the next apply or run resumes them first. */
export async function interruptedPlans(store: Store): Promise<Plan[]> {
  return (await store.listPlans(20)).filter((p) => p.status === 'applying')
}
