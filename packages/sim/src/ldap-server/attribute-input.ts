// Turns an attribute as a client sent it (a description and raw values) into checked values, with slapd's
// result codes: unknown type 17, operational type 19, bad syntax 21, duplicate value 20, several values for
// a single-valued type 19.
import type { Value } from './matching.ts'
import { decodeValue, equalityKey, isValidValue } from './matching.ts'
import { fail, ResultCode } from './result-code.ts'
import { attributeType, type AttributeType } from './schema.ts'
import { Syntax } from './schema-data.ts'
import { tryDn } from './dn-key.ts'

export interface WireAttribute {
  readonly type: string
  readonly values: readonly Buffer[]
}

export interface InputAttribute {
  readonly type: AttributeType
  readonly values: readonly Value[]
}

// slapd stores DN-valued attributes in its "pretty" form: canonical type names, values as given
function prettyValue(type: AttributeType, value: Value): Value {
  if (typeof value !== 'string') return value
  if (type.syntax === Syntax.dn) return tryDn(value)?.pretty ?? value
  if (type.syntax === Syntax.nameAndOptionalUid) {
    const uid = /#'[01]*'B$/.exec(value)?.[0] ?? ''
    return (tryDn(value.slice(0, value.length - uid.length))?.pretty ?? value) + uid
  }
  return value
}

export function inputAttribute(wire: WireAttribute): InputAttribute {
  const type =
    attributeType(wire.type) ??
    fail(ResultCode.undefinedAttributeType, `${wire.type}: attribute type undefined`)
  if (type.operational)
    fail(ResultCode.constraintViolation, `${wire.type}: no user modification allowed`)
  const values: Value[] = []
  const seen = new Map<string, number>()
  wire.values.forEach((raw, i) => {
    const value = decodeValue(type, raw)
    if (value === undefined || !isValidValue(type, value)) {
      fail(ResultCode.invalidAttributeSyntax, `${wire.type}: value #${i} invalid per syntax`)
    }
    const key = equalityKey(type, value) ?? `bytes:${raw.toString('hex')}`
    const earlier = seen.get(key)
    // slapd names the first of the two equal values
    if (earlier !== undefined)
      fail(
        ResultCode.attributeOrValueExists,
        `${wire.type}: value #${earlier} provided more than once`,
      )
    seen.set(key, i)
    values.push(prettyValue(type, value))
  })
  if (type.single && values.length > 1)
    fail(ResultCode.constraintViolation, `${wire.type}: multiple values provided`)
  return { type, values }
}
