import { createHash } from 'node:crypto'
import type { SourceSnapshot } from '../model/index.ts'

/**
 * Identifies a snapshot's content for plan inputs. Connectors build records in a fixed order, so plain
 * JSON per person is stable; hashing person by person avoids one giant string for 100,000 persons.
 */
export function snapshotHash(s: SourceSnapshot): string {
  const h = createHash('sha256')
  h.update(`${s.source}\u0000${s.mode}\u0000`)
  for (const p of s.persons) h.update(JSON.stringify(p))
  for (const g of s.groups) h.update(JSON.stringify(g))
  for (const k of s.removed) h.update(k)
  return h.digest('hex')
}

/** The id of a source's snapshot record: a plan's `source:<name>` input hash leads back to it. */
export function snapshotRecordId(source: string, hash: string): string {
  return `${source}-${hash.slice(0, 12)}`
}

/** The snapshot record ids a plan was made from, by its `source:<name>` inputs. */
export function planSnapshotIds(inputs: Readonly<Record<string, string>>): string[] {
  return Object.entries(inputs)
    .filter(([key]) => key.startsWith('source:'))
    .map(([key, hash]) => snapshotRecordId(key.slice('source:'.length), hash))
}
