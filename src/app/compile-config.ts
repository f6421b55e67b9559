/**
 * Compiles every CEL expression of a validated config (rule conditions and permission ids, every target's
 * attribute mapping and anchor) and reports each problem where it is in the file: `koppel validate` and the
 * engine's composition root show the same `file:line:column` messages, all at once.
 */
import type { KoppelConfig, TargetConfig } from '../config/index.ts'
import { formatPath } from '../config/index.ts'
import type { SourceDefinition, SourceFields } from '../contract/index.ts'
import {
  compileGroupSets,
  compileMapping,
  compileRules,
  readPaths,
  RulesError,
} from '../rules/index.ts'
import type {
  CompiledGroupSets,
  CompiledMapping,
  CompiledRules,
  MappingSpec,
  RuleProblem,
} from '../rules/index.ts'

export interface CompiledTarget {
  readonly mapping: CompiledMapping
  readonly anchorMapping: CompiledMapping
  /** The target's `provisionGroups:` section, when it has one. */
  readonly groups?: CompiledGroupSets
}

export type CompiledConfig =
  | {
      readonly ok: true
      readonly rules: CompiledRules
      readonly targets: ReadonlyMap<string, CompiledTarget>
    }
  | { readonly ok: false; readonly problems: readonly RuleProblem[] }

type Locate = (path: readonly PropertyKey[], offset?: number) => { line: number; column: number }

/** A target's attribute mapping with its anchor: the anchor attribute is computed like any other. */
export function mappingSpec(t: TargetConfig): MappingSpec {
  const spec: Record<string, MappingSpec[string]> = { ...(t.attributes as MappingSpec) }
  if (spec[t.anchor.attribute] === undefined) spec[t.anchor.attribute] = t.anchor.value
  return spec
}

export function compileConfig(config: KoppelConfig): CompiledConfig {
  const problems: RuleProblem[] = []
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f()
    } catch (e) {
      if (!(e instanceof RulesError)) throw e
      problems.push(...e.problems)
      return undefined
    }
  }
  const rules = attempt(() =>
    compileRules(
      config.rules.map((r) => ({
        name: r.name,
        ...(r.for !== undefined ? { for: r.for } : {}),
        when: r.when,
        grant: r.grant.map((g) => ({ ...g })),
      })),
    ),
  )
  const targets = new Map<string, CompiledTarget>()
  for (const t of config.targets) {
    const mapping = attempt(() => compileMapping(t.name, mappingSpec(t)))
    const anchorMapping = attempt(() =>
      compileMapping(t.name, { [t.anchor.attribute]: t.anchor.value }),
    )
    const sets = t.provisionGroups ?? []
    const groups = sets.length > 0 ? attempt(() => compileGroupSets(t.name, sets)) : undefined
    if (mapping !== undefined && anchorMapping !== undefined)
      targets.set(t.name, { mapping, anchorMapping, ...(groups !== undefined ? { groups } : {}) })
  }
  // the anchor is compiled twice (alone and in the mapping): report each of its problems once
  const seen = new Set<string>()
  const unique = problems.filter((p) => {
    const key = JSON.stringify(p)
    return !seen.has(key) && seen.add(key) !== undefined
  })
  return unique.length > 0 || rules === undefined
    ? { ok: false, problems: unique }
    : { ok: true, rules, targets }
}

/** `file:line:column path: message in `expression`` for each problem. */
export function formatRuleProblems(
  file: string,
  config: KoppelConfig,
  locate: Locate,
  problems: readonly RuleProblem[],
): string[] {
  return problems.map((p) => {
    const path = configPath(config, p)
    const { line, column } = locate(path, p.position)
    const expr = p.expression !== undefined ? ` in \`${p.expression}\`` : ''
    return `${file}:${line}:${column} ${formatPath(path)}: ${p.message}${expr}`
  })
}

/** Where in the config file a compiler's problem is: `rules[2].grant[0].permission.id`, `targets[0].attributes.uid.candidates[1]`. */
function configPath(config: KoppelConfig, p: RuleProblem): PropertyKey[] {
  const field = fieldPath(p.field)
  if (p.rule !== undefined) {
    const i = config.rules.findIndex((r) => r.name === p.rule)
    return i < 0 ? ['rules'] : ['rules', i, ...field]
  }
  const i = config.targets.findIndex((t) => t.name === p.target)
  const t = config.targets[i]
  if (t === undefined || p.attribute === undefined) return ['targets', ...(i < 0 ? [] : [i])]
  if (p.attribute.startsWith('provisionGroups.')) {
    const s = (t.provisionGroups ?? []).findIndex(
      (g) => `provisionGroups.${g.name}` === p.attribute,
    )
    return ['targets', i, 'provisionGroups', ...(s < 0 ? [] : [s, ...field])]
  }
  if (t.attributes[p.attribute] === undefined && p.attribute === t.anchor.attribute)
    return ['targets', i, 'anchor', 'value']
  // `uid: 'expr'` is shorthand for `uid: { value: 'expr' }`
  if (typeof t.attributes[p.attribute] === 'string' && p.field === 'value')
    return ['targets', i, 'attributes', p.attribute]
  return ['targets', i, 'attributes', p.attribute, ...field]
}

/** `grant[0].permission.id` → ['grant', 0, 'permission', 'id']. */
function fieldPath(field: string): PropertyKey[] {
  const out: PropertyKey[] = []
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string))
  return out
}

/**
 * Warnings for fields an expression reads that none of the configured sources fills (when every source
 * declares its fields): `contract.location` with only a OneRoster CSV source is always absent, so a rule on it
 * never holds and a mapping of it fails for every person.
 */
export function unfilledFieldWarnings(
  file: string,
  config: KoppelConfig,
  locate: Locate,
  definitions: readonly { readonly role: string; readonly type: string }[],
): string[] {
  const fills: { source: string; fields: SourceFields }[] = []
  for (const s of config.sources) {
    const def = definitions.find(
      (d): d is SourceDefinition => d.role === 'source' && d.type === s.type,
    )
    if (def?.fills === undefined) return []
    fills.push({ source: `${s.name} (${s.type})`, fields: def.fills })
  }
  const out: string[] = []
  const check = (scope: 'rule' | 'mapping', source: unknown, path: readonly PropertyKey[]) => {
    if (typeof source !== 'string') return
    for (const [root, field] of readPaths(scope, source) ?? []) {
      const kind = root === 'person' ? 'person' : root === 'contract' ? 'contract' : undefined
      if (kind === undefined || field === undefined) continue
      if (fills.some((f) => (f.fields[kind] as readonly string[]).includes(field))) continue
      const { line, column } = locate(path)
      out.push(
        `${file}:${line}:${column} ${formatPath(path)}: warning: ${root}.${field} is filled by none of the sources (${fills.map((f) => f.source).join(', ')}); it is always absent (docs/rules.md)`,
      )
    }
  }
  config.rules.forEach((r, i) => {
    check('rule', r.when, ['rules', i, 'when'])
    r.grant.forEach((g, j) => {
      if ('permission' in g && g.permission !== undefined)
        check('rule', g.permission.id, ['rules', i, 'grant', j, 'permission', 'id'])
    })
  })
  config.targets.forEach((t, i) => {
    check('mapping', t.anchor.value, ['targets', i, 'anchor', 'value'])
    for (const [name, a] of Object.entries(t.attributes)) {
      if (typeof a === 'string') check('mapping', a, ['targets', i, 'attributes', name])
      else {
        check('mapping', a.value, ['targets', i, 'attributes', name, 'value'])
        a.candidates?.forEach((c, k) =>
          check('mapping', c, ['targets', i, 'attributes', name, 'candidates', k]),
        )
      }
    }
  })
  return [...new Set(out)]
}
