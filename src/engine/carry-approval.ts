import type { GuardFinding, Plan } from '../model/index.ts'
import { canonicalJson } from '../util/canonical-json.ts'
import type { PlanHead, Store } from '../store/store.ts'
import { planHash } from './build-plan.ts'

/** How many of the newest plans are searched for an approval of the same work. */
const RECENT_PLANS = 20

/**
 * A blocked plan whose work an admin already approved is approved again instead of blocked: the same plan id
 * (an unattended `run` recomputing exactly the approved plan), or an approved plan with the same actions from
 * the same inputs whose findings include all of this plan's (approving makes the source snapshots the new
 * baseline, so the recomputed plan lacks the source finding and gets another id). Anything new blocks.
 * A blocked plan an admin rejected stays rejected when the same plan id is made again.
 */
export async function carryApproval(store: Store, plan: Plan): Promise<Plan> {
  if (plan.status !== 'blocked') return plan
  // the status alone: a stored plan of 176,000 actions is not decompressed to read one word
  const same = await store.planStatus(plan.id)
  if (same === 'approved') return { ...plan, status: 'approved' }
  // the admin refused exactly this work: planning it again does not ask again
  if (same === 'rejected') return { ...plan, status: 'rejected' }
  let key: string | undefined
  for (const listed of await store.listPlanStatuses(RECENT_PLANS)) {
    if (listed.status !== 'approved' || listed.id === plan.id) continue
    // the head rules out other work cheaply; the actions are read only for a plan that may be the same work
    const head = await store.getPlanHead(listed.id)
    if (head === undefined || !sameShape(head, plan)) continue
    const approved = await store.getPlan(listed.id)
    if (approved === undefined) continue
    key ??= workHash(plan)
    if (workHash(approved) !== key) continue
    return {
      ...plan,
      status: 'approved',
      notes: [...plan.notes, `approved as ${approved.id} (same actions from the same inputs)`],
    }
  }
  return plan
}

/** The plan's content without its findings: what an approval vouches for. */
function workHash(p: Plan): string {
  return planHash(p.actions, p.inputs, [], p.issues)
}

/** What the work hash covers besides the actions themselves, and the findings an approval must cover. */
function sameShape(head: PlanHead, plan: Plan): boolean {
  return (
    head.actionCount === plan.actions.length &&
    canonicalJson(head.inputs) === canonicalJson(plan.inputs) &&
    canonicalJson(head.issues) === canonicalJson(plan.issues) &&
    covers(head.findings, plan.findings)
  )
}

function covers(approved: readonly GuardFinding[], found: readonly GuardFinding[]): boolean {
  const id = (f: GuardFinding) =>
    `${f.target}\u0000${f.kind}\u0000${f.count}\u0000${f.base}\u0000${f.limit}`
  const ok = new Set(approved.map(id))
  return found.every((f) => ok.has(id(f)))
}
