import type { ActionKind, GuardFinding, Plan, RunReport } from '../model/index.ts'
import { html, type SafeHtml } from './html.ts'

/** How a run ended, as the status mail names it (the school documents' "completed" / "failed"). */
export type RunOutcome = 'completed' | 'unchanged' | 'blocked' | 'failed'

export interface StatusInput {
  /** The school board (tenant) the run was for. */
  readonly tenant: string
  readonly outcome: RunOutcome
  /** Absent when no plan was made (a source could not be read: see `error`). */
  readonly plan?: Pick<Plan, 'id' | 'summary' | 'findings' | 'notes' | 'issues' | 'createdAt'>
  /** Absent when nothing was applied (blocked, or no changes). */
  readonly report?: RunReport
  /** Newest audit event when the mail was made: an anchor of the audit chain outside the store. */
  readonly auditHead?: { readonly seq: number; readonly hash: string }
  /** A failure that ended the run before any action (a source that could not be read, a refused apply). */
  readonly error?: string
}

export interface StatusMail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

// Users, groups and memberships: the three lines the school documents' import mail has.
const GROUPS: readonly { readonly label: string; readonly kinds: readonly ActionKind[] }[] = [
  { label: 'accounts', kinds: ['create', 'correlate', 'update', 'enable', 'disable', 'delete'] },
  { label: 'memberships', kinds: ['grant', 'revoke'] },
  { label: 'write-backs', kinds: ['write-back'] },
]

const LIMIT = 50

interface Row {
  readonly target: string
  readonly kind: ActionKind
  readonly planned: number
  readonly applied?: number
  readonly failed?: number
}

function rows(input: StatusInput): Row[] {
  const out: Row[] = []
  for (const [target, kinds] of Object.entries(input.plan?.summary ?? {})) {
    for (const group of GROUPS) {
      for (const kind of group.kinds) {
        const planned = kinds[kind]
        if (planned === undefined || planned === 0) continue
        const done = input.report?.counts[target]?.[kind]
        out.push({
          target,
          kind,
          planned,
          ...(done !== undefined ? { applied: done.applied ?? 0, failed: done.failed ?? 0 } : {}),
        })
      }
    }
  }
  return out
}

function headline(input: StatusInput): string {
  switch (input.outcome) {
    case 'completed':
      return 'completed'
    case 'unchanged':
      return 'completed, no changes'
    case 'blocked':
      return 'blocked by the safety guard: nothing was applied'
    case 'failed':
      return 'failed'
  }
}

function nextStep(input: StatusInput): string | undefined {
  if (input.outcome === 'blocked' && input.plan !== undefined) {
    return `Review the plan (koppel plan --plan ${input.plan.id} or the dashboard). If the changes are right, release it with: koppel approve ${input.plan.id}. If not, fix the source; the next run plans again.`
  }
  if (input.outcome === 'failed')
    return 'Look at the failures below; failed actions are planned again by the next run.'
  return undefined
}

function findingLine(f: GuardFinding): string {
  return `${f.target}: ${f.message} (${f.count} of ${f.base}, limit ${f.limit})`
}

/**
 * The mail after every run: how it ended, counts per target and action kind, the guard's findings with the
 * numbers that tripped it, failures with reasons, what is held back, the audit head, and what to do next. It
 * never carries a password (initial passwords have their own channel) nor attribute values: person names appear
 * only in failure messages, and the recipients are the board's administrators.
 */
export function statusMail(input: StatusInput): StatusMail {
  const table = rows(input)
  const state = headline(input)
  const total = table.reduce((n, r) => n + r.planned, 0)
  const subject = `Koppel ${input.tenant}: ${state}${input.outcome === 'completed' || input.outcome === 'blocked' ? ` (${total} changes)` : ''}`
  const failures = input.report?.failures ?? []
  const next = nextStep(input)
  const findings = input.plan?.findings ?? []
  const notes = input.plan?.notes ?? []
  const made =
    input.plan !== undefined
      ? `Plan ${input.plan.id}, made ${input.plan.createdAt}.`
      : 'No plan was made.'

  const text: string[] = [`Koppel run for ${input.tenant}: ${state}.`, made]
  if (input.error !== undefined) text.push('', `Error: ${input.error}`)
  if (next !== undefined) text.push('', next)
  if (findings.length > 0) {
    text.push('', 'Safety guard:')
    for (const f of findings) text.push(`- ${findingLine(f)}`)
  }
  if (table.length > 0) {
    text.push('', 'Changes (target, action: planned / applied / failed):')
    for (const r of table)
      text.push(
        `- ${r.target}, ${r.kind}: ${r.planned}${r.applied !== undefined ? ` / ${r.applied} / ${r.failed}` : ''}`,
      )
  }
  if (failures.length > 0) {
    text.push('', `Failures (${failures.length}):`)
    for (const f of failures.slice(0, LIMIT)) text.push(`- ${f.action}: ${f.message}`)
    if (failures.length > LIMIT) text.push(`… and ${failures.length - LIMIT} more`)
  }
  if (notes.length > 0) {
    text.push('', 'Held back and notes:')
    for (const n of notes.slice(0, LIMIT)) text.push(`- ${n}`)
  }
  const issues = input.plan?.issues.length ?? 0
  if (issues > 0)
    text.push(
      '',
      `${issues} persons were left untouched because a rule or mapping failed for them; see the plan.`,
    )
  if (input.auditHead !== undefined)
    text.push('', `Audit head: event ${input.auditHead.seq}, ${input.auditHead.hash}`)

  const section = (title: string, body: SafeHtml): SafeHtml => html`<h3>${title}</h3>${body}`
  const body = html`<!doctype html><html><body style="font-family:sans-serif">
<h2>Koppel ${input.tenant}: ${state}</h2>
<p>${made}</p>
${input.error !== undefined ? html`<p><strong>Error:</strong> ${input.error}</p>` : ''}
${next !== undefined ? html`<p><strong>What to do:</strong> ${next}</p>` : ''}
${findings.length > 0 ? section('Safety guard', html`<ul>${findings.map((f) => html`<li>${findingLine(f)}</li>`)}</ul>`) : ''}
${
  table.length > 0
    ? section(
        'Changes',
        html`<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>target</th><th>action</th><th>planned</th><th>applied</th><th>failed</th></tr>${table.map(
          (r) =>
            html`<tr><td>${r.target}</td><td>${r.kind}</td><td>${r.planned}</td><td>${r.applied ?? '–'}</td><td>${r.failed ?? '–'}</td></tr>`,
        )}</table>`,
      )
    : ''
}
${failures.length > 0 ? section(`Failures (${failures.length})`, html`<ul>${failures.slice(0, LIMIT).map((f) => html`<li><code>${f.action}</code>: ${f.message}</li>`)}</ul>`) : ''}
${notes.length > 0 ? section('Held back and notes', html`<ul>${notes.slice(0, LIMIT).map((n) => html`<li>${n}</li>`)}</ul>`) : ''}
${input.auditHead !== undefined ? html`<p style="color:#666">Audit head: event ${input.auditHead.seq}, <code>${input.auditHead.hash}</code></p>` : ''}
</body></html>`
  return { subject, text: text.join('\n'), html: body.value }
}
