import type { ConnectorDefinition } from '../contract/index.ts'
import {
  explainPerson,
  type Explanation,
  type ExplainedTarget,
  type PersonCandidate,
  type ReadValue,
} from '../engine/index.ts'
import { isPermissionAction } from '../model/index.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { err, EXIT, out } from './output.ts'
import { terminalSafe } from './terminal-text.ts'

export interface ExplainFlags {
  readonly config: string
  readonly json?: boolean
}

/**
 * `koppel explain <person>`: every account and permission of one person with the rule, the contract and the
 * values its condition read, the rules that nearly matched, the contracts' windows and the next plan's actions.
 * Exit 1 when nobody or more than one person matches (the candidates are listed).
 */
export async function explainCommand(
  query: string,
  flags: ExplainFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  return withEngine(flags.config, definitions, async ({ engine }) => {
    const r = await explainPerson(engine, query)
    if (r.kind === 'unreadable') {
      err('The sources could not be read:')
      for (const i of r.issues) err(`  ${terminalSafe(i.message, 400)}`)
      return EXIT.error
    }
    if (flags.json === true) {
      await writeJson(process.stdout, r)
      return r.kind === 'found' ? EXIT.ok : EXIT.error
    }
    if (r.kind === 'not-found') {
      err(
        `No person in the sources or the ledger matches "${terminalSafe(query, 60)}" (key, number, username or part of the name).`,
      )
      return EXIT.error
    }
    if (r.kind === 'ambiguous') {
      err(
        `${r.candidates.length} persons match "${terminalSafe(query, 60)}"; explain one by key or number:`,
      )
      for (const c of r.candidates.slice(0, 50)) err(`  ${candidateLine(c)}`)
      if (r.candidates.length > 50) err(`  … and ${r.candidates.length - 50} more`)
      return EXIT.error
    }
    out(renderExplanation(r.explanation))
    return EXIT.ok
  })
}

function candidateLine(c: PersonCandidate): string {
  const extra = [c.number !== undefined ? `nr ${c.number}` : '', c.classGroup ?? '', c.school ?? '']
    .filter((x) => x !== '')
    .map((x) => terminalSafe(x, 40))
  return `${terminalSafe(c.key, 60)}  ${terminalSafe(c.name, 60)}${extra.length > 0 ? `  (${extra.join(', ')})` : ''}`
}

/** The explanation as text: every person value through terminalSafe. */
export function renderExplanation(e: Explanation): string {
  const s = (v: string, max = 120): string => terminalSafe(v, max)
  const lines: string[] = [
    `${candidateLine(e.person)}${e.person.username !== undefined ? `  username ${s(e.person.username)}` : ''}`,
  ]
  if (!e.inSources) lines.push('  not in any source any more: only the ledger knows this person')
  if (e.hold !== undefined)
    lines.push(
      `  HELD until ${e.hold.until} by ${s(e.hold.placedBy, 40)}: ${s(e.hold.reason, 200)} (koppel hold … --lift ends it)`,
    )
  lines.push('', `Contracts (today is ${e.today}):`)
  if (e.contracts.length === 0) lines.push('  none')
  for (const { contract: c, status } of e.contracts) {
    const window = `${c.start ?? '…'} – ${c.end ?? '…'}`
    const where = [
      c.role,
      c.organisationCode ?? c.organisationName ?? c.organisation,
      c.classGroup,
      c.location,
    ]
      .filter((x) => x !== undefined)
      .map((x) => s(String(x), 40))
    lines.push(`  ${s(c.id, 60)}  ${c.kind}  ${s(window, 40)}  ${status}  ${where.join(', ')}`)
  }
  if (e.memberships.length > 0) {
    lines.push('', 'Memberships:')
    for (const m of e.memberships)
      lines.push(`  ${s(m.group, 80)}  ${m.role}  ${s(`${m.start ?? '…'} – ${m.end ?? '…'}`, 40)}`)
  }
  for (const t of e.targets) lines.push('', ...targetLines(t, s))
  lines.push('', 'Rules that did not match:')
  if (e.nearMisses.length === 0) lines.push('  none')
  for (const m of e.nearMisses) {
    const why =
      m.why === 'false'
        ? 'false'
        : m.why === 'error'
          ? `error: ${s(m.error ?? '', 200)}`
          : 'true, but the contract does not count today'
    lines.push(`  ${s(m.rule, 60)} on ${s(m.contract, 60)}: ${why}`, `    when ${s(m.when, 200)}`)
    if (m.reads.length > 0) lines.push(`    read ${readsText(m.reads, s)}`)
  }
  lines.push('', 'Next plan (not stored; against the ledger, targets not read):')
  if (e.nextActions.length === 0) lines.push('  nothing to do')
  for (const a of e.nextActions) {
    const what = isPermissionAction(a) ? ` ${a.permissionType} ${s(a.permission, 80)}` : ''
    lines.push(`  ${a.target} ${a.kind}${what}: ${s(a.reason.detail, 160)}`)
  }
  if (e.issues.length > 0) {
    lines.push('', 'Issues:')
    for (const i of e.issues) lines.push(`  ${i.severity}: ${s(i.message, 300)}`)
  }
  return lines.join('\n')
}

function targetLines(t: ExplainedTarget, s: (v: string, max?: number) => string): string[] {
  const lines = [`Target ${s(t.target, 60)}:`]
  const a = t.account
  if (a === undefined) lines.push('  no account in the ledger')
  else {
    lines.push(
      `  account ${a.state}${a.disabledAt !== undefined ? ` since ${a.disabledAt.slice(0, 10)}` : ''}: ${s(a.locator)} (id ${s(a.targetId, 60)})`,
    )
    lines.push('  last written:')
    for (const [k, v] of Object.entries(a.attributes))
      lines.push(`    ${s(k, 40)} = ${s(typeof v === 'string' ? v : v.join(', '))}`)
  }
  if (t.grant === undefined) lines.push('  no rule grants an account here today')
  else
    lines.push(
      `  granted by rule ${s(t.grant.rule, 60)} on contract ${s(t.grant.contract, 60)}${t.grant.reads.length > 0 ? `; read ${readsText(t.grant.reads, s)}` : ''}`,
    )
  if (t.permissions.length > 0) lines.push('  permissions:')
  for (const p of t.permissions) {
    const state = p.held
      ? p.rule === undefined
        ? 'held, no rule grants it: the next plan revokes it'
        : 'held'
      : 'not yet granted'
    const on =
      p.membership !== undefined
        ? ` for membership ${s(p.membership.group, 60)} (${s(p.membership.role, 20)})`
        : p.contract !== undefined
          ? ` on contract ${s(p.contract, 60)}`
          : ''
    const by = p.rule !== undefined ? ` by rule ${s(p.rule, 60)}${on}` : ''
    lines.push(
      `    ${s(p.type, 20)} ${s(p.id)} (${state})${by}${p.reads.length > 0 ? `; read ${readsText(p.reads, s)}` : ''}`,
    )
  }
  return lines
}

function readsText(reads: readonly ReadValue[], s: (v: string, max?: number) => string): string {
  return reads
    .map(
      (r) =>
        `${s(r.path, 60)} = ${r.value === undefined ? '(empty)' : s(JSON.stringify(r.value) ?? String(r.value), 80)}`,
    )
    .join(', ')
}
