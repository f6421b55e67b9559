// Looks groups up by what a pupil needs: the stamgroepen of a stream at a location, the lesgroep a
// stamgroep is taught as per subject (lower grades), and the clusters of a subject (upper grades).
// Also decides which groups a pupil belongs to, shared by generation and churn.
import type { Rng } from './prng.ts'
import type { Level, SimGroup } from './board-model.ts'
import { isUpperGrade } from './curriculum.ts'

const streamKey = (locationId: string, level: Level, grade: number) =>
  `${locationId}|${level}|${grade}`

// Nested maps instead of composite string keys: lookups run per pupil per subject and must not allocate.
function nestedGet<V>(map: Map<string, Map<string, V>>, a: string, b: string): V | undefined {
  return map.get(a)?.get(b)
}

function nestedSet<V>(map: Map<string, Map<string, V>>, a: string, b: string, value: V): void {
  const inner = map.get(a)
  if (inner) inner.set(b, value)
  else map.set(a, new Map([[b, value]]))
}

export class GroupIndex {
  readonly #stamgroepen = new Map<string, SimGroup[]>()
  readonly #lower = new Map<string, Map<string, SimGroup>>()
  readonly #clusters = new Map<string, Map<string, SimGroup[]>>()
  readonly #byId = new Map<string, SimGroup>()

  constructor(groups: readonly SimGroup[]) {
    for (const g of groups) {
      this.#byId.set(g.id, g)
      if (g.kind === 'stamgroep')
        push(this.#stamgroepen, streamKey(g.locationId, g.level, g.grade), g)
      else if (g.stamgroepId) nestedSet(this.#lower, g.stamgroepId, g.subject, g)
      else {
        const key = streamKey(g.locationId, g.level, g.grade)
        const list = nestedGet(this.#clusters, key, g.subject)
        if (list) list.push(g)
        else nestedSet(this.#clusters, key, g.subject, [g])
      }
    }
  }

  get(id: string): SimGroup | undefined {
    return this.#byId.get(id)
  }

  stamgroepen(locationId: string, level: Level, grade: number): readonly SimGroup[] {
    return this.#stamgroepen.get(streamKey(locationId, level, grade)) ?? []
  }

  allStamgroepen(): readonly SimGroup[] {
    return [...this.#stamgroepen.values()].flat()
  }

  lowerLesgroep(stamgroepId: string, subject: string): SimGroup | undefined {
    return nestedGet(this.#lower, stamgroepId, subject)
  }

  clustersOfStream(stream: string, subject: string): readonly SimGroup[] {
    return nestedGet(this.#clusters, stream, subject) ?? []
  }

  clusters(locationId: string, level: Level, grade: number, subject: string): readonly SimGroup[] {
    return nestedGet(this.#clusters, streamKey(locationId, level, grade), subject) ?? []
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

export interface Placement {
  readonly locationId: string
  readonly level: Level
  readonly grade: number
  readonly stamgroepId: string
  readonly subjects: readonly string[]
}

/**
 * The stamgroep plus one lesgroep per subject: the stamgroep's own lesgroep in lower grades, a randomly
 * drawn cluster in upper grades. A subject with no group at the location is skipped (not offered there).
 */
export function groupsForPupil(p: Placement, index: GroupIndex, rng: Rng): string[] {
  const ids = [p.stamgroepId]
  const upper = isUpperGrade(p)
  const stream = upper ? streamKey(p.locationId, p.level, p.grade) : ''
  for (const subject of p.subjects) {
    if (upper) {
      const clusters = index.clustersOfStream(stream, subject)
      if (clusters.length > 0) ids.push(rng.pick(clusters).id)
    } else {
      const g = index.lowerLesgroep(p.stamgroepId, subject)
      if (g) ids.push(g.id)
    }
  }
  return ids
}
