import Table from 'cli-table3'
import type { Action, AttributeValue, FieldChange, Plan } from '../model/index.ts'
import { ACTION_KINDS, formatIssue } from '../model/index.ts'

/** Human output of a plan: a summary per target and kind, then the actions with their reasons. */
export function renderPlan(plan: Plan, options: { limit: number; color: boolean }): string {
  const out: string[] = []
  const targets = Object.keys(plan.summary)
  if (plan.actions.length === 0) {
    out.push(`No changes. Plan ${plan.id} — the targets match the sources.`)
  } else {
    const summary = new Table({ head: ['target', ...ACTION_KINDS.filter((k) => targets.some((t) => plan.summary[t]?.[k] !== undefined))], style: { head: [], border: [] } })
    const kinds = summary.options.head.slice(1) as (typeof ACTION_KINDS)[number][]
    for (const t of targets) summary.push([t, ...kinds.map((k) => String(plan.summary[t]?.[k] ?? 0))])
    out.push(`Plan ${plan.id} (${plan.actions.length} actions, hash ${plan.hash.slice(0, 16)}…)`, summary.toString())
    const details = new Table({ head: ['action', 'target', 'person', 'changes', 'reason'], style: { head: [], border: [] }, colWidths: [10, 12, 28, 52, 40], wordWrap: true })
    for (const a of plan.actions.slice(0, options.limit)) details.push([a.kind, a.target, `${a.label} (${a.person})`, changesText(a), reasonText(a)])
    out.push(details.toString())
    if (plan.actions.length > options.limit) out.push(`… and ${plan.actions.length - options.limit} more actions (use --limit, or --json for all).`)
  }
  for (const n of plan.notes) out.push(`note: ${n}`)
  for (const i of plan.issues.slice(0, 20)) out.push(formatIssue(i))
  if (plan.issues.length > 20) out.push(`… and ${plan.issues.length - 20} more issues (see --json).`)
  if (plan.findings.length > 0) {
    out.push(`BLOCKED by the guard:`)
    for (const f of plan.findings) out.push(`  - ${f.message}`)
    out.push(`Nothing will be applied. Review the plan, then release it with: koppel approve ${plan.id}`)
  }
  return out.join('\n')
}

function changesText(a: Action): string {
  if (a.permission !== undefined) return `${a.permissionType ?? 'permission'} ${a.permission}`
  if (a.kind === 'create') return a.changes.filter((c) => c.field !== 'dn').map((c) => `${c.field}=${show(c.new)}`).join(', ') + dnText(a.changes)
  return a.changes.map((c) => `${c.field}: ${show(c.old)} → ${show(c.new)}`).join('\n')
}

function dnText(changes: readonly FieldChange[]): string {
  const dn = changes.find((c) => c.field === 'dn')
  return dn !== undefined ? `\nat ${show(dn.new)}` : ''
}

function reasonText(a: Action): string {
  return `${a.reason.change}: ${a.reason.detail}${a.reason.rule !== undefined && !a.reason.detail.includes(a.reason.rule) ? ` (rule "${a.reason.rule}")` : ''}`
}

function show(v: AttributeValue | undefined): string {
  if (v === undefined) return '∅'
  return typeof v === 'string' ? v : `[${v.join(', ')}]`
}
