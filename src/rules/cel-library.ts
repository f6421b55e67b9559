/**
 * Koppel's CEL function library: Dutch names, text, dates, and `coalesce`/`orElse` for optional fields.
 * Registers thin wrappers around the pure functions in dutch-names.ts, text-functions.ts and
 * date-functions.ts; CEL ints arrive as BigInt and leave as BigInt. String helpers are callable both as
 * functions and as methods: `slug(s)` and `s.slug()`.
 */
import type { Environment } from '@marcbachmann/cel-js'
import {
  familyName,
  fullName,
  givenName,
  personInitials,
  sortName,
  type NameParts,
} from './dutch-names.ts'
import { ascii, initialsOf, left, prefixLetters, replaceAll, slug } from './text-functions.ts'
import {
  addDays,
  daysBetween,
  finalGrade,
  graduationYear,
  schoolYearOf,
  yearOf,
} from './date-functions.ts'
import { toAttributeValue } from './cel-values.ts'
import { escapeDnValue } from '../protocol/ldap-escape.ts'

type Fn = (...args: never[]) => unknown

/** Registers `name(string, …)` and the method form `string.name(…)`. */
function stringFunction(
  env: Environment,
  name: string,
  params: string[],
  ret: string,
  handler: Fn,
): void {
  env.registerFunction(`${name}(${['string', ...params].join(', ')}): ${ret}`, handler)
  env.registerFunction(`string.${name}(${params.join(', ')}): ${ret}`, handler)
}

const asNames = (m: unknown): NameParts => m as NameParts
const int = (n: bigint): number => Number(n)

export function registerLibrary(env: Environment): void {
  env.registerFunction('familyName(map): string', (p: unknown) => familyName(asNames(p)))
  env.registerFunction('fullName(map): string', (p: unknown) => fullName(asNames(p)))
  env.registerFunction('sortName(map): string', (p: unknown) => sortName(asNames(p)))
  env.registerFunction('givenName(map): string', (p: unknown) => givenName(asNames(p)))
  env.registerFunction('initials(map): string', (p: unknown) => personInitials(asNames(p)))

  stringFunction(env, 'initials', [], 'string', (s: string) => initialsOf(s))
  stringFunction(env, 'ascii', [], 'string', (s: string) => ascii(s))
  stringFunction(env, 'slug', [], 'string', (s: string) => slug(s))
  stringFunction(env, 'left', ['int'], 'string', (s: string, n: bigint) => left(s, int(n)))
  stringFunction(env, 'prefixLetters', ['int'], 'string', (s: string, n: bigint) =>
    prefixLetters(s, int(n)),
  )
  stringFunction(env, 'lower', [], 'string', (s: string) => s.toLowerCase())
  stringFunction(env, 'upper', [], 'string', (s: string) => s.toUpperCase())
  stringFunction(
    env,
    'capitalize',
    [],
    'string',
    (s: string) => s.charAt(0).toUpperCase() + s.slice(1),
  )
  stringFunction(
    env,
    'replace',
    ['string', 'string'],
    'string',
    (s: string, a: string, b: string) => replaceAll(s, a, b),
  )
  stringFunction(env, 'dnEscape', [], 'string', (s: string) => escapeDnValue(s))
  env.registerFunction('rdn(string, string): string', (type: string, value: string) =>
    rdnOf(type, value),
  )
  env.registerFunction('trim(string): string', (s: string) => s.trim())
  env.registerFunction('join(list, string): string', (l: unknown[], sep: string) => {
    const v = toAttributeValue(l)
    return typeof v === 'string' ? v : (v ?? []).join(sep)
  })

  env.registerFunction('yearOf(string): int', (d: string) => BigInt(yearOf(d)))
  env.registerFunction('daysBetween(string, string): int', (a: string, b: string) =>
    BigInt(daysBetween(a, b)),
  )
  env.registerFunction('addDays(string, int): string', (d: string, n: bigint) => addDays(d, int(n)))
  env.registerFunction('schoolYearOf(string): string', (d: string) => schoolYearOf(d))
  env.registerFunction('graduationYear(map): int', (c: Record<string, unknown>) =>
    graduationYearOf(c, finalGrade(typeof c.programme === 'string' ? c.programme : undefined)),
  )
  env.registerFunction(
    'graduationYear(map, int): int',
    (c: Record<string, unknown>, last: bigint) => graduationYearOf(c, int(last)),
  )

  for (let n = 2; n <= 8; n++)
    env.registerFunction(`coalesce(${Array(n).fill('ast').join(', ')}): dyn`, coalesce)
  env.registerFunction('orElse(ast, ast): dyn', coalesce)
}

/** `rdn("cn", value)`: one attribute-value pair with the value escaped. */
function rdnOf(type: string, value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(type))
    throw new Error(`rdn: ${JSON.stringify(type)} is not an attribute name`)
  return `${type}=${escapeDnValue(value)}`
}

function graduationYearOf(contract: Record<string, unknown>, last: number): bigint {
  const { schoolYear, grade } = contract
  if (typeof schoolYear !== 'string')
    throw new Error('graduationYear: the contract has no schoolYear')
  if (typeof grade !== 'bigint')
    throw new Error('graduationYear: the contract has no whole-number grade')
  return BigInt(graduationYear(schoolYear, Number(grade), last))
}

// Minimal structural view of cel-js's macro hooks (its typings declare them as `any`).
interface MacroAst {
  readonly args: readonly unknown[]
}
interface MacroChecker {
  check(node: unknown, ctx: unknown): unknown
  getType(name: string): unknown
}
interface MacroEvaluator {
  tryEval(node: unknown, ctx: unknown): unknown
}

/**
 * `coalesce(a, b, …)`: the first argument that is present, not null and not "". A macro rather than a function
 * because a plain function never sees `person.preferredGivenName` when the key is absent: reading it fails
 * before the call. Only "no such key" is swallowed; any other error in an argument still fails the expression.
 */
function coalesce({ args }: MacroAst) {
  return {
    args,
    typeCheck(checker: MacroChecker, macro: MacroAst, ctx: unknown) {
      for (const a of macro.args) checker.check(a, ctx)
      return checker.getType('dyn')
    },
    evaluate(ev: MacroEvaluator, macro: MacroAst, ctx: unknown) {
      for (const a of macro.args) {
        const v = ev.tryEval(a, ctx)
        if (v instanceof Error) {
          if ((v as { code?: string }).code === 'no_such_key') continue
          throw v
        }
        if (v === null || v === undefined || v === '') continue
        return v
      }
      return null
    },
  }
}
