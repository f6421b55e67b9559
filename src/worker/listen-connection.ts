// The process's one LISTEN connection to a database: every tenant's pass notices and pg-boss's job wake-ups
// arrive on it, each channel LISTENed once however many tenants wait on it. A broken connection reconnects
// with a capped backoff while anyone listens, LISTENs every channel again and tells the listeners (they may
// have missed notices); a heartbeat on the same session finds a silently dropped one, as pg-boss's own does.
import pg from 'pg'
import { applicationName } from '../store/index.ts'
import { inTurn, type InTurn } from '../util/in-turn.ts'

const HEARTBEAT_MS = 10_000
const HEARTBEAT_TIMEOUT_MS = 5_000

export interface Listening {
  close(): void
}

export interface ListenConnection {
  /** True while the connection listens. */
  readonly live: boolean
  /**
   * Calls `onPayload` with each notice on `channel` (an identifier: letters, digits, `_`) and `onReconnect`
   * after a reconnect. Rejects when the connection cannot be made now (the caller polls instead); after a
   * first success it reconnects by itself.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<Listening>
}

interface Listener {
  readonly onPayload: (payload: string) => void
  readonly onReconnect: (() => void) | undefined
}

interface Shared extends ListenConnection {
  /** Listeners across all channels; the connection ends when this drops to none. */
  readonly count: () => number
}

const connections = new Map<string, Shared>()

/** The process's listen connection for the database at `url`. */
export function listenConnection(url: string): ListenConnection {
  let shared = connections.get(url)
  if (shared === undefined) {
    shared = openShared(url)
    connections.set(url, shared)
  }
  return shared
}

/** How many LISTEN connections this process holds open (for tests). */
export function listenConnections(): number {
  return [...connections.values()].filter((c) => c.live).length
}

// kept in the map when idle (no connection then): a holder of it that listens again reuses it
function openShared(url: string): Shared {
  const channels = new Map<string, Set<Listener>>()
  let client: pg.Client | undefined
  let connecting: Promise<pg.Client> | undefined
  let live = false
  let attempt = 0
  let reconnectTimer: NodeJS.Timeout | undefined
  let heartbeatTimer: NodeJS.Timeout | undefined
  /** The connection's statements (LISTEN, UNLISTEN, heartbeat) of every tenant, one at a time. */
  const turns = new WeakMap<pg.Client, InTurn>()
  const query = (c: pg.Client, sql: string) => {
    let turn = turns.get(c)
    if (turn === undefined) {
      turn = inTurn()
      turns.set(c, turn)
    }
    return turn(() => c.query(sql))
  }
  const count = () => [...channels.values()].reduce((n, s) => n + s.size, 0)
  const quoted = (channel: string) => {
    if (!/^[A-Za-z0-9_]{1,63}$/.test(channel))
      throw new Error(`listen: not a channel identifier: ${JSON.stringify(channel)}`)
    return `"${channel}"`
  }

  const drop = (c: pg.Client) => {
    if (client !== c) return
    client = undefined
    live = false
    clearTimeout(heartbeatTimer)
    c.removeAllListeners()
    c.on('error', () => {})
    void c.end().catch(() => {})
    if (count() > 0) scheduleReconnect()
  }
  const scheduleReconnect = () => {
    if (reconnectTimer !== undefined) return
    const backoff = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5))
    attempt++
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined
      if (count() === 0) return
      connect().then(
        () => {
          for (const set of channels.values()) for (const l of set) l.onReconnect?.()
        },
        () => scheduleReconnect(),
      )
    }, backoff)
    reconnectTimer.unref()
  }
  const heartbeat = (c: pg.Client) => {
    heartbeatTimer = setTimeout(() => {
      if (client !== c) return
      const timeout = setTimeout(() => drop(c), HEARTBEAT_TIMEOUT_MS)
      query(c, 'select 1').then(
        () => {
          clearTimeout(timeout)
          heartbeat(c)
        },
        () => {
          clearTimeout(timeout)
          drop(c)
        },
      )
    }, HEARTBEAT_MS)
    heartbeatTimer.unref()
  }
  const connect = (): Promise<pg.Client> => {
    if (client !== undefined) return Promise.resolve(client)
    return (connecting ??= (async () => {
      const c = new pg.Client({
        connectionString: url,
        application_name: applicationName('listen'),
        keepAlive: true,
        keepAliveInitialDelayMillis: HEARTBEAT_MS,
      })
      c.on('notification', (n) => {
        const set = channels.get(n.channel)
        if (set !== undefined) for (const l of set) l.onPayload(n.payload ?? '')
      })
      c.on('error', () => drop(c))
      c.on('end', () => drop(c))
      try {
        await c.connect()
        for (const channel of channels.keys()) await query(c, `LISTEN ${quoted(channel)}`)
      } catch (e) {
        c.removeAllListeners()
        c.on('error', () => {})
        await c.end().catch(() => {})
        throw e
      }
      client = c
      live = true
      attempt = 0
      heartbeat(c)
      // everyone who asked for it left while it connected: keep no idle connection
      if (count() === 0) queueMicrotask(() => count() === 0 && drop(c))
      return c
    })().finally(() => (connecting = undefined)))
  }
  const remove = (channel: string, listener: Listener) => {
    const set = channels.get(channel)
    if (set === undefined || !set.delete(listener)) return
    if (set.size === 0) {
      channels.delete(channel)
      if (client !== undefined) void query(client, `UNLISTEN ${quoted(channel)}`).catch(() => {})
    }
    if (count() > 0) return
    // nobody listens any more: an idle process keeps no connection
    clearTimeout(reconnectTimer)
    reconnectTimer = undefined
    const c = client
    client = undefined
    live = false
    clearTimeout(heartbeatTimer)
    if (c !== undefined) {
      c.removeAllListeners()
      c.on('error', () => {})
      void c.end().catch(() => {})
    }
  }

  return {
    get live() {
      return live
    },
    count,
    async listen(channel, onPayload, onReconnect) {
      const name = quoted(channel)
      const listener: Listener = { onPayload, onReconnect }
      let set = channels.get(channel)
      const fresh = set === undefined
      if (set === undefined) {
        set = new Set()
        channels.set(channel, set)
      }
      set.add(listener)
      try {
        const c = await connect()
        // a connection made before this channel was added LISTENs it now
        if (fresh) await query(c, `LISTEN ${name}`)
      } catch (e) {
        remove(channel, listener)
        live = false
        throw e
      }
      return { close: () => remove(channel, listener) }
    },
  }
}
