// Schema checks for a complete entry, as slapd's entry_schema_check does them for the classes the simulator
// knows: objectClass present and known, exactly one structural chain (unchanged on modify), RDN values
// present, MUST attributes present, nothing outside MUST/MAY. Per-value checks (syntax, duplicates,
// single-value) happen where values come in: see attribute-input.ts.
import type { Dn } from './dn-key.ts'
import type { Attrs } from './entry.ts'
import { equalityKey } from './matching.ts'
import { fail, ResultCode } from './result-code.ts'
import { objectClass, requireAttributeType, type ObjectClass } from './schema.ts'

/** Checks the entry and returns its structural object class (canonical name). */
export function checkEntry(dn: Dn, attrs: Attrs, previousStructural?: string): string {
  const ocAttr = attrs.get('objectclass')
  if (ocAttr === undefined || ocAttr.values.length === 0)
    fail(ResultCode.objectClassViolation, 'no objectClass attribute')
  const classes: ObjectClass[] = ocAttr.values.map(
    (v, i) =>
      (typeof v === 'string' ? objectClass(v) : undefined) ??
      fail(ResultCode.invalidAttributeSyntax, `objectClass: value #${i} invalid per syntax`),
  )

  const structural = structuralClass(classes)
  if (previousStructural !== undefined && previousStructural !== structural.name) {
    fail(
      ResultCode.objectClassModsProhibited,
      `structural object class modification from '${previousStructural}' to '${structural.name}' not allowed`,
    )
  }
  checkNaming(dn, attrs)

  const allowed = new Set<string>()
  for (const cls of classes) {
    for (const key of cls.must) {
      if (!attrs.has(key)) {
        fail(
          ResultCode.objectClassViolation,
          `object class '${cls.name}' requires attribute '${requireAttributeType(key).name}'`,
        )
      }
      allowed.add(key)
    }
    for (const key of cls.may) allowed.add(key)
  }
  for (const attr of attrs.values()) {
    if (!attr.type.operational && !allowed.has(attr.type.key)) {
      fail(ResultCode.objectClassViolation, `attribute '${attr.type.name}' not allowed`)
    }
  }
  return structural.name
}

function structuralClass(classes: readonly ObjectClass[]): ObjectClass {
  const structurals = classes.filter((c) => c.kind === 'structural')
  if (structurals.length === 0)
    fail(ResultCode.objectClassViolation, 'no structural object class provided')
  const most = structurals.find((s) => structurals.every((o) => s.chain.includes(o)))
  if (most === undefined) {
    const names = structurals
      .slice(0, 2)
      .map((c) => c.name)
      .join('/')
    fail(ResultCode.objectClassViolation, `invalid structural object class chain (${names})`)
  }
  return most
}

function checkNaming(dn: Dn, attrs: Attrs) {
  for (const ava of dn.rdns[0] ?? []) {
    const attr = attrs.get(ava.type.key)
    if (attr === undefined)
      fail(
        ResultCode.namingViolation,
        `naming attribute '${ava.type.name}' is not present in entry`,
      )
    if (!attr.keys.includes(equalityKey(ava.type, ava.value))) {
      fail(
        ResultCode.namingViolation,
        `value of naming attribute '${ava.type.name}' is not present in entry`,
      )
    }
  }
}
