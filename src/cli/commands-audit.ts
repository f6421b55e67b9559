import type { ConnectorDefinition } from '../contract/index.ts'
import type { Engine } from '../engine/index.ts'
import type { AuditEvent } from '../store/index.ts'
import { withEngine } from './commands-plan.ts'
import { writeJson } from './json-stream.ts'
import { err, EXIT, out } from './output.ts'
import { terminalWidth } from './render-plan.ts'
import { terminalSafe } from './terminal-text.ts'
import { renderTable } from './text-table.ts'
import { fold } from '../util/fold-text.ts'

export interface AuditLogFlags {
  readonly config: string
  readonly person?: string
  readonly since?: string
  readonly kind?: string
  readonly limit?: string
  readonly json?: boolean
}

interface Known {
  readonly label: string
  readonly number?: string
}

/**
 * `koppel audit log`: the audit events newest first, persons by name and number instead of their key, narrowed
 * by person (name, number or key), time and kind — so reading the audit needs no SQL.
 */
export async function auditLogCommand(
  flags: AuditLogFlags,
  definitions: readonly ConnectorDefinition[],
): Promise<number> {
  if (flags.kind !== undefined && !/^[a-z][a-z.-]*$/.test(flags.kind)) {
    err(
      `--kind: "${terminalSafe(flags.kind, 60)}" is not an event kind (e.g. plan, plan.approved, action.failed, delivery)`,
    )
    return EXIT.error
  }
  const limit = Number(flags.limit ?? 100)
  if (!Number.isInteger(limit) || limit < 1) {
    err(`--limit: must be a whole number of at least 1`)
    return EXIT.error
  }
  return withEngine(flags.config, definitions, async ({ engine }) => {
    const now = (engine.now ?? (() => new Date()))()
    const since = flags.since === undefined ? undefined : sinceOf(flags.since, now)
    if (since === null) {
      err(
        `--since: "${terminalSafe(flags.since ?? '', 60)}" is not a date (YYYY-MM-DD, an ISO time, or 7d / 12h for days or hours ago)`,
      )
      return EXIT.error
    }
    const known = await personDirectory(engine)
    let persons: string[] | undefined
    if (flags.person !== undefined) {
      persons = matchPersons(known, flags.person)
      if (persons.length === 0) {
        err(
          `No person in the ledger or the last plan matches "${terminalSafe(flags.person, 60)}" (name, number or key).`,
        )
        return EXIT.error
      }
      // one query parameter per person: keep far below the databases' limits (SQLite 32,766)
      if (persons.length > 1000) {
        err(
          `${persons.length} persons match "${terminalSafe(flags.person, 60)}"; give more of the name, or the number.`,
        )
        return EXIT.error
      }
    }
    const events = await engine.store.listAudit({
      ...(persons !== undefined ? { persons } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(flags.kind !== undefined ? { kind: flags.kind } : {}),
      limit,
    })
    if (flags.json === true) {
      await writeJson(process.stdout, {
        events: events.map((e) => ({
          ...e,
          ...(e.person !== undefined ? { personLabel: known.get(e.person)?.label ?? null } : {}),
        })),
      })
      return EXIT.ok
    }
    if (events.length === 0) {
      out('No audit events match.')
      return EXIT.ok
    }
    const rows = events.map((e) => [
      e.at.slice(0, 16).replace('T', ' '),
      `${terminalSafe(e.type, 40)}\n${terminalSafe(e.actor, 40)}`,
      who(e, known),
      detail(e),
    ])
    const head = [
      { head: 'at (UTC)', flex: 0, min: 16 },
      { head: 'event, by', flex: 0, min: 8, max: 18 },
      { head: 'person', flex: 0, min: 12, max: 24 },
      { head: 'details', flex: 1, min: 16 },
    ]
    out(renderTable(head, rows, terminalWidth(process.stdout)))
    if (events.length === limit) out(`(the newest ${limit}; use --limit or --since for more)`)
    return EXIT.ok
  })
}

/** YYYY-MM-DD, an ISO time, or `7d`/`12h` before now → ISO; null when it is none of these. */
export function sinceOf(text: string, now: Date): string | null {
  const rel = /^(\d{1,4})([dh])$/.exec(text.trim())
  if (rel !== null)
    return new Date(
      now.getTime() - Number(rel[1]) * (rel[2] === 'd' ? 86_400_000 : 3_600_000),
    ).toISOString()
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/.test(text.trim())) return null
  const t = Date.parse(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim())
  return Number.isNaN(t) ? null : new Date(t).toISOString()
}

/** Person key → name and number, from the ledger (what Koppel wrote) and, newer, the last plan's actions. */
async function personDirectory(engine: Engine): Promise<Map<string, Known>> {
  const known = new Map<string, Known>()
  for (const a of await engine.store.listAccounts()) {
    if (known.has(a.person)) continue
    const name = first(a.attributes['displayName']) ?? first(a.attributes['cn'])
    const number = first(a.attributes['employeeID']) ?? first(a.attributes['employeeNumber'])
    if (name !== undefined)
      known.set(a.person, {
        label: name,
        ...(number !== undefined && number !== a.person ? { number } : {}),
      })
  }
  const [last] = await engine.store.listPlanStatuses(1)
  const plan = last === undefined ? undefined : await engine.store.getPlan(last.id)
  for (const a of plan?.actions ?? [])
    known.set(a.person, {
      label: a.label,
      ...(a.subject?.number !== undefined ? { number: a.subject.number } : {}),
    })
  return known
}

function first(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0]
}

export function matchPersons(known: ReadonlyMap<string, Known>, wanted: string): string[] {
  const w = fold(wanted.trim())
  const keys = new Set<string>()
  if (known.has(wanted.trim())) keys.add(wanted.trim())
  for (const [key, k] of known)
    if (fold(k.label).includes(w) || (k.number !== undefined && fold(k.number) === w)) keys.add(key)
  return [...keys].sort()
}

function who(e: AuditEvent, known: ReadonlyMap<string, Known>): string {
  if (e.person === undefined) return ''
  const k = known.get(e.person)
  if (k === undefined) return terminalSafe(e.person, 40)
  return `${terminalSafe(k.label, 60)}${k.number !== undefined ? `\n${terminalSafe(k.number, 30)}` : ''}`
}

function detail(e: AuditEvent): string {
  const parts: string[] = []
  if (e.target !== undefined) parts.push(`target ${e.target}`)
  if (e.planId !== undefined && e.actionId === undefined) parts.push(`plan ${e.planId}`)
  const d = e.data ?? {}
  for (const key of [
    'kind',
    'permission',
    'reason',
    'message',
    'state',
    'status',
    'failures',
    'actions',
    'source',
    'token',
  ]) {
    const v = d[key]
    if (v !== undefined && v !== null && typeof v !== 'object') parts.push(`${key}: ${String(v)}`)
  }
  return terminalSafe(parts.join('; '), 300)
}
