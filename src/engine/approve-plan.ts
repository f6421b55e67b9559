import type { Engine } from './pipeline.ts'

export type ApproveOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string }

/**
 * Releases a blocked plan. The admin vouches for the source snapshots it was made from, so they become the new
 * baseline, for the last-export comparison and for the shrink check's longer window (source-safety.ts); a
 * later plan with the same work is approved with it (carry-approval.ts).
 */
export async function approvePlan(engine: Engine, planId: string, actor: string, reason?: string): Promise<ApproveOutcome> {
  const { store } = engine
  const plan = await store.getPlan(planId)
  if (plan === undefined) return { ok: false, message: `No plan ${planId}.` }
  if (plan.inputs['draft'] !== undefined) return { ok: false, message: `Plan ${planId} is a draft (plan --draft); a draft is never approved or applied.` }
  if (plan.status !== 'blocked') return { ok: false, message: `Plan ${planId} is ${plan.status}; only a blocked plan needs approval.` }
  const approvedAt = engine.now().toISOString()
  for (const [key, hash] of Object.entries(plan.inputs)) {
    if (!key.startsWith('source:')) continue
    const snap = await store.getSnapshot(`${key.slice('source:'.length)}-${hash.slice(0, 12)}`)
    if (snap !== undefined) await store.saveSnapshot({ ...snap, used: true, approvedAt })
  }
  await store.setPlanStatus(planId, 'approved')
  await store.appendAudit([{ type: 'plan.approved', actor, planId, data: { findings: plan.findings.map((f) => f.message), ...(reason ? { reason } : {}) } }])
  return { ok: true }
}
