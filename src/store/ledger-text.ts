// The text the ledger hash (a plan's `ledger` input) is the sha256 of: one line per account row with the fields
// that tell one version of a row from another, sorted by UTF-16 code units (Array.prototype.sort), joined by
// newlines. Shared by the engine, which hashes rows it holds, and the store, which builds it in SQL.
import type { AccountVersion } from './store.ts'

/** One row's line; fields separated by NUL, which no field holds. */
export function accountVersionLine(a: AccountVersion): string {
  return `${a.target}\u0000${a.person}\u0000${a.targetId}\u0000${a.state}\u0000${a.updatedAt}`
}

export function ledgerText(versions: readonly AccountVersion[]): string {
  return versions.map(accountVersionLine).sort().join('\n')
}

/**
 * ledgerText from the rows' lines concatenated in SQL in (target, person) order, with `field` between a line's
 * fields (NUL where the database's text can hold it; PostgreSQL's cannot) and a newline between lines: the
 * same text when no field holds a separator (each line then has exactly four) and the database's order is
 * the one sort() gives (a collation, or UTF-8 byte order, can differ for some characters). Undefined
 * otherwise: the caller builds it from the rows.
 */
export function ledgerTextFromSql(joined: string, rows: number, field: string): string | undefined {
  if (rows === 0) return joined === '' ? '' : undefined
  if (count(joined, field) !== rows * 4 || count(joined, '\n') !== rows - 1) return undefined
  const text = field === '\u0000' ? joined : joined.replaceAll(field, '\u0000')
  if (field !== '\u0000' && count(text, '\u0000') !== rows * 4) return undefined
  const lines = text.split('\n')
  for (let i = 1; i < lines.length; i++) if (!(lines[i - 1]! < lines[i]!)) return undefined
  return text
}

function count(text: string, char: string): number {
  let n = 0
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++
  return n
}
