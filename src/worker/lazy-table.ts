// The workers' shared tables in the job queue's schema (target pause, target rate) are created on first use, by
// whichever worker gets there first; the others may race it.
import type pg from 'pg'
import { JOB_SCHEMA } from './queue-names.ts'

/** Returns a function that creates `table` (with `columns`, SQL) once and resolves when it exists. */
export function lazyJobTable(
  pool: pg.Pool,
  table: string,
  columns: string,
): () => Promise<unknown> {
  let ready: Promise<unknown> | undefined
  return () =>
    (ready ??= pool
      .query(
        `create schema if not exists ${JOB_SCHEMA}; create table if not exists ${table} (${columns})`,
      )
      .catch((e: unknown) => {
        ready = undefined
        // two workers creating it at once: the loser's error is the winner's table
        if (!/already exists|duplicate key/.test(String(e))) throw e
      }))
}
