// Equality indexes over a few attributes (uid, mail, employeeNumber, entryUUID, member, …), so that a search
// for an anchor value finds its entry without scanning the directory. objectClass is indexed with every
// superclass, matching the subclass semantics of objectClass equality.
import type { Entry } from './entry.ts'
import { objectClass } from './schema.ts'

export const INDEXED_ATTRIBUTES = [
  'objectclass',
  'cn',
  'uid',
  'mail',
  'employeenumber',
  'entryuuid',
  'member',
  'uniquemember',
  'memberuid',
  'uidnumber',
  'gidnumber',
]

export class EqualityIndex {
  readonly #maps = new Map<string, Map<string, Set<number>>>()

  constructor(attributeKeys: readonly string[] = INDEXED_ATTRIBUTES) {
    for (const key of attributeKeys) this.#maps.set(key, new Map())
  }

  add(entry: Entry): void {
    this.#each(entry, (map, key) => {
      let ids = map.get(key)
      if (ids === undefined) map.set(key, (ids = new Set()))
      ids.add(entry.id)
    })
  }

  remove(entry: Entry): void {
    this.#each(entry, (map, key) => {
      const ids = map.get(key)
      ids?.delete(entry.id)
      if (ids?.size === 0) map.delete(key)
    })
  }

  /** Ids of entries with this value; undefined when the attribute is not indexed. */
  lookup(attributeKey: string, valueKey: string): ReadonlySet<number> | undefined {
    const map = this.#maps.get(attributeKey)
    if (map === undefined) return undefined
    return map.get(valueKey) ?? new Set()
  }

  #each(entry: Entry, fn: (map: Map<string, Set<number>>, valueKey: string) => void) {
    for (const [attributeKey, map] of this.#maps) {
      const attr = entry.attrs.get(attributeKey)
      if (attr === undefined) continue
      const keys = new Set<string>()
      for (let i = 0; i < attr.values.length; i++) {
        const k = attr.keys[i]
        if (k !== undefined) keys.add(k)
        const v = attr.values[i]
        if (attributeKey === 'objectclass' && typeof v === 'string') {
          for (const c of objectClass(v)?.chain ?? []) keys.add(c.key)
        }
      }
      for (const k of keys) fn(map, k)
    }
  }
}
