// A target's operationsPerSecond held for every worker: one row per tenant and target in the job queue's schema
// with the next free moment on the target's schedule, on the database server's clock (the machines' clocks may
// differ). An operation moves the row on by 1/rate in one statement and waits until the moment it got: the
// row lock orders concurrent takers, so together they start at most `rate` operations per second.
import pg from 'pg'
import { sleepFor, type TargetRate } from '../engine/index.ts'
import { lazyJobTable } from './lazy-table.ts'
import { JOB_SCHEMA } from './queue-names.ts'

const TABLE = `${JOB_SCHEMA}.target_rate`

export interface PgTargetRate extends TargetRate {
  close(): Promise<void>
}

// the reserved moment is the later of now and the row's next; the row moves on to that plus 1/rate
const TAKE = `insert into ${TABLE} as r (tenant, target, next)
  values ($1, $2, clock_timestamp() + make_interval(secs => 1 / $3::float8))
  on conflict (tenant, target) do update
    set next = greatest(r.next, clock_timestamp()) + make_interval(secs => 1 / $3::float8)
  returning extract(epoch from (r.next - make_interval(secs => 1 / $3::float8) - clock_timestamp()))
    * 1000 as wait_ms`

/** `db`: the store's URL, or a pool shared with the process's other tenants (then close() leaves it open). */
export function pgTargetRate(db: string | pg.Pool, tenant: string): PgTargetRate {
  // an idle pooled connection that breaks is dropped by the pool; a shared pool has its listener already
  const pool =
    typeof db === 'string'
      ? new pg.Pool({ connectionString: db, max: 2 }).on('error', () => {})
      : db
  const table = lazyJobTable(
    pool,
    TABLE,
    'tenant text not null, target text not null, next timestamptz not null, primary key (tenant, target)',
  )
  return {
    async take(target, perSecond, signal) {
      signal?.throwIfAborted()
      await table()
      const { rows } = await pool.query<{ wait_ms: number }>(TAKE, [tenant, target, perSecond])
      await sleepFor(Number(rows[0]?.wait_ms ?? 0), signal)
    },
    close: async () => {
      if (typeof db === 'string') await pool.end()
    },
  }
}
