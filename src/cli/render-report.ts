import type { RunReport } from '../model/index.ts'
import { terminalSafe, terminalSafeLines } from './terminal-text.ts'
import { renderTable } from './text-table.ts'

/** Human output of a run: counts per target and action kind, with failures spelled out. */
export function renderReport(r: RunReport, width = 80): string {
  const out: string[] = []
  const rows: string[][] = []
  for (const [target, kinds] of Object.entries(r.counts)) {
    for (const [kind, n] of Object.entries(kinds))
      rows.push([
        terminalSafe(target, 40),
        kind,
        String(n.applied ?? 0),
        String(n.failed ?? 0),
        String(n.skipped ?? 0),
      ])
  }
  out.push(`Run ${r.runId}: ${r.state}${r.planId !== undefined ? ` (plan ${r.planId})` : ''}`)
  const head = ['target', 'action', 'applied', 'failed', 'skipped'].map((h, i) => ({
    head: h,
    flex: i === 0 ? 1 : 0,
    min: h.length,
  }))
  if (rows.length > 0) out.push(renderTable(head, rows, Math.max(40, width)))
  for (const m of r.messages) out.push(terminalSafeLines(m, 400))
  for (const f of r.failures.slice(0, 50))
    out.push(`failed ${terminalSafe(f.action, 200)}: ${terminalSafeLines(f.message, 400)}`)
  if (r.failures.length > 50) out.push(`… and ${r.failures.length - 50} more failures`)
  // printed in full so that whoever keeps this output can later prove the log was not cut before this point
  if (r.auditHead !== undefined)
    out.push(
      `Audit head ${r.auditHead.seq}: ${r.auditHead.hash} (koppel audit verify --head ${r.auditHead.hash})`,
    )
  return out.join('\n')
}
