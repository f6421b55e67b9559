import { createHash, type Hash } from 'node:crypto'

/**
 * JSON with object keys sorted at every level, so that equal data gives equal bytes (plan hashes, audit
 * chain, config hash). Undefined values are dropped, as JSON.stringify does.
 *
 * The text is exactly what `JSON.stringify(value, replacer)` gives with a replacer that copies every object into
 * one with sorted keys — which also means keys that are array indexes ("0", "12") come first in numeric order, as
 * an object holds them, and a `__proto__` key is dropped. It is written by hand (no sorted copies) and can be
 * streamed in pieces (`canonicalJsonTo`), so hashing a plan of 100,000s of actions needs no giant string.
 */
export function canonicalJson(value: unknown): string {
  const out = new TextSink()
  // JSON.stringify(undefined) is undefined, not text
  return writeValue(value, '', out) ? out.text() : (undefined as unknown as string)
}

/** Writes the canonical JSON of `value` (not undefined) into `sink`, in pieces; the concatenation is canonicalJson(value). */
export function canonicalJsonTo(value: unknown, sink: CanonicalSink): void {
  writeValue(value, '', sink)
}

export interface CanonicalSink {
  push(text: string): void
}

/** Collects canonical JSON text and feeds it to a hash in chunks of about 64k characters. */
export class HashSink implements CanonicalSink {
  readonly #hash: Hash
  #buffer = ''

  constructor(algorithm = 'sha256') {
    this.#hash = createHash(algorithm)
  }

  push(text: string): void {
    this.#buffer += text
    if (this.#buffer.length >= CHUNK) {
      this.#hash.update(this.#buffer)
      this.#buffer = ''
    }
  }

  digest(): string {
    this.#hash.update(this.#buffer)
    this.#buffer = ''
    return this.#hash.digest('hex')
  }
}

const CHUNK = 1 << 16

class TextSink implements CanonicalSink {
  #parts: string[] = []
  #buffer = ''

  push(text: string): void {
    this.#buffer += text
    if (this.#buffer.length >= CHUNK) {
      this.#parts.push(this.#buffer)
      this.#buffer = ''
    }
  }

  text(): string {
    if (this.#parts.length === 0) return this.#buffer
    this.#parts.push(this.#buffer)
    return this.#parts.join('')
  }
}

/**
 * One value as JSON.stringify would write it in a property or array slot: returns false when it writes
 * nothing (undefined, a function, a symbol), so the caller can leave the property out or write `null`.
 */
function writeValue(value: unknown, key: string, out: CanonicalSink): boolean {
  let v = value
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
    const toJSON = (v as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key)
  }
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v))
      return true
    case 'number':
      out.push(Number.isFinite(v) ? JSON.stringify(v) : 'null')
      return true
    case 'boolean':
      out.push(v ? 'true' : 'false')
      return true
    case 'undefined':
    case 'function':
    case 'symbol':
      return false
    case 'bigint':
      // as JSON.stringify does
      throw new TypeError('Do not know how to serialize a BigInt')
  }
  if (v === null) {
    out.push('null')
    return true
  }
  if (Array.isArray(v)) {
    out.push('[')
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',')
      if (!writeValue(v[i], String(i), out)) out.push('null')
    }
    out.push(']')
    return true
  }
  const record = v as Record<string, unknown>
  out.push('{')
  let first = true
  for (const k of sortedKeys(record)) {
    const x = record[k]
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue
    out.push(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`)
    first = false
    writeValue(x, k, out)
  }
  out.push('}')
  return true
}

/**
 * Own enumerable keys in the order the sorted copy would hold them: array indexes ascending, then the others in
 * code-unit order. `__proto__` is left out: assigning it to the copy sets the prototype, not a property.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record)
  // Object.keys already lists array indexes first, in ascending order
  let indexes = 0
  while (indexes < keys.length && isArrayIndex(keys[indexes] as string)) indexes++
  const rest = indexes === 0 ? keys : keys.slice(indexes)
  if (rest.length > 1) insertionSort(rest)
  const out = indexes === 0 ? rest : keys.slice(0, indexes).concat(rest)
  const proto = out.indexOf('__proto__')
  if (proto >= 0) out.splice(proto, 1)
  return out
}

function isArrayIndex(k: string): boolean {
  if (k.length === 0 || k.length > 10) return false
  const c = k.charCodeAt(0)
  if (c < 48 || c > 57 || (c === 48 && k.length > 1)) return false
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i)
    if (d < 48 || d > 57) return false
  }
  return Number(k) < 4294967295
}

/** Model objects have a handful of keys: an insertion sort beats Array.prototype.sort's setup. Code-unit order, as sort(). */
function insertionSort(a: string[]): void {
  for (let i = 1; i < a.length; i++) {
    const x = a[i] as string
    let j = i - 1
    while (j >= 0 && (a[j] as string) > x) {
      a[j + 1] = a[j] as string
      j--
    }
    a[j + 1] = x
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
