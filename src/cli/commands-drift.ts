import type { ConnectorDefinition } from '../contract/index.ts'
import { driftReport, type DriftItem, type TargetDrift } from '../engine/index.ts'
import type { AttributeValue } from '../model/index.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { err, EXIT, out } from './output.ts'
import { terminalWidth } from './render-plan.ts'
import { terminalSafe } from './terminal-text.ts'
import { renderTable } from './text-table.ts'

export interface DriftFlags {
  readonly config: string
  readonly json?: boolean
}

/**
 * `koppel drift [target]`: reads sources and targets, stores nothing. Exit 0 without drift, 2 with drift (as
 * `plan --detailed-exitcode` says "changes"), 1 when a source could not be read or the target is unknown.
 */
export async function driftCommand(
  target: string | undefined,
  flags: DriftFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(flags.config, definitions, async ({ engine }) => {
    const r = await driftReport(engine, target !== undefined ? { target } : {})
    if (!r.ok) {
      for (const i of r.issues.slice(0, 20)) err(terminalSafe(i.message, 400))
      return EXIT.error
    }
    if (flags.json === true)
      await writeJson(process.stdout, { kind: 'drift', today: r.today, targets: r.targets })
    else out(r.targets.map((t) => renderTargetDrift(t, terminalWidth(process.stdout))).join('\n\n'))
    return r.targets.some((t) => t.items.length > 0) ? EXIT.changes : EXIT.ok
  })
}

export function renderTargetDrift(t: TargetDrift, width: number): string {
  const s = (v: string, max = 120) => terminalSafe(v, max)
  if (!t.listed)
    return `Target ${s(t.target, 60)}: cannot list its accounts; drift is not known (${t.managed} managed)`
  const head = `Target ${s(t.target, 60)}: ${t.accounts} accounts, ${t.managed} managed by Koppel; unmanaged matching accounts are ${t.adopt ? 'adopted' : 'only reported (drift.adopt: false)'}`
  if (t.items.length === 0) return `${head}\n  no drift`
  const rows = t.items.map((i) => [
    i.kind,
    s(i.account.locator),
    i.person !== undefined ? s(i.person.label, 60) : '-',
    s(whatChanged(i), 200),
    s(wouldDo(i), 200),
  ])
  const columns = [
    { head: 'drift', flex: 0, min: 10 },
    { head: 'account', flex: 2, min: 12 },
    { head: 'person', flex: 1, min: 8 },
    { head: 'in the target', flex: 2, min: 10 },
    { head: 'Koppel will', flex: 2, min: 10 },
  ]
  return `${head}\n${renderTable(columns, rows, Math.max(60, width))}`
}

function whatChanged(i: DriftItem): string {
  if (i.kind === 'unmanaged') return 'not managed by Koppel'
  if (i.kind === 'missing') return 'gone'
  return (i.changes ?? [])
    .map((c) => `${c.field}: ${show(c.old)} (Koppel: ${show(c.new)})`)
    .join('; ')
}

function wouldDo(i: DriftItem): string {
  if (i.actions.length === 0) return i.note ?? 'nothing'
  return i.actions
    .map((a) => `${a.kind}${a.permission !== undefined ? ` ${a.permission}` : ''}`)
    .join(', ')
}

function show(v: AttributeValue | undefined): string {
  return v === undefined ? '∅' : typeof v === 'string' ? v : `[${v.join(', ')}]`
}
