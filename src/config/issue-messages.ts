/**
 * Turns zod issues into short messages for a school's IT administrator, and into flat `{ path, message }`
 * pairs: one per unknown key, and the inner errors of a union when only one alternative was plausible.
 * Messages name types, limits and keys, never a value from the file, since that value may be a password.
 */
import { z } from 'zod'
import { SECRET_REFERENCE } from '../contract/index.ts'
import { didYouMean } from './did-you-mean.ts'

export interface FlatIssue {
  readonly path: readonly PropertyKey[]
  readonly message: string
  /** Point at the key itself rather than its value (an unknown key). */
  readonly at?: 'key'
}

const SECRET_MESSAGE =
  'holds a secret, so it must be a reference like ${env:NAME} or ${file:path}, never the value itself'

function typeOf(v: unknown): string {
  if (v === null) return 'an empty value'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number'
  return `a ${typeof v}`
}

const EXPECTED: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
}

const sizeWord = (origin: string, n: unknown): string =>
  origin === 'array'
    ? `${String(n)} item(s)`
    : origin === 'string'
      ? `${String(n)} character(s)`
      : String(n)

const expectedOf = (i: z.core.$ZodIssue | undefined): string =>
  i?.code === 'invalid_type' ? (EXPECTED[i.expected] ?? i.expected) : 'another form'

function isSecretSchema(inst: unknown): boolean {
  return inst instanceof z.ZodType && z.globalRegistry.get(inst)?.['secret'] === true
}

/** Error map passed to `safeParse`; schema-level messages (e.g. from `secret()`) take precedence over it. */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required field is missing'
      if (isSecretSchema(issue.inst))
        return `must be a secret reference like \${env:NAME}, not ${typeOf(issue.input)}`
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${typeOf(issue.input)}`
    case 'too_big':
      return issue.origin === 'number'
        ? `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}`
        : `must have at most ${sizeWord(issue.origin, issue.maximum)}`
    case 'too_small':
      return issue.origin === 'number'
        ? `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}`
        : `must have at least ${sizeWord(issue.origin, issue.minimum)}`
    case 'invalid_value':
      if (issue.input === undefined) return 'required field is missing'
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`
    case 'invalid_union':
      return `expected ${issue.errors.map((b) => expectedOf(b[0])).join(' or ')}, got ${typeOf(issue.input)}`
    case 'unrecognized_keys': {
      const shape = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : []
      // one line per key, split again in flattenIssues: the final issue keeps no room for per-key data
      return issue.keys
        .map((k) => {
          const near = didYouMean(k, shape)
          return `unknown key "${k}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`
        })
        .join('\n')
    }
    case 'custom':
    case 'invalid_element':
    case 'invalid_format':
    case 'invalid_key':
    case 'not_multiple_of':
      return undefined
  }
}

/** Flattens final zod issues into one entry per problem, with absolute paths. */
export function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): FlatIssue[] {
  return issues.flatMap((issue): FlatIssue[] => {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n')
      return issue.keys.map((k, i) => ({
        path: [...path, k],
        message: lines[i] ?? `unknown key "${k}"`,
        at: 'key' as const,
      }))
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // a branch that failed only on its root type was not what the author meant; report the other one's errors
      const plausible = issue.errors.filter(
        (b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0),
      )
      if (plausible.length === 1) return flattenIssues(plausible[0] ?? [], path)
    }
    if (
      issue.code === 'invalid_format' &&
      issue.format === 'regex' &&
      issue.pattern === String(SECRET_REFERENCE)
    ) {
      return [{ path, message: SECRET_MESSAGE }]
    }
    return [{ path, message: issue.message }]
  })
}
