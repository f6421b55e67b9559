/**
 * What the configuration reads of the persons the sources deliver, handed to each source's read as
 * `isRead` (see ReadOptions): the paths of every rule and mapping expression, the merge match keys, the fields
 * write-backs compare, and what the engine reads itself (key, names, contracts, memberships).
 */
import { fieldsRead, type FieldPath } from '../rules/index.ts'
import type { EngineSetup } from './engine-types.ts'

/** Read by the engine whatever the configuration says: the person key, the names, contracts and memberships. */
const ENGINE_READS: readonly FieldPath[] = [
  ['person', 'key'],
  ['person', 'givenName'],
  ['person', 'familyName'],
  ['person', 'sourceIds'],
  ['person', 'contracts'],
  ['person', 'memberships'],
]

/** `email`, `attributes.x` (a match key or a write-back's current-value place) → ['person', 'email'], … */
const personPath = (field: string): FieldPath => ['person', ...field.split('.')]

export function configuredReads(setup: EngineSetup): (field: string) => boolean {
  const paths: FieldPath[] = [...ENGINE_READS, ...setup.rules.reads]
  for (const t of setup.targets) {
    paths.push(...t.mapping.reads, ...t.anchorMapping.reads)
    for (const w of t.writeBacks ?? []) paths.push(...Object.values(w.current).map(personPath))
  }
  for (const m of setup.match ?? [])
    paths.push(personPath(m.value), ...Object.values(m.sources ?? {}).map(personPath))
  return fieldsRead(paths)
}
