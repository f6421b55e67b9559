// A target's concurrency limit across every worker process and machine: `limit` numbered slots per target, each
// a PostgreSQL session advisory lock. A job holds one slot while it sends; a batch of jobs holds one per lane.
// A process holds all its slots, of every batch and tenant, on a few sessions (SLOT_SESSIONS), not one per batch.
// The server frees a session's locks when its connection ends, so a killed worker's slots come back by
// themselves; server-side keepalives make it notice a vanished machine within about a minute.
import pg from 'pg'
import { applicationName } from '../store/index.ts'
import { inTurn, type InTurn } from '../util/in-turn.ts'

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
// $5: the slots this session holds already for the key; an advisory lock is re-entrant within a session, so
// without them a second batch on the same session would take a slot the first holds.
const TAKE = `select ((s + $3) % $4)::int as slot from generate_series(0, $4 - 1) as s
  where not ((s + $3) % $4) = any($5::int[]) and pg_try_advisory_lock(hashtext($1), (s + $3) % $4)
  limit $2`
const RELEASE = 'select pg_advisory_unlock(hashtext($1), s) from unnest($2::int[]) as s'
const RELEASE_NOTIFY = `select pg_notify($3, $4),
  (select count(pg_advisory_unlock(hashtext($1), s)) from unnest($2::int[]) as s)`

/** Slot sessions a process keeps when none is asked for: statements are short, batches hold no session. */
export const SLOT_SESSIONS = 2

/** One session and the slots it holds per key; its statements run one after another (see $5 above). */
interface Session {
  readonly client: Promise<pg.Client>
  readonly held: Map<string, Set<number>>
  /** The session's statements one after another: a take computes what the session holds when its turn comes. */
  readonly inTurn: InTurn
  broken: boolean
}

/**
 * `sessions`: how many database sessions hold the process's slots (each holds the slots of many batches and
 * tenants, so this does not grow with lanes or tenants).
 */
export function targetSlots(url: string, sessions = SLOT_SESSIONS): TargetSlots {
  const open: (Session | undefined)[] = Array.from(
    { length: Math.max(1, sessions) },
    () => undefined,
  )
  let next = 0
  let closed = false
  const session = (): Session => {
    const i = next++ % open.length
    const existing = open[i]
    if (existing !== undefined && !existing.broken) return existing
    const client = new pg.Client({
      connectionString: url,
      application_name: applicationName('slots'),
      keepAlive: true,
      options: KEEPALIVE,
    })
    const created: Session = {
      client: client.connect().then(() => client),
      held: new Map(),
      inTurn: inTurn(),
      broken: false,
    }
    // the server freed this session's locks with it: the batches holding them send on, as when a
    // connection broke before; the next take opens a new session
    const down = () => {
      created.broken = true
      created.held.clear()
      if (open[i] === created) open[i] = undefined
    }
    client.on('error', down)
    client.on('end', down)
    created.client.catch(down)
    open[i] = created
    return created
  }
  /** Runs `fn` on the session after its earlier statements. */
  const onSession = <T>(s: Session, fn: (c: pg.Client) => Promise<T>): Promise<T> =>
    s.inTurn(async () => fn(await s.client))
  return {
    async take(tenant, target, limit, signal, want = 1) {
      const key = `koppel-slot ${tenant} ${target}`
      const most = Math.max(1, Math.min(want, limit))
      for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
        signal?.throwIfAborted()
        if (closed) throw new Error('target slots: closed')
        const s = session()
        // a random first slot spreads the takers
        const first = Math.floor(Math.random() * limit)
        const held = await onSession(s, async (c) => {
          const mine = [...(s.held.get(key) ?? [])]
          const { rows } = await c.query<{ slot: number }>(TAKE, [key, most, first, limit, mine])
          const got = rows.map((r) => r.slot)
          if (got.length > 0) {
            const set = s.held.get(key) ?? new Set<number>()
            for (const slot of got) set.add(slot)
            s.held.set(key, set)
          }
          return got
        })
        if (held.length > 0)
          return {
            count: held.length,
            async release(notice) {
              if (s.broken) return
              try {
                await onSession(s, async (c) => {
                  if (notice === undefined) await c.query(RELEASE, [key, held])
                  else await c.query(RELEASE_NOTIFY, [key, held, notice.channel, notice.payload])
                  const set = s.held.get(key)
                  for (const slot of held) set?.delete(slot)
                  if (set?.size === 0) s.held.delete(key)
                })
              } catch {
                // a session we cannot unlock on is ended instead, which frees its locks as well
                s.broken = true
                s.held.clear()
                void s.client.then((c) => c.end()).catch(() => undefined)
              }
            },
          }
        await new Promise((r) => setTimeout(r, wait))
      }
    },
    async close() {
      closed = true
      const all = open.filter((s): s is Session => s !== undefined)
      open.fill(undefined)
      await Promise.all(
        all.map(async (s) => {
          await s.inTurn(async () => undefined)
          const c = await s.client.catch(() => undefined)
          c?.removeAllListeners('end')
          await c?.end().catch(() => undefined)
        }),
      )
    },
  }
}
