/**
 * Remembers which strings of a resolved config held secret references, and masks them for display and logs:
 * the string is shown as written with each reference replaced by `***` (`ldaps://${env:H}` → `ldaps://***`).
 * Keyed by the containing object, so copies of the top level keep working; a copied source or target entry
 * loses the mark, which is one reason resolved configs are frozen.
 */
import { REFERENCE } from './secret-reference.ts'

const templates = new WeakMap<object, Map<PropertyKey, string>>()

/** Records that `container[key]` was resolved from `template`. */
export function markResolved(container: object, key: PropertyKey, template: string): void {
  const keys = templates.get(container) ?? new Map<PropertyKey, string>()
  keys.set(key, template)
  templates.set(container, keys)
}

/** A copy of `value` in which every string resolved from a secret reference shows `***` instead. */
export function redact<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  const marked = templates.get(value)
  const mask = (k: PropertyKey, v: unknown): unknown => {
    const template = marked?.get(k)
    return template === undefined ? redact(v) : template.replace(REFERENCE, '***')
  }
  if (Array.isArray(value)) return value.map((v, i) => mask(i, v)) as T
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(k, v)])) as T
}
