import type { Action, AttributeValue, FieldChange, Plan } from '../model/index.ts'
import { accountOf, ACTION_KINDS, formatIssue, isPermissionAction } from '../model/index.ts'
import { describeFilter, filterActions, isFiltered } from './plan-filter.ts'
import type { PlanFilter } from './plan-filter.ts'
import { terminalSafe, terminalSafeLines, wrapLine } from './terminal-text.ts'
import { renderTable } from './text-table.ts'

export interface RenderPlanOptions {
  readonly limit: number
  /** Terminal columns; the table never gets wider. */
  readonly width: number
  readonly filter?: PlanFilter
}

/** Below this many columns the reason goes under the changes instead of in a column of its own. */
const WIDE = 110
// Messages are ours but quote person data (names in issues and notes); they are shown safely and cut.
const MAX_MESSAGE_CHARS = 400

/** The width to render for: the terminal's, or 80 when stdout is not a terminal (a file, a pipe, a mail). */
export function terminalWidth(stream: {
  readonly isTTY?: boolean
  readonly columns?: number
}): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0
    ? stream.columns
    : 80
}

/** Human output of a plan: a summary per target and kind, then the actions with their reasons. */
export function renderPlan(plan: Plan, options: RenderPlanOptions): string {
  const out: string[] = []
  const width = Math.max(40, options.width)
  const targets = Object.keys(plan.summary)
  if (plan.actions.length === 0) {
    out.push(`No changes. Plan ${plan.id} — the targets match the sources.`)
  } else {
    const kinds = ACTION_KINDS.filter((k) =>
      targets.some((t) => plan.summary[t]?.[k] !== undefined),
    )
    const summary = targets.map((t) => [
      terminalSafe(t),
      ...kinds.map((k) => String(plan.summary[t]?.[k] ?? 0)),
    ])
    out.push(`Plan ${plan.id} (${plan.actions.length} actions, hash ${plan.hash.slice(0, 16)}…)`)
    out.push(
      renderTable(
        [
          { head: 'target', flex: 1, min: 8 },
          ...kinds.map((k) => ({ head: k, flex: 0, min: k.length })),
        ],
        summary,
        width,
      ),
      '',
    )
    const filter = options.filter ?? {}
    const shown = filterActions(plan.actions, filter)
    if (isFiltered(filter))
      out.push(`${shown.length} of ${plan.actions.length} actions match ${describeFilter(filter)}.`)
    if (shown.length > 0) out.push(actionTable(shown.slice(0, options.limit), width))
    if (shown.length > options.limit)
      out.push(
        `… and ${shown.length - options.limit} more (see --limit, --kind, --target, --person, --school, --json).`,
      )
  }
  for (const n of plan.notes) out.push(`note: ${terminalSafeLines(n, MAX_MESSAGE_CHARS)}`)
  for (const i of plan.issues.slice(0, 20))
    out.push(terminalSafeLines(formatIssue(i), MAX_MESSAGE_CHARS))
  if (plan.issues.length > 20)
    out.push(`… and ${plan.issues.length - 20} more issues (see --json).`)
  if (plan.findings.length > 0) {
    out.push(`BLOCKED by the guard:`)
    for (const f of plan.findings) {
      const lines = terminalSafeLines(f.message, MAX_MESSAGE_CHARS)
        .split('\n')
        .flatMap((l) => wrapLine(l, width - 4))
      out.push(...lines.map((l, i) => `${i === 0 ? '  - ' : '    '}${l}`))
    }
    out.push(
      `Nothing will be applied. Review the plan, then release it with:\n  koppel approve ${plan.id} --reason "…"`,
    )
  }
  return out.join('\n')
}

function actionTable(actions: readonly Action[], width: number): string {
  const wide = width >= WIDE
  const head = [
    { head: 'action', flex: 0, min: 6 },
    { head: 'target', flex: 0, min: 6, max: 14 },
    { head: 'person', flex: 0, min: 14, max: wide ? 32 : 24 },
    { head: wide ? 'changes' : 'changes, and why', flex: 6, min: 16 },
    ...(wide ? [{ head: 'why', flex: 4, min: 16 }] : []),
  ]
  const rows = actions.map((a) => {
    const base = [a.kind, terminalSafe(a.target, 40), personText(a)]
    return wide
      ? [...base, changesText(a), reasonText(a)]
      : [...base, `${changesText(a)}\nwhy: ${reasonText(a)}`]
  })
  return renderTable(head, rows, width)
}

/** "Anouk de Vries" over "123456 · V6a · 59GX00": who, as the school knows them, instead of a UUID. */
function personText(a: Action): string {
  const s = a.subject
  const about = [s?.number, s?.classGroup, s?.school]
    .filter((x): x is string => x !== undefined && x !== '')
    .map((x) => terminalSafe(x, 40))
  return `${terminalSafe(a.label, 60)}\n${about.length > 0 ? about.join(' · ') : terminalSafe(a.person, 40)}`
}

function changesText(a: Action): string {
  if (isPermissionAction(a)) return `${a.permissionType} ${terminalSafe(a.permission)}`
  if (a.kind === 'create')
    return (
      a.changes
        .filter((c) => c.field !== 'dn')
        .map((c) => `${terminalSafe(c.field, 40)}=${show(c.new)}`)
        .join('\n') + dnText(a.changes)
    )
  const account = accountOf(a)
  if (a.changes.length === 0)
    return account !== undefined ? `at ${terminalSafe(account.locator)}` : ''
  return a.changes
    .map((c) => `${terminalSafe(c.field, 40)}: ${show(c.old)} → ${show(c.new)}`)
    .join('\n')
}

function dnText(changes: readonly FieldChange[]): string {
  const dn = changes.find((c) => c.field === 'dn')
  return dn !== undefined ? `\nat ${show(dn.new)}` : ''
}

function reasonText(a: Action): string {
  const rule =
    a.reason.rule !== undefined && !a.reason.detail.includes(a.reason.rule)
      ? ` (rule "${a.reason.rule}")`
      : ''
  return terminalSafe(`${a.reason.change}: ${a.reason.detail}${rule}`, MAX_MESSAGE_CHARS)
}

function show(v: AttributeValue | undefined): string {
  if (v === undefined) return '∅'
  return typeof v === 'string'
    ? terminalSafe(v)
    : `[${v
        .slice(0, 10)
        .map((x) => terminalSafe(x))
        .join(', ')}${v.length > 10 ? `, … (+${v.length - 10})` : ''}]`
}
