import type { Plan } from '../model/index.ts'

/**
 * The stable, documented shape of `koppel plan --json` (docs/plan-json.md). Versioned with `format`; fields are
 * only ever added. Kept separate from the stored Plan so that internal changes never break scripts.
 */
export function planJson(plan: Plan) {
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
    actions: plan.actions.map((a) => ({
      id: a.id,
      target: a.target,
      kind: a.kind,
      person: a.person,
      label: a.label,
      account: a.account ?? null,
      changes: a.changes,
      permission: a.permission ?? null,
      reason: a.reason,
      after: a.after ?? null,
    })),
  }
}
