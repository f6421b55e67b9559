/**
 * `serve.poll`: a source that can say which records changed (`changesSince`, OneRoster REST's
 * `filter=dateLastModified>'…'`) is asked every few seconds; the records it names go into the same change
 * queue as the webhooks' and are planned alone. The cursor is the source's own marker and lives in this process:
 * at start it is the newest marker then, so changes made while serve was down are the nightly schedule's.
 */
import type { SourceConnector } from '../contract/index.ts'
import type { Change } from './change-queue.ts'

export interface ChangePollOptions {
  readonly source: SourceConnector
  readonly everyMs: number
  readonly changed: (change: Change) => void
  readonly warn: (fields: Record<string, unknown>, message: string) => void
  readonly signal: AbortSignal
}

export interface ChangePoller {
  /** Resolves after the first ask (the starting cursor), so a change made after start is never missed. */
  readonly started: Promise<void>
  stop(): Promise<void>
}

export function pollChanges(o: ChangePollOptions): ChangePoller {
  const ask = o.source.changesSince?.bind(o.source)
  if (ask === undefined)
    throw new Error(`source ${o.source.name} (${o.source.type}) cannot say which records changed`)
  let cursor: string | undefined
  let busy: Promise<void> | undefined
  const poll = async (): Promise<void> => {
    try {
      const r = await ask(cursor, { signal: o.signal })
      cursor = r.cursor
      if (r.ids.length > 0) o.changed({ source: o.source.name, ids: r.ids })
    } catch (e) {
      // the cursor stays: the next ask covers this one's changes too
      if (!o.signal.aborted)
        o.warn(
          { source: o.source.name, err: e instanceof Error ? e.message : String(e) },
          'asking the source for changes failed; asked again next time',
        )
    }
  }
  const started = (busy = poll().finally(() => (busy = undefined)))
  const timer = setInterval(() => {
    busy ??= poll().finally(() => (busy = undefined))
  }, o.everyMs)
  timer.unref()
  return {
    started,
    async stop() {
      clearInterval(timer)
      await busy
    },
  }
}
