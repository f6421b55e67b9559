// A target's concurrency limit across every worker process and machine: `limit` numbered slots per target, each
// a PostgreSQL session advisory lock. A job holds one slot while it sends; a batch of jobs holds one per lane.
// The server frees a session's locks when its connection ends, so a killed worker's slots come back by
// themselves; server-side keepalives make it notice a vanished machine within about a minute.
import pg from 'pg'
import { applicationName } from '../store/index.ts'

const KEEPALIVE =
  '-c tcp_keepalives_idle=20 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3'

/** Slots held on one connection; `release` gives them all back. */
export interface HeldSlots {
  readonly count: number
  /** With `notice`, NOTIFYs it in the same statement (no round trip of its own). */
  release(notice?: { readonly channel: string; readonly payload: string }): Promise<void>
}

export interface TargetSlots {
  /**
   * Waits until at least one slot of the target is free and takes up to `want` (one round trip for all): a
   * worker's batch of jobs runs as many side by side as it got.
   */
  take(
    tenant: string,
    target: string,
    limit: number,
    signal?: AbortSignal,
    want?: number,
  ): Promise<HeldSlots>
  close(): Promise<void>
}

// Tries the slots from a random first one on and stops at `want` taken: PostgreSQL evaluates the filter row by
// row under the LIMIT, so no lock beyond those returned is taken (no ORDER BY, which would evaluate all rows).
const TAKE = `select ((s + $3) % $4)::int as slot from generate_series(0, $4 - 1) as s
  where pg_try_advisory_lock(hashtext($1), (s + $3) % $4) limit $2`
const RELEASE = 'select pg_advisory_unlock(hashtext($1), s) from unnest($2::int[]) as s'
const RELEASE_NOTIFY = `select pg_notify($3, $4),
  (select count(pg_advisory_unlock(hashtext($1), s)) from unnest($2::int[]) as s)`

export function targetSlots(url: string, connections: number): TargetSlots {
  const pool = new pg.Pool({
    connectionString: url,
    max: connections,
    application_name: applicationName('slots'),
    keepAlive: true,
    options: KEEPALIVE,
  })
  // an idle pooled connection that breaks is dropped by the pool; without a listener the error would crash us
  pool.on('error', () => {})
  return {
    async take(tenant, target, limit, signal, want = 1) {
      const key = `koppel-slot ${tenant} ${target}`
      const most = Math.max(1, Math.min(want, limit))
      for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
        signal?.throwIfAborted()
        const client = await pool.connect()
        let held: number[]
        try {
          // a random first slot spreads the takers
          const first = Math.floor(Math.random() * limit)
          const { rows } = await client.query<{ slot: number }>(TAKE, [key, most, first, limit])
          held = rows.map((r) => r.slot)
        } catch (e) {
          client.release(e instanceof Error ? e : true)
          throw e
        }
        if (held.length > 0)
          return {
            count: held.length,
            async release(notice) {
              try {
                if (notice === undefined) await client.query(RELEASE, [key, held])
                else await client.query(RELEASE_NOTIFY, [key, held, notice.channel, notice.payload])
                client.release()
              } catch (e) {
                // a connection we cannot unlock on is closed instead, which frees the locks as well
                client.release(e instanceof Error ? e : true)
              }
            },
          }
        client.release()
        await new Promise((r) => setTimeout(r, wait))
      }
    },
    close: () => pool.end(),
  }
}
