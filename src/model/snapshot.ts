import type { Group } from './group.ts'
import type { Issue } from './issue.ts'
import type { Person } from './person.ts'

/** What one source returned in one read: the complete set (full) or the changes since a cursor (delta). */
export interface SourceSnapshot {
  readonly kind: 'snapshot'
  readonly source: string
  readonly mode: 'full' | 'delta'
  /** ISO timestamp of the read. */
  readonly takenAt: string
  readonly persons: readonly Person[]
  readonly groups: readonly Group[]
  /** Keys of persons a delta marks as removed (`tobedeleted`); always empty in a full snapshot. */
  readonly removed: readonly string[]
  /** Warnings that did not stop the read (rows skipped by documented rules). */
  readonly warnings: readonly Issue[]
  /** Cursor for the next delta read, if the source supports it. */
  readonly cursor?: string
}

/** A read either yields a snapshot or fails as a whole; a failed read never becomes deletions. */
export type SourceReadResult =
  | { readonly ok: true; readonly snapshot: SourceSnapshot }
  | { readonly ok: false; readonly issues: readonly Issue[] }
