/**
 * A set of strings for the one job of spotting duplicate sourcedIds among a million enrollment rows. A built-in
 * Set takes about 1 s to take 1.3 million strings on this machine (its table is rebuilt and garbage-collected at
 * every doubling); open addressing over an Int32Array of indices takes a fraction of that. Add-only.
 *
 * Keys are not kept as strings but copied into one byte arena: a sourcedId cut from a read chunk is a view that
 * keeps the whole chunk alive, so keeping the strings kept all of enrollments.csv (and a million string objects)
 * in memory until the read ended. Strings with a code unit above 255 (never valid sourcedIds) go to a plain Set;
 * they cannot equal an arena key, so the two parts never overlap.
 */
export class StringSet {
  /** Key k's code units are #bytes[#ends[k-1] .. #ends[k]) (with #ends[-1] = 0). */
  #bytes = new Uint8Array(1 << 16)
  #ends = new Int32Array(1 << 12)
  /** Each key's hash, so growing does not hash a million strings again, and most probes compare no bytes. */
  #hashes = new Int32Array(1 << 12)
  #count = 0
  #slots = new Int32Array(1 << 16)
  #mask = (1 << 16) - 1
  readonly #wide = new Set<string>()

  get size(): number {
    return this.#count + this.#wide.size
  }

  /** Adds `s`; returns false when it was already there. */
  add(s: string): boolean {
    return this.#find(s, true)
  }

  has(s: string): boolean {
    return !this.#find(s, false)
  }

  /** Returns true when `s` was absent (and adds it when `insert`). */
  #find(s: string, insert: boolean): boolean {
    const n = s.length
    const used = this.#count === 0 ? 0 : (this.#ends[this.#count - 1] as number)
    if (used + n > this.#bytes.length) this.#growBytes(used + n)
    const bytes = this.#bytes
    // hash while copying the code units to the free end of the arena, where they stay if the key is new
    let h = 0x811c9dc5
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > 255) return insert ? this.#addWide(s) : !this.#wide.has(s)
      bytes[used + i] = c
      h = Math.imul(h ^ c, 0x01000193)
    }
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    const slots = this.#slots
    const mask = this.#mask
    const ends = this.#ends
    const hashes = this.#hashes
    let i = h & mask
    for (;;) {
      const k = slots[i] as number
      if (k === 0) break
      if (hashes[k - 1] === h) {
        const end = ends[k - 1] as number
        const start = k === 1 ? 0 : (ends[k - 2] as number)
        if (end - start === n && sameBytes(bytes, start, used, n)) return false
      }
      i = (i + 1) & mask
    }
    if (!insert) return true
    if (this.#count === ends.length) this.#growKeys()
    this.#ends[this.#count] = used + n
    this.#hashes[this.#count] = h
    slots[i] = ++this.#count
    if (this.#count * 2 >= slots.length) this.#grow()
    return true
  }

  #addWide(s: string): boolean {
    if (this.#wide.has(s)) return false
    this.#wide.add(s)
    return true
  }

  #growBytes(need: number): void {
    let size = this.#bytes.length * 2
    while (size < need) size *= 2
    const bytes = new Uint8Array(size)
    bytes.set(this.#bytes)
    this.#bytes = bytes
  }

  #growKeys(): void {
    const ends = new Int32Array(this.#ends.length * 2)
    ends.set(this.#ends)
    this.#ends = ends
    const hashes = new Int32Array(this.#hashes.length * 2)
    hashes.set(this.#hashes)
    this.#hashes = hashes
  }

  #grow(): void {
    const size = this.#slots.length * 2
    const slots = new Int32Array(size)
    const mask = size - 1
    const hashes = this.#hashes
    for (let k = 0; k < this.#count; k++) {
      let i = (hashes[k] as number) & mask
      while (slots[i] !== 0) i = (i + 1) & mask
      slots[i] = k + 1
    }
    this.#slots = slots
    this.#mask = mask
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (bytes[a + i] !== bytes[b + i]) return false
  return true
}
