import { createHash } from 'node:crypto'
import type { SourceSnapshot } from '../model/index.ts'
import { mayHoldRefused } from './hostile-text.ts'

/**
 * Identifies a snapshot's content for plan inputs. Connectors build records in a fixed order, so plain
 * JSON per person is stable; hashing person by person avoids one giant string for 100,000 persons.
 */
export function snapshotHash(s: SourceSnapshot): string {
  return hashRecords(s, () => {})
}

/**
 * snapshotHash, and the persons and groups whose JSON text may hold a refused character (hostile-text.ts), from
 * the one JSON.stringify per record the hash needs: the hostile-text check then walks only those, instead of
 * every string of every record (0.5 s of CPU at 100,000 persons).
 */
export function snapshotHashAndSuspects(s: SourceSnapshot): {
  hash: string
  suspects: Set<object>
} {
  const suspects = new Set<object>()
  const hash = hashRecords(s, (record, json) => {
    if (mayHoldRefused(json)) suspects.add(record)
  })
  return { hash, suspects }
}

function hashRecords(s: SourceSnapshot, seen: (record: object, json: string) => void): string {
  const h = createHash('sha256')
  h.update(`${s.source}\u0000${s.mode}\u0000`)
  for (const p of s.persons) {
    const json = JSON.stringify(p)
    h.update(json)
    seen(p, json)
  }
  for (const g of s.groups) {
    const json = JSON.stringify(g)
    h.update(json)
    seen(g, json)
  }
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
