// Maps between Koppel attributes and LDAP entries: DN helpers (canonical form, parent, RDN, "is under"),
// attribute values to write, and search entries back to attributes. Pure functions; no I/O.
import type { Entry } from 'ldapts'
import type { AttributeValue, Attributes } from '../../model/index.ts'
import { dnKey, formatDn, parseDn, type Rdn } from '../../protocol/ldap-escape.ts'

export interface Dn {
  readonly rdns: readonly Rdn[]
  /** Canonical string (our escaping, the server's type spelling). */
  readonly text: string
  /** Case-folded comparison key. */
  readonly key: string
}

export function toDn(text: string): Dn {
  const rdns = parseDn(text)
  return { rdns, text: formatDn(rdns), key: dnKey(rdns) }
}

export function fromRdns(rdns: readonly Rdn[]): Dn {
  return { rdns, text: formatDn(rdns), key: dnKey(rdns) }
}

export const parentOf = (dn: Dn): Dn => fromRdns(dn.rdns.slice(1))

/** `dn` with its first RDN kept and its parent replaced. */
export const moveUnder = (dn: Dn, parent: Dn): Dn =>
  fromRdns([...dn.rdns.slice(0, 1), ...parent.rdns])

/** True when `dn` is `base` or below it. */
export function isUnder(dn: Dn, base: Dn): boolean {
  return dn.key === base.key || dn.key.endsWith(`,${base.key}`) || base.key === ''
}

const DESCRIPTOR = /^(?:[A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9-]+)*|\d+(?:\.\d+)+)$/

/** Attribute names end up in requests and filters: only LDAP descriptors or OIDs are accepted. */
export function isAttributeName(name: string): boolean {
  return DESCRIPTOR.test(name)
}

/** Values as ldapts wants them; empty string or empty list means "no value". */
export function toLdapValues(value: AttributeValue | undefined): string[] {
  if (value === undefined) return []
  const list = typeof value === 'string' ? [value] : [...value]
  return list.filter((v) => v !== '')
}

/** One entry value as an attribute value: single stays a string, several become a list. */
function fromLdapValue(raw: Entry[string]): AttributeValue | undefined {
  const list = (Array.isArray(raw) ? raw : [raw]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('base64') : v,
  )
  if (list.length === 0) return undefined
  return list.length === 1 ? (list[0] as string) : list
}

/** Reads a single string value, case-insensitively by name. */
export function entryValue(entry: Entry, name: string): string | undefined {
  const value = entryAttribute(entry, name)
  return value === undefined ? undefined : typeof value === 'string' ? value : value[0]
}

export function entryAttribute(entry: Entry, name: string): AttributeValue | undefined {
  const lower = name.toLowerCase()
  for (const [key, raw] of Object.entries(entry)) {
    if (key !== 'dn' && key.toLowerCase() === lower) return fromLdapValue(raw)
  }
  return undefined
}

/**
 * Attributes of a search entry. With `names`, only those (spelled as asked); without, every returned user
 * attribute except `skip` (connector-owned bookkeeping such as the disable flag).
 */
export function entryAttributes(
  entry: Entry,
  names: readonly string[],
  skip: readonly string[],
): Attributes {
  const out: Record<string, AttributeValue> = {}
  const skipped = new Set(['dn', 'entryuuid', ...skip.map((s) => s.toLowerCase())])
  if (names.length > 0) {
    for (const name of names) {
      const value = entryAttribute(entry, name)
      if (value !== undefined) out[name] = value
    }
    return out
  }
  for (const key of Object.keys(entry)) {
    if (skipped.has(key.toLowerCase())) continue
    const value = fromLdapValue(entry[key] as Entry[string])
    if (value !== undefined) out[key] = value
  }
  return out
}

/** The entry to add: every non-empty attribute except `dn`, with the configured object classes by default. */
export function toAddEntry(
  attributes: Attributes,
  objectClasses: readonly string[],
): Record<string, string[]> {
  const entry: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(attributes)) {
    if (name.toLowerCase() === 'dn') continue
    const values = toLdapValues(value)
    if (values.length > 0) entry[name] = values
  }
  if (!Object.keys(entry).some((k) => k.toLowerCase() === 'objectclass'))
    entry.objectClass = [...objectClasses]
  return entry
}
