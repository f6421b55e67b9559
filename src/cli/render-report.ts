import Table from 'cli-table3'
import type { RunReport } from '../model/index.ts'

/** Human output of a run: counts per target and action kind, with failures spelled out. */
export function renderReport(r: RunReport): string {
  const out: string[] = []
  const table = new Table({ head: ['target', 'action', 'applied', 'failed', 'skipped'], style: { head: [], border: [] } })
  for (const [target, kinds] of Object.entries(r.counts)) {
    for (const [kind, n] of Object.entries(kinds)) table.push([target, kind, n.applied ?? 0, n.failed ?? 0, n.skipped ?? 0])
  }
  out.push(`Run ${r.runId}: ${r.state}${r.planId !== undefined ? ` (plan ${r.planId})` : ''}`)
  if (table.length > 0) out.push(table.toString())
  for (const m of r.messages) out.push(m)
  for (const f of r.failures.slice(0, 50)) out.push(`failed ${f.action}: ${f.message}`)
  if (r.failures.length > 50) out.push(`… and ${r.failures.length - 50} more failures`)
  // printed in full so that whoever keeps this output can later prove the log was not cut before this point
  if (r.auditHead !== undefined) out.push(`Audit head ${r.auditHead.seq}: ${r.auditHead.hash} (koppel audit verify --head ${r.auditHead.hash})`)
  return out.join('\n')
}
