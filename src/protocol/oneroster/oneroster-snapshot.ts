import type { Group, Issue, Person, SourceSnapshot } from '../../model/index.ts'

/** What a OneRoster mapping yields: persons, groups and, for a delta, the keys of removed persons. */
export interface MappedRoster {
  readonly persons: readonly Person[]
  readonly groups: readonly Group[]
  readonly removed: readonly string[]
}

/** The frozen snapshot of a OneRoster read, either binding; `cursor` only when the source keeps one. */
export function rosterSnapshot(
  source: string,
  mode: 'full' | 'delta',
  takenAt: string,
  mapped: MappedRoster,
  warnings: readonly Issue[],
  cursor?: string,
): SourceSnapshot {
  return Object.freeze({
    kind: 'snapshot',
    source,
    mode,
    takenAt,
    persons: Object.freeze(mapped.persons),
    groups: Object.freeze(mapped.groups),
    removed: Object.freeze(mapped.removed),
    warnings,
    ...(cursor !== undefined ? { cursor } : {}),
  })
}
