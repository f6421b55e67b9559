/**
 * A target's `provisionGroups:` section compiled: for each group set, a CEL condition that selects source groups and
 * expressions for the sync key, title, description, type, parent and target-specific fields. Evaluating it
 * for a source group yields the group as the target should have it, or an issue naming the group and field.
 * Decides nothing about the target's current state (that is the engine's plan-groups.ts).
 */
import type { Group } from '../model/group.ts'
import type { Issue } from '../model/issue.ts'
import type { Attributes } from '../model/values.ts'
import { toCel } from './cel-values.ts'
import {
  compileExpression,
  errorMessage,
  isCompiled,
  type CompiledExpression,
} from './compiled-expression.ts'
import { RulesError, type RuleProblem } from './rules-error.ts'

export interface GroupSetSpec {
  readonly name: string
  readonly when: string
  readonly id: string
  readonly title: string
  readonly description?: string | undefined
  readonly type: string
  readonly parent?: string | undefined
  readonly attributes: Readonly<Record<string, string>>
  readonly deleteAfterDays: number | null
}

/** A group as one target should have it. */
export interface DesiredGroup {
  readonly set: string
  /** The sync key: unique in the target, never changes. */
  readonly key: string
  /** The source group it is made from. */
  readonly source: Group
  readonly title: string
  /** `title`, `description`, `type`, `parent` (a sync key) and the set's own attributes; absent values left out. */
  readonly attributes: Attributes
}

export interface CompiledGroupSets {
  readonly sets: readonly { readonly name: string; readonly deleteAfterDays: number | null }[]
  /** Every source group each set selects, in set order; a group two sets select is in both (with its own key). */
  evaluate(
    groups: readonly Group[],
    today: string,
  ): { readonly groups: DesiredGroup[]; readonly issues: Issue[] }
}

const bool = (t: string) =>
  t === 'bool' || t === 'dyn' ? undefined : `a condition must yield a bool, not ${t}`
const text = (t: string) =>
  /^(string|dyn|int)$/.test(t) ? undefined : `must yield a string, not ${t}`

interface CompiledSet {
  readonly name: string
  readonly deleteAfterDays: number | null
  readonly when: CompiledExpression
  readonly fields: readonly (readonly [string, CompiledExpression])[]
}

export function compileGroupSets(
  target: string,
  specs: readonly GroupSetSpec[],
): CompiledGroupSets {
  const problems: RuleProblem[] = []
  const sets: CompiledSet[] = []
  for (const spec of specs) {
    const compile = (
      field: string,
      source: string,
      accepts: (t: string) => string | undefined,
    ): CompiledExpression | undefined => {
      const c = compileExpression('group', source, accepts)
      if (isCompiled(c)) return c
      problems.push({
        target,
        attribute: `provisionGroups.${spec.name}`,
        field,
        expression: source,
        ...c,
      })
      return undefined
    }
    const when = compile('when', spec.when, bool)
    const named: [string, string | undefined][] = [
      ['id', spec.id],
      ['title', spec.title],
      ['description', spec.description],
      ['type', spec.type],
      ['parent', spec.parent],
      ...Object.entries(spec.attributes).map(([k, v]): [string, string] => [`attributes.${k}`, v]),
    ]
    const fields: [string, CompiledExpression][] = []
    for (const [field, source] of named) {
      if (source === undefined) continue
      const c = compile(field, source, text)
      if (c !== undefined) fields.push([field, c])
    }
    if (when !== undefined)
      sets.push({ name: spec.name, deleteAfterDays: spec.deleteAfterDays, when, fields })
  }
  if (problems.length > 0) throw new RulesError(problems)
  return {
    sets: sets.map((s) => ({ name: s.name, deleteAfterDays: s.deleteAfterDays })),
    evaluate: (groups, today) => evaluate(target, sets, groups, today),
  }
}

function evaluate(
  target: string,
  sets: readonly CompiledSet[],
  groups: readonly Group[],
  today: string,
) {
  const out: DesiredGroup[] = []
  const issues: Issue[] = []
  const fail = (set: string, g: Group, field: string, message: string) =>
    issues.push({
      severity: 'error',
      code: 'group_failed',
      record: `group ${g.key}`,
      field: `provisionGroups.${set}.${field}`,
      message: `${target}: group set "${set}", group ${g.key} (${g.name}): ${field}: ${message}`,
    })
  for (const set of sets) {
    for (const g of groups) {
      const activation = { group: toCel(g), today }
      let selected: unknown
      try {
        selected = set.when.run(activation)
      } catch (e) {
        fail(set.name, g, 'when', errorMessage(e))
        continue
      }
      if (typeof selected !== 'boolean') {
        fail(
          set.name,
          g,
          'when',
          `yielded ${selected === null ? 'null' : typeof selected}, not a bool`,
        )
        continue
      }
      if (!selected) continue
      const values: Record<string, string> = {}
      let failed = false
      for (const [field, expr] of set.fields) {
        try {
          const v = expr.run(activation)
          if (v === null || v === undefined || v === '') continue
          if (typeof v !== 'string' && typeof v !== 'bigint' && typeof v !== 'number')
            throw new Error(`yielded ${typeof v}, not a string`)
          values[field] = String(v)
        } catch (e) {
          fail(set.name, g, field, errorMessage(e))
          failed = true
        }
      }
      if (failed) continue
      const key = values['id']
      const title = values['title']
      if (key === undefined || title === undefined) {
        fail(set.name, g, key === undefined ? 'id' : 'title', 'is empty')
        continue
      }
      const attributes: Record<string, string> = {}
      for (const [field, v] of Object.entries(values)) {
        if (field === 'id') continue
        attributes[field.startsWith('attributes.') ? field.slice('attributes.'.length) : field] = v
      }
      out.push({ set: set.name, key, source: g, title, attributes })
    }
  }
  return { groups: out, issues }
}
