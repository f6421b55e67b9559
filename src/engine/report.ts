import type { ActionKind, ActionOutcome, RunReport, RunState } from '../model/index.ts'
import type { AppliedAction } from './apply-plan.ts'

type Counts = Record<string, Partial<Record<ActionKind, Partial<Record<ActionOutcome, number>>>>>

/** Summarises an apply: counts per target, action kind and outcome, and every failure with its message. */
export function buildReport(r: {
  runId: string
  planId?: string
  state: RunState
  startedAt: string
  finishedAt: string
  applied: readonly AppliedAction[]
  messages: readonly string[]
}): RunReport {
  const counts: Counts = {}
  const failures: { action: string; target: string; message: string }[] = []
  for (const a of r.applied) {
    const t = (counts[a.action.target] ??= {})
    const k = (t[a.action.kind] ??= {})
    k[a.outcome] = (k[a.outcome] ?? 0) + 1
    if (a.outcome === 'failed')
      failures.push({
        action: a.action.id,
        target: a.action.target,
        message: a.message ?? 'failed',
      })
  }
  return {
    kind: 'run-report',
    runId: r.runId,
    ...(r.planId !== undefined ? { planId: r.planId } : {}),
    state: r.state,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    counts,
    failures,
    messages: r.messages,
  }
}
