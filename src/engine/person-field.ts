import type { Person } from '../model/index.ts'

/**
 * A field of a person by path: `key`, `email`, `username` or `attributes.<name>`. Used where configuration names
 * a field (merge match keys, the place a source reports a write-back field's current value).
 */
export function personField(p: Person, path: string): string | undefined {
  if (path === 'key') return p.key
  if (path === 'email') return p.email
  if (path === 'username') return p.username
  if (path.startsWith('attributes.')) {
    const v = p.attributes[path.slice('attributes.'.length)]
    return v === undefined || v === null ? undefined : String(v)
  }
  return undefined
}
