// Lookups over the simulator's schema (schema-data.ts): attribute types by name, alias or OID, and object
// classes with their superclass chains and the MUST/MAY sets they imply. It does not check entries; see
// schema-check.ts.
import {
  OBJECT_CLASSES,
  OBJECT_CLASS_OIDS,
  OPERATIONAL_ATTRIBUTES,
  Syntax,
  USER_ATTRIBUTES,
} from './schema-data.ts'

export interface AttributeType {
  /** Canonical name, as slapd returns it. */
  readonly name: string
  /** Lower-cased canonical name: the key of attribute maps and indexes. */
  readonly key: string
  readonly oid: string
  readonly equality: string | undefined
  readonly ordering: string | undefined
  readonly substr: string | undefined
  readonly syntax: string
  readonly single: boolean
  readonly operational: boolean
  /** Computed on read (entryDN, hasSubordinates, subschemaSubentry), never stored. */
  readonly virtual: boolean
  /** Values are bytes, not UTF-8 text. */
  readonly binary: boolean
}

export interface ObjectClass {
  readonly name: string
  readonly key: string
  readonly oid: string
  readonly kind: 'abstract' | 'structural' | 'auxiliary'
  /** This class and its superclasses, nearest first. */
  readonly chain: readonly ObjectClass[]
  /** Attribute keys required/allowed by this class and its superclasses. */
  readonly must: ReadonlySet<string>
  readonly may: ReadonlySet<string>
}

const BINARY_SYNTAXES = new Set<string>([
  Syntax.audio,
  Syntax.binary,
  Syntax.certificate,
  Syntax.fax,
  Syntax.jpeg,
  Syntax.octetString,
])

const byName = new Map<string, AttributeType>()

function defineAttribute(
  names: string,
  oid: string,
  eq: string,
  ord: string,
  sub: string,
  syntax: string,
  single: boolean,
  operational: boolean,
  virtual: boolean,
) {
  const [name = '', ...aliases] = names.split('|')
  const type: AttributeType = {
    name,
    key: name.toLowerCase(),
    oid,
    equality: eq || undefined,
    ordering: ord || undefined,
    substr: sub || undefined,
    syntax,
    single,
    operational,
    virtual,
    binary: BINARY_SYNTAXES.has(syntax),
  }
  for (const n of [name, ...aliases, oid]) byName.set(n.toLowerCase(), type)
}

for (const [names, oid, eq, ord, sub, syntax, single] of USER_ATTRIBUTES) {
  defineAttribute(names, oid, eq, ord, sub, syntax, single, false, false)
}
for (const [names, oid, eq, ord, sub, syntax, single, virtual] of OPERATIONAL_ATTRIBUTES) {
  defineAttribute(names, oid, eq, ord, sub, syntax, single, true, virtual)
}

/** The attribute type of a description such as `cn`, `CommonName`, `2.5.4.3` or `userCertificate;binary`. */
export function attributeType(description: string): AttributeType | undefined {
  let d = description.toLowerCase()
  if (d.endsWith(';binary')) d = d.slice(0, -';binary'.length)
  return byName.get(d)
}

export function requireAttributeType(key: string): AttributeType {
  const type = byName.get(key)
  if (type === undefined) throw new Error(`schema has no attribute ${key}`)
  return type
}

const classes = new Map<string, ObjectClass>()

function buildClass(row: (typeof OBJECT_CLASSES)[number]): ObjectClass {
  const [name, kind, sup, must, may] = row
  const parent = sup === '' ? undefined : classes.get(sup.toLowerCase())
  const words = (s: string) =>
    s
      .split(' ')
      .filter(Boolean)
      .map((w) => requireAttributeType(w.toLowerCase()).key)
  const cls: ObjectClass = {
    name,
    key: name.toLowerCase(),
    oid: OBJECT_CLASS_OIDS[name] ?? '',
    kind,
    chain: [],
    must: new Set([...(parent?.must ?? []), ...words(must)]),
    may: new Set([...(parent?.may ?? []), ...words(may)]),
  }
  ;(cls.chain as ObjectClass[]).push(cls, ...(parent?.chain ?? []))
  return cls
}

for (const row of OBJECT_CLASSES) {
  const cls = buildClass(row)
  classes.set(cls.key, cls)
  if (cls.oid !== '') classes.set(cls.oid, cls)
}

/** The object class named (case-insensitively) or numbered by `nameOrOid`. */
export function objectClass(nameOrOid: string): ObjectClass | undefined {
  return classes.get(nameOrOid.trim().toLowerCase())
}

/**
 * Adds attribute types and object classes to the schema of this process (the AD simulator's `user`, `group`,
 * `sAMAccountName`, …). Names already known are left as they are, so calling it twice is harmless. The slapd
 * simulator never calls it; a process that starts both servers sees the union.
 */
export function extendSchema(extension: {
  readonly attributes: ReadonlyArray<
    readonly [
      names: string,
      oid: string,
      eq: string,
      ord: string,
      sub: string,
      syntax: string,
      single: boolean,
    ]
  >
  readonly operational: ReadonlyArray<
    readonly [
      names: string,
      oid: string,
      eq: string,
      ord: string,
      sub: string,
      syntax: string,
      single: boolean,
    ]
  >
  readonly classes: ReadonlyArray<
    readonly [
      name: string,
      kind: 'abstract' | 'structural' | 'auxiliary',
      sup: string,
      must: string,
      may: string,
    ]
  >
}): void {
  for (const [names, oid, eq, ord, sub, syntax, single] of extension.attributes) {
    if (!byName.has((names.split('|')[0] ?? '').toLowerCase()))
      defineAttribute(names, oid, eq, ord, sub, syntax, single, false, false)
  }
  for (const [names, oid, eq, ord, sub, syntax, single] of extension.operational) {
    if (!byName.has((names.split('|')[0] ?? '').toLowerCase()))
      defineAttribute(names, oid, eq, ord, sub, syntax, single, true, false)
  }
  for (const row of extension.classes) {
    if (classes.has(row[0].toLowerCase())) continue
    const cls = buildClass(row)
    classes.set(cls.key, cls)
  }
}
