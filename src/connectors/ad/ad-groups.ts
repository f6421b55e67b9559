// Provisioned groups in Active Directory (issue 14): what AD needs on top of the LDAP group objects
// (ldap-group-objects.ts). groupType carries scope and kind as bits (MS-ADTS 2.2.12 "Group Type Flags"), every
// group is a security principal with a sAMAccountName unique in the domain (derived from the sync key, which
// never changes, so a rename keeps it), the title goes to displayName because AD refuses a modify of cn (the
// RDN: a rename is a modifyDN), an optional `ou` field places the group in an OU per school below groups.baseDn,
// and the owner is `managedBy`, which holds ONE DN.
import { createHash } from 'node:crypto'
import { Attribute, Change } from 'ldapts'
import { ConnectorError, type GroupRequest } from '../../contract/index.ts'
import { escapeDnValue } from '../../protocol/ldap-escape.ts'
import type { LdapClient } from '../ldap/ldap-client.ts'
import type { GroupObjectFlavor } from '../ldap/ldap-group-objects.ts'
import { entryValue, toDn, type Dn } from '../ldap/ldap-mapping.ts'
import { ensureOus } from '../ldap/ldap-ous.ts'
import { findHolders } from './ad-uniqueness.ts'

/** MS-ADTS 2.2.12: ACCOUNT_GROUP (global), RESOURCE_GROUP (domain local), UNIVERSAL_GROUP. */
export const GROUP_SCOPE_BITS = { global: 0x2, 'domain-local': 0x4, universal: 0x8 } as const
export type GroupScope = keyof typeof GROUP_SCOPE_BITS
export type GroupKind = 'security' | 'distribution'
/** MS-ADTS 2.2.12: GROUP_TYPE_SECURITY_ENABLED; without it the group is a distribution group. */
const SECURITY_ENABLED = 0x80000000

/** groupType as AD stores it: a signed 32-bit integer (a global security group is -2147483646). */
export function groupTypeValue(scope: GroupScope, kind: GroupKind): string {
  return String(GROUP_SCOPE_BITS[scope] | (kind === 'security' ? SECURITY_ENABLED : 0) | 0)
}

const VALID_GROUP_TYPES = new Set(
  (Object.keys(GROUP_SCOPE_BITS) as GroupScope[]).flatMap((scope) => [
    groupTypeValue(scope, 'security'),
    groupTypeValue(scope, 'distribution'),
  ]),
)

/** sAMAccountName's rangeUpper in the AD schema; NetGroupAdd documents 256 for group names too (users: 20). */
export const GROUP_SAM_MAX = 256
// the characters a SAM account name must not hold (SAM-Account-Name in the AD schema, NetGroupAdd)
const SAM_ILLEGAL = /["/\\[\]:;|=,+*?<>@]/g
// and no control characters (1 to 31)
const withoutControls = (s: string) =>
  [...s].map((c) => (c.charCodeAt(0) < 0x20 ? '-' : c)).join('')
/** adminDescription and info both have rangeUpper 1024 in the AD schema. */
export const GROUP_KEY_MAX = 1024

/**
 * The sAMAccountName of a provisioned group, from its sync key: the key with the characters AD refuses as `-`.
 * When anything had to change (or the key is too long, or only digits, dots and spaces) a short hash of the key
 * is appended, so that two keys that differ only in a refused character still get two names.
 */
export function groupSamAccountName(key: string): string {
  let name = withoutControls(key)
    .replace(SAM_ILLEGAL, '-')
    .replace(/\.+$/, (dots) => '-'.repeat(dots.length))
  const plainDigits = /^[\d. ]*$/.test(name)
  if (name === key && name.length <= GROUP_SAM_MAX && !plainDigits) return name
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8)
  name = name.slice(0, GROUP_SAM_MAX - hash.length - 2)
  return `${name}-g${hash}`
}

/** Refuses a group sAMAccountName AD would refuse or truncate; `context` names the group. */
export function checkGroupSamAccountName(value: unknown, context: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > GROUP_SAM_MAX)
    throw new ConnectorError(
      'invalid',
      `${context}: sAMAccountName ${JSON.stringify(value)} must be one string of 1 to ${GROUP_SAM_MAX} characters`,
    )
  if (
    new RegExp(SAM_ILLEGAL.source).test(value) ||
    withoutControls(value) !== value ||
    value.endsWith('.')
  )
    throw new ConnectorError(
      'invalid',
      `${context}: sAMAccountName ${JSON.stringify(value)} contains a character AD does not allow ("/\\[]:;|=,+*?<>@) or ends in "."`,
    )
  return value
}

export interface AdGroupSettings {
  readonly scope: GroupScope
  readonly type: GroupKind
  readonly keyAttribute: string
  /** Where the sAMAccountName of a new group must be unique (the domain root). */
  readonly uniqueBase: string
  /** Create a missing school OU below groups.baseDn (the connector's createOus). */
  readonly createOus: boolean
}

/** The AD part of a provisioned group, for LdapGroupObjects. */
export function adGroupFlavor(client: LdapClient, s: AdGroupSettings): GroupObjectFlavor {
  return {
    memberOptional: true,
    titleAttribute: 'displayName',
    ownFields: ['sAMAccountName', 'groupType'],
    placementFields: ['ou'],
    async createAttributes(request: GroupRequest) {
      const context = `group ${request.key}`
      if (request.key.length > GROUP_KEY_MAX)
        throw new ConnectorError(
          'invalid',
          `${context}: the sync key has ${request.key.length} characters; ${s.keyAttribute} holds at most ${GROUP_KEY_MAX}`,
        )
      const given = request.attributes['sAMAccountName']
      const sam =
        given === undefined
          ? groupSamAccountName(request.key)
          : checkGroupSamAccountName(given, context)
      const [holder] = await findHolders(client, s.uniqueBase, [
        { attribute: 'sAMAccountName', value: sam },
      ])
      if (holder !== undefined)
        throw new ConnectorError(
          'conflict',
          `${context}: sAMAccountName ${JSON.stringify(sam)} is already held by ${holder.dn}, which Koppel does not manage (it has no ${s.keyAttribute}: ${request.key}); not overwriting it`,
          { code: 'uniqueness' },
        )
      return { sAMAccountName: [sam], groupType: [groupTypeOf(request, s, context)] }
    },
    async parentFor(request: GroupRequest, base: Dn) {
      const ou = request.attributes['ou']
      if (ou === undefined || ou === null || ou === '') return base
      if (typeof ou !== 'string')
        throw new ConnectorError(
          'invalid',
          `group ${request.key}: ou must be one OU name, got ${JSON.stringify(ou)}`,
        )
      const parent = toDn(`OU=${escapeDnValue(ou)},${base.text}`)
      if (s.createOus) await ensureOus(client, base, parent, `group ${request.key}`)
      return parent
    },
  }
}

function groupTypeOf(request: GroupRequest, s: AdGroupSettings, context: string): string {
  const given = request.attributes['groupType']
  if (given === undefined) return groupTypeValue(s.scope, s.type)
  const text = typeof given === 'number' ? String(given) : given
  if (typeof text !== 'string' || !VALID_GROUP_TYPES.has(text))
    throw new ConnectorError(
      'invalid',
      `${context}: groupType ${JSON.stringify(given)} is not one scope (global 2, domain local 4, universal 8), optionally with the security bit 0x80000000; use groups.scope and groups.type instead`,
    )
  return text
}

/**
 * The owner of a group is its `managedBy`, which holds one DN: the first owner granted gets it; a later owner
 * finds it taken and is `unchanged` (documented in docs/connectors/ad.md), never replacing the first.
 */
export async function grantOwner(client: LdapClient, group: Dn, account: Dn) {
  const held = await managedBy(client, group)
  if (held !== undefined) return 'unchanged' as const
  await client.modify(group.text, [
    new Change({
      operation: 'replace',
      modification: new Attribute({ type: 'managedBy', values: [account.text] }),
    }),
  ])
  return 'updated' as const
}

/** Clears managedBy when it names the account (at any of its DNs: now, or where Koppel last saw it). */
export async function revokeOwner(client: LdapClient, group: Dn, account: readonly Dn[]) {
  const held = await managedBy(client, group)
  if (held === undefined || !account.some((a) => a.key === held.key)) return 'unchanged' as const
  await client.modify(group.text, [
    new Change({
      operation: 'replace',
      modification: new Attribute({ type: 'managedBy', values: [] }),
    }),
  ])
  return 'updated' as const
}

async function managedBy(client: LdapClient, group: Dn): Promise<Dn | undefined> {
  const [entry] = await client.search(group.text, { scope: 'base', attributes: ['managedBy'] })
  if (entry === undefined)
    throw new ConnectorError('not-found', `group ${group.text} does not exist`)
  const value = entryValue(entry, 'managedBy')
  return value === undefined || value === '' ? undefined : toDn(value)
}
