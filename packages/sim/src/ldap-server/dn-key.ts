// Distinguished names as the directory uses them: parsed (dn.ts), with every type resolved against the
// schema, a `key` for matching (types canonical, values folded by their equality rule, multi-valued RDNs
// sorted) and a `pretty` form for display as slapd prints it (canonical type names, values as given).
import { DnSyntaxError, escapeDnValue, parseDn } from './dn.ts'
import { fail, ResultCode } from './result-code.ts'
import { attributeType, type AttributeType } from './schema.ts'
import { foldCaseIgnore, folderFor } from './string-match.ts'

export interface Ava {
  readonly type: AttributeType
  /** As given, escapes resolved. */
  readonly value: string
  /** Folded by the type's equality rule. */
  readonly norm: string
}

export type Rdn = readonly Ava[]

export interface Dn {
  readonly rdns: readonly Rdn[]
  readonly key: string
  readonly pretty: string
}

export const ROOT_DN: Dn = { rdns: [], key: '', pretty: '' }

/** Parses and resolves a DN, or undefined when it is not a valid DN for this schema. */
export function tryDn(text: string): Dn | undefined {
  try {
    return dnFromRdns(parseDn(text).map((rdn) => rdn.map((ava) => resolveAva(ava.type, ava.value))))
  } catch (e) {
    if (e instanceof DnSyntaxError) return undefined
    throw e
  }
}

/** Parses and resolves a DN, or fails with invalidDNSyntax (34) as slapd does. */
export function toDn(text: string): Dn {
  return tryDn(text) ?? fail(ResultCode.invalidDnSyntax, 'invalid DN')
}

export function dnFromRdns(rdns: readonly Rdn[]): Dn {
  return { rdns, key: rdns.map(rdnKey).join(','), pretty: rdns.map(rdnPretty).join(',') }
}

export function parentDn(dn: Dn): Dn {
  return dnFromRdns(dn.rdns.slice(1))
}

export function childDn(rdn: Rdn, parent: Dn): Dn {
  return dnFromRdns([rdn, ...parent.rdns])
}

/** Whether `dn` is `ancestor` or lies below it. */
export function isWithin(dn: Dn, ancestor: Dn): boolean {
  if (ancestor.key === '') return true
  return dn.key === ancestor.key || dn.key.endsWith(',' + ancestor.key)
}

function resolveAva(typeText: string, value: string): Ava {
  const type = attributeType(typeText)
  if (type === undefined || type.equality === undefined || type.binary)
    throw new DnSyntaxError(`bad type ${typeText}`)
  const norm = (folderFor(type.equality) ?? foldCaseIgnore)(value)
  if (norm === '') throw new DnSyntaxError('empty value')
  return { type, value, norm }
}

function rdnKey(rdn: Rdn): string {
  const parts = rdn.map((ava) => `${ava.type.key}=${escapeDnValue(ava.norm)}`)
  return parts.length === 1 ? (parts[0] ?? '') : parts.sort().join('+')
}

let typeSpelling: (type: AttributeType) => string = (type) => type.name

/**
 * How attribute types are spelled in shown DNs: slapd's canonical names (`cn=…,dc=…`) by default; the AD
 * simulator shows `CN=…,OU=…,DC=…` as AD does. Process-wide: set once, before DNs are made.
 */
export function setDnTypeSpelling(spell: (type: AttributeType) => string): void {
  typeSpelling = spell
}

function rdnPretty(rdn: Rdn): string {
  return rdn.map((ava) => `${typeSpelling(ava.type)}=${escapeDnValue(ava.value)}`).join('+')
}
