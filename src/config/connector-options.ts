/**
 * Splits a source or target entry into what the engine reads and what its connector's `create` receives:
 * the connector gets its own options only, never the engine's (anchor, guard, …) or the entry's name/type.
 */
import type { SourceConfig, TargetConfig } from './config-types.ts'
import { sourceFields } from './source-fields.ts'
import { targetFields } from './target-fields.ts'

const SOURCE_KEYS = new Set(['type', ...Object.keys(sourceFields)])
const TARGET_KEYS = new Set(['type', ...Object.keys(targetFields)])

const without = (entry: object, keys: ReadonlySet<string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(entry).filter(([k]) => !keys.has(k)))

/** The connector options of a source entry, to pass to `SourceDefinition.create(name, options, context)`. */
export function sourceOptions(entry: SourceConfig): Record<string, unknown> {
  return without(entry, SOURCE_KEYS)
}

/** The connector options of a target entry, to pass to `TargetDefinition.create(name, options, context)`. */
export function targetOptions(entry: TargetConfig): Record<string, unknown> {
  return without(entry, TARGET_KEYS)
}

export const ENGINE_KEYS = { source: SOURCE_KEYS, target: TARGET_KEYS } as const
