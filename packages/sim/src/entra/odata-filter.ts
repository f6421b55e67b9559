// A small OData v4 $filter evaluator for the Entra simulator: the subset Koppel, the tests and the official Graph
// SDK use on users and groups.
// Supported: `prop eq|ne literal`, `prop in ('a', 'b')`, `startswith(prop,'x')`, `endswith(prop,'x')`, `not`,
// `and`, `or`, parentheses, and the lambda `any` on a collection: `proxyAddresses/any(p:startswith(p,'smtp:'))`,
// `identities/any(c:c/issuerAssignedId eq 'x' and c/issuer eq 'y')`.
// Literals: 'string' (a quote doubled inside), true, false, null, numbers. `and`, `or`, `not` in any case (the
// Graph docs' own examples write `OR` and `NOT`).
// Which of these are "advanced" (need ConsistencyLevel: eventual + $count=true) follows
// learn.microsoft.com/graph/aad-advanced-queries: `ne`, `not` and `endsWith` are advanced; eq, in, startswith,
// any() with eq/startswith, and/or are not.

export class FilterError extends Error {}

export type Predicate = (props: Readonly<Record<string, unknown>>) => boolean

export interface ParsedFilter {
  readonly test: Predicate
  /** True when the filter uses an operator that is only available as an advanced query. */
  readonly advanced: boolean
  /** The first operator that made the filter advanced (`endsWith`, `ne`, `not`), for Graph's error message. */
  readonly advancedOperator?: string
  /** The longest `in (…)` list (learn.microsoft.com/graph/filter-query-parameter: 15 expressions by default). */
  readonly longestIn: number
}

/** What may be filtered: plain properties, and collections a lambda may range over. */
export interface Filterable {
  readonly properties: ReadonlySet<string>
  /** Collection property → the sub-properties of its elements (empty for a collection of strings). */
  readonly collections?: ReadonlyMap<string, ReadonlySet<string>>
  /** Properties (and collections, inside any()) `endsWith` takes; default: every filterable one. Graph:
   * "supported only with advanced query parameters by mail, otherMails, userPrincipalName, and proxyAddresses". */
  readonly endsWith?: ReadonlySet<string>
  /** Checks a whole lambda over a collection (Graph's "with limitations"); returns a reason to refuse. */
  readonly checkLambda?: (
    collection: string,
    subProperties: readonly string[],
  ) => string | undefined
}

type Tok =
  | { k: 'str'; v: string }
  | { k: 'word'; v: string }
  | { k: 'num'; v: number }
  | { k: 'p'; v: '(' | ')' | ',' | ':' }

function tokenize(text: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '(' || c === ')' || c === ',' || c === ':') {
      out.push({ k: 'p', v: c })
      i++
      continue
    }
    if (c === "'") {
      let v = ''
      i++
      for (;;) {
        if (i >= text.length) throw new FilterError('unterminated string literal')
        const d = text[i] as string
        if (d === "'") {
          if (text[i + 1] === "'") {
            v += "'"
            i += 2
            continue
          }
          i++
          break
        }
        v += d
        i++
      }
      out.push({ k: 'str', v })
      continue
    }
    const m = /^(-?\d+(\.\d+)?)|^([A-Za-z_][A-Za-z0-9_./]*)/.exec(text.slice(i))
    if (m === null) throw new FilterError(`unexpected character '${c}'`)
    if (m[1] !== undefined) out.push({ k: 'num', v: Number(m[1]) })
    else out.push({ k: 'word', v: m[3] as string })
    i += m[0].length
  }
  return out
}

type Accessor = (p: Readonly<Record<string, unknown>>) => unknown

/** Inside a lambda: the range variable's name; `x` is the element, `x/sub` a property of it. */
interface LambdaScope {
  readonly collection: string
  readonly variable: string
  readonly subProperties: ReadonlySet<string>
  readonly used: string[]
}

/** Parses a $filter; names outside `filterable` are refused with a FilterError. */
export function parseFilter(
  text: string,
  filterable: Filterable | ReadonlySet<string>,
): ParsedFilter {
  const allowed: Filterable =
    filterable instanceof Set ? { properties: filterable } : (filterable as Filterable)
  const toks = tokenize(text)
  let pos = 0
  let advancedOperator: string | undefined
  let longestIn = 0
  const advance = (op: string) => void (advancedOperator ??= op)
  let scope: LambdaScope | undefined
  const peek = () => toks[pos]
  const next = () => {
    const t = toks[pos++]
    if (t === undefined) throw new FilterError('unexpected end of filter')
    return t
  }
  const expectP = (v: '(' | ')' | ',' | ':') => {
    const t = next()
    if (t.k !== 'p' || t.v !== v) throw new FilterError(`expected '${v}'`)
  }
  /** The property (or, in a lambda, the collection) an operand names, for per-property rules such as endsWith. */
  let lastProperty = ''
  const operand = (): Accessor => {
    const t = next()
    if (t.k !== 'word') throw new FilterError('expected a property name')
    if (scope !== undefined) {
      const s = scope
      lastProperty = s.collection
      if (t.v === s.variable) {
        if (s.subProperties.size > 0)
          throw new FilterError(`'${t.v}' ranges over objects; name one of their properties`)
        return (p) => p.$item
      }
      if (t.v.startsWith(`${s.variable}/`)) {
        const sub = t.v.slice(s.variable.length + 1)
        if (!s.subProperties.has(sub))
          throw new FilterError(`property '${sub}' cannot be filtered on`)
        s.used.push(sub)
        return (p) => (p.$item as Record<string, unknown> | undefined)?.[sub]
      }
    }
    if (!allowed.properties.has(t.v))
      throw new FilterError(`property '${t.v}' cannot be filtered on`)
    const name = t.v
    lastProperty = name
    return (p) => p[name]
  }
  const literal = (): unknown => {
    const t = next()
    if (t.k === 'str' || t.k === 'num') return t.v
    if (t.k === 'word' && (t.v === 'true' || t.v === 'false')) return t.v === 'true'
    if (t.k === 'word' && t.v === 'null') return null
    throw new FilterError('expected a literal')
  }
  const same = (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase() === b.toLowerCase()
      : (a ?? null) === (b ?? null)

  const lambda = (collection: string): Predicate => {
    const subs = allowed.collections?.get(collection)
    if (subs === undefined)
      throw new FilterError(`property '${collection}' cannot be filtered on with any()`)
    if (scope !== undefined) throw new FilterError('nested lambda expressions are not supported')
    expectP('(')
    const v = next()
    if (v.k !== 'word' || v.v.includes('/')) throw new FilterError('expected a range variable')
    expectP(':')
    const s: LambdaScope = { collection, variable: v.v, subProperties: subs, used: [] }
    scope = s
    const inner = orExpr()
    scope = undefined
    expectP(')')
    const refused = allowed.checkLambda?.(collection, s.used)
    if (refused !== undefined) throw new FilterError(refused)
    return (p) => {
      const items = p[collection]
      return Array.isArray(items) && items.some((item) => inner({ ...p, $item: item }))
    }
  }

  const term = (): Predicate => {
    const t = peek()
    if (t?.k === 'p' && t.v === '(') {
      next()
      const e = orExpr()
      expectP(')')
      return e
    }
    if (t?.k === 'word' && t.v.toLowerCase() === 'not') {
      next()
      advance('not')
      const inner = term()
      return (p) => !inner(p)
    }
    if (t?.k === 'word' && /\/any$/.test(t.v) && toks[pos + 1]?.k === 'p') {
      next()
      return lambda(t.v.slice(0, -'/any'.length))
    }
    if (t?.k === 'word' && /^(startswith|endswith)$/i.test(t.v) && toks[pos + 1]?.k === 'p') {
      const fn = t.v.toLowerCase()
      next()
      expectP('(')
      const get = operand()
      expectP(',')
      const v = literal()
      expectP(')')
      if (typeof v !== 'string') throw new FilterError(`${fn} needs a string`)
      if (fn === 'endswith') {
        if (allowed.endsWith !== undefined && !allowed.endsWith.has(lastProperty))
          throw new FilterError(`endsWith is not supported on '${lastProperty}'`)
        advance('endsWith')
      }
      const needle = v.toLowerCase()
      return (p) => {
        const have = get(p)
        if (typeof have !== 'string') return false
        return fn === 'startswith'
          ? have.toLowerCase().startsWith(needle)
          : have.toLowerCase().endsWith(needle)
      }
    }
    const get = operand()
    const op = next()
    if (op.k !== 'word' || !['eq', 'ne', 'in'].includes(op.v))
      throw new FilterError('unsupported operator')
    if (op.v === 'in') {
      expectP('(')
      const values = [literal()]
      while (peek()?.k === 'p' && (peek() as { v: string }).v === ',') {
        next()
        values.push(literal())
      }
      expectP(')')
      longestIn = Math.max(longestIn, values.length)
      return (p) => values.some((v) => same(get(p), v))
    }
    const v = literal()
    if (op.v === 'ne') advance('ne')
    return op.v === 'eq' ? (p) => same(get(p), v) : (p) => !same(get(p), v)
  }
  const andExpr = (): Predicate => {
    let left = term()
    while (peek()?.k === 'word' && (peek() as { v: string }).v.toLowerCase() === 'and') {
      next()
      const l = left
      const r = term()
      left = (p) => l(p) && r(p)
    }
    return left
  }
  const orExpr = (): Predicate => {
    let left = andExpr()
    while (peek()?.k === 'word' && (peek() as { v: string }).v.toLowerCase() === 'or') {
      next()
      const l = left
      const r = andExpr()
      left = (p) => l(p) || r(p)
    }
    return left
  }
  const test = orExpr()
  if (pos !== toks.length) throw new FilterError('unexpected text after the filter')
  return {
    test,
    advanced: advancedOperator !== undefined,
    ...(advancedOperator !== undefined ? { advancedOperator } : {}),
    longestIn,
  }
}
