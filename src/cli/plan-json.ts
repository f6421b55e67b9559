import type { Action, Plan } from '../model/index.ts'
import { accountOf, isPermissionAction } from '../model/index.ts'

/**
 * The stable, documented shape of `koppel plan --json` (docs/plan-json.md). Versioned with `format`; fields are
 * only ever added. Kept separate from the stored Plan so that internal changes never break scripts.
 */
export function planJson(plan: Plan) {
  return { ...planJsonEnvelope(plan), actions: plan.actions.map(planJsonAction) }
}

/**
 * planJson with the plan's own actions in `actions`: written with planJsonElement, which maps each action as it
 * is written (commands-plan.ts streams them), so the mapped copy of 176,000 actions is never built.
 */
export function planJsonEnvelope(plan: Plan) {
  return {
    format: 'koppel.plan/v1',
    id: plan.id,
    hash: plan.hash,
    status: plan.status,
    createdAt: plan.createdAt,
    summary: plan.summary,
    findings: plan.findings,
    issues: plan.issues,
    notes: plan.notes,
    inputs: plan.inputs,
    actions: plan.actions,
  }
}

export function planJsonAction(a: Action) {
  return {
    id: a.id,
    target: a.target,
    kind: a.kind,
    person: a.person,
    label: a.label,
    subject: a.subject ?? {},
    account: accountOf(a) ?? null,
    changes: a.changes,
    permission: isPermissionAction(a) ? a.permission : null,
    reason: a.reason,
    after: a.after ?? null,
  }
}

/** For writeJson(planJsonEnvelope(plan)): maps the elements of `actions`, leaves other arrays' alone. */
export function planJsonElement(key: string, element: unknown): unknown {
  return key === 'actions' ? planJsonAction(element as Action) : element
}
