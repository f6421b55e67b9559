// Coalesces the anchor look-ups of concurrent creates and finds into one `(|(a=v1)(a=v2)…)` search per batch: a
// look-up waits while an earlier batch is on the wire (or until the current I/O callbacks have run), so under load
// batches fill by themselves and an idle connector adds no delay. The server matches by the attribute's own rule,
// which we cannot reproduce exactly, so entries are sorted back to the values asked for only where that is certain;
// every other value gets its own search, exactly as without batching.
import type { Entry } from 'ldapts'
import { entryAttribute } from './ldap-mapping.ts'

export interface AnchorBatcherOptions {
  /** One search for any number of values of one attribute: every entry the server matched for any of them. */
  readonly search: (attribute: string, values: readonly string[]) => Promise<Entry[]>
  /**
   * Whether the server compares this attribute no more loosely than `looseKey` (case, spaces, punctuation,
   * diacritics); only then can one search's entries be sorted back to its values.
   */
  readonly sortable: (attribute: string) => Promise<boolean>
  readonly maxBatch?: number
  /** Batch searches on the wire at once; more look-ups wait and join the next batch. */
  readonly maxInFlight?: number
}

interface Waiter {
  readonly value: string
  readonly resolve: (entries: Entry[]) => void
  readonly reject: (error: unknown) => void
}

export class AnchorBatcher {
  readonly #o: AnchorBatcherOptions
  readonly #maxBatch: number
  readonly #maxInFlight: number
  readonly #queues = new Map<string, Waiter[]>()
  #inFlight = 0
  #scheduled = false

  constructor(options: AnchorBatcherOptions) {
    this.#o = options
    this.#maxBatch = Math.max(1, options.maxBatch ?? 100)
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1)
  }

  /** Every entry the server matches for `attribute=value`, as one search of its own would return them. */
  find(attribute: string, value: string): Promise<Entry[]> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(attribute)
      if (queue === undefined) this.#queues.set(attribute, [{ value, resolve, reject }])
      else queue.push({ value, resolve, reject })
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#queues.size === 0) return
    this.#scheduled = true
    // setImmediate, not a microtask: the rest of this socket read (more finished adds, so more creates) joins in
    setImmediate(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    for (const [attribute, queue] of this.#queues) {
      if (this.#inFlight >= this.#maxInFlight) return
      const batch = queue.splice(0, this.#maxBatch)
      if (queue.length === 0) this.#queues.delete(attribute)
      this.#inFlight++
      void this.#run(attribute, batch).finally(() => {
        this.#inFlight--
        this.#schedule()
      })
    }
  }

  async #run(attribute: string, waiters: readonly Waiter[]): Promise<void> {
    const values = [...new Set(waiters.map((w) => w.value))]
    let results: Map<string, Promise<Entry[]>>
    try {
      results = await this.#lookUp(attribute, values)
    } catch (e) {
      for (const w of waiters) w.reject(e)
      return
    }
    for (const w of waiters) {
      const found = results.get(w.value) ?? Promise.resolve([])
      found.then(w.resolve, w.reject)
    }
    await Promise.allSettled(results.values())
  }

  /** One promise per value; rejects as a whole only when the batch search itself fails. */
  async #lookUp(
    attribute: string,
    values: readonly string[],
  ): Promise<Map<string, Promise<Entry[]>>> {
    const single = (v: string) => this.#o.search(attribute, [v])
    if (values.length === 1) {
      const [v] = values as [string]
      return new Map([[v, Promise.resolve(await single(v))]])
    }
    const sortable = await this.#o.sortable(attribute).catch(() => false)
    if (!sortable) return new Map(values.map((v) => [v, single(v)]))
    const entries = await this.#o.search(attribute, values)
    const sorted = sortEntries(attribute, values, entries)
    return new Map(
      values.map((v) => [v, sorted.has(v) ? Promise.resolve(sorted.get(v) ?? []) : single(v)]),
    )
  }
}

/**
 * The entries of one OR search per value, for the values where that is certain: an entry holding exactly the value
 * matches it, and no other entry comes close (same `looseKey`). When an entry comes close to no value at all, the
 * server matched by a rule we do not know, and nothing is certain.
 */
export function sortEntries(
  attribute: string,
  values: readonly string[],
  entries: readonly Entry[],
): Map<string, Entry[]> {
  const keyed = entries.map((entry) => {
    const raw = entryAttribute(entry, attribute)
    const held = raw === undefined ? [] : [raw].flat()
    return { entry, exact: new Set(held), loose: new Set(held.map(looseKey)) }
  })
  const placed = new Set<Entry>()
  const out = new Map<string, Entry[]>()
  for (const value of values) {
    const key = looseKey(value)
    const exact = keyed.filter((k) => k.exact.has(value))
    const near = keyed.filter((k) => k.loose.has(key))
    for (const k of near) placed.add(k.entry)
    // exact ⊆ near, so equal sizes mean equal sets
    if (exact.length === near.length)
      out.set(
        value,
        exact.map((k) => k.entry),
      )
  }
  return placed.size === entries.length ? out : new Map()
}

/**
 * Coarser than every equality rule the batcher is used with (caseIgnore/caseExact[IA5], numericString,
 * telephoneNumber, octetString, uuid): compatibility forms, case, diacritics, spaces and punctuation all fall away.
 */
export function looseKey(value: string): string {
  const folded = value.normalize('NFKD').toUpperCase().toLowerCase().normalize('NFKD')
  return folded.replace(/[^\p{L}\p{N}]/gu, '')
}

/** Equality rules whose matches always share a `looseKey`. */
export const SORTABLE_RULES: ReadonlySet<string> = new Set(
  [
    'caseIgnoreMatch',
    'caseExactMatch',
    'caseIgnoreIA5Match',
    'caseExactIA5Match',
    'numericStringMatch',
    'telephoneNumberMatch',
    'octetStringMatch',
    'uuidMatch',
  ].map((r) => r.toLowerCase()),
)
