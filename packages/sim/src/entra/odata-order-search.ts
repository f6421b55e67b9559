// $orderby and $search for the Entra simulator's listings, as learn.microsoft.com/graph/query-parameters and
// /graph/search-query-parameter describe them for directory objects. Both throw QueryError with Graph's
// code and message; the caller decides which need advanced query parameters (ConsistencyLevel: eventual).

export class QueryError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

export interface OrderBy {
  readonly property: string
  readonly descending: boolean
  /** The property sorts only as an advanced query. */
  readonly advanced: boolean
}

/** `$orderby=displayName desc`; Graph sorts directory objects on one property. */
export function parseOrderBy(
  text: string,
  allowed: { basic: ReadonlySet<string>; advanced: ReadonlySet<string> },
): OrderBy {
  const parts = text.trim().split(/\s*,\s*/)
  // GUESS: more than one sort key is refused like an unsupported property.
  if (parts.length !== 1)
    throw new QueryError('Request_UnsupportedQuery', 'Sorting not supported for current query.')
  const m = /^([A-Za-z]+)(?:\s+(asc|desc))?$/.exec(parts[0] as string)
  if (m === null) throw new QueryError('BadRequest', `Invalid $orderby clause: '${text}'.`)
  const property = m[1] as string
  if (!allowed.basic.has(property) && !allowed.advanced.has(property)) {
    throw new QueryError('Request_UnsupportedQuery', 'Sorting not supported for current query.')
  }
  return { property, descending: m[2] === 'desc', advanced: !allowed.basic.has(property) }
}

/** Sorts by the property, nulls last (GUESS), case-insensitively; ties keep creation order. */
export function orderRows<
  T extends { readonly seq: number; readonly rec: Readonly<Record<string, unknown>> },
>(rows: T[], order: OrderBy): T[] {
  const key = (r: T) => {
    const v = r.rec[order.property]
    return v === undefined || v === null ? undefined : String(v).toLowerCase()
  }
  return [...rows].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    if (x === y) return a.seq - b.seq
    if (x === undefined) return 1
    if (y === undefined) return -1
    return (x < y ? -1 : 1) * (order.descending ? -1 : 1)
  })
}

export interface SearchClause {
  readonly property: string
  readonly words: readonly string[]
}

/** A search: clauses joined by AND (all) or OR (any); one level, no parentheses. */
export interface Search {
  readonly clauses: readonly SearchClause[]
  readonly any: boolean
}

/**
 * `$search="displayName:wa" OR "mail:jan"`: each clause is a quoted `property:term`; the term matches when each
 * of its words starts a token of the property's value. Graph tokenizes on spaces, punctuation and case changes
 * (`AdeleVance` → adele, vance).
 */
export function parseSearch(text: string, searchable: ReadonlySet<string>, type: string): Search {
  const clauses: SearchClause[] = []
  const joins: string[] = []
  const re = /\s*"([^"]*)"\s*(?:(AND|OR)\s*)?/gy
  let consumed = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) {
    consumed = re.lastIndex
    const inner = m[1] as string
    const colon = inner.indexOf(':')
    // GUESS: the wording for a clause without property; Graph requires `property:term` on directory objects.
    if (colon < 1)
      throw new QueryError(
        'Request_UnsupportedQuery',
        `Invalid search clause '${inner}': expected "property:value".`,
      )
    const property = inner.slice(0, colon)
    if (!searchable.has(property)) {
      // GUESS: the wording for a property $search does not index.
      throw new QueryError(
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for property '${property}' of resource '${type}'.`,
      )
    }
    clauses.push({ property, words: tokens(inner.slice(colon + 1)) })
    if (m[2] !== undefined) joins.push(m[2])
    if (re.lastIndex === text.length) break
  }
  if (clauses.length === 0 || consumed !== text.length || joins.length !== clauses.length - 1) {
    throw new QueryError(
      'BadRequest',
      `Syntax error in $search: '${text}'. Each clause is a quoted "property:value", joined by AND or OR.`,
    )
  }
  if (new Set(joins).size > 1)
    throw new QueryError(
      'Request_UnsupportedQuery',
      'Mixing AND and OR in one $search is not supported here.',
    ) // GUESS
  return { clauses, any: joins[0] === 'OR' }
}

export function matchesSearch(search: Search, rec: Readonly<Record<string, unknown>>): boolean {
  const hit = (c: SearchClause) => {
    const raw = rec[c.property]
    const values = Array.isArray(raw)
      ? raw.map(String)
      : raw === undefined || raw === null
        ? []
        : [String(raw)]
    const have = values.flatMap(tokens)
    return c.words.every((w) => have.some((t) => t.startsWith(w)))
  }
  return search.any ? search.clauses.some(hit) : search.clauses.every(hit)
}

function tokens(value: string): string[] {
  return value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}
