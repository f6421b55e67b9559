/**
 * `serve.poll`: a source that can say which records changed (`changesSince`, OneRoster REST's
 * `filter=dateLastModified>'…'`) is asked every few seconds; the records it names go into the same change
 * queue as the webhooks' and are planned alone. The cursor is the source's own marker (the SIS's clock, never
 * ours). With a `marker` store it survives a restart: it is saved once the records it covers were run, so
 * changes made while serve was down are found by the first poll, and a change queued but not yet run when serve
 * stopped is asked for again.
 *
 * One ask at a time: the next waits until the previous answered, and at least as long as that answer took (a
 * slow SIS sets the pace, never more than half its time spent answering us). A failed ask backs off, doubling
 * the wait up to `maxBackoffMs` (or the SIS's Retry-After, when longer), so a failing SIS is not hammered.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { ConnectorError, type SourceConnector } from '../contract/index.ts'
import type { Change } from './change-queue.ts'

/** Where a source's change marker is kept between runs of serve (the store, per tenant and source). */
export interface ChangeMarkerStore {
  load(): Promise<string | undefined>
  save(marker: string): Promise<void>
}

/** Time for the loop; tests pass a simulated one (nothing here reads the wall clock directly). */
export interface PollClock {
  /** Milliseconds on a monotonic scale. */
  now(): number
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export interface ChangePollOptions {
  readonly source: SourceConnector
  readonly everyMs: number
  /** Queues the change; resolves when a run has planned those records (or given up on them). */
  readonly changed: (change: Change) => Promise<void>
  readonly warn: (fields: Record<string, unknown>, message: string) => void
  readonly signal: AbortSignal
  readonly marker?: ChangeMarkerStore
  readonly clock?: PollClock
  /** The longest wait after failed asks (default 5 minutes). */
  readonly maxBackoffMs?: number
}

export interface ChangePoller {
  /** Resolves after the first ask (the starting cursor), so a change made after start is never missed. */
  readonly started: Promise<void>
  stop(): Promise<void>
}

const realClock: PollClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    // unref'd as the interval before it was: the poll alone does not keep a process alive
    delay(ms, undefined, { signal, ref: false }).catch(() => {
      // aborted: the loop looks at the signal itself
    }),
}

/** How long to wait before the next ask: the interval's rest, or the last answer's time, or the backoff. */
export function nextWaitMs(
  everyMs: number,
  tookMs: number,
  failures: number,
  maxBackoffMs: number,
  retryAfterMs?: number,
): number {
  if (failures === 0) return Math.max(everyMs - tookMs, tookMs)
  const backoff = Math.min(everyMs * 2 ** failures, maxBackoffMs)
  return Math.max(backoff, retryAfterMs ?? 0, tookMs)
}

export function pollChanges(o: ChangePollOptions): ChangePoller {
  const ask = o.source.changesSince?.bind(o.source)
  if (ask === undefined)
    throw new Error(`source ${o.source.name} (${o.source.type}) cannot say which records changed`)
  const clock = o.clock ?? realClock
  const maxBackoffMs = o.maxBackoffMs ?? 300_000
  const stopping = new AbortController()
  const halt = AbortSignal.any([o.signal, stopping.signal])
  let cursor: string | undefined
  let saved: string | undefined
  let failures = 0
  let saves: Promise<void> = Promise.resolve()
  let saving: Promise<void> | undefined

  /** Saves `marker` once `covered` (the run of the records it names) is done; in order, never backwards. */
  const keep = (marker: string, covered: Promise<void>) => {
    const m = o.marker
    if (m === undefined) return
    saves = saves
      .then(() => covered)
      .then(() => {
        if (halt.aborted || marker === saved) return
        saving = m.save(marker).then(() => void (saved = marker))
        return saving.finally(() => (saving = undefined))
      })
      .catch((e: unknown) =>
        o.warn(
          { source: o.source.name, err: e instanceof Error ? e.message : String(e) },
          'the change marker could not be kept; a restart asks from the last kept one',
        ),
      )
  }

  /** One ask; its duration and, on failure, the SIS's Retry-After. */
  const poll = async (): Promise<{ tookMs: number; retryAfterMs?: number }> => {
    const started = clock.now()
    try {
      const r = await ask(cursor, { signal: halt })
      const before = cursor
      cursor = r.cursor
      failures = 0
      if (r.ids.length > 0) keepAfter(r.cursor, o.changed({ source: o.source.name, ids: r.ids }))
      else if (r.cursor !== before) keepAfter(r.cursor, Promise.resolve())
      return { tookMs: clock.now() - started }
    } catch (e) {
      if (cursor !== undefined && ConnectorError.isInstance(e) && e.kind === 'invalid') {
        // a marker the source cannot read (kept by another version, or for another service) would fail forever
        o.warn(
          { source: o.source.name, err: e.message, cursor: cursor.slice(0, 40) },
          'the source refused the change marker; starting again from its newest change',
        )
        cursor = undefined
        return { tookMs: clock.now() - started }
      }
      // the cursor stays: the next ask covers this one's changes too
      failures += 1
      if (!halt.aborted)
        o.warn(
          {
            source: o.source.name,
            err: e instanceof Error ? e.message : String(e),
            failures,
          },
          'asking the source for changes failed; asked again after a pause',
        )
      const retryAfterMs = (e as { retryAfterMs?: unknown } | undefined)?.retryAfterMs
      return {
        tookMs: clock.now() - started,
        ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      }
    }
  }
  const keepAfter = (marker: string | undefined, covered: Promise<void>) => {
    if (marker !== undefined) keep(marker, covered)
  }

  const first = (async () => {
    if (o.marker !== undefined) {
      try {
        saved = cursor = await o.marker.load()
      } catch (e) {
        o.warn(
          { source: o.source.name, err: e instanceof Error ? e.message : String(e) },
          'the kept change marker could not be read; starting from the newest',
        )
      }
    }
    return poll()
  })()
  const loop = (async () => {
    let last = await first
    while (!halt.aborted) {
      await clock.sleep(
        nextWaitMs(o.everyMs, last.tookMs, failures, maxBackoffMs, last.retryAfterMs),
        halt,
      )
      if (halt.aborted) break
      last = await poll()
    }
  })()
  return {
    started: first.then(() => {}),
    async stop() {
      stopping.abort()
      await loop
      await saving
    },
  }
}
