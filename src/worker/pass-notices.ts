// A pass's end without polling: a worker that finished a batch of a pass's jobs says so on the tenant's channel
// (a NOTIFY in the statement that gives its target slots back, so no round trip of its own), and the applying
// process LISTENs and looks at the pass's jobs when told, not every 250 ms. A notice is only a hint: the job
// states stay the truth, and the apply still looks now and then (a job pg-boss gives up after its worker died
// sends none).
import { createHash } from 'node:crypto'
import pg from 'pg'
import { applicationName } from '../store/index.ts'

/** The tenant's channel; a tenant's name may be anything, a channel name is an identifier of ≤ 63 bytes. */
export function passChannel(tenant: string): string {
  return `koppel_pass_${createHash('sha256').update(tenant).digest('hex').slice(0, 24)}`
}

/** The notice of a batch: each pass it held, with how many of that pass's jobs it finished. */
export function passNotice(passes: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const p of passes) counts.set(p, (counts.get(p) ?? 0) + 1)
  return [...counts].map(([p, n]) => `${p} ${n}`).join('\n')
}

function parseNotice(payload: string): [string, number][] {
  return payload.split('\n').flatMap((line) => {
    const [pass, n] = line.split(' ')
    return pass !== undefined && pass !== '' && Number(n) > 0 ? [[pass, Number(n)]] : []
  })
}

export interface PassNotices {
  /** False while the listening connection is down: the apply then polls as before. */
  readonly live: boolean
  /** Calls `onEnded` with the number of jobs each notice of `pass` says ended; returns the unsubscribe. */
  subscribe(tenant: string, pass: string, onEnded: (jobs: number) => void): Promise<() => void>
  close(): Promise<void>
}

interface Listener {
  readonly live: boolean
  /** Counts the connections made: a failure is a new outage when this moved since the last one reported. */
  readonly connects: number
  /** Resolves with why it could not listen, or undefined when it listens. */
  listen(tenant: string, pass: string, onEnded: (jobs: number) => void): Promise<string | undefined>
  forget(pass: string): void
  close(): Promise<void>
}

/** One listening connection per process and database, LISTENing on each tenant's channel as it is needed. */
const listeners = new Map<string, { listener: Listener; users: number }>()

function listener(url: string): Listener {
  let connects = 0
  let client: Promise<pg.Client> | undefined
  let live = false
  const channels = new Set<string>()
  const subscribers = new Map<string, (jobs: number) => void>()
  const connect = (): Promise<pg.Client> =>
    (client ??= (async () => {
      const c = new pg.Client({
        connectionString: url,
        application_name: applicationName('passes'),
      })
      c.on('notification', (n) => {
        for (const [pass, jobs] of parseNotice(n.payload ?? '')) subscribers.get(pass)?.(jobs)
      })
      // a broken connection: the apply falls back to polling; the next pass connects again
      const down = () => {
        live = false
        client = undefined
        channels.clear()
      }
      c.on('error', down)
      c.on('end', down)
      try {
        await c.connect()
      } catch (e) {
        down()
        throw e
      }
      live = true
      connects++
      return c
    })())
  return {
    get live() {
      return live
    },
    get connects() {
      return connects
    },
    async listen(tenant, pass, onEnded) {
      subscribers.set(pass, onEnded)
      const channel = passChannel(tenant)
      try {
        const c = await connect()
        if (!channels.has(channel)) {
          // the channel is a hash (letters and digits): quoting it is enough
          await c.query(`LISTEN "${channel}"`)
          channels.add(channel)
        }
        return undefined
      } catch (e) {
        live = false
        return e instanceof Error ? e.message : String(e)
      }
    },
    forget: (pass) => void subscribers.delete(pass),
    async close() {
      const c = await client?.catch(() => undefined)
      client = undefined
      live = false
      await c?.end().catch(() => {})
    },
  }
}

/**
 * The process's listener for the database at `url`, shared by every tenant's apply: one connection, however many
 * boards apply at once; it closes with its last user. `onDown` hears why the connection could not listen (the
 * apply then polls): once per outage, not per pass.
 */
export function pgPassNotices(
  url: string,
  onDown: (reason: string) => void = () => {},
): PassNotices {
  let entry = listeners.get(url)
  if (entry === undefined) {
    entry = { listener: listener(url), users: 0 }
    listeners.set(url, entry)
  }
  entry.users++
  const held = entry
  const shared = held.listener
  /** The connect count at the outage last reported: -1, none reported yet. */
  let reportedAt = -1
  const mine = new Set<string>()
  let closed = false
  return {
    get live() {
      return shared.live
    },
    async subscribe(tenant, pass, onEnded) {
      mine.add(pass)
      const failed = await shared.listen(tenant, pass, onEnded)
      if (failed !== undefined && reportedAt !== shared.connects) {
        reportedAt = shared.connects
        onDown(failed)
      }
      return () => {
        mine.delete(pass)
        shared.forget(pass)
      }
    },
    async close() {
      if (closed) return
      closed = true
      for (const pass of mine) shared.forget(pass)
      held.users--
      if (held.users > 0) return
      if (listeners.get(url) === held) listeners.delete(url)
      await shared.close()
    },
  }
}
