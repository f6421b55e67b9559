// Uniqueness across sAMAccountName, userPrincipalName, mail and proxyAddresses, as AD itself does not enforce
// it for UPN, mail or proxyAddresses (and a clash there breaks logon or mail delivery). One search below the
// domain root finds every other object that holds one of the values; the caller turns a hit into a conflict,
// so a value someone else owns is never overwritten silently. Filters are built as objects (ldapts encodes
// them), so values need no string escaping.
import { EqualityFilter, OrFilter, type Entry, type Filter } from 'ldapts'
import type { LdapClient } from '../ldap/ldap-client.ts'
import { entryAttribute } from '../ldap/ldap-mapping.ts'
import { guidToString } from './ad-guid.ts'
import type { UNIQUE_ATTRIBUTES } from './ad-options.ts'

export type UniqueAttribute = (typeof UNIQUE_ATTRIBUTES)[number]

export interface Claim {
  readonly attribute: UniqueAttribute
  readonly value: string
}

export interface Holder {
  readonly claim: Claim
  readonly dn: string
  readonly id: string | undefined
  readonly entry: Entry
}

const lower = (s: string) => s.toLowerCase()
const SMTP = /^smtp:/i

/** The values of `attributes` that must be unique, from an attribute map (create) or the new values of changes. */
export function claimsOf(
  values: Readonly<Record<string, unknown>>,
  attributes: readonly UniqueAttribute[],
): Claim[] {
  const claims: Claim[] = []
  for (const attribute of attributes) {
    const key = Object.keys(values).find((k) => lower(k) === lower(attribute))
    if (key === undefined) continue
    const raw = values[key]
    const list =
      typeof raw === 'string'
        ? [raw]
        : Array.isArray(raw)
          ? raw.filter((v): v is string => typeof v === 'string')
          : []
    for (const value of list) if (value !== '') claims.push({ attribute, value })
  }
  return claims
}

function filtersFor(claim: Claim): Filter[] {
  const eq = (attribute: string, value: string) => new EqualityFilter({ attribute, value })
  switch (claim.attribute) {
    case 'mail':
      return [eq('mail', claim.value), eq('proxyAddresses', `smtp:${claim.value}`)]
    case 'proxyAddresses':
      return SMTP.test(claim.value)
        ? [eq('proxyAddresses', claim.value), eq('mail', claim.value.slice(5))]
        : [eq('proxyAddresses', claim.value)]
    case 'sAMAccountName':
    case 'userPrincipalName':
      return [eq(claim.attribute, claim.value)]
  }
}

function values(entry: Entry, name: string): string[] {
  const v = entryAttribute(entry, name)
  return v === undefined ? [] : (typeof v === 'string' ? [v] : [...v]).map(lower)
}

function holds(entry: Entry, claim: Claim): boolean {
  const v = lower(claim.value)
  switch (claim.attribute) {
    case 'mail':
      return (
        values(entry, 'mail').includes(v) || values(entry, 'proxyAddresses').includes(`smtp:${v}`)
      )
    case 'proxyAddresses':
      return (
        values(entry, 'proxyAddresses').includes(v) ||
        (SMTP.test(v) && values(entry, 'mail').includes(v.slice(5)))
      )
    case 'sAMAccountName':
    case 'userPrincipalName':
      return values(entry, claim.attribute).includes(v)
  }
}

/** Objects other than `selfId` that hold one of the claimed values, one row per claim and holder. */
export async function findHolders(
  client: LdapClient,
  base: string,
  claims: readonly Claim[],
  options: { selfId?: string; extraAttributes?: readonly string[] } = {},
): Promise<Holder[]> {
  if (claims.length === 0) return []
  const filters = claims.flatMap(filtersFor)
  const filter = filters.length === 1 ? (filters[0] as Filter) : new OrFilter({ filters })
  const entries = await client.search(base, {
    scope: 'sub',
    filter,
    attributes: [
      'objectGUID',
      'sAMAccountName',
      'userPrincipalName',
      'mail',
      'proxyAddresses',
      ...(options.extraAttributes ?? []),
    ],
    explicitBufferAttributes: ['objectGUID'],
  })
  const holders: Holder[] = []
  for (const entry of entries) {
    const raw = entry['objectGUID']
    const id = Buffer.isBuffer(raw) && raw.length === 16 ? guidToString(raw) : undefined
    if (id !== undefined && id === options.selfId) continue
    for (const claim of claims)
      if (holds(entry, claim)) holders.push({ claim, dn: entry.dn, id, entry })
  }
  return holders
}
