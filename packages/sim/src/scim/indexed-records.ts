// The simulator's record store: a Map by id that also keeps, for a few attributes, which ids hold each value, so
// an equality look-up or a uniqueness check costs the matches, not the whole list. At 100 boards one simulator
// holds every board's users, and a scan per request made its cost grow with all of them (issue 18). The index
// is kept in step by set() and delete() themselves, so every write path (POST, PUT, PATCH, Bulk, DELETE, a
// bench filling the map) updates it.
import { attributeValue } from './eq-filter.ts'

export interface IndexedAttribute {
  readonly name: string
  /** false: values are folded with toLowerCase() (RFC 7643 §2.2 caseExact false, e.g. userName). */
  readonly caseExact: boolean
}

type Keyed = Record<string, unknown> & { readonly id: string }

export class IndexedRecords<R extends Keyed> extends Map<string, R> {
  readonly #attributes: ReadonlyMap<string, IndexedAttribute>
  readonly #byValue = new Map<string, Map<string, Set<string>>>()
  // a record's place in the map's iteration order, so that several matches come back in the order a scan gives
  readonly #order = new Map<string, number>()
  #next = 0

  constructor(attributes: readonly IndexedAttribute[]) {
    super()
    this.#attributes = new Map(attributes.map((a) => [a.name.toLowerCase(), a]))
    for (const a of attributes) this.#byValue.set(a.name.toLowerCase(), new Map())
  }

  /** Whether equality on this attribute name (any case, as SCIM attribute names are) is indexed. */
  indexes(attribute: string): boolean {
    return this.#attributes.has(attribute.toLowerCase())
  }

  /**
   * The records whose `attribute` equals `value` under the index's comparison (folded or exact), in the map's
   * order, or undefined when the attribute is not indexed. A caller with a stricter comparison filters these.
   */
  matching(attribute: string, value: string): R[] | undefined {
    const a = this.#attributes.get(attribute.toLowerCase())
    if (a === undefined) return undefined
    const ids = this.#byValue.get(a.name.toLowerCase())?.get(fold(a, value))
    if (ids === undefined) return []
    const out: R[] = []
    for (const id of ids) out.push(super.get(id) as R)
    if (out.length > 1)
      out.sort((x, y) => (this.#order.get(x.id) ?? 0) - (this.#order.get(y.id) ?? 0))
    return out
  }

  override set(id: string, record: R): this {
    const before = super.get(id)
    if (before !== undefined) this.#unindex(id, before)
    else this.#order.set(id, this.#next++)
    this.#index(id, record)
    return super.set(id, record)
  }

  override delete(id: string): boolean {
    const before = super.get(id)
    if (before === undefined) return false
    this.#unindex(id, before)
    this.#order.delete(id)
    return super.delete(id)
  }

  override clear(): void {
    for (const m of this.#byValue.values()) m.clear()
    this.#order.clear()
    super.clear()
  }

  #index(id: string, record: R): void {
    for (const [name, a] of this.#attributes) {
      const v = attributeValue(record, a.name)
      if (typeof v !== 'string') continue
      const byValue = this.#byValue.get(name) as Map<string, Set<string>>
      const key = fold(a, v)
      let ids = byValue.get(key)
      if (ids === undefined) byValue.set(key, (ids = new Set()))
      ids.add(id)
    }
  }

  #unindex(id: string, record: R): void {
    for (const [name, a] of this.#attributes) {
      const v = attributeValue(record, a.name)
      if (typeof v !== 'string') continue
      const byValue = this.#byValue.get(name) as Map<string, Set<string>>
      const key = fold(a, v)
      const ids = byValue.get(key)
      ids?.delete(id)
      if (ids?.size === 0) byValue.delete(key)
    }
  }
}

const fold = (a: IndexedAttribute, value: string) => (a.caseExact ? value : value.toLowerCase())
