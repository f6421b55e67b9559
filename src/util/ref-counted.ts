// A registry of resources shared by key within a process (a pool, a session, a set of worker resources): the first
// user opens one, later users share it, and it closes when its last user lets it go, never while another still
// uses it. Tenants of one process share connections this way, so their number does not multiply them.

export interface Lease<V> {
  readonly value: V
  /** Lets the value go; the last user's release closes it. Calling it twice releases once. */
  release(): Promise<void>
}

interface Entry<V> {
  readonly value: V
  users: number
}

export class RefCounted<K, V> {
  readonly #entries = new Map<K, Entry<V>>()
  readonly #close: (value: V) => Promise<void> | void

  constructor(close: (value: V) => Promise<void> | void) {
    this.#close = close
  }

  /** The value under `key`, opened by `open` when there is none. */
  acquire(key: K, open: () => V): Lease<V> {
    let entry = this.#entries.get(key)
    if (entry === undefined) {
      entry = { value: open(), users: 0 }
      this.#entries.set(key, entry)
    }
    entry.users++
    const held = entry
    let released = false
    return {
      value: held.value,
      release: async () => {
        if (released) return
        released = true
        held.users--
        if (held.users > 0) return
        // a value forgotten meanwhile may have a successor under the same key: that one stays
        if (this.#entries.get(key) === held) this.#entries.delete(key)
        await this.#close(held.value)
      },
    }
  }

  /**
   * Stops handing out `value` under `key` (it broke): the next acquire opens a new one. Its users still release
   * it, and the last of them closes it.
   */
  forget(key: K, value: V): void {
    if (this.#entries.get(key)?.value === value) this.#entries.delete(key)
  }

  /** Values open and handed out under a key. */
  get size(): number {
    return this.#entries.size
  }
}
