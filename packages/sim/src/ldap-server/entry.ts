// The stored shape of a directory entry: an immutable record of its DN, its parent's id and its attributes,
// each attribute with its values and their equality keys (computed once, because DN-valued attributes such
// as `member` of a big group are compared on every modify). Changes make new records; see directory.ts.
import type { Dn } from './dn-key.ts'
import { equalityKey, type Value } from './matching.ts'
import type { AttributeType } from './schema.ts'

export interface Attr {
  readonly type: AttributeType
  readonly values: readonly Value[]
  /** equalityKey of each value; undefined where the type has no equality rule. */
  readonly keys: readonly (string | undefined)[]
}

export type Attrs = ReadonlyMap<string, Attr>

export interface Entry {
  /** Creation order; also the order slapd's back-mdb returns entries in. */
  readonly id: number
  readonly dn: Dn
  readonly parent: number | undefined
  readonly attrs: Attrs
}

export function makeAttr(type: AttributeType, values: readonly Value[]): Attr {
  return { type, values, keys: values.map((v) => equalityKey(type, v)) }
}

/** Index of a value equal to `value` in the attribute, or -1. Without an equality rule, bytes must be equal. */
export function indexOfValue(attr: Attr, value: Value): number {
  const key = equalityKey(attr.type, value)
  if (key !== undefined) return attr.keys.indexOf(key)
  return attr.values.findIndex((v) => Buffer.compare(Buffer.from(v), Buffer.from(value)) === 0)
}

export function firstString(attrs: Attrs, key: string): string | undefined {
  const v = attrs.get(key)?.values[0]
  return typeof v === 'string' ? v : undefined
}
