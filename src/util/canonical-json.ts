import { createHash, type Hash } from 'node:crypto'

/**
 * JSON with object keys sorted at every level, so that equal data gives equal bytes (plan hashes, audit
 * chain, config hash). Undefined values are dropped, as JSON.stringify does.
 *
 * Defined as `JSON.stringify(value, replacer)` with a replacer that copies every object into one built from its
 * sort()ed keys (so keys that are array indexes come first, in numeric order, and a `__proto__` key is lost).
 * Computed without the replacer: objects whose keys are already in that order are kept as they are, the others
 * copied, and native JSON.stringify writes the result; the text is the same, at a fraction of the cost.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value, ''))
}

export interface CanonicalSink {
  push(text: string): void
}

/**
 * The canonical JSON of `items` as an array, into `sink` in slices, so that a plan's 100,000s of actions never
 * become one string: the concatenation is canonicalJson(items).
 *
 * Each item is stringified on its own and GROUP of them joined: one JSON.stringify over a slice of 512 actions
 * took 2.5× the CPU of 512 calls (230,000 actions: 3.3–4.0 s against 1.1–1.5 s, docs/benchmarks.md), as one
 * name beyond Latin-1 makes the whole slice's text two-byte and the stringifier grows one large buffer.
 */
export function canonicalJsonListTo(items: readonly unknown[], sink: CanonicalSink): void {
  if (items.length === 0) return sink.push('[]')
  const group: string[] = []
  for (let i = 0; i < items.length; i++) {
    // an item JSON cannot write (undefined, a function, a symbol) is null inside an array
    group.push(JSON.stringify(canonical(items[i], i)) ?? 'null')
    if (group.length === GROUP || i === items.length - 1) {
      const text = group.join(',')
      const first = i < GROUP
      sink.push(
        first
          ? i === items.length - 1
            ? `[${text}]`
            : `[${text}`
          : `,${text}${i === items.length - 1 ? ']' : ''}`,
      )
      group.length = 0
    }
  }
}

const GROUP = 64

/** Feeds text to a hash in chunks of about 64k characters (fewer, larger updates). */
export class HashSink implements CanonicalSink {
  readonly #hash: Hash
  #buffer = ''

  constructor(algorithm = 'sha256') {
    this.#hash = createHash(algorithm)
  }

  push(text: string): void {
    if (text.length >= CHUNK) {
      if (this.#buffer !== '') this.#hash.update(this.#buffer)
      this.#buffer = ''
      this.#hash.update(text)
      return
    }
    this.#buffer += text
    if (this.#buffer.length >= CHUNK) {
      this.#hash.update(this.#buffer)
      this.#buffer = ''
    }
  }

  digest(): string {
    if (this.#buffer !== '') this.#hash.update(this.#buffer)
    this.#buffer = ''
    return this.#hash.digest('hex')
  }
}

const CHUNK = 1 << 16

/**
 * `value` as the replacer would hand it to JSON.stringify: toJSON applied, every object with its keys in sorted
 * order. Returns `value` itself when nothing in it needs to change, so already-canonical data is not copied.
 */
function canonical(value: unknown, key: string | number): unknown {
  let v = value
  if (v === null || (typeof v !== 'object' && typeof v !== 'bigint')) return v
  const toJSON = (v as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, String(key))
  if (v === null || typeof v !== 'object') return v
  // JSON.stringify calls toJSON once; an object that still has one (a toJSON result with its own) must not reach
  // it again: it is copied without the method, which JSON.stringify would leave out anyway (it is a function)
  const again = typeof (v as { toJSON?: unknown }).toJSON === 'function'
  if (Array.isArray(v) && !again) {
    let out: unknown[] | undefined
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i]
      const c = canonical(x, i)
      if (out === undefined && c !== x) out = v.slice(0, i)
      if (out !== undefined) out.push(c)
    }
    return out ?? v
  }
  const record = v as Record<string, unknown>
  const keys = Object.keys(record)
  // Boxed primitives: JSON.stringify would unwrap the object itself, but the replacer copies it first.
  let inOrder =
    !again &&
    !(v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt)
  for (let i = 0; inOrder && i < keys.length; i++) {
    const k = keys[i] as string
    // a copy built by assignment loses `__proto__`; kept as it is, it would be written
    if (k === '__proto__' || (i > 0 && (keys[i - 1] as string) > k)) inOrder = false
  }
  if (inOrder) {
    let out: Record<string, unknown> | undefined
    for (const k of keys) {
      const x = record[k]
      if (x === null || (typeof x !== 'object' && typeof x !== 'bigint')) continue
      const c = canonical(x, k)
      if (c === x) continue
      out ??= { ...record }
      out[k] = c
    }
    return out ?? v
  }
  const out: Record<string, unknown> = {}
  for (const k of sortedKeys(keys)) {
    if (again && k === 'toJSON' && typeof record[k] === 'function') continue
    out[k] = canonical(record[k], k)
  }
  return out
}

/**
 * `keys` sorted, remembered per key list: a plan's 100,000s of actions share a handful of key orders, and
 * sorting each object's keys again was a fifth of the plan hash's CPU (docs/benchmarks.md). A list is
 * recognised by its keys one by one (property names are internalised strings, so === is a pointer compare).
 * Bounded, so that objects with many different keys (attribute maps) only cost a sort each, as before.
 */
function sortedKeys(keys: readonly string[]): readonly string[] {
  const first = keys[0]
  if (first === undefined) return keys
  let seen = ORDERS.get(first)
  if (seen !== undefined) {
    next: for (const o of seen) {
      if (o.keys.length !== keys.length) continue
      for (let i = 1; i < keys.length; i++) if (o.keys[i] !== keys[i]) continue next
      return o.sorted
    }
  } else if (ORDERS.size < MAX_FIRST_KEYS) ORDERS.set(first, (seen = []))
  const sorted = [...keys].sort()
  if (seen !== undefined && seen.length < MAX_ORDERS_PER_FIRST_KEY) seen.push({ keys, sorted })
  return sorted
}

const ORDERS = new Map<string, { keys: readonly string[]; sorted: readonly string[] }[]>()
const MAX_FIRST_KEYS = 256
const MAX_ORDERS_PER_FIRST_KEY = 8

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
