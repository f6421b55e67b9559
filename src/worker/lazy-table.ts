// The workers' shared tables in the job queue's schema (target pause, target rate) are created on first use, by
// whichever worker gets there first; the others may race it.
import type pg from 'pg'
import { JOB_SCHEMA } from './queue-names.ts'

/**
 * Returns a function that creates `table` (with `columns`, SQL) once and resolves when it exists. It looks before
 * it creates: a role with CREATE on the schema but not on the database (docs/postgres-audit-role.sql's
 * koppel_app) cannot run `create schema if not exists` even when the schema is there.
 */
export function lazyJobTable(
  pool: pg.Pool,
  table: string,
  columns: string,
): () => Promise<unknown> {
  let ready: Promise<unknown> | undefined
  const create = async () => {
    const { rows } = await pool.query<{ table: string | null; schema: string | null }>(
      'select to_regclass($1)::text as table, to_regnamespace($2)::text as schema',
      [table, JOB_SCHEMA],
    )
    if (rows[0]?.table != null) return
    const schema = rows[0]?.schema == null ? `create schema if not exists ${JOB_SCHEMA}; ` : ''
    await pool.query(`${schema}create table if not exists ${table} (${columns})`)
  }
  return () =>
    (ready ??= create().catch((e: unknown) => {
      ready = undefined
      // two workers creating it at once: the loser's error is the winner's table
      if (!/already exists|duplicate key/.test(String(e))) throw e
    }))
}
