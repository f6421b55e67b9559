// Sizing of multi-row statements: as many rows per statement as the dialect's bound-parameter limit allows,
// capped so one statement's SQL text stays a reasonable size.
import type { SqlDialect } from './migrations.ts'

const PARAMETER_LIMIT: Readonly<Record<SqlDialect, number>> = { sqlite: 32_766, postgres: 65_535 }

export function rowsPerStatement(dialect: SqlDialect, columns: number, cap = 5_000): number {
  return Math.max(1, Math.min(cap, Math.floor(PARAMETER_LIMIT[dialect] / columns)))
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
