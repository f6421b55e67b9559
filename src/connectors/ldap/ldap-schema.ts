// Reads an attribute type's EQUALITY matching rule from the server's subschema (RFC 4512 §4.1.2), following SUP.
// The anchor batcher needs it: it may only sort the entries of one OR search back to the values asked for when it
// knows the server compares those values no more loosely than it can tell apart itself.
import { EqualityFilter } from 'ldapts'
import type { LdapClient } from './ldap-client.ts'
import { entryValue, entryAttribute } from './ldap-mapping.ts'

interface AttributeType {
  readonly oid: string
  readonly names: readonly string[]
  readonly equality?: string
  readonly sup?: string
}

/** The matching rule name (e.g. `caseIgnoreMatch`), or undefined when the type has none or is unknown. */
export async function equalityRuleOf(
  client: LdapClient,
  attribute: string,
): Promise<string | undefined> {
  const [dse] = await client.search('', { scope: 'base', attributes: ['subschemaSubentry'] })
  const subschema = dse === undefined ? undefined : entryValue(dse, 'subschemaSubentry')
  if (subschema === undefined) return undefined
  const filter = new EqualityFilter({ attribute: 'objectClass', value: 'subschema' })
  const [entry] = await client.search(subschema, {
    scope: 'base',
    filter,
    attributes: ['attributeTypes'],
  })
  const raw = entry === undefined ? undefined : entryAttribute(entry, 'attributeTypes')
  const types = (raw === undefined ? [] : [raw].flat()).map(parseAttributeType)
  return ruleIn(types, attribute)
}

export function ruleIn(
  types: readonly (AttributeType | undefined)[],
  attribute: string,
): string | undefined {
  const byName = new Map<string, AttributeType>()
  for (const t of types) {
    if (t === undefined) continue
    byName.set(t.oid, t)
    for (const n of t.names) byName.set(n.toLowerCase(), t)
  }
  let current = byName.get(attribute.toLowerCase())
  // SUP chains are short; the bound only guards against a cycle in a broken schema
  for (let depth = 0; current !== undefined && depth < 16; depth++) {
    if (current.equality !== undefined) return current.equality
    current = current.sup === undefined ? undefined : byName.get(current.sup.toLowerCase())
  }
  return undefined
}

/** `( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC '…' SUP name )` → its OID, names, EQUALITY and SUP. */
export function parseAttributeType(definition: string): AttributeType | undefined {
  // quoted DESC text may contain anything, so it goes before the keywords are looked for
  const text = definition.replace(/'(?:[^'\\]|\\.)*'/g, (q) => (/^'[\w;.-]*'$/.test(q) ? q : "''"))
  const oid = /^\s*\(\s*([\w.-]+)/.exec(text)?.[1]
  if (oid === undefined) return undefined
  const namesText = /\bNAME\s+(\(([^)]*)\)|'[^']*')/.exec(text)
  const names =
    namesText === null
      ? []
      : [...(namesText[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '')
  const equality = /\bEQUALITY\s+([\w.-]+)/.exec(text)?.[1]
  const sup = /\bSUP\s+([\w.-]+)/.exec(text)?.[1]
  return {
    oid,
    names,
    ...(equality === undefined ? {} : { equality }),
    ...(sup === undefined ? {} : { sup }),
  }
}
