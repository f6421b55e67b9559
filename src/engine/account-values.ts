import type { Attributes } from '../model/index.ts'

// How the planner, apply and write-back read account attributes and key permissions, so that apply and
// write-back need not import the planner for them.

/** An attribute's (first) value, its name matched case-insensitively as directories do. */
export function valueOf(attrs: Attributes, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(attrs)) if (k.toLowerCase() === lower) return stringOf(v)
  return undefined
}

export function stringOf(v: Attributes[string] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0]
}

/** The ledger's key of a permission an account holds: `type:id`. */
export function permissionKey(type: string, id: string): string {
  return `${type}:${id}`
}

/** Ledger permission key `type:id` → [id, type]; a key without a type is a group. */
export function splitPermission(key: string): [string, string] {
  const i = key.indexOf(':')
  return i < 0 ? [key, 'group'] : [key.slice(i + 1), key.slice(0, i)]
}
