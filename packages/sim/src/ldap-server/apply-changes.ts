// Pure functions that compute an entry's new attributes for a modify (RFC 4511 §4.6: add, delete, replace,
// increment, applied in order and all-or-nothing) or for a rename (old RDN values dropped when asked, new
// RDN values added). Result codes follow slapd. Schema checks of the result are the caller's (schema-check.ts).
import { inputAttribute, type WireAttribute } from './attribute-input.ts'
import type { Rdn } from './dn-key.ts'
import { indexOfValue, makeAttr, type Attr, type Attrs } from './entry.ts'
import type { Value } from './matching.ts'
import { fail, ResultCode } from './result-code.ts'
import { Syntax } from './schema-data.ts'

export type ModifyOperation = 'add' | 'delete' | 'replace' | 'increment'

export interface Modification {
  readonly operation: ModifyOperation
  readonly attribute: WireAttribute
}

export function applyModifications(
  attrs: Attrs,
  modifications: readonly Modification[],
): Map<string, Attr> {
  const next = new Map(attrs)
  const touched = new Set<string>()
  for (const { operation, attribute } of modifications) {
    const { type, values } = inputAttribute(attribute)
    const current = next.get(type.key)
    const label = `modify/${operation}: ${attribute.type}`
    touched.add(type.key)
    switch (operation) {
      case 'add': {
        if (values.length === 0) fail(ResultCode.protocolError, `${label}: no values given`)
        values.forEach((v, i) => {
          if (current !== undefined && indexOfValue(current, v) >= 0) {
            fail(ResultCode.attributeOrValueExists, `${label}: value #${i} already exists`)
          }
        })
        next.set(type.key, makeAttr(type, [...(current?.values ?? []), ...values]))
        break
      }
      case 'delete': {
        if (current === undefined) fail(ResultCode.noSuchAttribute, `${label}: no such attribute`)
        if (values.length === 0) {
          next.delete(type.key)
          break
        }
        const drop = new Set<number>()
        for (const v of values) {
          const at = indexOfValue(current, v)
          if (at < 0) fail(ResultCode.noSuchAttribute, `${label}: no such value`)
          drop.add(at)
        }
        const kept = current.values.filter((_, i) => !drop.has(i))
        if (kept.length === 0) next.delete(type.key)
        else next.set(type.key, makeAttr(type, kept))
        break
      }
      case 'replace':
        if (values.length === 0) next.delete(type.key)
        else next.set(type.key, makeAttr(type, values))
        break
      case 'increment': {
        if (type.syntax !== Syntax.integer)
          fail(ResultCode.constraintViolation, `${label}: increment not supported`)
        if (current === undefined) fail(ResultCode.noSuchAttribute, `${label}: no such attribute`)
        const delta = BigInt(String(values[0] ?? '0'))
        next.set(
          type.key,
          makeAttr(
            type,
            current.values.map((v) => (BigInt(String(v)) + delta).toString()),
          ),
        )
        break
      }
    }
  }
  for (const key of touched) {
    const attr = next.get(key)
    if (attr !== undefined && attr.type.single && attr.values.length > 1) {
      fail(
        ResultCode.constraintViolation,
        `attribute '${attr.type.name}' cannot have multiple values`,
      )
    }
  }
  return next
}

/** Attributes after a rename to `newRdn`: slapd first removes the old RDN values (if asked), then adds the new. */
export function applyRename(
  attrs: Attrs,
  oldRdn: Rdn,
  newRdn: Rdn,
  deleteOldRdn: boolean,
): Map<string, Attr> {
  const next = new Map(attrs)
  if (deleteOldRdn) {
    for (const ava of oldRdn) {
      const attr = next.get(ava.type.key)
      const at = attr === undefined ? -1 : indexOfValue(attr, ava.value)
      if (attr === undefined || at < 0) continue
      const kept = attr.values.filter((_, i) => i !== at)
      if (kept.length === 0) next.delete(ava.type.key)
      else next.set(ava.type.key, makeAttr(attr.type, kept))
    }
  }
  for (const ava of newRdn) addIfMissing(next, ava.type.key, ava)
  return next
}

/** Adds the RDN value to the attributes unless an equal value is there (slapd does this on add too). */
export function addRdnValues(attrs: Map<string, Attr>, rdn: Rdn): void {
  for (const ava of rdn) addIfMissing(attrs, ava.type.key, ava)
}

function addIfMissing(
  attrs: Map<string, Attr>,
  key: string,
  ava: { type: Attr['type']; value: Value },
) {
  const attr = attrs.get(key)
  if (attr !== undefined && indexOfValue(attr, ava.value) >= 0) return
  const values = [...(attr?.values ?? []), ava.value]
  if (ava.type.single && values.length > 1) {
    fail(ResultCode.constraintViolation, `attribute '${ava.type.name}' cannot have multiple values`)
  }
  attrs.set(key, makeAttr(ava.type, values))
}
