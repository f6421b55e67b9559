/**
 * Changed records waiting to be planned (from the change webhooks, watched export folders and polled sources).
 * Changes that arrive while a run is going are coalesced per source, so a burst of 100 class changes becomes a
 * few runs, each planning only the records named. A run refused because another process holds the apply lease is
 * retried; a run that failed is not (the next scheduled run plans everyone anyway).
 */
import type { UnattendedOutcome } from '../app/unattended-run.ts'

export interface Change {
  readonly source: string
  readonly ids: readonly string[]
}

export interface ChangeQueueOptions {
  readonly run: (change: Change) => Promise<readonly UnattendedOutcome[]>
  readonly retryMs?: number
  readonly onError?: (e: unknown) => void
}

export class ChangeQueue {
  readonly #pending = new Map<string, { ids: Set<string>; ran: (() => void)[] }>()
  readonly #o: ChangeQueueOptions
  #working: Promise<void> | undefined
  #stopped = false

  constructor(o: ChangeQueueOptions) {
    this.#o = o
  }

  /**
   * Queues the records; resolves when a run has planned them (or failed: the next scheduled run has them).
   * Never resolves for records still waiting when the queue stops (a poller then keeps its older marker).
   */
  add(change: Change): Promise<void> {
    if (this.#stopped) return new Promise(() => {})
    let waiting = this.#pending.get(change.source)
    if (waiting === undefined)
      this.#pending.set(change.source, (waiting = { ids: new Set(), ran: [] }))
    for (const id of change.ids) waiting.ids.add(id)
    const ran = new Promise<void>((resolve) => waiting.ran.push(resolve))
    this.#working ??= this.#drain().finally(() => (this.#working = undefined))
    return ran
  }

  /** Records waiting, per source (for /readyz and tests). */
  pending(): number {
    let n = 0
    for (const w of this.#pending.values()) n += w.ids.size
    return n
  }

  /** Finishes the run in flight; what is still waiting is planned by the next scheduled run. */
  async stop(): Promise<void> {
    this.#stopped = true
    await this.#working
  }

  /** Resolves when nothing waits and nothing runs. */
  async idle(): Promise<void> {
    while (this.#working !== undefined) await this.#working
  }

  async #drain(): Promise<void> {
    while (!this.#stopped && this.#pending.size > 0) {
      const [source, { ids, ran }] = this.#pending.entries().next().value as [
        string,
        { ids: Set<string>; ran: (() => void)[] },
      ]
      this.#pending.delete(source)
      try {
        const outcomes = await this.#o.run({ source, ids: [...ids].sort() })
        if (outcomes.some((x) => x.kind === 'busy')) {
          // another process is applying: the same records again after a pause, with anything newer
          void this.add({ source, ids: [...ids] }).then(() => ran.forEach((r) => r()))
          await new Promise((r) => setTimeout(r, this.#o.retryMs ?? 1_000))
          continue
        }
      } catch (e) {
        this.#o.onError?.(e)
      }
      for (const r of ran) r()
    }
  }
}
