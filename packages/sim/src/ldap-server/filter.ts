// Search filters (RFC 4511 §4.5.1) and their three-valued evaluation against an entry, with slapd's
// semantics: an unknown attribute or a rule the attribute lacks gives Undefined (which NOT keeps Undefined),
// objectClass equality also matches subclasses. It also picks index candidates for a filter.
import type { Attr, Entry } from './entry.ts'
import { compareOrdering, decodeValue, equalityKey, matchesSubstrings } from './matching.ts'
import { attributeType, objectClass } from './schema.ts'

export type Filter =
  | { readonly kind: 'and' | 'or'; readonly filters: readonly Filter[] }
  | { readonly kind: 'not'; readonly filter: Filter }
  | {
      readonly kind: 'equality' | 'ge' | 'le' | 'approx'
      readonly attribute: string
      readonly value: Buffer
    }
  | {
      readonly kind: 'substrings'
      readonly attribute: string
      readonly initial?: string
      readonly any: readonly string[]
      readonly final?: string
    }
  | { readonly kind: 'present'; readonly attribute: string }
  | {
      readonly kind: 'extensible'
      readonly rule?: string
      readonly attribute?: string
      readonly value: Buffer
      readonly dnAttributes: boolean
    }

/** How the filter reads an attribute of an entry, virtual ones (entryDN, hasSubordinates) included. */
export type AttributeReader = (entry: Entry, key: string) => Attr | undefined

export const MATCH_ALL: Filter = { kind: 'present', attribute: 'objectClass' }

export function evaluate(filter: Filter, entry: Entry, read: AttributeReader): boolean | undefined {
  switch (filter.kind) {
    case 'and': {
      let result: boolean | undefined = true
      for (const f of filter.filters) {
        const r = evaluate(f, entry, read)
        if (r === false) return false
        if (r === undefined) result = undefined
      }
      return result
    }
    case 'or': {
      let result: boolean | undefined = false
      for (const f of filter.filters) {
        const r = evaluate(f, entry, read)
        if (r === true) return true
        if (r === undefined) result = undefined
      }
      return result
    }
    case 'not': {
      const r = evaluate(filter.filter, entry, read)
      return r === undefined ? undefined : !r
    }
    case 'present': {
      const type = attributeType(filter.attribute)
      if (type === undefined) return false
      return type.key === 'objectclass' || read(entry, type.key) !== undefined
    }
    case 'equality':
    case 'approx':
      return evaluateEquality(filter.attribute, filter.value, entry, read)
    case 'ge':
    case 'le': {
      const type = attributeType(filter.attribute)
      if (type?.ordering === undefined) return undefined
      const attr = read(entry, type.key)
      if (attr === undefined) return false
      const assertion = filter.value.toString('utf8')
      for (const v of attr.values) {
        const c = compareOrdering(type, v, assertion)
        if (c === undefined) return undefined
        if (filter.kind === 'ge' ? c >= 0 : c <= 0) return true
      }
      return false
    }
    case 'substrings': {
      const type = attributeType(filter.attribute)
      if (type?.substr === undefined) return undefined
      const attr = read(entry, type.key)
      if (attr === undefined) return false
      return attr.values.some((v) => matchesSubstrings(type, v, filter) === true)
    }
    case 'extensible':
      // only the plain form (attr:=value) without a rule or :dn: is supported; the rest is Undefined
      if (filter.rule !== undefined || filter.attribute === undefined || filter.dnAttributes)
        return undefined
      return evaluateEquality(filter.attribute, filter.value, entry, read)
  }
}

function evaluateEquality(
  attribute: string,
  raw: Buffer,
  entry: Entry,
  read: AttributeReader,
): boolean | undefined {
  const type = attributeType(attribute)
  if (type === undefined) return undefined
  const value = decodeValue(type, raw)
  const key = value === undefined ? undefined : equalityKey(type, value)
  if (key === undefined) return undefined
  const attr = read(entry, type.key)
  if (attr === undefined) return false
  if (type.key === 'objectclass') {
    return (
      attr.values.some(
        (v) => typeof v === 'string' && objectClass(v)?.chain.some((c) => c.key === key),
      ) || attr.keys.includes(key)
    )
  }
  return attr.keys.includes(key)
}

/** Equality lookups that can narrow a search: `lookup` returns undefined for an attribute it does not index. */
export type IndexLookup = (
  attributeKey: string,
  valueKey: string,
) => ReadonlySet<number> | undefined

/** Entry ids that include every match of the filter, or undefined when the index cannot narrow it. */
export function candidates(filter: Filter, lookup: IndexLookup): ReadonlySet<number> | undefined {
  switch (filter.kind) {
    case 'equality': {
      const type = attributeType(filter.attribute)
      if (type === undefined) return undefined
      const value = decodeValue(type, filter.value)
      const key = value === undefined ? undefined : equalityKey(type, value)
      return key === undefined ? undefined : lookup(type.key, key)
    }
    case 'not':
    case 'present':
    case 'approx':
    case 'ge':
    case 'le':
    case 'substrings':
    case 'extensible':
      return undefined
    case 'and': {
      let best: ReadonlySet<number> | undefined
      for (const f of filter.filters) {
        const c = candidates(f, lookup)
        if (c !== undefined && (best === undefined || c.size < best.size)) best = c
      }
      return best
    }
    case 'or': {
      const union = new Set<number>()
      for (const f of filter.filters) {
        const c = candidates(f, lookup)
        if (c === undefined) return undefined
        for (const id of c) union.add(id)
      }
      return union
    }
  }
}
