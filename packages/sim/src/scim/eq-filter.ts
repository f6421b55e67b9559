// A tiny evaluator for SCIM filters of the form `attr eq "json string" [and attr eq "…"]`, used by the
// simulator only where scimmy's tokenizer cannot read an escaped value (see scim-server.ts).
export type RecordPredicate = (record: Record<string, unknown>) => boolean

const CLAUSE = /^\s*([A-Za-z][\w.:$-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i

export interface EqClause {
  readonly path: string
  readonly value: string
}

/** The clauses of `attr eq "json string" [and …]`, or undefined when the filter has any other form. */
export function parseEqClauses(filter: string): EqClause[] | undefined {
  const clauses: EqClause[] = []
  for (const part of splitAnd(filter)) {
    const m = CLAUSE.exec(part)
    if (m === null) return undefined
    let value: unknown
    try {
      value = JSON.parse(m[2] as string)
    } catch {
      return undefined
    }
    clauses.push({ path: m[1] as string, value: String(value) })
  }
  return clauses.length === 0 ? undefined : clauses
}

export function parseEqFilter(filter: string): RecordPredicate | undefined {
  const clauses = parseEqClauses(filter)
  return clauses === undefined ? undefined : eqPredicate(clauses)
}

export function eqPredicate(clauses: readonly EqClause[]): RecordPredicate {
  return (record) =>
    clauses.every(({ path, value }) => {
      const actual = attributeValue(record, path)
      // GUESS: userName compares case-insensitively (caseExact false in RFC 7643), everything else exactly.
      return (
        typeof actual === 'string' &&
        (/(^|:)userName$/i.test(path)
          ? actual.toLowerCase() === value.toLowerCase()
          : actual === value)
      )
    })
}

function splitAnd(filter: string): string[] {
  const parts: string[] = []
  let cur = ''
  let inString = false
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i] as string
    if (inString) {
      cur += ch
      if (ch === '\\') cur += filter[++i] ?? ''
      else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') inString = true
    if (!inString && /^\sand\s/i.test(filter.slice(i, i + 5))) {
      parts.push(cur)
      cur = ''
      i += 4
      continue
    }
    cur += ch
  }
  parts.push(cur)
  return parts
}

/** The value at an attribute path (names compared in any case, as SCIM attribute names are). */
export function attributeValue(record: Record<string, unknown>, path: string): unknown {
  let target: unknown = record
  let rest = path
  const urn = /^(urn:.+):([^:]+)$/.exec(path)
  if (urn !== null) {
    target = record[urn[1] as string]
    rest = urn[2] as string
  }
  for (const key of rest.split('.')) {
    if (target === null || typeof target !== 'object') return undefined
    const hit = Object.entries(target as Record<string, unknown>).find(
      ([k]) => k.toLowerCase() === key.toLowerCase(),
    )
    target = hit?.[1]
  }
  return target
}
