import { createHash, randomUUID } from 'node:crypto'
import type { SourceConnector, TargetAccount } from '../contract/index.ts'
import type {
  Group,
  GuardFinding,
  Issue,
  Person,
  Plan,
  RunReport,
  SourceSnapshot,
} from '../model/index.ts'
import type { SnapshotRecord, Store } from '../store/store.ts'
import { toIsoDate } from '../util/dates.ts'
import { applyPlan, type AppliedAction, type ApplyQueue } from './apply-plan.ts'
import { approvalsIn, deliverTargets } from './deliver-targets.ts'
import { applyDelta, decodeSnapshot, encodeSnapshot } from './apply-delta.ts'
import { buildPlan, groupLedgerHash, storedLedgerHash } from './build-plan.ts'
import { carryApproval } from './carry-approval.ts'
import { configuredReads } from './configured-reads.ts'
import type { EngineSetup, SourceSafety } from './engine-types.ts'
import { mergePersons } from './merge-persons.ts'
import { buildReport } from './report.ts'
import { snapshotHash, snapshotHashAndSuspects, snapshotRecordId } from './snapshot-hash.ts'
import { hostileTextIssues, visibleIssue } from './hostile-text.ts'
import { acquireApplyLease } from './apply-lease.ts'
import { PlanTransitionError, supersedeWaitingPlans, transitionPlan } from './plan-lifecycle.ts'
import { checkSourceSafety, shrinkBaseline } from './source-safety.ts'
import { recordedFingerprints, takeFingerprints, unchangedPlan } from './unchanged-sources.ts'
import { findPersons, type PersonCandidate } from './find-person.ts'
import { activeHolds, holdsInput } from './hold.ts'
import { messageOf } from '../util/message-of.ts'

export interface EngineSource {
  readonly connector: SourceConnector
  readonly safety: SourceSafety
}

export interface Engine {
  readonly store: Store
  readonly sources: readonly EngineSource[]
  readonly setup: EngineSetup
  /** The one clock of plan and apply (and of every connector's context): injected, so tests never read the wall. */
  readonly now: () => Date
  /** Set when applies run on `koppel worker` processes (src/worker) instead of in this process. */
  readonly queue?: ApplyQueue
}

export type Stage = 'read' | 'list' | 'plan' | 'apply'

export interface PlanOptions {
  /**
   * Plans as if it were that day (YYYY-MM-DD): a preview of next school year. A plan for another day than the
   * engine's clock is never applied (previewRefusal); tests move the engine's clock instead.
   */
  readonly today?: string
  /** Read each listing-capable target to correlate existing accounts and detect drift (default true). */
  readonly readTargets?: boolean
  readonly actor: string
  /**
   * Only the persons a source said changed (`koppel serve`'s change path: a webhook, a delta export): their
   * record ids in that source. Everyone is still read and planned; the plan keeps their actions only.
   */
  readonly changed?: ChangedRecords
  /**
   * Only this person's actions (`koppel run --person`): a key, number, username or part of the name that must
   * name exactly one person. Everyone is still read and planned; the guard judges what remains.
   */
  readonly person?: string
  /** Why this plan was asked for (`run --person --reason`); recorded in its audit event. */
  readonly reason?: string
  /**
   * A draft (`plan --draft`, usually with a draft config): stored and shown, never applied (applyStoredPlan
   * refuses it; it would be refused anyway under any other config, whose hash differs).
   */
  readonly draft?: boolean
  readonly onStage?: (stage: Stage, detail: string) => void
  readonly onProgress?: (stage: Stage, done: number, total?: number) => void
}

export interface ChangedRecords {
  readonly source: string
  readonly ids: readonly string[]
}

export type PlanOutcome =
  | { readonly ok: true; readonly plan: Plan }
  | {
      readonly ok: false
      readonly issues: readonly Issue[]
      readonly candidates?: readonly PersonCandidate[]
    }

/**
 * read → merge → desire → plan → guard, then store the plan (and the snapshots it was made from) and audit it.
 * A source that fails to read stops the whole plan: a partial read never becomes deletions.
 *
 * Without target reads, when every source's fingerprint, the config, the ledger and today are those of the
 * newest plan and it had nothing to do, that plan is the result again and the sources are not read
 * (unchanged-sources.ts).
 */
export async function makePlan(engine: Engine, o: PlanOptions): Promise<PlanOutcome> {
  const now = engine.now
  const today = o.today ?? toIsoDate(now())
  const { store, setup } = engine
  const readTargets = o.readTargets !== false
  // before the reads: a file changed during a read then shows as a fingerprint that differs afterwards
  const fingerprints = await takeFingerprints(
    engine.sources,
    today,
    await recordedFingerprints(store, engine.sources),
  )
  const holds = await store.listHolds()
  const held = activeHolds(holds, today)
  const holdsHash = held.size > 0 ? holdsInput(holds.filter((h) => held.has(h.person))) : undefined
  // a scoped, changed-only or draft plan is not the full plan the shortcut stands for
  const plain = o.person === undefined && o.changed === undefined && o.draft !== true
  const unchanged = !plain
    ? undefined
    : await unchangedPlan({
        store,
        setup,
        sources: engine.sources,
        fingerprints,
        today,
        readTargets,
        createdAt: now().toISOString(),
        ...(holdsHash !== undefined ? { holds: holdsHash } : {}),
      })
  if (unchanged !== undefined) {
    o.onStage?.('read', 'sources unchanged; not re-read')
    // the event before the record: a plan without its event is a sign of a cut log (verifyAudit)
    await store.appendAudit([
      {
        type: 'plan.created',
        actor: o.actor,
        planId: unchanged.id,
        data: {
          hash: unchanged.hash,
          actions: 0,
          summary: unchanged.summary,
          findings: [],
          targetsRead: false,
          sourcesRead: false,
        },
      },
    ])
    await store.savePlan(unchanged)
    return { ok: true, plan: unchanged }
  }
  const snapshots: SourceSnapshot[] = []
  const sourceWarnings: Issue[] = []
  const findings: GuardFinding[] = []
  const inputs: Record<string, string> = {}
  const records: { record: SnapshotRecord; keep: SourceSnapshot | undefined }[] = []
  const isRead = configuredReads(setup)
  for (const { connector, safety } of engine.sources) {
    o.onStage?.('read', connector.name)
    const r = await connector.read({ today, isRead, onProgress: (n) => o.onProgress?.('read', n) })
    if (!r.ok) {
      await store.appendAudit([
        {
          type: 'source.rejected',
          actor: o.actor,
          data: { source: connector.name, issues: r.issues.length },
        },
      ])
      return { ok: false, issues: r.issues.map(visibleIssue) }
    }
    // the snapshot's hash comes from the same pass; a delta's is taken again below, once it has its base
    const scanned = snapshotHashAndSuspects(r.snapshot)
    const hostile = hostileTextIssues(r.snapshot, scanned.suspects)
    if (hostile.length > 0) {
      await store.appendAudit([
        {
          type: 'source.rejected',
          actor: o.actor,
          data: { source: connector.name, issues: hostile.length, code: 'control_character' },
        },
      ])
      return { ok: false, issues: hostile }
    }
    const before = fingerprints.get(connector.name)
    // kept only when the source did not change while it was read (`before` vouched for by a stat check: a
    // file written during the read has a newer ctime, so the source hashes it again and differs)
    const fingerprint =
      before !== undefined &&
      (
        await takeFingerprints([{ connector, safety }], today, new Map([[connector.name, before]]))
      ).get(connector.name) === before
        ? before
        : undefined
    const previous = await store.lastUsedSnapshot(connector.name)
    const snapshot =
      r.snapshot.mode === 'delta' ? await withBase(store, r.snapshot, previous) : r.snapshot
    if ('issue' in snapshot) {
      await store.appendAudit([
        {
          type: 'source.rejected',
          actor: o.actor,
          data: { source: connector.name, issues: 1, code: snapshot.issue.code },
        },
      ])
      return { ok: false, issues: [snapshot.issue] }
    }
    const baseline = await shrinkBaseline(store, connector.name, previous, safety, now())
    const finding = checkSourceSafety(snapshot, previous, safety, baseline)
    if (finding !== undefined) findings.push(finding)
    const hash = snapshot === r.snapshot ? scanned.hash : snapshotHash(snapshot)
    inputs[`source:${connector.name}`] = hash
    snapshots.push(snapshot)
    // a source's warnings (e.g. a required field nothing reads, left empty) are shown with the plan
    sourceWarnings.push(...snapshot.warnings)
    const record = {
      id: snapshotRecordId(connector.name, hash),
      source: connector.name,
      takenAt: snapshot.takenAt,
      hash,
      persons: snapshot.persons.length,
      groups: snapshot.groups.length,
      personKeys: snapshot.persons.map((p) => p.key).sort(),
      used: finding === undefined,
      ...(finding !== undefined ? { note: finding.message } : {}),
      ...(fingerprint !== undefined ? { fingerprint } : {}),
    }
    // the base for the next delta; only for sources that can send one (about 3 s of CPU at 100,000 persons)
    records.push({ record, keep: connector.capabilities.delta ? snapshot : undefined })
  }
  o.onStage?.('plan', 'merging persons')
  const ledger = await store.listAccounts()
  const merged = mergePersons(snapshots, {
    primaryOrder: setup.primaryContract,
    ...(setup.match !== undefined ? { match: setup.match } : {}),
    ledgerKeys: new Set(ledger.filter((a) => a.state !== 'deleted').map((a) => a.person)),
  })
  const persons = merged.persons
  let only: Set<string> | undefined =
    o.changed === undefined ? undefined : changedPersons(o.changed, persons)
  if (o.person !== undefined) {
    const found = findPersons(o.person, persons, ledger)
    if (found.length !== 1) {
      const code = found.length === 0 ? 'person_not_found' : 'person_ambiguous'
      const message =
        found.length === 0
          ? `no person in the sources or the ledger matches "${o.person}"`
          : `${found.length} persons match "${o.person}"; name one by key or number`
      return {
        ok: false,
        issues: [{ severity: 'error', code, message, field: 'person', value: o.person }],
        candidates: found.map((f) => f.candidate),
      }
    }
    only = new Set(found.map((f) => f.key))
  }
  // the plan id differs from a full plan's of the same inputs; changed persons by a hash, not the keys: a burst names hundreds
  const scope: Record<string, string> = {
    ...(o.person !== undefined && only !== undefined ? { scope: `person:${[...only][0]}` } : {}),
    ...(o.person === undefined && only !== undefined
      ? {
          scope: `changed:${createHash('sha256')
            .update([...only].sort().join('\n'))
            .digest('hex')
            .slice(0, 16)}`,
        }
      : {}),
    ...(o.draft === true ? { draft: 'true' } : {}),
    ...(holdsHash !== undefined ? { holds: holdsHash } : {}),
  }
  const listings = new Map<string, readonly TargetAccount[]>()
  if (readTargets) {
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
  const sourceRecords = recordsForWriteBack(setup, snapshots)
  const provisionsGroups = setup.targets.some((t) => t.groups !== undefined)
  const groupLedger = await store.listGroups()
  const built = buildPlan({
    setup,
    persons,
    ledger,
    listings,
    today,
    inputs: { ...inputs, ...scope },
    sourceFindings: findings,
    createdAt: now().toISOString(),
    sourceRecords,
    mergeIssues: [...sourceWarnings, ...merged.issues],
    ...(only !== undefined ? { only } : {}),
    held,
    ...(provisionsGroups || groupLedger.length > 0
      ? { groups: sourceGroups(snapshots), groupLedger }
      : {}),
  })
  // a draft is never approved, not even by carrying an approval of the same work
  const plan = o.draft === true ? built : await carryApproval(store, built)
  for (const { record, keep } of records) {
    const content =
      keep !== undefined && (await store.snapshotContent(record.id)) === undefined
        ? await encodeSnapshot(keep)
        : undefined
    await store.saveSnapshot(record, content)
  }
  await store.appendAudit([
    {
      type: plan.status === 'blocked' ? 'plan.blocked' : 'plan.created',
      actor: o.actor,
      planId: plan.id,
      ...(only !== undefined ? { person: [...only][0] } : {}),
      data: {
        hash: plan.hash,
        actions: plan.actions.length,
        summary: plan.summary,
        findings: plan.findings.map((f) => f.message),
        targetsRead: readTargets,
        ...(plan.status === 'approved' ? { approvalCarried: true } : {}),
        ...(only !== undefined ? { scope: 'person' } : {}),
        ...(o.draft === true ? { draft: true } : {}),
        ...(held.size > 0 ? { held: [...held.keys()] } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
      },
    },
  ])
  await store.savePlan(plan)
  return { ok: true, plan }
}

/**
 * The person keys a source's changed record ids stand for: the merged person holding such a record, and the id
 * itself (a person the source no longer has keeps its record id as key in the ledger, so a leaver is planned).
 */
function changedPersons(changed: ChangedRecords, persons: readonly Person[]): Set<string> {
  const ids = new Set(changed.ids)
  const keys = new Set(changed.ids)
  for (const p of persons) {
    const id = p.sourceIds[changed.source]
    if (id !== undefined && ids.has(id)) keys.add(p.key)
  }
  return keys
}

/**
 * A delta applied to the full set of the snapshot last used for its source; without that set (no full export
 * planned yet, or planned before its content was kept) an issue: a delta is never taken for the full set.
 */
export async function withBase(
  store: Store,
  delta: SourceSnapshot,
  previous: SnapshotRecord | undefined,
): Promise<SourceSnapshot | { issue: Issue }> {
  const content = previous === undefined ? undefined : await store.snapshotContent(previous.id)
  let why =
    previous === undefined
      ? 'no export of it has been planned yet'
      : `the export last planned (${previous.id}) was not kept`
  if (content !== undefined) {
    try {
      return applyDelta(await decodeSnapshot(content), delta).snapshot
    } catch (e) {
      why = `the export last planned (${previous?.id}) could not be read back (${messageOf(e)})`
    }
  }
  const message = `source ${delta.source} sent a delta, but a delta needs a full export first and ${why}: export a bulk (full) set, plan it, then send deltas`
  return { issue: { severity: 'error', code: 'delta_without_base', source: delta.source, message } }
}

export type ApplyRefusal = {
  readonly ok: false
  readonly reason: 'blocked' | 'stale' | 'busy' | 'done' | 'not-found' | 'preview' | 'draft'
  readonly message: string
}

export interface ApplyRunOptions {
  readonly actor: string
  readonly onProgress?: (done: number, total: number) => void
  readonly waveSize?: number
  /**
   * Stops the apply (`koppel serve` on SIGTERM): the actions in flight finish and are journaled, nothing
   * further is sent, and the plan stays `applying`, so the next apply or run resumes the rest.
   */
  readonly signal?: AbortSignal
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason ?? 'stopped')
}

/**
 * A plan decides on one day's time windows and the apply dates what it does (a disable starts the grace period)
 * by the engine's clock: both must be the same day. A plan made for another day than the clock's (`--today`) is a
 * preview; so is one dated after the apply's day (a clock that went back). Neither is applied — mixing two clocks
 * would start grace periods on the wrong day.
 */
export function previewRefusal(plan: Plan, applyDay: string): string | undefined {
  const planDay = plan.inputs['today']
  if (planDay === undefined) return undefined
  const madeOn = toIsoDate(new Date(plan.createdAt))
  if (planDay !== madeOn)
    return `plan ${plan.id} previews ${planDay} (it was made on ${madeOn}); a preview is never applied: plan again without --at`
  if (planDay > applyDay)
    return `plan ${plan.id} is dated ${planDay}, after today (${applyDay}); check the clock and plan again`
  return undefined
}

/**
 * A draft (`plan --draft`) is never applied; nor is a plan made under another config than the one running now
 * (a draft config, or the config before an edit): its rules are not the ones in force.
 */
export function draftRefusal(plan: Plan, configHash: string): string | undefined {
  if (plan.inputs['draft'] !== undefined)
    return `plan ${plan.id} is a draft (plan --draft); a draft is never applied: put its rules in the running config and plan again`
  const made = plan.inputs['config']
  if (made !== undefined && made !== configHash) {
    return `plan ${plan.id} was made under another config (${made.slice(0, 12)}, a draft or an earlier version) than the one running now (${configHash.slice(0, 12)}); plan again`
  }
  return undefined
}

/**
 * Applies a stored plan after checking that it may be applied: not blocked (approve first), not already applied,
 * and computed against the ledger as it is now — a plan made before another apply changed the ledger is stale.
 * An interrupted apply (status `applying`) is resumed. One apply per tenant at a time (a lease in the store).
 */
export async function applyStoredPlan(
  engine: Engine,
  planId: string,
  o: ApplyRunOptions,
): Promise<{ ok: true; report: RunReport } | ApplyRefusal> {
  const { store, setup } = engine
  const now = engine.now
  const plan = await store.getPlan(planId)
  if (plan === undefined) return { ok: false, reason: 'not-found', message: `no plan ${planId}` }
  // before "blocked": a blocked draft is not released by an approval either
  if (plan.inputs['draft'] !== undefined)
    return { ok: false, reason: 'draft', message: draftRefusal(plan, setup.configHash) ?? '' }
  if (plan.status === 'blocked')
    return {
      ok: false,
      reason: 'blocked',
      message: `plan ${planId} is blocked by the guard; review it and run \`koppel approve ${planId}\``,
    }
  if (plan.status === 'applied' || plan.status === 'superseded' || plan.status === 'rejected') {
    return {
      ok: false,
      reason: 'done',
      message: new PlanTransitionError(planId, plan.status, 'applying').message,
    }
  }
  const preview = previewRefusal(plan, toIsoDate(now()))
  if (preview !== undefined) return { ok: false, reason: 'preview', message: preview }
  const resuming = plan.status === 'applying' || plan.status === 'failed'
  // an interrupted apply is finished under whatever config runs now: half applied is worse than either
  const draft = resuming ? undefined : draftRefusal(plan, setup.configHash)
  if (draft !== undefined) return { ok: false, reason: 'draft', message: draft }
  if (!resuming && (await storedLedgerHash(store)) !== plan.inputs['ledger']) {
    return {
      ok: false,
      reason: 'stale',
      message: `plan ${planId} was made against an older ledger; run \`koppel plan\` again`,
    }
  }
  if (!resuming && (await groupsMovedOn(store, plan.inputs['groups']))) {
    return {
      ok: false,
      reason: 'stale',
      message: `plan ${planId} was made against an older group ledger; run \`koppel plan\` again`,
    }
  }
  const lease = await acquireApplyLease(store)
  if (lease === undefined) {
    const current = await store.leaseHolder('apply')
    const by =
      current === undefined
        ? ''
        : ` (${current.holder.split(' ').slice(0, 2).join(' pid ')}, lease until ${new Date(current.expiresAt).toISOString()})`
    return { ok: false, reason: 'busy', message: `another apply is running for this tenant${by}` }
  }
  const holder = randomUUID()
  try {
    const runId = `run-${now()
      .toISOString()
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14)}-${holder.slice(0, 6)}`
    const startedAt = now().toISOString()
    try {
      // under the lease: another apply may have finished (or an admin rejected) this plan since the read above
      await transitionPlan(store, plan.id, 'applying', {
        actor: o.actor,
        runId,
        event: resuming ? 'apply.resumed' : 'apply.started',
        from: resuming ? ['applying', 'failed'] : ['planned', 'approved'],
      })
    } catch (e) {
      if (e instanceof PlanTransitionError) return { ok: false, reason: 'done', message: e.message }
      throw e
    }
    const applied = await applyPlan(plan, {
      store,
      targets: setup.targets,
      runId,
      actor: o.actor,
      now,
      signal: lease.signal,
      ...(o.signal !== undefined ? { stop: o.signal } : {}),
      ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
      ...(o.waveSize !== undefined ? { waveSize: o.waveSize } : {}),
      ...(engine.queue !== undefined ? { queue: engine.queue } : {}),
    })
    // stopped with work left; a stop that came after the last action changes nothing
    const stopped = o.signal?.aborted === true && applied.some((a) => a.outcome === 'pending')
    const deliveries = stopped
      ? []
      : await deliverTargets(setup.targets, lease.signal, approvalsIn(store))
    const notSent = unsentByTarget(applied)
    const failed =
      applied.filter((a) => a.outcome === 'failed').length +
      deliveries.filter((d) => !d.ok).length +
      notSent.length
    const state = failed > 0 ? 'failed' : 'done'
    const messages = [
      ...(resuming ? [`resumed an interrupted apply of ${plan.id}`] : []),
      ...(stopped
        ? [
            `stopped before the end (${describeReason(o.signal?.reason)}); the next apply or run resumes ${plan.id}`,
          ]
        : []),
      ...notSent,
      ...deliveries.map((d) => d.message),
    ]
    const finishedAt = now().toISOString()
    const runData = { state, failures: failed, actions: applied.length }
    // a stopped apply stays `applying`: the next process resumes it as it resumes a killed one. Otherwise the
    // run's event is the plan's move to applied/failed, and both commit together.
    const finishedEvent = stopped
      ? (
          await store.appendAudit([
            {
              type: 'run.finished',
              actor: o.actor,
              planId: plan.id,
              runId,
              data: { ...runData, stopped: true },
            },
          ])
        )[0]
      : (
          await transitionPlan(store, plan.id, failed > 0 ? 'failed' : 'applied', {
            actor: o.actor,
            runId,
            event: 'run.finished',
            data: runData,
          })
        ).event
    if (finishedEvent === undefined)
      throw new Error(`the audit log returned no event for run ${runId}`)
    if (!stopped && applied.some((a) => a.outcome === 'applied'))
      await supersedeWaitingPlans(store, plan.id, o.actor)
    const auditHead = { seq: finishedEvent.seq, hash: finishedEvent.hash }
    const report = {
      ...buildReport({ runId, planId: plan.id, state, startedAt, finishedAt, applied, messages }),
      auditHead,
    }
    await store.saveRun(report)
    return { ok: true, report }
  } finally {
    await lease.release()
  }
}

/**
 * One line per target that was down, instead of one failure per action: which target, where, how many actions
 * wait. They were not sent; the next run plans them again (or `apply --plan` resumes this plan).
 */
function unsentByTarget(applied: readonly AppliedAction[]): string[] {
  const byTarget = new Map<string, { count: number; message: string }>()
  for (const a of applied) {
    if (a.outcome !== 'pending') continue
    const t = byTarget.get(a.action.target)
    if (t === undefined)
      byTarget.set(a.action.target, { count: 1, message: a.message ?? 'not sent' })
    else t.count++
  }
  return [...byTarget].map(
    ([, t]) =>
      `${t.message.replace(/^not sent: /, '')}; ${t.count} action(s) not sent, they stay for the next run`,
  )
}

/** Plans whose apply was interrupted (process killed): the next apply or run resumes them first. */
export async function interruptedPlans(store: Store): Promise<Plan[]> {
  // statuses first: loading 20 whole plans of 100,000+ actions each to read one field cost seconds per run
  const plans: Plan[] = []
  for (const head of await store.listPlanStatuses(20)) {
    if (head.status !== 'applying') continue
    const plan = await store.getPlan(head.id)
    if (plan !== undefined) plans.push(plan)
  }
  return plans
}

/** Each write-back source's own records by record id: the values the source holds now, before any merge. */
/** Whether the group ledger changed since a plan recorded its hash (no hash: it had no groups then). */
async function groupsMovedOn(
  store: Engine['store'],
  planned: string | undefined,
): Promise<boolean> {
  if (planned === undefined) return false
  return groupLedgerHash(await store.listGroups()) !== planned
}

/** The sources' groups by key; a key two sources share is the first source's group. */
export function sourceGroups(snapshots: readonly SourceSnapshot[]): Group[] {
  const byKey = new Map<string, Group>()
  for (const s of snapshots) for (const g of s.groups) if (!byKey.has(g.key)) byKey.set(g.key, g)
  return [...byKey.values()]
}

export function recordsForWriteBack(
  setup: EngineSetup,
  snapshots: readonly SourceSnapshot[],
): Map<string, Map<string, Person>> {
  const wanted = new Set(setup.targets.flatMap((t) => (t.writeBacks ?? []).map((w) => w.source)))
  const out = new Map<string, Map<string, Person>>()
  for (const snap of snapshots) {
    if (!wanted.has(snap.source)) continue
    const byId = new Map<string, Person>()
    for (const p of snap.persons) byId.set(p.sourceIds[snap.source] ?? p.key, p)
    out.set(snap.source, byId)
  }
  return out
}

/**
 * For a plan without actions: lets the targets that deliver in one piece retry a delivery that failed or was
 * refused earlier (see TargetConnector.deliver). Under the apply lease, audited; undefined when no target delivers.
 */
export async function deliverPending(
  engine: Engine,
  o: { readonly actor: string },
): Promise<{ ok: boolean; messages: string[] } | { ok: false; busy: string } | undefined> {
  const targets = engine.setup.targets.filter((t) => t.connector.deliver !== undefined)
  if (targets.length === 0) return undefined
  const lease = await acquireApplyLease(engine.store)
  if (lease === undefined) return { ok: false, busy: 'another apply is running for this tenant' }
  try {
    const outcomes = await deliverTargets(targets, lease.signal, approvalsIn(engine.store))
    await engine.store.appendAudit(
      outcomes.map((d) => ({
        type: d.ok ? 'delivery.done' : 'delivery.failed',
        actor: o.actor,
        target: d.target,
        data: { message: d.message },
      })),
    )
    return { ok: outcomes.every((d) => d.ok), messages: outcomes.map((d) => d.message) }
  } finally {
    await lease.release()
  }
}
