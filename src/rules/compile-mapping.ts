/**
 * Attribute mappings of one target: a CEL expression (or a list of candidates for unique values) per target
 * attribute, evaluated in declaration order so later attributes can read earlier ones as `account.<name>`.
 * Computes values only; whether they differ from the target's, and what to do about it, is the engine's.
 */
import type { Contract } from '../model/contract.ts'
import type { Issue } from '../model/issue.ts'
import type { Person } from '../model/person.ts'
import type { AttributeValue } from '../model/values.ts'
import { toAttributeValue, toCel } from './cel-values.ts'
import {
  evaluatorFactory,
  type CachedEvaluator,
  type CacheOptions,
  type CompiledExpression,
  type EvaluatorStats,
  type Outcome,
} from './compiled-expression.ts'
import { sumStats } from './compile-rules.ts'
import { compileAttributes, type CompiledAttribute, type MappingSpec } from './mapping-spec.ts'
import { EvalContext } from './eval-context.ts'
import { chooseUnique, cut, type UniquenessOracle } from './unique-value.ts'
import { dnProblem, isDnAttribute } from './dn-mapping.ts'

export type { AttributeRule, MappingSpec } from './mapping-spec.ts'

export interface MappingInput {
  person: Person
  contract: Contract
  contracts: readonly Contract[]
  today: string
  keep?: Readonly<Record<string, AttributeValue>>
}

export interface CompiledMapping {
  readonly target: string
  /** In evaluation order. */
  readonly attributes: readonly string[]
  readonly uniqueAttributes: readonly string[]
  readonly onceAttributes: readonly string[]
  /** Evaluates the mapping for a person. `account` in CEL holds the attributes computed so far (declaration order),
   *  so `dn` can use `account.uid`. `keep` holds values the engine wants kept (once-attributes from the ledger):
   *  those are used as-is and still claimed in the oracle. Undefined/null results leave the attribute out. */
  evaluate(
    input: MappingInput,
    oracle: UniquenessOracle,
  ): { attributes: Record<string, AttributeValue>; issues: Issue[] }
  stats(): EvaluatorStats
  /** The paths the mapping's expressions read (see expression-reads.ts). */
  readonly reads: readonly (readonly string[])[]
}

/** Throws RulesError naming target, attribute, expression and position of every problem. */
export function compileMapping(
  target: string,
  spec: MappingSpec,
  options: CacheOptions = {},
): CompiledMapping {
  const evaluator = evaluatorFactory(options)
  const compiled = compileAttributes(
    target,
    spec,
    sharingIdenticalSources((expr) => evaluator(expr, toAttributeValue)),
  )
  const reads = compiled.flatMap((a) => a.paths)
  const personFields = rootFieldsRead(reads, 'person')
  return {
    target,
    attributes: compiled.map((a) => a.name),
    uniqueAttributes: compiled.filter((a) => a.unique).map((a) => a.name),
    onceAttributes: compiled.filter((a) => a.once).map((a) => a.name),
    evaluate: (input, oracle) => evaluateMapping(compiled, input, oracle, personFields),
    stats: () => sumStats(compiled.flatMap((a) => a.expressions)),
    reads,
  }
}

/**
 * The fields of `root` the paths select (`person.givenName` → givenName), or undefined when some expression uses
 * `root` as a whole (a bare `person`, a computed index): then only the full CEL view will do. The paths are those
 * of the author's expressions; a DN's escaped form only wraps its values in dnEscape(), so it reads the same.
 */
export function rootFieldsRead(
  paths: readonly (readonly string[])[],
  root: string,
): readonly string[] | undefined {
  const fields = new Set<string>()
  for (const [first, field] of paths) {
    if (first !== root) continue
    // these two cannot be own keys of a plain object: convertObject turns such a record into a Map
    if (field === undefined || field === 'constructor' || field === '__proto__') return undefined
    fields.add(field)
  }
  return [...fields]
}

function evaluateMapping(
  attrs: readonly CompiledAttribute[],
  input: MappingInput,
  oracle: UniquenessOracle,
  personFields: readonly string[] | undefined,
) {
  const { person, contract, contracts, today, keep } = input
  const attributes: Record<string, AttributeValue> = {}
  const issues: Issue[] = []
  const failed = new Set<string>()
  // The attributes so far, as CEL sees them; the same object stays in the activation and grows.
  const account: Record<string, AttributeValue> = Object.create(null)
  const ctx = new EvalContext({ person, contract, today }, () =>
    lazyActivation(person, personFields, contract, contracts, today, account),
  )
  const issue = (
    attribute: string,
    message: string,
    severity: Issue['severity'] = 'error',
    code = 'mapping_failed',
  ) =>
    issues.push({
      severity,
      code,
      message: `${attribute}: ${message}`,
      record: person.key,
      field: attribute,
    })

  for (const a of attrs) {
    // An attribute built on one that failed would only fail again with a less helpful message.
    if (a.reads.some((r) => failed.has(r))) {
      failed.add(a.name)
      continue
    }
    const kept = keep?.[a.name]
    let value: AttributeValue | undefined
    if (kept !== undefined) {
      value = kept
      if (a.unique && typeof kept === 'string') {
        if (oracle.isTaken(a.name, kept, person.key))
          issue(
            a.name,
            `kept value "${kept}" is also held by another account`,
            'warning',
            'unique_conflict',
          )
        oracle.claim(a.name, kept, person.key)
      }
    } else if (!a.unique) {
      const r = a.expressions[0]?.run(ctx)
      if (r === undefined || !r.ok) {
        failed.add(a.name)
        issue(a.name, r?.error ?? 'no expression')
        continue
      }
      value = shape(r.value, a)
      const wrong =
        a.pattern === undefined ? undefined : [value ?? []].flat().find((v) => !a.pattern?.test(v))
      if (wrong !== undefined) {
        failed.add(a.name)
        issue(a.name, `${JSON.stringify(wrong)} does not match the pattern ${a.pattern?.source}`)
        continue
      }
    } else {
      const candidates = function* () {
        for (const [i, e] of a.expressions.entries()) {
          const r = e.run(ctx)
          if (!r.ok) throw new CandidateError(`candidate ${i + 1}: ${r.error}`)
          const v = shape(r.value, a)
          if (v === undefined) continue
          if (typeof v !== 'string')
            throw new CandidateError(
              `candidate ${i + 1} yielded a list; a unique attribute needs one string`,
            )
          yield v
        }
      }
      const settings = {
        attribute: a.name,
        person: person.key,
        iterate: a.iterate,
        maxLength: a.maxLength,
        lowercase: a.lowercase,
        pattern: a.pattern,
      }
      let chosen: ReturnType<typeof chooseUnique>
      try {
        // A failing candidate aborts the choice before anything is claimed.
        chosen = chooseUnique(candidates(), settings, oracle)
      } catch (err) {
        if (!(err instanceof CandidateError)) throw err
        chosen = { ok: false, error: err.message }
      }
      if (!chosen.ok) {
        failed.add(a.name)
        issue(a.name, chosen.error)
        continue
      }
      value = chosen.value
    }
    if (value === undefined) continue
    attributes[a.name] = value
    account[a.name] = value
  }
  const dnName = Object.keys(attributes).find(isDnAttribute)
  const dn = dnName === undefined ? undefined : attributes[dnName]
  if (dnName !== undefined && typeof dn === 'string') {
    // checked once all attributes are known: the DN may come before the attribute it names
    const problem = dnProblem(dn, attributes)
    if (problem !== undefined) {
      delete attributes[dnName]
      issue(dnName, problem, 'error', 'invalid_dn')
    }
  }
  return { attributes, issues }
}

class CandidateError extends Error {}

type AttributeEvaluator = CachedEvaluator<AttributeValue | undefined>

/**
 * Attributes with the same expression (`cn` and `displayName` both `fullName(person)`) evaluate it once per
 * person: later ones take the outcome from the context. Not for expressions reading `account`, which grows
 * between attributes. Each occurrence keeps its own stats; a shared outcome counts as a hit.
 */
function sharingIdenticalSources(
  make: (e: CompiledExpression) => AttributeEvaluator,
): (e: CompiledExpression) => AttributeEvaluator {
  const groups = new Map<string, { evaluator: AttributeEvaluator; shared: boolean }>()
  return (expr) => {
    if (expr.reads.paths.some((p) => p[0] === 'account')) return make(expr)
    let g = groups.get(expr.source)
    const first = g === undefined
    if (g === undefined) groups.set(expr.source, (g = { evaluator: make(expr), shared: false }))
    else g.shared = true
    // the first occurrence reports the evaluator's own stats, so that the sum counts each evaluation once
    const stats: EvaluatorStats = first ? g.evaluator.stats : { evaluations: 0, hits: 0 }
    const group = g
    return {
      stats,
      run(ctx: EvalContext) {
        if (!group.shared) return group.evaluator.run(ctx)
        const memo = ctx.shared
        const hit = memo.get(group) as Outcome<AttributeValue | undefined> | undefined
        if (hit !== undefined) {
          stats.hits++
          return hit
        }
        const outcome = group.evaluator.run(ctx)
        memo.set(group, outcome)
        return outcome
      },
    }
  }
}

/**
 * The CEL view of the inputs, each converted when an expression first reads it (most mappings never read
 * `contracts`). With `personFields`, `person` holds only those fields: converting a whole person (its contracts,
 * a dozen memberships, attributes) for the names a mapping reads was ~0.7 s of CPU at 100,000 persons.
 */
function lazyActivation(
  person: Person,
  personFields: readonly string[] | undefined,
  contract: Contract,
  contracts: readonly Contract[],
  today: string,
  account: Record<string, AttributeValue>,
) {
  let p: unknown, c: unknown, cs: unknown
  return {
    get person() {
      return (p ??= personFields === undefined ? toCel(person) : celFields(person, personFields))
    },
    get contract() {
      return (c ??= toCel(contract))
    },
    get contracts() {
      return (cs ??= toCel(contracts))
    },
    today,
    account,
  }
}

/** These fields of `record` as toCel would give them in its whole view: absent and undefined ones left out. */
function celFields(record: object, fields: readonly string[]): unknown {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (!Object.hasOwn(record, f)) continue
    const v = (record as Record<string, unknown>)[f]
    if (v !== undefined) out[f] = toCel(v)
  }
  return Object.freeze(out)
}

/** Lower case and length limit; "" and [] mean "no value", as LDAP cannot store an empty one. */
function shape(
  value: AttributeValue | undefined,
  a: CompiledAttribute,
): AttributeValue | undefined {
  if (value === undefined) return undefined
  const one = (s: string) => {
    const l = a.lowercase ? s.toLowerCase() : s
    return a.maxLength !== undefined ? cut(l, a.maxLength) : l
  }
  if (typeof value === 'string') return value === '' ? undefined : one(value)
  const list = value.map(one).filter((s) => s !== '')
  return list.length === 0 ? undefined : list
}
