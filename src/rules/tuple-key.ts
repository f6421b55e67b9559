/**
 * Numbers the distinct tuples of values that a set of paths reads, straight from the model objects (no CEL
 * conversion): two inputs with the same tuple id give the same result for any expression that reads only these
 * paths (expression-reads.ts), because the conversion to CEL is a pure function of these values.
 *
 * A trie of Maps keyed by the raw values, so a lookup allocates nothing. A path that leads to a list or map, or
 * a full index, yields -1: the caller then evaluates without the cache.
 */
import type { Path } from './expression-reads.ts'

export type Roots = Readonly<Record<string, unknown>>

export const NOT_KEYABLE = -1

// Where a path stopped and on what decides which error (or `has` verdict) CEL gives, so each gets its own token.
const stops = new Map<string, symbol>()
const stopToken = (depth: number, on: unknown): symbol => {
  const name = `${depth}:${on === null ? 'null' : typeof on}`
  let s = stops.get(name)
  if (s === undefined) stops.set(name, (s = Symbol(name)))
  return s
}
const NOT_SCALAR = Symbol('not scalar')

/** The value a path reads, as a Map key: the scalar itself, a stop token, or NOT_SCALAR. */
export function pathToken(path: Path, roots: Roots): unknown {
  let cur: unknown = roots[path[0] ?? '']
  for (let i = 1; i < path.length; i++) {
    const seg = path[i] as string
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg))
      return stopToken(i, cur)
    cur = (cur as Record<string, unknown>)[seg]
  }
  return cur !== null && typeof cur === 'object' ? NOT_SCALAR : cur
}

export class TupleIndex {
  readonly id: number
  readonly paths: readonly Path[]
  readonly #root = new Map<unknown, unknown>()
  readonly #max: number
  #size = 0

  constructor(id: number, paths: readonly Path[], max: number) {
    this.id = id
    this.paths = paths
    this.#max = max
  }

  get size(): number {
    return this.#size
  }

  idOf(roots: Roots): number {
    const paths = this.paths
    if (paths.length === 0) return 0
    let node = this.#root
    for (let i = 0; ; i++) {
      const token = pathToken(paths[i] as Path, roots)
      if (token === NOT_SCALAR) return NOT_KEYABLE
      const next = node.get(token)
      if (i === paths.length - 1) {
        if (next !== undefined) return next as number
        if (this.#size >= this.#max) return NOT_KEYABLE
        node.set(token, this.#size)
        return this.#size++
      }
      if (next !== undefined) node = next as Map<unknown, unknown>
      else node.set(token, (node = new Map()))
    }
  }
}

/** Per compiled rule set or mapping: one index per distinct set of paths, shared by the expressions that read it. */
export function tupleIndexes(max: number): (paths: readonly Path[]) => TupleIndex {
  const byName = new Map<string, TupleIndex>()
  return (paths) => {
    const name = paths.map((p) => p.join('\u0000')).join('\u0001')
    let index = byName.get(name)
    if (index === undefined) byName.set(name, (index = new TupleIndex(byName.size, paths, max)))
    return index
  }
}
