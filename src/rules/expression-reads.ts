/**
 * What a CEL expression reads, found from its syntax tree: the member paths it selects from the variables
 * (`contract.role`, `person.attributes["metadata.x"]`, `today`) and whether its value depends on nothing
 * else, so that it may be evaluated once per distinct tuple of those values (see tuple-key.ts).
 *
 * Conservative by design: any identifier that is not `person`, `contract` or `today` (an iteration variable of
 * a macro, `contracts`, `account`, `cel.bind`), a whole-object read (`familyName(person)`), a read of a
 * collection field (`person.memberships`, `contract.attributes`) or a computed index (`m[contract.role]`) makes
 * the expression uncacheable. The library's functions are pure, so calls do not matter.
 */
import type { ASTNode } from '@marcbachmann/cel-js'

export type Path = readonly string[]

export interface ExpressionReads {
  /** Distinct paths, each starting with the variable: ["contract", "role"], ["today"]. */
  readonly paths: readonly Path[]
  readonly tupleCacheable: boolean
}

// membership and group: rules with for: membership (and a target's provisionGroups:, which reads group only)
const TUPLE_ROOTS = new Set(['person', 'contract', 'today', 'membership', 'group'])
const VARIABLES = new Set([
  'person',
  'contract',
  'today',
  'contracts',
  'account',
  'membership',
  'group',
])
/** Model fields that hold lists or maps: their value is not a scalar a tuple can hold. */
const COLLECTIONS = new Set(['attributes', 'sourceIds', 'memberships', 'contracts'])

export function expressionReads(ast: ASTNode): ExpressionReads {
  const paths = new Map<string, Path>()
  let cacheable = true

  const visit = (node: ASTNode): void => {
    const names = nameFunctionReads(node)
    if (names !== undefined) {
      // the name functions take the whole person but read only its name fields; the value is still not
      // cached per tuple (as before), only the paths say more precisely what is read
      for (const p of names) paths.set(p.join('\u0000'), p)
      cacheable = false
      return
    }
    const path = selectPath(node)
    if (path !== undefined) {
      const [root] = path
      if (root === undefined || !VARIABLES.has(root)) {
        cacheable = false
        return
      }
      paths.set(path.join('\u0000'), path)
      if (!TUPLE_ROOTS.has(root)) cacheable = false
      else if (
        root !== 'today' &&
        (path.length < 2 || COLLECTIONS.has(path[path.length - 1] ?? ''))
      )
        cacheable = false
      return
    }
    for (const child of children(node)) visit(child)
  }
  visit(ast)
  return { paths: [...paths.values()], tupleCacheable: cacheable }
}

/** The functions of cel-library.ts that take a person (`fullName(person)`) and read only these fields of it. */
const NAME_FUNCTIONS = new Set(['familyName', 'fullName', 'sortName', 'initials'])
const NAME_FIELDS = [
  'givenName',
  'preferredGivenName',
  'middleName',
  'initials',
  'familyName',
  'familyNamePrefix',
  'partnerName',
  'partnerNamePrefix',
  'nameConvention',
]

/** `fullName(person)` and the like: the name fields of person, else undefined. */
function nameFunctionReads(node: ASTNode): Path[] | undefined {
  if (node.op !== 'call') return undefined
  const [name, args] = node.args as unknown as [string, ASTNode[]]
  if (!NAME_FUNCTIONS.has(name) || !Array.isArray(args) || args.length !== 1) return undefined
  const [arg] = args
  if (arg?.op !== 'id' || arg.args !== 'person') return undefined
  return NAME_FIELDS.map((f) => ['person', f])
}

/** The path of a chain of field selections and string-literal indexes rooted at an identifier, if it is one. */
function selectPath(node: ASTNode): string[] | undefined {
  if (node.op === 'id') return [node.args]
  if (node.op === '.' || node.op === '.?') {
    const base = selectPath(node.args[0])
    return base === undefined ? undefined : [...base, node.args[1]]
  }
  if (node.op === '[]' || node.op === '[?]') {
    const [obj, index] = node.args
    if (index.op !== 'value' || typeof index.args !== 'string') return undefined
    const base = selectPath(obj)
    return base === undefined ? undefined : [...base, index.args]
  }
  return undefined
}

function children(node: ASTNode): ASTNode[] {
  const out: ASTNode[] = []
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) collect(x)
    else if (v !== null && typeof v === 'object' && 'op' in v) out.push(v as ASTNode)
  }
  if (node.op !== 'value' && node.op !== 'id') collect(node.args)
  return out
}
