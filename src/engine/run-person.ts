/**
 * `koppel run --person`: plan and apply one person now, under the same guard and audit as a full run. The plan
 * holds only that person's actions (plan inputs `scope: person:<key>`), the audit event of the plan names the
 * person, the actor and the reason given.
 */
import type { Issue, Plan, RunReport } from '../model/index.ts'
import type { PersonCandidate } from './find-person.ts'
import { applyStoredPlan, makePlan, type ApplyRefusal, type Engine } from './pipeline.ts'

export type RunPersonOutcome =
  | { readonly kind: 'applied'; readonly plan: Plan; readonly report: RunReport }
  /** The guard stopped the plan; it waits for `koppel approve` like any other. */
  | { readonly kind: 'blocked'; readonly plan: Plan }
  /** Nothing to do for the person (or the person is held: the plan's notes say so). */
  | { readonly kind: 'unchanged'; readonly plan: Plan }
  | { readonly kind: 'refused'; readonly plan: Plan; readonly refusal: ApplyRefusal }
  | {
      readonly kind: 'not-planned'
      readonly issues: readonly Issue[]
      readonly candidates: readonly PersonCandidate[]
    }

export interface RunPersonOptions {
  readonly actor: string
  readonly reason?: string
  readonly readTargets?: boolean
  readonly onProgress?: (done: number, total: number) => void
}

export async function runPerson(
  engine: Engine,
  query: string,
  o: RunPersonOptions,
): Promise<RunPersonOutcome> {
  const r = await makePlan(engine, {
    actor: o.actor,
    person: query,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.readTargets !== undefined ? { readTargets: o.readTargets } : {}),
  })
  if (!r.ok) return { kind: 'not-planned', issues: r.issues, candidates: r.candidates ?? [] }
  const plan = r.plan
  if (plan.status === 'blocked') return { kind: 'blocked', plan }
  if (plan.actions.length === 0) return { kind: 'unchanged', plan }
  const applied = await applyStoredPlan(engine, plan.id, {
    actor: o.actor,
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
  })
  if (!applied.ok) return { kind: 'refused', plan, refusal: applied }
  return { kind: 'applied', plan, report: applied.report }
}
