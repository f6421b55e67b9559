/**
 * The dashboard's sources and targets page (and `GET /api/sources-targets`): per source what was last read and
 * used (its snapshot's time and counts) and the issues the newest plan found in its records; per target the
 * ledger's accounts by state, its provisioned groups and what the newest run did there. Reads the store only:
 * no source or target is contacted (drift does that, on request).
 */
import type { AccountState, Issue, RunReport } from '../model/index.ts'
import type { PlanHead } from '../store/store.ts'
import type { Engine } from './pipeline.ts'
import { isPreview } from './status.ts'

export interface SourceHealth {
  readonly name: string
  readonly type: string
  /** The newest snapshot a plan used; absent before the first plan. */
  readonly lastRead?: {
    readonly snapshot: string
    readonly takenAt: string
    readonly persons: number
    readonly groups: number
  }
  /**
   * The newest read that was refused (unreadable, control characters, a delta without its base) since the newest
   * plan: no plan was made from it, so its snapshot is not the one above.
   */
  readonly refused?: {
    readonly at: string
    readonly actor: string
    readonly issues: number
    readonly code?: string
  }
  /** The newest plan's issues naming this source: counts, and the first ones. */
  readonly issues: {
    readonly errors: number
    readonly warnings: number
    readonly first: readonly Issue[]
  }
}

export interface TargetHealth {
  readonly name: string
  readonly type: string
  readonly accounts: Readonly<Record<AccountState, number>>
  readonly groups: number
  /** The newest run: its state, and this target's actions by outcome, failures and messages in it. */
  readonly lastRun?: {
    readonly runId: string
    readonly planId?: string
    readonly state: RunReport['state']
    readonly startedAt: string
    readonly finishedAt?: string
    readonly outcomes: Readonly<Record<string, number>>
    readonly failures: number
    readonly messages: readonly string[]
  }
}

export interface SourcesAndTargets {
  /** The newest plan that is neither a preview nor a draft: the one whose issues are shown. */
  readonly planId?: string
  /** Issues of that plan that name no configured source. */
  readonly otherIssues: number
  readonly sources: readonly SourceHealth[]
  readonly targets: readonly TargetHealth[]
}

const FIRST_ISSUES = 20
const PLANS_LOOKED_AT = 10
const REJECTIONS_LOOKED_AT = 50

export async function sourcesAndTargets(
  engine: Pick<Engine, 'store' | 'sources' | 'setup'>,
): Promise<SourcesAndTargets> {
  const { store } = engine
  const plan = await newestPlan(engine)
  const issues = plan?.issues ?? []
  const names = new Set(engine.sources.map((s) => s.connector.name))
  const rejections = (
    await store.listAudit({ kind: 'source.rejected', limit: REJECTIONS_LOOKED_AT })
  ).filter((e) => plan === undefined || e.at > plan.createdAt)
  const sources: SourceHealth[] = []
  for (const { connector } of engine.sources) {
    const snap = await store.lastUsedSnapshot(connector.name)
    const own = issues.filter((i) => i.source === connector.name)
    // newest first: the first event naming the source is its newest refusal
    const refused = rejections.find((e) => e.data?.['source'] === connector.name)
    sources.push({
      name: connector.name,
      type: connector.type,
      ...(snap !== undefined
        ? {
            lastRead: {
              snapshot: snap.id,
              takenAt: snap.takenAt,
              persons: snap.persons,
              groups: snap.groups,
            },
          }
        : {}),
      ...(refused !== undefined
        ? {
            refused: {
              at: refused.at,
              actor: refused.actor,
              issues: Number(refused.data?.['issues'] ?? 0),
              ...(typeof refused.data?.['code'] === 'string' ? { code: refused.data['code'] } : {}),
            },
          }
        : {}),
      issues: {
        errors: own.filter((i) => i.severity === 'error').length,
        warnings: own.filter((i) => i.severity === 'warning').length,
        first: own.slice(0, FIRST_ISSUES),
      },
    })
  }
  const [run] = await store.listRuns(1)
  const targets: TargetHealth[] = []
  for (const t of engine.setup.targets) {
    const accounts: Record<AccountState, number> = { active: 0, disabled: 0, deleted: 0 }
    for (const a of await store.listAccounts(t.name)) accounts[a.state]++
    const groups = (await store.listGroups(t.name)).filter((g) => g.state !== 'deleted').length
    targets.push({
      name: t.name,
      type: t.connector.type,
      accounts,
      groups,
      ...(run !== undefined ? { lastRun: runFor(run, t.name) } : {}),
    })
  }
  return {
    ...(plan !== undefined ? { planId: plan.id } : {}),
    otherIssues: issues.filter((i) => i.source === undefined || !names.has(i.source)).length,
    sources,
    targets,
  }
}

async function newestPlan(engine: Pick<Engine, 'store'>): Promise<PlanHead | undefined> {
  for (const h of await engine.store.listPlanStatuses(PLANS_LOOKED_AT)) {
    const plan = await engine.store.getPlanHead(h.id)
    if (plan !== undefined && !isPreview(plan) && plan.inputs['draft'] === undefined) return plan
  }
  return undefined
}

function runFor(r: RunReport, target: string): NonNullable<TargetHealth['lastRun']> {
  const outcomes: Record<string, number> = {}
  for (const byOutcome of Object.values(r.counts[target] ?? {})) {
    for (const [outcome, n] of Object.entries(byOutcome ?? {}))
      outcomes[outcome] = (outcomes[outcome] ?? 0) + (n ?? 0)
  }
  return {
    runId: r.runId,
    ...(r.planId !== undefined ? { planId: r.planId } : {}),
    state: r.state,
    startedAt: r.startedAt,
    ...(r.finishedAt !== undefined ? { finishedAt: r.finishedAt } : {}),
    outcomes,
    failures: r.failures.filter((f) => f.target === target).length,
    messages: r.messages.filter((m) => m.startsWith(`${target}: `)),
  }
}
