import type { GuardFinding, PersonHold, Plan, PlanStatus, RunReport } from '../model/index.ts'
import type { Store } from '../store/store.ts'
import { toIsoDate } from '../util/dates.ts'
import type { Engine } from './pipeline.ts'

export interface RunLine {
  readonly id: string
  readonly state: RunReport['state']
  readonly planId?: string
  readonly startedAt: string
  readonly finishedAt?: string
  /** Actions per outcome (done, failed, pending, …) over all targets and kinds. */
  readonly counts: Readonly<Record<string, number>>
  readonly failures: number
}

export interface BlockedPlan {
  readonly id: string
  readonly createdAt: string
  readonly ageHours: number
  readonly findings: readonly GuardFinding[]
  readonly approve: string
}

export interface PendingDelivery {
  readonly target: string
  readonly since: string
  readonly message: string
}

export interface AuditHead {
  readonly seq: number
  readonly hash: string
  readonly at: string
  /** Absent when the check was skipped (`verify: false`). */
  readonly verified?: {
    readonly ok: boolean
    readonly events: number
    readonly ms: number
    readonly problem?: string
  }
}

export interface EngineStatus {
  readonly tenant: string
  readonly at: string
  readonly runs: readonly RunLine[]
  readonly blocked: readonly BlockedPlan[]
  readonly interrupted: readonly { readonly id: string; readonly createdAt: string }[]
  /** The notes (holds) of the newest plan that is not a preview of another day. */
  readonly held: { readonly planId: string; readonly notes: readonly string[] } | undefined
  readonly deliveries: readonly PendingDelivery[]
  readonly audit: AuditHead | undefined
  /** Holds on persons (`koppel hold`); `active` false once past `until` (caught up by the next plan). */
  readonly holds: readonly (PersonHold & { readonly active: boolean })[]
}

export interface StatusOptions {
  readonly runs?: number
  /**
   * Recompute the audit chain. Linear in the log: 0.13–0.64 s at 10,000 events on the shared 2-core machine
   * (SQLite), so on by default; a monitoring check on a log of millions of events may turn it off.
   */
  readonly verify?: boolean
}

/** Plans looked at: blocked plans older than the newest apply are stale anyway (apply refuses them). */
const PLANS_LOOKED_AT = 20

/** What an admin or a monitoring check wants to know without reading the audit log; reads only. */
export async function engineStatus(
  engine: Pick<Engine, 'store' | 'setup' | 'now'>,
  o: StatusOptions = {},
): Promise<EngineStatus> {
  const { store } = engine
  const now = engine.now()
  const reports = await store.listRuns(o.runs ?? 5)
  const heads = await store.listPlanStatuses(PLANS_LOOKED_AT)
  const blocked: BlockedPlan[] = []
  for (const h of heads) {
    if (h.status === 'applied' || h.status === 'applying' || h.status === 'failed') break
    if (h.status !== 'blocked') continue
    const plan = await store.getPlanHead(h.id)
    // a blocked preview (`plan --at`) or draft waits for nobody: apply refuses it anyway
    if (plan === undefined || isPreview(plan) || plan.inputs['draft'] !== undefined) continue
    const ageHours = Math.max(
      0,
      Math.round((now.getTime() - Date.parse(h.createdAt)) / 360_000) / 10,
    )
    blocked.push({
      id: h.id,
      createdAt: h.createdAt,
      ageHours,
      findings: plan.findings,
      approve: `koppel approve ${h.id} --reason "…"`,
    })
  }
  const interrupted = heads
    .filter((h) => h.status === 'applying')
    .map((h) => ({ id: h.id, createdAt: h.createdAt }))
  const delivering = engine.setup.targets
    .filter((t) => t.connector.deliver !== undefined)
    .map((t) => t.name)
  return {
    tenant: store.tenant,
    at: now.toISOString(),
    runs: reports.map(runLine),
    blocked,
    interrupted,
    held: await newestHolds(store, heads),
    deliveries: await pendingDeliveries(store, delivering, reports[0]),
    audit: await auditHead(store, o.verify !== false),
    holds: (await store.listHolds()).map((h) => ({ ...h, active: toIsoDate(now) < h.until })),
  }
}

/**
 * Exit code for a monitoring check: 3 while a plan waits for approval (as `plan` and `run` exit); 1 when the
 * audit chain did not verify, which outranks a waiting plan.
 */
export function statusExitCode(s: EngineStatus): 0 | 1 | 3 {
  if (s.audit?.verified?.ok === false) return 1
  return s.blocked.length > 0 ? 3 : 0
}

function runLine(r: RunReport): RunLine {
  const counts: Record<string, number> = {}
  for (const kinds of Object.values(r.counts)) {
    for (const outcomes of Object.values(kinds)) {
      for (const [outcome, n] of Object.entries(outcomes ?? {}))
        counts[outcome] = (counts[outcome] ?? 0) + (n ?? 0)
    }
  }
  return {
    id: r.runId,
    state: r.state,
    ...(r.planId !== undefined ? { planId: r.planId } : {}),
    startedAt: r.startedAt,
    ...(r.finishedAt !== undefined ? { finishedAt: r.finishedAt } : {}),
    counts,
    failures: r.failures.length,
  }
}

/** A plan made for another day than the one it was made on (see previewRefusal). */
export function isPreview(plan: Pick<Plan, 'inputs' | 'createdAt'>): boolean {
  const day = plan.inputs['today']
  return day !== undefined && day !== toIsoDate(new Date(plan.createdAt))
}

async function newestHolds(
  store: Store,
  heads: readonly { id: string; status: PlanStatus }[],
): Promise<EngineStatus['held']> {
  for (const h of heads.slice(0, 5)) {
    // the head only: the notes are in it, and the actions of a large plan cost seconds to decompress
    const plan = await store.getPlanHead(h.id)
    // a preview (`plan --at`) or a draft says nothing about what is held now
    if (plan === undefined || isPreview(plan) || plan.inputs['draft'] !== undefined) continue
    return { planId: plan.id, notes: plan.notes }
  }
  return undefined
}

/**
 * A delivering target (itslearning IMS) whose newest delivery failed or was refused: from the audit events of
 * `deliverPending` and the messages of the newest run (an apply delivers too, and says so in its report).
 */
async function pendingDeliveries(
  store: Store,
  targets: readonly string[],
  run: RunReport | undefined,
): Promise<PendingDelivery[]> {
  const out: PendingDelivery[] = []
  for (const target of targets) {
    const events = await store.listAudit({ kind: 'delivery', target, limit: 10 })
    const event = events.find((e) => e.type === 'delivery.done' || e.type === 'delivery.failed')
    // deliveries come last in a run's messages, after the lines about targets that were down
    const inRun = run?.messages.findLast((m) => m.startsWith(`${target}: `))
    const runAt = run?.finishedAt ?? run?.startedAt
    // the audit sequence orders them, not timestamps: a run's times are the engine's clock, events the store's
    const fromRun =
      inRun !== undefined && (event === undefined || (run?.auditHead?.seq ?? 0) > event.seq)
    const failed = fromRun
      ? inRun.startsWith(`${target}: delivery failed`)
      : event?.type === 'delivery.failed'
    if (!failed) continue
    const message = fromRun
      ? inRun
      : String(event?.data?.['message'] ?? `${target}: delivery failed`)
    out.push({ target, since: (fromRun ? runAt : event?.at) ?? '', message })
  }
  return out
}

async function auditHead(store: Store, verify: boolean): Promise<AuditHead | undefined> {
  const [head] = await store.listAudit({ limit: 1 })
  if (head === undefined) return undefined
  if (!verify) return { seq: head.seq, hash: head.hash, at: head.at }
  const started = performance.now()
  const v = await store.verifyAudit()
  const ms = Math.round(performance.now() - started)
  const verified = v.ok
    ? { ok: true, events: v.events, ms }
    : { ok: false, events: v.events, ms, problem: `event ${v.firstBadSeq}: ${v.problem}` }
  return { seq: head.seq, hash: head.hash, at: head.at, verified }
}
