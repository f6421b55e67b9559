// Chooses the attributes of a search result entry as slapd does: none listed or `*` gives all user
// attributes, `+` all operational ones, names (any case, aliases, OIDs) add those; `1.1` alone gives none.
// Names come back in the schema's canonical spelling; typesOnly drops the values.
import type { Attr, Entry } from './entry.ts'
import type { AttributeReader } from './filter.ts'
import { valueBytes } from './matching.ts'
import { attributeType } from './schema.ts'

export interface ResultAttribute {
  readonly type: string
  readonly values: readonly Buffer[]
}

const VIRTUAL = ['entrydn', 'subschemasubentry', 'hassubordinates']

export function selectAttributes(
  entry: Entry,
  requested: readonly string[],
  typesOnly: boolean,
  read: AttributeReader,
): ResultAttribute[] {
  const allUser = requested.length === 0 || requested.includes('*')
  const allOperational = requested.includes('+')
  const named = new Set<string>()
  for (const r of requested) {
    const type = attributeType(r)
    if (type !== undefined) named.add(type.key)
  }
  const picked: Attr[] = []
  const operational: Attr[] = []
  for (const attr of entry.attrs.values()) {
    const wanted = named.has(attr.type.key) || (attr.type.operational ? allOperational : allUser)
    if (wanted) (attr.type.operational ? operational : picked).push(attr)
  }
  for (const key of VIRTUAL) {
    if (entry.attrs.has(key) || !(allOperational || named.has(key))) continue
    const attr = read(entry, key)
    if (attr !== undefined) operational.push(attr)
  }
  return [...picked, ...operational].map((attr) => ({
    type: attr.type.name,
    values: typesOnly ? [] : attr.values.map(valueBytes),
  }))
}
