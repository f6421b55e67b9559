import type { ConnectorDefinition } from '../contract/index.ts'
import { engineStatus, statusExitCode } from '../engine/index.ts'
import type { EngineStatus } from '../engine/index.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { out } from './output.ts'
import { terminalSafe } from './terminal-text.ts'
import { nextTimes, type NextTime } from '../serve/scheduler.ts'

export interface StatusFlags {
  readonly config: string
  readonly json?: boolean
  readonly runs?: string
  /** commander's `--no-verify`: false skips recomputing the audit chain. */
  readonly verify?: boolean
}

/** `koppel status`: reads only; exit 3 while a plan waits for approval, so a monitoring check can alert. */
export async function statusCommand(
  flags: StatusFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(flags.config, definitions, async ({ engine, config }) => {
    const s = await engineStatus(engine, {
      runs: Math.max(1, Number(flags.runs ?? 5) || 5),
      verify: flags.verify !== false,
    })
    // the times `koppel serve` runs next, by the config's cron expressions
    const schedules = nextTimes(config.schedules ?? [], engine.now())
    if (flags.json === true) await writeJson(process.stdout, { kind: 'status', ...s, schedules })
    else out(renderStatus(s, schedules))
    return statusExitCode(s)
  })
}

/** Store text (notes, messages, findings) may carry person data: every value goes through terminalSafe. */
export function renderStatus(s: EngineStatus, schedules: readonly NextTime[] = []): string {
  const t = (v: string, max = 300) => terminalSafe(v, max)
  const lines: string[] = [`Koppel status of tenant ${t(s.tenant, 80)} at ${s.at}`, '']
  lines.push(
    schedules.length === 0
      ? 'Schedules: none (koppel serve runs nothing on its own; see schedules: in docs/config.md)'
      : 'Schedules (koppel serve):',
  )
  for (const n of schedules)
    lines.push(`  ${n.name}  "${t(n.cron, 80)}" (${t(n.timezone, 60)})  next ${n.next ?? 'never'}`)
  lines.push('')
  lines.push(
    s.blocked.length === 0
      ? 'Blocked plans: none'
      : `BLOCKED plans waiting for approval: ${s.blocked.length}`,
  )
  for (const b of s.blocked) {
    lines.push(`  ${b.id}  made ${b.createdAt} (${b.ageHours} h ago)`)
    for (const f of b.findings) lines.push(`    - ${t(f.message)}`)
    lines.push(`    after review, release it with: ${b.approve}`)
  }
  if (s.interrupted.length > 0) {
    lines.push('', 'Interrupted apply (the next apply or run resumes it first):')
    for (const i of s.interrupted) lines.push(`  ${i.id}  made ${i.createdAt}`)
  }
  lines.push('', s.runs.length === 0 ? 'Last runs: none' : 'Last runs:')
  for (const r of s.runs) {
    const counts =
      Object.entries(r.counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'no actions'
    lines.push(
      `  ${r.id}  ${r.state}  plan ${r.planId ?? '-'}  ${r.startedAt} → ${r.finishedAt ?? '…'}  ${counts}${r.failures > 0 ? `; ${r.failures} failure(s)` : ''}`,
    )
  }
  lines.push(
    '',
    s.held === undefined || s.held.notes.length === 0
      ? 'Held actions: none'
      : `Held actions (plan ${s.held.planId}):`,
  )
  for (const n of s.held?.notes ?? []) lines.push(`  ${t(n)}`)
  lines.push(
    '',
    s.holds.length === 0
      ? 'Holds on persons: none'
      : 'Holds on persons (koppel hold … --lift ends one):',
  )
  for (const h of s.holds)
    lines.push(
      `  ${t(h.person, 60)}  ${t(h.label, 60)}  until ${h.until}${h.active ? '' : ' (ended; caught up by the next plan)'}  by ${t(h.placedBy, 40)}: ${t(h.reason)}`,
    )
  lines.push(
    '',
    s.deliveries.length === 0
      ? 'Pending deliveries: none'
      : 'Pending deliveries (retried by the next apply or run):',
  )
  for (const d of s.deliveries) lines.push(`  since ${d.since}: ${t(d.message)}`)
  lines.push('', auditLine(s))
  return lines.join('\n')
}

function auditLine(s: EngineStatus): string {
  const a = s.audit
  if (a === undefined) return 'Audit log: empty'
  const head = `Audit head: event ${a.seq}, ${a.hash} (${a.at})`
  const v = a.verified
  if (v === undefined) return `${head}; not verified (--no-verify)`
  if (v.ok) return `${head}; chain intact (${v.events} events checked in ${v.ms} ms)`
  return `${head}; chain BROKEN at ${terminalSafe(v.problem ?? '?', 300)} — run koppel audit verify`
}
