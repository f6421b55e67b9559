// A target's Retry-After held for every worker: one row per tenant and target in the job queue's schema, with
// the time the pause ends on the database server's clock (the machines' clocks may differ). A worker reads the
// row at most every `refreshMs` per target, so a pause reaches the other workers within that time.
import pg from 'pg'
import { sleepFor, type TargetPause } from '../engine/index.ts'
import { lazyJobTable } from './lazy-table.ts'
import { JOB_SCHEMA } from './queue-names.ts'

const TABLE = `${JOB_SCHEMA}.target_pause`

export interface PgTargetPause extends TargetPause {
  close(): Promise<void>
}

/** `db`: the store's URL, or a pool shared with the process's other tenants (then close() leaves it open). */
export function pgTargetPause(
  db: string | pg.Pool,
  tenant: string,
  refreshMs = 500,
): PgTargetPause {
  // an idle pooled connection that breaks is dropped by the pool; a shared pool has its listener already
  const pool =
    typeof db === 'string'
      ? new pg.Pool({ connectionString: db, max: 2 }).on('error', () => {})
      : db
  const table = lazyJobTable(
    pool,
    TABLE,
    'tenant text not null, target text not null, until timestamptz not null, primary key (tenant, target)',
  )
  /** target → local time until which it is paused, and when that was read. */
  const known = new Map<string, { until: number; readAt: number }>()
  const remaining = async (target: string): Promise<number> => {
    const k = known.get(target)
    const now = Date.now()
    if (k !== undefined && now - k.readAt < refreshMs) return Math.max(0, k.until - now)
    await table()
    const { rows } = await pool.query<{ ms: number }>(
      `select greatest(0, extract(epoch from (until - clock_timestamp())) * 1000)::float8 as ms from ${TABLE} where tenant = $1 and target = $2`,
      [tenant, target],
    )
    const ms = rows[0]?.ms ?? 0
    known.set(target, { until: now + ms, readAt: now })
    return ms
  }
  return {
    async wait(target, signal) {
      for (let ms = await remaining(target); ms > 0; ms = await remaining(target))
        await sleepFor(ms, signal)
    },
    async pause(target, ms) {
      await table()
      await pool.query(
        `insert into ${TABLE} (tenant, target, until) values ($1, $2, clock_timestamp() + make_interval(secs => $3::float8 / 1000))
         on conflict (tenant, target) do update set until = greatest(${TABLE}.until, excluded.until)`,
        [tenant, target, ms],
      )
      known.delete(target)
    },
    close: async () => {
      if (typeof db === 'string') await pool.end()
    },
  }
}
