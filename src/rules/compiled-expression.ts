/**
 * One CEL expression, parsed and type-checked once, evaluated many times; with an optional cache of results
 * per tuple of the values it reads (expression-reads.ts, tuple-key.ts).
 *
 * Evaluation never throws: it yields an Outcome, and the caller turns a failure into an Issue. Failures are
 * cached like values, since they too depend only on the tuple. Does not know about rules or mappings.
 */
import type { ASTNode, ParseResult } from '@marcbachmann/cel-js'
import { celEnvironment, type Scope } from './cel-environment.ts'
import { expressionReads, type ExpressionReads } from './expression-reads.ts'
import { unknownField } from './fields.ts'
import { didYouMean } from '../config/did-you-mean.ts'
import type { EvalContext } from './eval-context.ts'
import { NOT_KEYABLE, tupleIndexes, type Roots, type TupleIndex } from './tuple-key.ts'

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string }

export interface CompileFailure {
  readonly position?: number
  readonly message: string
}

export interface CompiledExpression {
  readonly source: string
  readonly reads: ExpressionReads
  /** The type the checker inferred: `bool`, `string`, `dyn`, `list<string>`, … */
  readonly type: string
  /** Set when the expression is nothing but a path (`person.key`, `contract.attributes["x"]`): see stringAt. */
  readonly path?: readonly string[]
  run(activation: Roots): unknown
}

/** Parses and type-checks; `accepts` vets the inferred type (a condition must be bool or dyn). */
export function compileExpression(
  scope: Scope,
  source: string,
  accepts: (type: string) => string | undefined,
): CompiledExpression | CompileFailure {
  let parsed: ParseResult
  try {
    parsed = celEnvironment(scope).parse(source)
  } catch (err) {
    return failure(err)
  }
  const checked = parsed.check()
  if (!checked.valid) return failure(checked.error)
  const type = checked.type ?? 'dyn'
  const wrongType = accepts(type)
  if (wrongType !== undefined) return { position: 0, message: wrongType }
  const ast: ASTNode = parsed.ast
  const reads = expressionReads(ast)
  // CEL maps are untyped, so the checker lets `contract.rol` through; every person would then fail at run time
  for (const path of reads.paths) {
    const unknown = unknownField(path, didYouMean)
    if (unknown === undefined) continue
    const at = source.search(
      new RegExp(
        `\\b${path
          .slice(0, 2)
          .map((p) => p.replace(/\W/g, '\\$&'))
          .join('\\s*\\.\\s*')}\\b`,
      ),
    )
    return { ...(at >= 0 ? { position: at } : {}), message: unknown }
  }
  const path = plainPath(ast)
  return {
    source,
    reads,
    type,
    ...(path !== undefined ? { path } : {}),
    run: (activation) => parsed(activation),
  }
}

/** The path of an expression that only selects fields (`a.b`, `a["b"]`) from a variable; not `a.?b` (optional). */
function plainPath(node: ASTNode): string[] | undefined {
  if (node.op === 'id') return [node.args]
  if (node.op === '.') {
    const base = plainPath(node.args[0])
    return base === undefined ? undefined : [...base, node.args[1]]
  }
  if (node.op === '[]') {
    const [obj, index] = node.args
    if (index.op !== 'value' || typeof index.args !== 'string') return undefined
    const base = plainPath(obj)
    return base === undefined ? undefined : [...base, index.args]
  }
  return undefined
}

/**
 * The string a path leads to in the model objects, where each step is an own field of a plain object; else
 * undefined. CEL would give the same string: the CEL view of a model object keeps its strings and its keys
 * (cel-values.ts), so an expression that is only a path needs no interpreter when it ends on a string. Other
 * ends (numbers become ints, lists, absent fields and their errors) are left to CEL.
 */
export function stringAt(path: readonly string[], roots: Roots): string | undefined {
  const root = path[0]
  if (root === undefined || !Object.hasOwn(roots, root)) return undefined
  let cur: unknown = roots[root]
  for (let i = 1; i < path.length; i++) {
    const seg = path[i] as string
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg))
      return undefined
    if (Object.getPrototypeOf(cur) !== Object.prototype) return undefined
    cur = (cur as Record<string, unknown>)[seg]
  }
  return typeof cur === 'string' ? cur : undefined
}

/** The member paths an expression reads (`['contract', 'location']`); undefined when it does not compile. */
export function readPaths(
  scope: Scope,
  source: string,
): readonly (readonly string[])[] | undefined {
  const c = compileExpression(scope, source, () => undefined)
  return isCompiled(c) ? c.reads.paths : undefined
}

export function isCompiled(x: CompiledExpression | CompileFailure): x is CompiledExpression {
  return 'run' in x
}

function failure(err: unknown): CompileFailure {
  const e = err as { summary?: string; message?: string; range?: { start: number } } | undefined
  return { position: e?.range?.start, message: e?.summary ?? e?.message ?? String(err) }
}

export function errorMessage(err: unknown): string {
  const e = err as { summary?: unknown; message?: unknown }
  if (typeof e?.summary === 'string') return e.summary
  if (typeof e?.message === 'string') return e.message
  return String(err)
}

export interface EvaluatorStats {
  /** CEL evaluations actually run. */
  evaluations: number
  /** Results served from the tuple cache. */
  hits: number
}

export interface CachedEvaluator<T> {
  run(ctx: EvalContext): Outcome<T>
  readonly stats: EvaluatorStats
}

export interface CacheOptions {
  readonly cache?: boolean
  /** Past this many distinct tuples of a set of paths new ones are evaluated but not stored: the expressions read
   *  something nearly unique per person (a key, a name) and the cache would only cost memory. */
  readonly maxEntries?: number
}

export const DEFAULT_MAX_ENTRIES = 10_000

/** `index` numbers the tuples of the paths the expression reads; undefined for an expression that cannot be cached. */
export function cachedEvaluator<T>(
  expr: CompiledExpression,
  finish: (value: unknown) => T,
  index: TupleIndex | undefined,
): CachedEvaluator<T> {
  const stats: EvaluatorStats = { evaluations: 0, hits: 0 }
  const path = expr.path
  const evaluate = (ctx: EvalContext): Outcome<T> => {
    stats.evaluations++
    try {
      const text = path === undefined ? undefined : stringAt(path, ctx.roots)
      return { ok: true, value: finish(text ?? expr.run(ctx.activation())) }
    } catch (err) {
      return { ok: false, error: errorMessage(err) }
    }
  }
  if (index === undefined || !expr.reads.tupleCacheable) return { stats, run: evaluate }
  const outcomes: Outcome<T>[] = []
  return {
    stats,
    run(ctx) {
      const id = ctx.tupleId(index)
      if (id === NOT_KEYABLE) return evaluate(ctx)
      const hit = outcomes[id]
      if (hit !== undefined) {
        stats.hits++
        return hit
      }
      return (outcomes[id] = evaluate(ctx))
    },
  }
}

/** What the compilers need: an evaluator factory that shares tuple indexes between expressions reading the same paths. */
export function evaluatorFactory(options: CacheOptions = {}) {
  const indexes = tupleIndexes(options.maxEntries ?? DEFAULT_MAX_ENTRIES)
  return <T>(expr: CompiledExpression, finish: (value: unknown) => T): CachedEvaluator<T> =>
    cachedEvaluator(
      expr,
      finish,
      options.cache === false || !expr.reads.tupleCacheable ? undefined : indexes(expr.reads.paths),
    )
}
