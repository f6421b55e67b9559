// A pass's end without polling: a worker that finished a batch of a pass's jobs says so on the tenant's channel
// (a NOTIFY in the statement that gives its target slots back, so no round trip of its own), and the applying
// process LISTENs and looks at the pass's jobs when told, not every 250 ms. A notice is only a hint: the job
// states stay the truth, and the apply still looks now and then (a job pg-boss gives up after its worker died
// sends none).
import { createHash } from 'node:crypto'
import { listenConnection, type Listening } from './listen-connection.ts'

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
  /** Resolves with why it could not listen, or undefined when it listens. */
  listen(tenant: string, pass: string, onEnded: (jobs: number) => void): Promise<string | undefined>
  forget(pass: string): void
  close(): Promise<void>
}

/** The pass notices of a process and database, on its one listen connection (listen-connection.ts). */
const listeners = new Map<string, { listener: Listener; users: number }>()

function listener(url: string): Listener {
  const connection = listenConnection(url)
  /** Each tenant channel LISTENed, once for all the tenant's passes. */
  const channels = new Map<string, Promise<Listening>>()
  const subscribers = new Map<string, (jobs: number) => void>()
  const hear = (payload: string) => {
    for (const [pass, jobs] of parseNotice(payload)) subscribers.get(pass)?.(jobs)
  }
  return {
    get live() {
      return connection.live
    },
    async listen(tenant, pass, onEnded) {
      subscribers.set(pass, onEnded)
      const channel = passChannel(tenant)
      let listening = channels.get(channel)
      if (listening === undefined) {
        listening = connection.listen(channel, hear)
        channels.set(channel, listening)
        // a channel that could not be LISTENed is tried again by the next pass
        listening.catch(() => channels.delete(channel))
      }
      try {
        await listening
        return undefined
      } catch (e) {
        return e instanceof Error ? e.message : String(e)
      }
    },
    forget: (pass) => void subscribers.delete(pass),
    async close() {
      const open = [...channels.values()]
      channels.clear()
      for (const l of await Promise.allSettled(open)) if (l.status === 'fulfilled') l.value.close()
    },
  }
}

/**
 * The process's pass notices for the database at `url`, shared by every tenant's apply: one connection (shared
 * with pg-boss's wake-ups), however many boards apply at once. `onDown` hears why the connection could not
 * listen (the apply then polls): once per outage, not per pass.
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
  /** This user was told of the outage it is in. */
  let reported = false
  const mine = new Set<string>()
  let closed = false
  return {
    get live() {
      return shared.live
    },
    async subscribe(tenant, pass, onEnded) {
      mine.add(pass)
      const failed = await shared.listen(tenant, pass, onEnded)
      if (failed === undefined) reported = false
      else if (!reported) {
        reported = true
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
