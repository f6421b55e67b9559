/**
 * Conversion between model values and CEL values, in both directions.
 *
 * Into CEL: integer JS numbers become BigInt (CEL `int`, so `contract.grade >= 2` and `grade + 1` work),
 * absent/undefined fields become absent keys (so `has(contract.grade)` is false). Objects that need no change
 * (string-only records such as memberships) are used as they are; others are copied into frozen maps.
 * Each model object is converted once and the result cached in a WeakMap: a person and its contracts are shared
 * by every rule and every mapping, and the model is immutable, so the cache can never go stale.
 *
 * Out of CEL: attribute values are strings or lists of strings (the model's AttributeValue).
 */
import type { AttributeValue } from '../model/values.ts'

const converted = new WeakMap<object, unknown>()

export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value
  if (typeof value === 'object' && value !== null) return convertObject(value)
  return value
}

function convertObject(value: object): unknown {
  const hit = converted.get(value)
  if (hit !== undefined) return hit
  let out: unknown = value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      const c = v === undefined ? undefined : toCel(v)
      if (copy === undefined && (c !== v || v === undefined)) copy = value.slice(0, i)
      if (copy !== undefined && c !== undefined) copy.push(c)
    }
    if (copy !== undefined) out = Object.freeze(copy)
  } else if (!(value instanceof Date || value instanceof Map || value instanceof Uint8Array)) {
    const record = value as Record<string, unknown>
    let copy: Record<string, unknown> | undefined
    const keys = Object.keys(record)
    if (clashes(keys)) {
      out = new Map(keys.filter((k) => record[k] !== undefined).map((k) => [k, toCel(record[k])]))
      converted.set(value, out)
      return out
    }
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string
      const v = record[k]
      const c = v === undefined ? undefined : toCel(v)
      if (copy === undefined && (c !== v || v === undefined)) {
        // A plain object: a null prototype would put V8 in dictionary mode, five times slower to build.
        copy = {}
        for (let j = 0; j < i; j++) copy[keys[j] as string] = record[keys[j] as string]
      }
      if (copy !== undefined && c !== undefined) copy[k] = c
    }
    if (copy !== undefined) out = Object.freeze(copy)
  }
  // Objects used as they are (memberships, string-only records) are not remembered: rescanning one is cheaper
  // than a WeakMap entry, and they are only reached through a parent whose conversion is remembered.
  if (out !== value) converted.set(value, out)
  return out
}

// cel-js tells maps from other objects by `.constructor`, so a source attribute named "constructor" (or
// "__proto__") cannot live in an object; a Map holds any key.
const clashes = (keys: readonly string[]) =>
  keys.includes('constructor') || keys.includes('__proto__')

/** A CEL result as one attribute value; null and undefined mean "leave the attribute out". */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined
  if (Array.isArray(value) || value instanceof Set) {
    const out: string[] = []
    for (const v of value) {
      if (v === null || v === undefined) continue
      out.push(scalarToString(v))
    }
    return out
  }
  return scalarToString(value)
}

/** A CEL result as a list of ids: a string, or a list of strings; empty strings and nulls are dropped. */
export function toIdList(value: unknown): string[] {
  const v = toAttributeValue(value)
  if (v === undefined) return []
  return (typeof v === 'string' ? [v] : [...v]).filter((s) => s !== '')
}

function scalarToString(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'bigint' || typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v instanceof Date) return v.toISOString()
  throw new Error(`expected a string, number, bool or list of those, got ${describe(v)}`)
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a nested list'
  if (v !== null && typeof v === 'object') return 'a map'
  return typeof v
}
