/**
 * Parses koppel.yaml keeping node positions, and finds the line and column of a config path in it: the
 * offending value, or for a missing key the key of its parent (or the parent mapping's first line). YAML
 * errors (syntax, duplicate keys, several documents) come back with positions but without the source excerpt
 * the yaml library would add, since that excerpt may show a password.
 */
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml'
import type { Node } from 'yaml'

export interface Position {
  readonly line: number
  readonly column: number
}

export interface YamlSource {
  readonly doc: Document
  readonly lineCounter: LineCounter
}

export interface YamlProblem extends Position {
  readonly message: string
}

export function parseYaml(text: string): { source: YamlSource; problems: YamlProblem[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const lines = text.split('\n')
  const problems = doc.errors.map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0])
    // ${…} in a flow collection ({ } or [ ]) breaks the YAML syntax unless quoted
    const hint = lines[line - 1]?.includes('${')
      ? " (quote secret references inside { } or [ ]: '${env:NAME}')"
      : ''
    const message =
      e.code === 'DUPLICATE_KEY' ? 'duplicate key' : `${e.message.replace(/\s+/g, ' ')}${hint}`
    return { line, column: col, message }
  })
  return { source: { doc, lineCounter }, problems }
}

function keyMatches(key: unknown, segment: PropertyKey): boolean {
  return isScalar(key) ? String(key.value) === String(segment) : false
}

/**
 * Where `path` is in the document. `at: 'key'` points at the last key itself (for an unknown key) rather
 * than its value. `offset`: a position inside a one-line string value (a CEL expression's error position),
 * counted from the value's first character after any opening quote.
 */
export function locate(
  source: YamlSource,
  path: readonly PropertyKey[],
  at: 'key' | 'value' = 'value',
  offset?: number,
): Position {
  const { doc, lineCounter } = source
  let node: unknown = doc.contents
  let best: unknown = doc.contents
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc)
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyMatches(p.key, segment))
      if (pair === undefined) break
      const last = i === path.length - 1
      // on the way down remember the key, so a missing key deeper down is reported at its parent's key
      const empty = pair.value === null || (isScalar(pair.value) && pair.value.value === null)
      best = last && at === 'value' && !empty ? pair.value : pair.key
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = best = node.items[segment]
    } else break
  }
  let start = (best as Node | null)?.range?.[0] ?? 0
  if (
    offset !== undefined &&
    isScalar(best) &&
    typeof best.value === 'string' &&
    !best.value.includes('\n')
  ) {
    // double-quoted escapes shift positions; plain and single-quoted text is the expression as written
    if (best.type === 'PLAIN') start += offset
    else if (best.type === 'QUOTE_SINGLE' && !best.value.includes("'")) start += offset + 1
    else if (best.type === 'QUOTE_DOUBLE' && !/["\\]/.test(best.value)) start += offset + 1
  }
  const { line, col } = lineCounter.linePos(start)
  return { line, column: col }
}
