/**
 * The mapping spec of one target, checked and compiled: every attribute's expressions parsed and type-checked,
 * option values vetted, and `account.<x>` reads checked against the declaration order. Collects every problem
 * and throws one RulesError. Does not evaluate anything.
 */
import type { AttributeValue } from '../model/values.ts'
import {
  compileExpression,
  isCompiled,
  type CachedEvaluator,
  type CompiledExpression,
} from './compiled-expression.ts'
import { RulesError, type RuleProblem } from './rules-error.ts'
import { DEFAULT_ITERATE, DEFAULT_UNIQUE_PATTERN } from './unique-value.ts'
import { escapeDnValues, isDnAttribute } from './dn-mapping.ts'
import { messageOf } from '../util/message-of.ts'

export type MappingSpec = Readonly<
  Record<string /* target attribute */, string /* CEL */ | AttributeRule>
>

export interface AttributeRule {
  /** CEL; or use candidates. */
  value?: string
  /** CEL expressions tried in order for a unique value. */
  candidates?: string[]
  /** The value must not be taken by another person in this target. */
  unique?: boolean
  /** How to make more candidates after the list: default '{value}{n}' with n = 2, 3, … */
  iterate?: string
  /** E.g. 20 for sAMAccountName: the base is cut before the suffix so value+suffix fits. */
  maxLength?: number
  /** Generated once and then kept (usernames): the engine keeps the ledger's value. */
  once?: boolean
  lowercase?: boolean
  /** A regular expression (Unicode) the value must match; unique attributes default to DEFAULT_UNIQUE_PATTERN. */
  pattern?: string
}

export interface CompiledAttribute {
  readonly name: string
  /** One for `value`, one per candidate. */
  readonly expressions: readonly CachedEvaluator<AttributeValue | undefined>[]
  /** Earlier attributes this one reads as `account.<name>`. */
  readonly reads: readonly string[]
  /** Every path its expressions read (`person.username`, `contract.role`), for the fields-read summary. */
  readonly paths: readonly (readonly string[])[]
  readonly unique: boolean
  readonly once: boolean
  readonly lowercase: boolean
  readonly pattern?: RegExp
  readonly maxLength?: number
  readonly iterate: string
}

const RULE_KEYS = new Set([
  'value',
  'candidates',
  'unique',
  'iterate',
  'maxLength',
  'once',
  'lowercase',
  'pattern',
])
const notMap = (t: string) =>
  t.startsWith('map') ? `an attribute value must be a string or list, not ${t}` : undefined

export function compileAttributes(
  target: string,
  spec: Readonly<Record<string, unknown>>,
  evaluator: (e: CompiledExpression) => CachedEvaluator<AttributeValue | undefined>,
): CompiledAttribute[] {
  const problems: RuleProblem[] = []
  const out: CompiledAttribute[] = []
  const declared = new Set<string>()
  for (const [attribute, raw] of Object.entries(spec)) {
    const problem = (field: string, message: string, extra: Partial<RuleProblem> = {}) =>
      problems.push({ target, attribute, field, message, ...extra })
    const rule: AttributeRule =
      typeof raw === 'string' ? { value: raw } : ((raw ?? {}) as AttributeRule)
    if (typeof raw !== 'string') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        problem('value', 'expected a CEL string or an object with value/candidates')
        continue
      }
      for (const k of Object.keys(raw))
        if (!RULE_KEYS.has(k)) problem(k, `unknown option (known: ${[...RULE_KEYS].join(', ')})`)
    }
    const sources = sourcesOf(rule, problem)
    const iterate = rule.iterate ?? DEFAULT_ITERATE
    if (typeof iterate !== 'string' || !iterate.includes('{n}'))
      problem('iterate', 'the template needs {n}', { expression: String(iterate) })
    if (rule.maxLength !== undefined && !(Number.isInteger(rule.maxLength) && rule.maxLength > 0))
      problem('maxLength', 'must be a positive whole number')
    const pattern = patternOf(rule, problem)
    for (const k of ['unique', 'once', 'lowercase'] as const) {
      if (rule[k] !== undefined && typeof rule[k] !== 'boolean') problem(k, 'must be true or false')
    }

    const expressions: CachedEvaluator<AttributeValue | undefined>[] = []
    const reads = new Set<string>()
    const paths: (readonly string[])[] = []
    for (const { field, source } of sources) {
      let c = compileExpression('mapping', source, notMap)
      if (!isCompiled(c)) {
        problem(field, c.message, { expression: source, position: c.position })
        continue
      }
      paths.push(...c.reads.paths)
      // errors above name the author's text; what runs has every value part of the DN escaped
      if (isDnAttribute(attribute)) c = compileExpression('mapping', escapeDnValues(source), notMap)
      if (!isCompiled(c)) {
        problem(field, `with its values escaped: ${c.message}`, { expression: source })
        continue
      }
      for (const [root, name] of c.reads.paths) {
        if (root !== 'account' || name === undefined) continue
        if (name === attribute)
          problem(field, `reads account.${name}, its own value`, { expression: source })
        else if (!declared.has(name))
          problem(field, `reads account.${name}, which is not computed before this attribute`, {
            expression: source,
          })
        reads.add(name)
      }
      expressions.push(evaluator(c))
    }
    declared.add(attribute)
    out.push({
      name: attribute,
      expressions,
      reads: [...reads],
      paths,
      unique: rule.unique === true,
      once: rule.once === true,
      lowercase: rule.lowercase === true,
      ...(pattern !== undefined ? { pattern } : {}),
      maxLength: rule.maxLength,
      iterate,
    })
  }
  if (problems.length > 0) throw new RulesError(problems)
  return out
}

function sourcesOf(
  rule: AttributeRule,
  problem: (field: string, message: string) => void,
): { field: string; source: string }[] {
  const hasValue = rule.value !== undefined
  const hasCandidates = rule.candidates !== undefined
  if (hasValue === hasCandidates) {
    problem(
      'value',
      hasValue ? 'give either value or candidates, not both' : 'needs a value or candidates',
    )
    return []
  }
  if (hasValue) {
    if (typeof rule.value === 'string') return [{ field: 'value', source: rule.value }]
    problem('value', 'must be a CEL expression (a string)')
    return []
  }
  if (!Array.isArray(rule.candidates) || rule.candidates.length === 0) {
    problem('candidates', 'must be a non-empty list of CEL expressions')
    return []
  }
  return rule.candidates.flatMap((source, i) => {
    if (typeof source === 'string') return [{ field: `candidates[${i}]`, source }]
    problem(`candidates[${i}]`, 'must be a CEL expression (a string)')
    return []
  })
}

function patternOf(
  rule: AttributeRule,
  problem: (field: string, message: string) => void,
): RegExp | undefined {
  const source = rule.pattern ?? (rule.unique === true ? DEFAULT_UNIQUE_PATTERN : undefined)
  if (source === undefined) return undefined
  if (typeof source !== 'string') {
    problem('pattern', 'must be a regular expression (a string)')
    return undefined
  }
  try {
    return new RegExp(source, 'u')
  } catch (err) {
    problem('pattern', messageOf(err))
    return undefined
  }
}
