// Values and matching per attribute type: decoding wire bytes into a value, syntax checks, the equality key
// of a value (what slapd compares and indexes), ordering and substring matching. Returning undefined means
// "no such rule or not a valid assertion", which a filter treats as Undefined, as slapd does.
import { tryDn } from './dn-key.ts'
import type { AttributeType } from './schema.ts'
import { attributeType, objectClass } from './schema.ts'
import { Syntax } from './schema-data.ts'
import { folderFor } from './string-match.ts'

/** Text for string syntaxes, bytes for binary ones (jpegPhoto, userPassword, certificates). */
export type Value = string | Buffer

const utf8 = new TextDecoder('utf-8', { fatal: true })
const INTEGER = /^-?(0|[1-9][0-9]*)$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const GENERALIZED_TIME = /^\d{10,14}([.,]\d+)?(Z|[+-]\d{2,4})$/
const OID_OR_NAME = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/
const UNIQUE_MEMBER_UID = /#'[01]*'B$/

/** The value of wire bytes for this type, or undefined when text is not UTF-8. */
export function decodeValue(type: AttributeType, bytes: Buffer): Value | undefined {
  if (type.binary) return Buffer.from(bytes)
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

export function valueBytes(value: Value): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

/** Whether the value is valid for the type's syntax (slapd answers invalidAttributeSyntax when not). */
export function isValidValue(type: AttributeType, value: Value): boolean {
  if (typeof value !== 'string') return true
  switch (type.syntax) {
    case Syntax.ia5String:
      return /^[\x00-\x7f]+$/.test(value) // eslint-disable-line no-control-regex
    case Syntax.dn:
      return tryDn(value) !== undefined
    case Syntax.nameAndOptionalUid:
      return tryDn(value.replace(UNIQUE_MEMBER_UID, '')) !== undefined
    case Syntax.integer:
      return INTEGER.test(value)
    case Syntax.numericString:
      return /^[0-9 ]+$/.test(value)
    case Syntax.boolean:
      return value === 'TRUE' || value === 'FALSE'
    case Syntax.oid:
      return OID_OR_NAME.test(value.trim())
    case Syntax.uuid:
      return UUID.test(value)
    case Syntax.generalizedTime:
      return GENERALIZED_TIME.test(value)
    case Syntax.bitString:
      return /^'[01]*'B$/.test(value)
    default:
      return value.trim() !== ''
  }
}

/** The equality key of a value: two values are equal when their keys are. Undefined without a rule. */
export function equalityKey(type: AttributeType, value: Value): string | undefined {
  const rule = type.equality
  if (rule === undefined) return undefined
  if (typeof value !== 'string') return value.toString('hex')
  switch (rule) {
    case 'distinguishedNameMatch':
      return tryDn(value)?.key
    case 'uniqueMemberMatch':
      return tryDn(value.replace(UNIQUE_MEMBER_UID, ''))?.key
    case 'integerMatch':
      return INTEGER.test(value.trim()) ? BigInt(value.trim()).toString() : undefined
    case 'objectIdentifierMatch':
      return (
        objectClass(value)?.key ?? attributeType(value.trim())?.key ?? value.trim().toLowerCase()
      )
    case 'UUIDMatch':
      return UUID.test(value) ? value.toLowerCase() : undefined
    case 'booleanMatch':
      return value === 'TRUE' || value === 'FALSE' ? value : undefined
    case 'generalizedTimeMatch':
    case 'CSNMatch':
      return value.trim()
    case 'octetStringMatch':
    case 'certificateExactMatch':
    case 'bitStringMatch':
      return Buffer.from(value, 'utf8').toString('hex')
    default: {
      const fold = folderFor(rule)
      return fold === undefined ? undefined : fold(value)
    }
  }
}

/** Sign of `value` compared with `assertion` under the type's ORDERING rule; undefined without one. */
export function compareOrdering(
  type: AttributeType,
  value: Value,
  assertion: string,
): number | undefined {
  if (type.ordering === undefined || typeof value !== 'string') return undefined
  if (type.ordering === 'integerOrderingMatch') {
    if (!INTEGER.test(value) || !INTEGER.test(assertion)) return undefined
    const a = BigInt(value)
    const b = BigInt(assertion)
    return a < b ? -1 : a > b ? 1 : 0
  }
  const a = value.toLowerCase()
  const b = assertion.toLowerCase()
  return a < b ? -1 : a > b ? 1 : 0
}

export interface SubstringAssertion {
  readonly initial?: string
  readonly any: readonly string[]
  readonly final?: string
}

/** Substring match under the type's SUBSTR rule; undefined when the type has none. */
export function matchesSubstrings(
  type: AttributeType,
  value: Value,
  sub: SubstringAssertion,
): boolean | undefined {
  const fold = type.substr === undefined ? undefined : folderFor(type.substr)
  if (fold === undefined || typeof value !== 'string') return undefined
  const text = fold(value)
  let pos = 0
  if (sub.initial !== undefined) {
    const initial = fold(sub.initial)
    if (!text.startsWith(initial)) return false
    pos = initial.length
  }
  let end = text.length
  if (sub.final !== undefined) {
    const final = fold(sub.final)
    if (!text.endsWith(final) || text.length - final.length < pos) return false
    end = text.length - final.length
  }
  for (const piece of sub.any) {
    const p = fold(piece)
    const at = text.indexOf(p, pos)
    if (at < 0 || at + p.length > end) return false
    pos = at + p.length
  }
  return true
}
