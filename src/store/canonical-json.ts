// Canonical JSON: object keys sorted at every depth, no whitespace, `undefined` members left out, as
// JSON.stringify would. Same data, same text: the audit chain hashes it. Does not handle cycles.
//
// This is deliberately the audit chain's own copy, not src/util/canonical-json.ts (plans, config hash). Every
// event stored so far is chained over these exact bytes, and `koppel audit verify` recomputes them: a change
// to the text this writes for any event (key order, a type handled differently) would make every existing
// chain read as tampered. The util version is tuned for speed and may change; this one must never change.
// canonical-json.test.ts pins its output and checks that the two still agree.
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(sortKeys)
  const json = (value as { toJSON?: () => unknown }).toJSON
  if (typeof json === 'function') return sortKeys(json.call(value))
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort())
    out[key] = sortKeys((value as Record<string, unknown>)[key])
  return out
}
