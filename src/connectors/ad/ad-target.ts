// The Active Directory target. It is the LDAP target (src/connectors/ldap) with AD's flavor — objectGUID as the
// id, unicodePwd for passwords, userAccountControl for enable/disable, ranged member reads — plus what only
// AD needs around it: sAMAccountName rules, uniqueness of sAMAccountName/UPN/mail/proxyAddresses across the
// domain, generated initial passwords, pwdLastSet=0, renames of the RDN through modifyDN and the old mail
// address kept as an alias; provisioned groups with AD's groupType, sAMAccountName and managedBy (ad-groups.ts).
import type { Entry } from 'ldapts'
import type { FieldChange } from '../../model/index.ts'
import {
  ConnectorError,
  type ConnectorContext,
  type CreateRequest,
  type GroupRequest,
  type OpOptions,
  type Ref,
  type TargetAccount,
  type TargetCapabilities,
  type TargetConnector,
  type WriteResult,
} from '../../contract/index.ts'
import type { LdapClient } from '../ldap/ldap-client.ts'
import { LdapGroupObjects } from '../ldap/ldap-group-objects.ts'
import { isMemberRanged } from '../ldap/ldap-groups.ts'
import {
  entryAttribute,
  entryValue,
  fromRdns,
  parentOf,
  toDn,
  type Dn,
} from '../ldap/ldap-mapping.ts'
import type { LdapOptions } from '../ldap/ldap-options.ts'
import { LdapTarget, type LdapFlavor } from '../ldap/ldap-target.ts'
import type { Filter } from 'ldapts'
import { guidToBytes, guidToString } from './ad-guid.ts'
import { adGroupFlavor, grantOwner, revokeOwner } from './ad-groups.ts'
import { adAttributeSchema, adEqualityRule } from './ad-schema.ts'
import type { AdOptions } from './ad-options.ts'
import { generatePassword, unicodePwd } from './ad-password.ts'
import { UacDisable } from './ad-uac.ts'
import { claimsOf, findHolders, type Claim } from './ad-uniqueness.ts'

type Anchor = { readonly attribute: string; readonly value: string }

export const SAM_MAX = 20
// MS-ADTS / "Naming conventions in AD": these characters are not allowed in a user logon name (pre-Windows 2000)
const SAM_ILLEGAL = /["/\\[\]:;|=,+*?<>@]/
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20)

export const AD_FLAVOR: LdapFlavor = Object.freeze({
  type: 'active-directory',
  idAttribute: 'objectGUID',
  binaryAttributes: ['objectGUID'],
  idOf(entry: Entry): string | undefined {
    const key = Object.keys(entry).find((k) => k.toLowerCase() === 'objectguid')
    const raw = key === undefined ? undefined : entry[key]
    const bytes = Array.isArray(raw) ? raw[0] : raw
    return Buffer.isBuffer(bytes) && bytes.length === 16 ? guidToString(bytes) : undefined
  },
  idValue: guidToBytes,
  // GUESS: Windows AD, like Samba 4.17, has no LDAP assertion control (RFC 4528) and no post-read control
  // (RFC 4527) in its supportedControl list, so writes are not guarded by objectGUID; GUID checks are reads
  assertId: () => [],
  postRead: false,
  passwordEntry: (password: string) => ({ unicodePwd: [unicodePwd(password)] }),
  readOnlyAttributes: [
    'objectGUID',
    'objectSid',
    'distinguishedName',
    'name',
    'whenCreated',
    'whenChanged',
    'uSNCreated',
    'uSNChanged',
    'objectCategory',
    'instanceType',
    'memberOf',
    'lastLogon',
    'lastLogonTimestamp',
    'badPwdCount',
    'logonCount',
  ],
  isMember: (client: LdapClient, group: Dn, account: Dn) =>
    isMemberRanged(client, 'member', group, account),
  equalityRule: adEqualityRule,
})

/** Refuses a sAMAccountName AD would truncate or reject; `context` names the account. */
export function checkSamAccountName(value: unknown, context: string): void {
  if (value === undefined) return
  if (typeof value !== 'string') {
    throw new ConnectorError(
      'invalid',
      `${context}: sAMAccountName must be one string, got ${JSON.stringify(value)}`,
    )
  }
  if (value.length === 0 || value.length > SAM_MAX) {
    throw new ConnectorError(
      'invalid',
      `${context}: sAMAccountName ${JSON.stringify(value)} has ${value.length} characters; Active Directory allows 1 to ${SAM_MAX}`,
    )
  }
  if (SAM_ILLEGAL.test(value) || hasControl(value) || value.endsWith('.')) {
    throw new ConnectorError(
      'invalid',
      `${context}: sAMAccountName ${JSON.stringify(value)} contains a character AD does not allow ("/\\[]:;|=,+*?<>@) or ends in "."`,
    )
  }
}

export interface AdTargetParts {
  readonly client: LdapClient
  readonly listFilter: Filter
  /** The attributes the engine's mapping writes: read besides `readAttributes`. */
  readonly mappedAttributes?: readonly string[]
  /** Where the advice to index the anchor attribute goes. */
  readonly log?: ConnectorContext['log']
}

export class AdTarget implements TargetConnector {
  readonly name: string
  readonly type = 'active-directory'
  readonly capabilities: TargetCapabilities
  readonly #o: AdOptions
  readonly #client: LdapClient
  readonly #ldap: LdapTarget
  readonly #uniqueBase: string
  readonly #groupObjects: LdapGroupObjects
  readonly #log: ConnectorContext['log'] | undefined
  /** Anchor attributes whose index was looked up: once per attribute and connector. */
  readonly #indexChecked = new Set<string>()

  constructor(name: string, options: AdOptions, parts: AdTargetParts) {
    this.name = name
    this.#o = options
    this.#client = parts.client
    this.#log = parts.log
    const ldapOptions: LdapOptions = { ...options, disable: {} }
    this.#ldap = new LdapTarget(name, ldapOptions, {
      client: parts.client,
      listFilter: parts.listFilter,
      flavor: AD_FLAVOR,
      disable: new UacDisable(),
      mappedAttributes: parts.mappedAttributes ?? [],
    })
    this.capabilities = this.#ldap.capabilities
    this.#uniqueBase = options.uniqueness.baseDn ?? domainRoot(options.baseDn)
    const groupsBase = options.groups.baseDn
    this.#groupObjects = new LdapGroupObjects(
      parts.client,
      options.groups,
      AD_FLAVOR,
      groupsBase === undefined ? undefined : toDn(groupsBase),
      adGroupFlavor(parts.client, {
        scope: options.groups.scope,
        type: options.groups.type,
        keyAttribute: options.groups.keyAttribute,
        uniqueBase: domainRoot(groupsBase ?? options.baseDn),
        createOus: options.createOus,
      }),
    )
  }

  listAccounts(options?: OpOptions): AsyncIterable<TargetAccount> {
    return this.#ldap.listAccounts(options)
  }

  permissionKey(type: string, id: string): string {
    return this.#ldap.permissionKey(type, id)
  }

  containerOf(locator: string): string | undefined {
    return this.#ldap.containerOf(locator)
  }

  find(anchor: Anchor, options?: OpOptions): Promise<TargetAccount | undefined> {
    return this.#ldap.find(anchor, options)
  }

  async create(request: CreateRequest, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const context = `create ${request.anchor.attribute}=${JSON.stringify(request.anchor.value)}`
    checkSamAccountName(attributeOf(request.attributes, 'sAMAccountName'), context)
    this.#adviseAnchorIndex(request.anchor.attribute)
    const claims = claimsOf(request.attributes, this.#o.uniqueness.attributes)
    const holders = await findHolders(this.#client, this.#uniqueBase, claims, {
      extraAttributes: [request.anchor.attribute],
    })
    // a holder with our anchor is our own account from an earlier try: the LDAP create reports it unchanged
    const others = holders.filter(
      (h) => entryValue(h.entry, request.anchor.attribute) !== request.anchor.value,
    )
    if (others.length > 0 && (await this.#ldap.find(request.anchor)) === undefined)
      throw conflict(context, others[0] as (typeof others)[number])
    const supplied = request.secrets?.password
    const password = supplied ?? generatePassword(this.#o.passwordPolicy)
    const attributes = this.#o.mustChangePassword
      ? { ...request.attributes, pwdLastSet: '0' }
      : request.attributes
    const result = await this.#ldap.create(
      { ...request, attributes, secrets: { ...request.secrets, password } },
      options,
    )
    if (supplied !== undefined || result.outcome !== 'created') return result
    return { ...result, oneTimeSecrets: { password } }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options?: OpOptions,
  ): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const context = `update ${ref.locator}`
    const sam = changes.find((c) => c.field.toLowerCase() === 'samaccountname')
    if (sam !== undefined) checkSamAccountName(sam.new, context)
    const newValues = Object.fromEntries(changes.map((c) => [c.field, c.new]))
    const claims = claimsOf(newValues, this.#o.uniqueness.attributes)
    const [holder] = await findHolders(this.#client, this.#uniqueBase, claims, { selfId: ref.id })
    if (holder !== undefined) throw conflict(context, holder)
    return this.#ldap.update(ref, await this.#adChanges(ref, changes), options)
  }

  enable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#ldap.enable(ref, options)
  }

  disable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#ldap.disable(ref, options)
  }

  delete(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#ldap.delete(ref, options)
  }

  async grant(
    ref: Ref,
    permission: { type: string; id: string; role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    if (permission.role !== 'owner') return this.#ldap.grant(ref, permission, options)
    options?.signal?.throwIfAborted()
    const outcome = await grantOwner(this.#client, groupDn(permission), toDn(ref.locator))
    return { outcome, id: ref.id, locator: ref.locator }
  }

  async revoke(
    ref: Ref,
    permission: { type: string; id: string; role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    if (permission.role !== 'owner') return this.#ldap.revoke(ref, permission, options)
    options?.signal?.throwIfAborted()
    // the account's DN now (moved by someone else) and where Koppel last saw it
    const now = await this.#ldap.read(ref, ['1.1']).then(
      (e) => toDn(e.dn),
      (e: unknown) => {
        if (ConnectorError.isInstance(e) && e.kind === 'not-found') return undefined
        throw e
      },
    )
    const dns = [toDn(ref.locator), ...(now === undefined ? [] : [now])]
    const outcome = await revokeOwner(this.#client, groupDn(permission), dns)
    return { outcome, id: ref.id, locator: now?.text ?? ref.locator }
  }

  createGroup(request: GroupRequest, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.create(request)
  }

  updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    options?: OpOptions,
  ): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.update(ref, changes, request)
  }

  archiveGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.archive(ref)
  }

  deleteGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.delete(ref)
  }

  close(): Promise<void> {
    return this.#ldap.close()
  }

  /**
   * Whether the DC indexes `attribute` (searchFlags fATTINDEX); undefined when its schema object cannot be read
   * (a bind without read access to the schema partition).
   */
  async anchorIndexed(attribute: string): Promise<boolean | undefined> {
    return (await adAttributeSchema(this.#client, attribute))?.indexed
  }

  /**
   * Every create looks its anchor up first; on an attribute the DC does not index that search reads every user,
   * so creates slow as the directory grows. Only the admin can add the index (a schema change), so say so once.
   * The look-up runs beside the create and never fails it.
   */
  #adviseAnchorIndex(attribute: string): void {
    const log = this.#log
    if (log === undefined || this.#indexChecked.has(attribute.toLowerCase())) return
    this.#indexChecked.add(attribute.toLowerCase())
    this.anchorIndexed(attribute).then(
      (indexed) => {
        if (indexed === false)
          log(
            'warn',
            `target ${this.name}: the anchor attribute ${attribute} is not indexed in the directory, so every create's anchor search reads all users and creates slow down as the directory grows; index it (searchFlags fATTINDEX, see docs/connectors/active-directory.md)`,
            { target: this.name, attribute },
          )
      },
      (e: unknown) =>
        log('debug', `target ${this.name}: cannot read the schema entry of ${attribute}`, {
          target: this.name,
          attribute,
          error: e instanceof Error ? e.message : String(e),
        }),
    )
  }

  /**
   * AD refuses a modify of the RDN attribute (cn, name: result 67): a new cn becomes a rename in the same
   * parent unless a `dn` change already carries it. With keepOldMailAsAlias a new mail adds the old address
   * as `smtp:` and the new one as the primary `SMTP:` to proxyAddresses.
   */
  async #adChanges(ref: Ref, changes: readonly FieldChange[]): Promise<FieldChange[]> {
    const isRdn = (c: FieldChange) => ['cn', 'name'].includes(c.field.toLowerCase())
    const out = changes.filter((c) => !isRdn(c))
    const cn = changes.find((c) => c.field.toLowerCase() === 'cn')
    if (
      cn !== undefined &&
      !out.some((c) => c.field.toLowerCase() === 'dn') &&
      typeof cn.new === 'string' &&
      cn.new !== ''
    ) {
      const current = toDn(ref.locator)
      const renamed = fromRdns([[{ type: 'CN', value: cn.new }], ...parentOf(current).rdns])
      out.push({ field: 'dn', old: current.text, new: renamed.text })
    }
    const mail = changes.find((c) => c.field.toLowerCase() === 'mail')
    if (this.#o.keepOldMailAsAlias && mail !== undefined) {
      const entry = await this.#ldap.read(ref, ['mail', 'proxyAddresses'])
      const old = entryValue(entry, 'mail')
      const proxies = changes.find((c) => c.field.toLowerCase() === 'proxyaddresses')
      const base =
        proxies === undefined
          ? listOf(entryAttribute(entry, 'proxyAddresses'))
          : listOf(proxies.new)
      const next = withAlias(base, old, typeof mail.new === 'string' ? mail.new : undefined)
      const rest = out.filter((c) => c.field.toLowerCase() !== 'proxyaddresses')
      return [...rest, { field: 'proxyAddresses', old: base, new: next }]
    }
    return out
  }
}

/** proxyAddresses after a mail change: the new address primary (SMTP:), every other smtp address an alias. */
export function withAlias(
  current: readonly string[],
  oldMail: string | undefined,
  newMail: string | undefined,
): string[] {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  const out: string[] = []
  for (const p of current) {
    if (newMail !== undefined && same(p, `smtp:${newMail}`)) continue
    out.push(/^SMTP:/.test(p) ? `smtp:${p.slice(5)}` : p)
  }
  if (oldMail !== undefined && oldMail !== '' && !out.some((p) => same(p, `smtp:${oldMail}`)))
    out.push(`smtp:${oldMail}`)
  if (newMail !== undefined && newMail !== '') out.unshift(`SMTP:${newMail}`)
  return out
}

const listOf = (v: unknown): string[] =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : []

function attributeOf(attributes: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = Object.keys(attributes).find((k) => k.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : attributes[key]
}

function groupDn(permission: { type: string; id: string }): Dn {
  if (permission.type !== 'group')
    throw new ConnectorError(
      'unsupported',
      `permission type ${JSON.stringify(permission.type)}: this target only has "group"`,
    )
  try {
    return toDn(permission.id)
  } catch (e) {
    throw new ConnectorError('invalid', `group id ${JSON.stringify(permission.id)}: not a DN`, {
      cause: e,
    })
  }
}

function conflict(context: string, holder: { claim: Claim; dn: string }): ConnectorError {
  return new ConnectorError(
    'conflict',
    `${context}: ${holder.claim.attribute} ${JSON.stringify(holder.claim.value)} is already held by ${holder.dn}, which this account does not own; not overwriting it`,
    { code: 'uniqueness' },
  )
}

/** DC=school,DC=test from OU=leerlingen,DC=school,DC=test. */
export function domainRoot(baseDn: string): string {
  const dn = toDn(baseDn)
  const dcs = dn.rdns.filter((r) => r.length === 1 && r[0]?.type.toLowerCase() === 'dc')
  return dcs.length === 0 ? dn.text : fromRdns(dcs).text
}
