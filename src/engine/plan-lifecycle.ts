/**
 * The one place a stored plan changes state. A plan is stored `planned` or `blocked` (the guard decides);
 * an admin approves or rejects a blocked plan; an apply moves it to `applying` and then `applied` or `failed`
 * (a failed or interrupted apply is resumed, `applying` again); an apply of newer work supersedes what was
 * never applied. Every move is audited in the same store transaction as the status change, and a move the
 * lifecycle does not allow is refused with the plan's actual state, never half-made.
 */
import type { PlanStatus } from '../model/index.ts'
import type { AuditEvent, Store } from '../store/store.ts'

export const PLAN_TRANSITIONS: Readonly<Record<PlanStatus, readonly PlanStatus[]>> = {
  planned: ['applying', 'superseded'],
  blocked: ['approved', 'rejected', 'superseded'],
  approved: ['applying', 'superseded'],
  // applying → applying: a killed apply resumed by the next process
  applying: ['applying', 'applied', 'failed'],
  failed: ['applying'],
  rejected: [],
  applied: [],
  superseded: [],
}

/** What an admin can do next with a plan in each state: the refusal's advice. */
const NEXT: Readonly<Record<PlanStatus, string>> = {
  planned: 'apply it with `koppel apply --plan ID`',
  blocked: 'review it, then `koppel approve ID --reason …` or `koppel reject ID --reason …`',
  approved: 'apply it with `koppel apply --plan ID`, or let the next run apply it',
  rejected: 'it stays rejected; fix the source and let the next run make a new plan',
  applying: 'an apply is running or was interrupted; `koppel apply --plan ID` resumes it',
  applied: 'it is done; the next run plans any further change',
  failed: '`koppel apply --plan ID` retries what failed',
  superseded: 'newer work replaced it; look at the newest plan (`koppel status`)',
}

export class PlanTransitionError extends Error {
  readonly planId: string
  readonly from: PlanStatus | undefined
  readonly to: PlanStatus

  constructor(planId: string, from: PlanStatus | undefined, to: PlanStatus) {
    super(
      from === undefined
        ? `No plan ${planId}.`
        : `Plan ${planId} is ${from} and cannot become ${to} (${from} may become ${PLAN_TRANSITIONS[from].join(' or ') || 'nothing else'}): ${NEXT[from].replaceAll('ID', planId)}.`,
    )
    this.name = 'PlanTransitionError'
    this.planId = planId
    this.from = from
    this.to = to
  }
}

export function canTransition(from: PlanStatus, to: PlanStatus): boolean {
  return PLAN_TRANSITIONS[from].includes(to)
}

export interface TransitionOptions {
  readonly actor: string
  /** The audit event's type; `plan.<to>` unless the transition has a name of its own (`apply.started`). */
  readonly event?: string
  readonly runId?: string
  /** Only from these states (a subset of the allowed ones): e.g. a fresh apply, which must not take a failed plan. */
  readonly from?: readonly PlanStatus[]
  readonly data?: Readonly<Record<string, unknown>>
}

/**
 * Moves plan `planId` to `to`, from whatever allowed state it is in now, and audits the move (`from`, `to`
 * and `data` in the event). Throws PlanTransitionError when the plan is missing or its state does not allow
 * the move, including when another process moved it between the read and the write.
 */
export async function transitionPlan(
  store: Store,
  planId: string,
  to: PlanStatus,
  o: TransitionOptions,
): Promise<{ readonly from: PlanStatus; readonly event: AuditEvent }> {
  const from = await store.planStatus(planId)
  const allowed =
    from !== undefined && canTransition(from, to) && (o.from === undefined || o.from.includes(from))
  if (!allowed) throw new PlanTransitionError(planId, from, to)
  const event = await store.transitionPlan(planId, from, to, {
    type: o.event ?? `plan.${to}`,
    actor: o.actor,
    planId,
    ...(o.runId !== undefined ? { runId: o.runId } : {}),
    data: { from, to, ...o.data },
  })
  // the compare-and-set found another state: report the state as it is now
  if (event === undefined) throw new PlanTransitionError(planId, await store.planStatus(planId), to)
  return { from, event }
}

/** Plans looked at for superseding: older never-applied plans are refused as stale by apply anyway. */
const RECENT_PLANS = 50

/**
 * After an apply changed the ledger, every plan that was waiting (planned, blocked, approved) was computed
 * against the old ledger: it is superseded, so nobody approves or applies yesterday's view.
 */
export async function supersedeWaitingPlans(
  store: Store,
  appliedPlanId: string,
  actor: string,
): Promise<string[]> {
  const superseded: string[] = []
  for (const head of await store.listPlanStatuses(RECENT_PLANS)) {
    if (head.id === appliedPlanId || !canTransition(head.status, 'superseded')) continue
    const event = await store.transitionPlan(head.id, head.status, 'superseded', {
      type: 'plan.superseded',
      actor,
      planId: head.id,
      data: { from: head.status, to: 'superseded', by: appliedPlanId },
    })
    if (event !== undefined) superseded.push(head.id)
  }
  return superseded
}
