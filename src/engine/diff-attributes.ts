import type { AttributeValue, Attributes, FieldChange } from '../model/index.ts'

/**
 * Field-level diff of the mapped attributes only: attributes Koppel does not map are never touched.
 * Multi-valued attributes compare as sets; `dn` compares case-insensitively because directories
 * normalise DN case. Attribute names in `actual` are matched case-insensitively (LDAP returns its own casing).
 */
export function diffAttributes(
  desired: Attributes,
  actual: Attributes,
  fields: readonly string[],
): FieldChange[] {
  const actualByLower = new Map<string, AttributeValue>()
  for (const [k, v] of Object.entries(actual)) actualByLower.set(k.toLowerCase(), v)
  const changes: FieldChange[] = []
  for (const field of fields) {
    const want = desired[field]
    const have = actualByLower.get(field.toLowerCase())
    if (sameValue(field, want, have)) continue
    changes.push({
      field,
      ...(have !== undefined ? { old: have } : {}),
      ...(want !== undefined ? { new: want } : {}),
    })
  }
  return changes
}

export function sameValue(
  field: string,
  a: AttributeValue | undefined,
  b: AttributeValue | undefined,
): boolean {
  const na = normalise(a)
  const nb = normalise(b)
  if (na.length !== nb.length) return false
  const ci = field.toLowerCase() === 'dn'
  for (let i = 0; i < na.length; i++) {
    const x = na[i] as string
    const y = nb[i] as string
    if (ci ? x.toLowerCase() !== y.toLowerCase() : x !== y) return false
  }
  return true
}

function normalise(v: AttributeValue | undefined): readonly string[] {
  if (v === undefined) return []
  if (typeof v === 'string') return v === '' ? [] : [v]
  return v.length <= 1 ? v : [...v].sort()
}
