// A target's concurrency limit across every worker process and machine: `limit` numbered slots per target, each
// a PostgreSQL session advisory lock. A job holds one slot while it sends. The server frees a session's locks when
// its connection ends, so a killed worker's slots come back by themselves; server-side keepalives make it notice
// a vanished machine within about a minute.
import pg from 'pg'

const KEEPALIVE =
  '-c tcp_keepalives_idle=20 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3'

export interface TargetSlots {
  /** Waits for a free slot of the target; the returned function gives it back. */
  take(
    tenant: string,
    target: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<() => Promise<void>>
  close(): Promise<void>
}

export function targetSlots(url: string, connections: number): TargetSlots {
  const pool = new pg.Pool({
    connectionString: url,
    max: connections,
    keepAlive: true,
    options: KEEPALIVE,
  })
  // an idle pooled connection that breaks is dropped by the pool; without a listener the error would crash us
  pool.on('error', () => {})
  return {
    async take(tenant, target, limit, signal) {
      const key = `koppel-slot ${tenant} ${target}`
      for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
        signal?.throwIfAborted()
        const client = await pool.connect()
        let slot: number | undefined
        try {
          // a random first slot spreads the takers; one round trip per slot tried, limits are small
          const first = Math.floor(Math.random() * limit)
          for (let i = 0; i < limit && slot === undefined; i++) {
            const s = (first + i) % limit
            const { rows } = await client.query<{ ok: boolean }>(
              'select pg_try_advisory_lock(hashtext($1), $2) as ok',
              [key, s],
            )
            if (rows[0]?.ok === true) slot = s
          }
        } catch (e) {
          client.release(e instanceof Error ? e : true)
          throw e
        }
        if (slot !== undefined) {
          const held = slot
          return async () => {
            try {
              await client.query('select pg_advisory_unlock(hashtext($1), $2)', [key, held])
              client.release()
            } catch (e) {
              // a connection we cannot unlock on is closed instead, which frees the lock as well
              client.release(e instanceof Error ? e : true)
            }
          }
        }
        client.release()
        await new Promise((r) => setTimeout(r, wait))
      }
    },
    close: () => pool.end(),
  }
}
