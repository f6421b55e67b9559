import type { Engine } from './pipeline.ts'
import { PlanTransitionError, transitionPlan } from './plan-lifecycle.ts'
import { planSnapshotIds } from './snapshot-hash.ts'

export type ApproveOutcome =
  { readonly ok: true } | { readonly ok: false; readonly message: string }

/**
 * Releases a blocked plan. The admin vouches for the source snapshots it was made from, so they become the new
 * baseline, for the last-export comparison and for the shrink check's longer window (source-safety.ts); a
 * later plan with the same work is approved with it (carry-approval.ts).
 */
export async function approvePlan(
  engine: Engine,
  planId: string,
  actor: string,
  reason?: string,
): Promise<ApproveOutcome> {
  const { store } = engine
  const plan = await store.getPlan(planId)
  if (plan === undefined) return { ok: false, message: `No plan ${planId}.` }
  if (plan.inputs['draft'] !== undefined)
    return {
      ok: false,
      message: `Plan ${planId} is a draft (plan --draft); a draft is never approved or applied.`,
    }
  if (plan.status !== 'blocked')
    return { ok: false, message: new PlanTransitionError(planId, plan.status, 'approved').message }
  try {
    // the transition first: a plan another admin rejected meanwhile must not move the baseline
    await transitionPlan(store, planId, 'approved', {
      actor,
      data: { findings: plan.findings.map((f) => f.message), ...(reason ? { reason } : {}) },
    })
  } catch (e) {
    if (e instanceof PlanTransitionError) return { ok: false, message: e.message }
    throw e
  }
  const approvedAt = engine.now().toISOString()
  for (const id of planSnapshotIds(plan.inputs)) {
    const snap = await store.getSnapshot(id)
    if (snap !== undefined) await store.saveSnapshot({ ...snap, used: true, approvedAt })
  }
  return { ok: true }
}

/**
 * Refuses a blocked plan for good: it is never applied, and the same work planned again stays rejected
 * (carry-approval.ts). The reason is required: the next admin must be able to read why.
 */
export async function rejectPlan(
  engine: Engine,
  planId: string,
  actor: string,
  reason: string,
): Promise<ApproveOutcome> {
  const why = reason.trim()
  if (why === '')
    return {
      ok: false,
      message: `Rejecting ${planId} needs a reason (--reason "…"): it is kept in the audit log.`,
    }
  try {
    const plan = await engine.store.getPlan(planId)
    await transitionPlan(engine.store, planId, 'rejected', {
      actor,
      data: { reason: why, findings: plan?.findings.map((f) => f.message) ?? [] },
    })
    return { ok: true }
  } catch (e) {
    if (e instanceof PlanTransitionError) return { ok: false, message: e.message }
    throw e
  }
}
