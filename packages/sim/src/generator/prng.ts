// Seeded pseudo-random numbers for the generator: sfc32 seeded from a string hash (cyrb128).
// Deterministic across platforms and Node versions; never touches Math.random. Not for cryptography.

/** Hashes any number of seed parts into four 32-bit words (cyrb128). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= h2 ^ h3 ^ h4
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const hex4 = (n: number) => (HEX[(n >>> 8) & 0xff] as string) + (HEX[n & 0xff] as string)
const hex8 = (n: number) => hex4(n >>> 16) + hex4(n & 0xffff)

/** A weighted choice table, built once and sampled many times by binary search. */
export interface WeightedTable<T> {
  readonly items: readonly T[]
  readonly cumulative: Float64Array
  readonly total: number
}

export function weightedTable<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  const cumulative = new Float64Array(entries.length)
  let total = 0
  entries.forEach(([, w], i) => {
    if (!(w > 0)) throw new RangeError(`weight must be positive, got ${w} at index ${i}`)
    total += w
    cumulative[i] = total
  })
  return { items: entries.map(([item]) => item), cumulative, total }
}

/** sfc32 generator; `fork` derives an independent stream so that one school never shifts another. */
export class Rng {
  // Kept as int32 from the start: V8 then stores the fields unboxed (uint32 values made it 10x slower).
  #a = 0
  #b = 0
  #c = 0
  #d = 0

  constructor(...seedParts: readonly (string | number)[]) {
    const [a, b, c, d] = cyrb128(seedParts.join('\u241f'))
    this.#a = a | 0
    this.#b = b | 0
    this.#c = c | 0
    this.#d = d | 0
    for (let i = 0; i < 12; i++) this.uint32()
  }

  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Uniform integer in [min, max] inclusive. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[this.int(items.length)] as T
  }

  weighted<T>(table: WeightedTable<T>): T {
    const x = this.next() * table.total
    const c = table.cumulative
    let lo = 0
    let hi = c.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((c[mid] as number) > x) hi = mid
      else lo = mid + 1
    }
    return table.items[lo] as T
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = out[i] as T
      out[i] = out[j] as T
      out[j] = tmp
    }
    return out
  }

  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffled(items).slice(0, Math.max(0, Math.min(k, items.length)))
  }

  /** A version-4-shaped UUID drawn from this stream (stable for a seed, unlike crypto.randomUUID). */
  uuid(): string {
    const a = this.uint32()
    const b = this.uint32()
    const c = this.uint32()
    const d = this.uint32()
    return (
      `${hex8(a)}-${hex4(b >>> 16)}-4${hex4(b & 0xfff).slice(1)}-${hex4(((c >>> 16) & 0x3fff) | 0x8000)}-` +
      `${hex4(c & 0xffff)}${hex8(d)}`
    )
  }

  fork(...parts: readonly (string | number)[]): Rng {
    return new Rng(this.uint32(), ...parts)
  }
}
