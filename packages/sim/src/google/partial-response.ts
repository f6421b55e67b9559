// Google's partial response (`fields=`), as developers.google.com/admin-sdk/directory/v1/guides/performance
// describes it: a comma-separated list of fields; `a/b` selects b inside a; `a(b,c)` selects b and c inside a
// (each element when a is an array); `*` selects everything at its level.

/** Field name → its own sub-selection, or true for the whole value. */
export type FieldSelection = Map<string, FieldSelection | true>

export function parseFields(text: string): FieldSelection {
  let i = 0
  const fail = (why: string): never => {
    throw new Error(`${text}: ${why} at position ${i}`)
  }
  const name = (): string => {
    const m = /^[A-Za-z_*@#$.][A-Za-z0-9_*@#$.-]*/.exec(text.slice(i))
    if (m === null) return fail('expected a field name')
    i += m[0].length
    return m[0]
  }
  const merge = (into: FieldSelection, key: string, value: FieldSelection | true) => {
    const have = into.get(key)
    if (have === true || value === true) into.set(key, true)
    else if (have === undefined) into.set(key, value)
    else for (const [k, v] of value) merge(have, k, v)
  }
  const list = (closing: boolean): FieldSelection => {
    const out: FieldSelection = new Map()
    for (;;) {
      const path = [name()]
      while (text[i] === '/') {
        i++
        path.push(name())
      }
      let leaf: FieldSelection | true = true
      if (text[i] === '(') {
        i++
        leaf = list(true)
        if (text[i] !== ')') fail("expected ')'")
        i++
      }
      let value: FieldSelection | true = leaf
      for (const key of path.slice(1).reverse()) value = new Map([[key, value]])
      merge(out, path[0] as string, value)
      if (text[i] === ',') {
        i++
        continue
      }
      if (closing ? text[i] === ')' : i === text.length) return out
      return fail(closing && i === text.length ? "expected ')'" : 'unexpected character')
    }
  }
  if (text.trim() === '') return fail('empty selection')
  return list(false)
}

/** The parts of a JSON answer the selection names; arrays keep every element, each narrowed. */
export function applyFields(value: unknown, sel: FieldSelection | true): unknown {
  if (sel === true || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => applyFields(v, sel))
  if (sel.has('*')) return value
  const out: Record<string, unknown> = {}
  for (const [k, sub] of sel) {
    // GUESS: a name the answer lacks is left out; Google refuses names its schema does not have.
    const v = (value as Record<string, unknown>)[k]
    if (v !== undefined) out[k] = applyFields(v, sub)
  }
  return out
}
