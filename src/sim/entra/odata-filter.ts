// A small OData v4 $filter evaluator for the Entra simulator: the subset Koppel and the tests use on users.
// Supported: `prop eq|ne literal`, `startswith(prop,'x')`, `endswith(prop,'x')`, `not`, `and`, `or`, parentheses.
// Literals: 'string' (a quote doubled inside), true, false, null, numbers.
// Which of these are "advanced" (need ConsistencyLevel: eventual + $count=true) follows
// learn.microsoft.com/graph/aad-advanced-queries: `ne`, `not` and `endsWith` are advanced; eq, startswith,
// and/or are not.

export class FilterError extends Error {}

export type Predicate = (props: Readonly<Record<string, unknown>>) => boolean

export interface ParsedFilter {
  readonly test: Predicate
  /** True when the filter uses an operator that is only available as an advanced query. */
  readonly advanced: boolean
}

type Tok = { k: 'str'; v: string } | { k: 'word'; v: string } | { k: 'num'; v: number } | { k: 'p'; v: '(' | ')' | ',' }

function tokenize(text: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '(' || c === ')' || c === ',') {
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

/** Parses a $filter; `filterable` names the properties that may be filtered on (others: FilterError). */
export function parseFilter(text: string, filterable: ReadonlySet<string>): ParsedFilter {
  const toks = tokenize(text)
  let pos = 0
  let advanced = false
  const peek = () => toks[pos]
  const next = () => {
    const t = toks[pos++]
    if (t === undefined) throw new FilterError('unexpected end of filter')
    return t
  }
  const expectP = (v: '(' | ')' | ',') => {
    const t = next()
    if (t.k !== 'p' || t.v !== v) throw new FilterError(`expected '${v}'`)
  }
  const prop = (): string => {
    const t = next()
    if (t.k !== 'word') throw new FilterError('expected a property name')
    if (!filterable.has(t.v)) throw new FilterError(`property '${t.v}' cannot be filtered on`)
    return t.v
  }
  const literal = (): unknown => {
    const t = next()
    if (t.k === 'str' || t.k === 'num') return t.v
    if (t.k === 'word' && (t.v === 'true' || t.v === 'false')) return t.v === 'true'
    if (t.k === 'word' && t.v === 'null') return null
    throw new FilterError('expected a literal')
  }
  const same = (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : (a ?? null) === (b ?? null)

  const term = (): Predicate => {
    const t = peek()
    if (t?.k === 'p' && t.v === '(') {
      next()
      const e = orExpr()
      expectP(')')
      return e
    }
    if (t?.k === 'word' && t.v === 'not') {
      next()
      advanced = true
      const inner = term()
      return (p) => !inner(p)
    }
    if (t?.k === 'word' && /^(startswith|endswith)$/i.test(t.v) && toks[pos + 1]?.k === 'p') {
      const fn = t.v.toLowerCase()
      next()
      expectP('(')
      const name = prop()
      expectP(',')
      const v = literal()
      expectP(')')
      if (typeof v !== 'string') throw new FilterError(`${fn} needs a string`)
      if (fn === 'endswith') advanced = true
      const needle = v.toLowerCase()
      return (p) => {
        const have = p[name]
        if (typeof have !== 'string') return false
        return fn === 'startswith' ? have.toLowerCase().startsWith(needle) : have.toLowerCase().endsWith(needle)
      }
    }
    const name = prop()
    const op = next()
    if (op.k !== 'word' || !['eq', 'ne'].includes(op.v)) throw new FilterError(`unsupported operator near '${name}'`)
    const v = literal()
    if (op.v === 'ne') advanced = true
    return op.v === 'eq' ? (p) => same(p[name], v) : (p) => !same(p[name], v)
  }
  const andExpr = (): Predicate => {
    let left = term()
    while (peek()?.k === 'word' && (peek() as { v: string }).v === 'and') {
      next()
      const l = left
      const r = term()
      left = (p) => l(p) && r(p)
    }
    return left
  }
  const orExpr = (): Predicate => {
    let left = andExpr()
    while (peek()?.k === 'word' && (peek() as { v: string }).v === 'or') {
      next()
      const l = left
      const r = andExpr()
      left = (p) => l(p) || r(p)
    }
    return left
  }
  const test = orExpr()
  if (pos !== toks.length) throw new FilterError('unexpected text after the filter')
  return { test, advanced }
}
