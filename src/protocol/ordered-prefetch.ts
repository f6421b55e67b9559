/**
 * Runs up to `window` paged listings at once and hands their items out strictly in listing order, so that a
 * source reading many independent listings (a vestiging's pupils, the next vestiging's groups) waits for the
 * network once per window instead of once per page, while the snapshot it builds is the same as when read one
 * after another. A listing starts only when one of the `window` slots is free: the slot is freed when the
 * consumer has taken the listing's last item. A listing runs at most `ahead` items (pages) ahead of the
 * consumer, so at most `window × ahead` items wait in memory, however long the listings are.
 *
 * A listing that fails fails the whole iteration when the consumer reaches it; ending the iteration early (a
 * `break`, a failure) aborts the listings still running through the signal each was given.
 */
export async function* orderedPrefetch<T>(
  listings: readonly ((signal: AbortSignal) => AsyncIterable<T>)[],
  window: number,
  signal?: AbortSignal,
  ahead = 2,
): AsyncGenerator<T> {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`window must be a whole number ≥ 1, got ${window}`)
  const stop = new AbortController()
  const onAbort = () => stop.abort(signal?.reason)
  if (signal?.aborted === true) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  const slots: Listing<T>[] = []
  const start = (i: number) => {
    const make = listings[i]
    if (make !== undefined) slots[i] = new Listing(make(stop.signal), ahead)
  }
  try {
    for (let i = 0; i < Math.min(window, listings.length); i++) start(i)
    for (let i = 0; i < listings.length; i++) {
      const listing = slots[i] as Listing<T>
      for (;;) {
        const item = listing.take()
        if (item !== undefined) {
          yield item.value
          continue
        }
        if (listing.error !== undefined) throw listing.error.reason
        if (listing.done) break
        await listing.changed()
      }
      delete slots[i]
      start(i + window)
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    stop.abort(new Error('listing no longer wanted'))
    for (const listing of slots) listing?.stop()
  }
}

/** One listing being read: what it has produced so far, and whether it ended. */
class Listing<T> {
  readonly #items: { value: T }[] = []
  readonly #ahead: number
  done = false
  error: { reason: unknown } | undefined
  #wake: (() => void) | undefined
  #room: (() => void) | undefined
  #stopped = false

  constructor(source: AsyncIterable<T>, ahead: number) {
    this.#ahead = ahead
    void this.#run(source)
  }

  /** The next item, if one has come; makes room for the listing to read on. */
  take(): { value: T } | undefined {
    const item = this.#items.shift()
    const room = this.#room
    this.#room = undefined
    room?.()
    return item
  }

  async #run(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const value of source) {
        this.#items.push({ value })
        this.#notify()
        // the next page is asked for only when the consumer has room for it
        while (this.#items.length >= this.#ahead && !this.#stopped)
          await new Promise<void>((resolve) => (this.#room = resolve))
        if (this.#stopped) break // ends the source too (its finally runs)
      }
      this.done = true
    } catch (e) {
      this.error = { reason: e }
    }
    this.#notify()
  }

  /** The consumer has gone: a listing waiting for room ends. */
  stop(): void {
    this.#stopped = true
    const room = this.#room
    this.#room = undefined
    room?.()
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  changed(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve))
  }
}
