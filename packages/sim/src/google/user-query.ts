// The simulator's reading of the Directory API `query` parameter of users.list
// (developers.google.com/admin-sdk/directory/v1/guides/search-users): clauses `field<op>value` separated by
// whitespace, implicitly ANDed; a value with whitespace is written in single quotes, a quote inside as \'.
import type { SimUser } from './google-sim.ts'

export interface Clause {
  readonly field: string
  readonly op: '=' | ':'
  readonly value: string
}

const FIELDS = new Set([
  'externalid',
  'email',
  'givenname',
  'familyname',
  'name',
  'issuspended',
  'orgunitpath',
])

export function parseUserQuery(query: string): Clause[] {
  const clauses: Clause[] = []
  let i = 0
  while (i < query.length) {
    if (/\s/.test(query[i] as string)) {
      i++
      continue
    }
    const m = /^([A-Za-z]+)(=|:)/.exec(query.slice(i))
    if (m === null)
      throw new Error(`cannot read the query at ${JSON.stringify(query.slice(i, i + 20))}`)
    const field = (m[1] as string).toLowerCase()
    if (!FIELDS.has(field)) throw new Error(`unsupported query field ${m[1]}`)
    i += m[0].length
    let value = ''
    if (query[i] === "'") {
      i++
      let closed = false
      while (i < query.length) {
        const ch = query[i] as string
        // GUESS: a backslash escapes the next character (Google documents only \' )
        if (ch === '\\' && i + 1 < query.length) {
          value += query[i + 1]
          i += 2
          continue
        }
        if (ch === "'") {
          closed = true
          i++
          break
        }
        value += ch
        i++
      }
      if (!closed) throw new Error('unterminated quoted value')
    } else {
      while (i < query.length && !/\s/.test(query[i] as string)) value += query[i++]
    }
    clauses.push({ field, op: m[2] as '=' | ':', value })
  }
  return clauses
}

function values(u: SimUser, field: string): string[] {
  switch (field) {
    case 'externalid':
      return (u.externalIds ?? []).map((e) => e.value)
    case 'email':
      return [u.primaryEmail, ...(u.aliases ?? [])]
    case 'givenname':
      return u.name.givenName !== undefined ? [u.name.givenName] : []
    case 'familyname':
      return u.name.familyName !== undefined ? [u.name.familyName] : []
    case 'name':
      return [[u.name.givenName, u.name.familyName].filter(Boolean).join(' ')]
    case 'issuspended':
      return [String(u.suspended)]
    case 'orgunitpath':
      return [u.orgUnitPath]
    default:
      return []
  }
}

export function matchesQuery(u: SimUser, clauses: readonly Clause[]): boolean {
  return clauses.every((c) =>
    values(u, c.field).some((v) => {
      // GUESS: matching is case-insensitive; `:` matches a prefix of any word, `=` the whole value
      const a = v.toLowerCase()
      const b = c.value.toLowerCase()
      // GUESS: orgUnitPath= also matches users in the OUs below it
      if (c.field === 'orgunitpath' && c.op === '=')
        return a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`)
      return c.op === '='
        ? a === b
        : a.split(/\s+/).some((w) => w.startsWith(b.replace(/\*$/, ''))) ||
            a.startsWith(b.replace(/\*$/, ''))
    }),
  )
}
