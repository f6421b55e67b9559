// The generic LDAP target (OpenLDAP and friends): accounts are entries below `baseDn`, identified by their
// entryUUID, located by DN; disable moves them to an OU and/or sets an attribute; permissions are group
// memberships. It implements the TargetConnector failure semantics and nothing AD-specific (no
// userAccountControl, no unicodePwd: that is the AD connector's job). What differs for a directory that
// builds on it (the id attribute and its encoding, controls, the password attribute, what "disabled" means,
// how membership is checked) comes in through `LdapTargetParts`; the defaults are the generic LDAP ones.
import {
  AndFilter,
  Attribute,
  Change,
  EqualityFilter,
  OrFilter,
  type Control,
  type Entry,
  type Filter,
} from 'ldapts'
import type { FieldChange } from '../../model/index.ts'
import {
  ConnectorError,
  type CreateRequest,
  type GroupRequest,
  type OpOptions,
  type Ref,
  type TargetAccount,
  type TargetCapabilities,
  type TargetConnector,
  type WriteResult,
} from '../../contract/index.ts'
import { AnchorBatcher, SORTABLE_RULES } from './ldap-anchor-batcher.ts'
import { assertEntryUuid } from './ldap-assertion.ts'
import type { LdapClient } from './ldap-client.ts'
import { canonicalDn } from '../../protocol/ldap-escape.ts'
import { DisableState, type DisableStrategy } from './ldap-disable.ts'
import { LdapGroupObjects } from './ldap-group-objects.ts'
import {
  allMemberships,
  followMove,
  grantMember,
  groupsOf,
  revokeMember,
  type GroupOptions,
} from './ldap-groups.ts'
import {
  entryAttributes,
  entryValue,
  fromRdns,
  isAttributeName,
  isUnder,
  parentOf,
  toAddEntry,
  toDn,
  toLdapValues,
  type Dn,
} from './ldap-mapping.ts'
import type { LdapOptions } from './ldap-options.ts'
import { ensureOus, missingOus } from './ldap-ous.ts'
import { hashPassword } from './ldap-password.ts'
import { PostReadControl } from './ldap-post-read.ts'
import { equalityRuleOf } from './ldap-schema.ts'
import { messageOf } from '../../util/message-of.ts'

type Anchor = { readonly attribute: string; readonly value: string }

export interface LdapTargetParts {
  readonly client: LdapClient
  readonly listFilter: Filter
  /** What differs from generic LDAP; default `GENERIC_LDAP`. */
  readonly flavor?: LdapFlavor
  /** What "disabled" means; default the `disable` options (OU move and/or attribute value). */
  readonly disable?: DisableStrategy
  /** The attributes the engine's mapping writes (ConnectorContext.mappedAttributes): always read. */
  readonly mappedAttributes?: readonly string[]
}

/** The directory-specific details of identity, controls and passwords. */
export interface LdapFlavor {
  /** The connector type reported by `type`. */
  readonly type: string
  /** The immutable id attribute: entryUUID (RFC 4530), objectGUID (AD). */
  readonly idAttribute: string
  /** Attributes that must be read as bytes (binary ids). */
  readonly binaryAttributes: readonly string[]
  /** The id as a string, from an entry read with `binaryAttributes`. */
  idOf(entry: Entry): string | undefined
  /** The id as a filter value (a GUID string becomes its 16 bytes). */
  idValue(id: string): string | Buffer
  /** Controls that make a write land only on the entry with this id; [] where the server has none. */
  assertId(id: string): Control[]
  /** Whether the add asks for the id with the post-read control (RFC 4527). */
  readonly postRead: boolean
  /** The attribute values that carry an initial password on create. */
  passwordEntry(password: string): Record<string, Array<string | Buffer>>
  readonly readOnlyAttributes: readonly string[]
  /** Membership check for revokes the server answers ambiguously (AD: 53 for "not a member"). */
  readonly isMember?: GroupOptions['isMember']
  /**
   * An attribute's EQUALITY rule where the subschema entry does not tell it (Samba lists none); without this the
   * subschema is asked (equalityRuleOf).
   */
  readonly equalityRule?: (client: LdapClient, attribute: string) => Promise<string | undefined>
}

export const GENERIC_LDAP: LdapFlavor = Object.freeze({
  type: 'ldap',
  idAttribute: 'entryUUID',
  binaryAttributes: [],
  idOf: (entry: Entry) => entryValue(entry, 'entryUUID'),
  idValue: (id: string) => id,
  assertId: (id: string) => [assertEntryUuid(id)],
  postRead: true,
  passwordEntry: (password: string) => ({ userPassword: [hashPassword(password)] }),
  readOnlyAttributes: [
    'entryUUID',
    'entryCSN',
    'entryDN',
    'createTimestamp',
    'modifyTimestamp',
    'creatorsName',
    'modifiersName',
  ],
})

export class LdapTarget implements TargetConnector {
  readonly name: string
  readonly type: string
  readonly capabilities: TargetCapabilities
  readonly #o: LdapOptions
  readonly #f: LdapFlavor
  readonly #client: LdapClient
  readonly #listFilter: Filter
  readonly #base: Dn
  readonly #bases: readonly Dn[]
  readonly #disable: DisableStrategy
  readonly #groups: GroupOptions
  readonly #groupsBase: Dn | undefined
  readonly #groupObjects: LdapGroupObjects
  /** Where groups naming a moved account are looked for: groups.baseDn, else the directory's dc= root. */
  readonly #memberBase: Dn
  readonly #anchors: AnchorBatcher
  /** readAttributes plus every mapped attribute; empty: every user attribute. */
  readonly #reads: readonly string[]
  readonly #sortable = new Map<string, Promise<boolean>>()

  constructor(name: string, options: LdapOptions, parts: LdapTargetParts) {
    this.name = name
    this.#o = options
    this.#client = parts.client
    this.#listFilter = parts.listFilter
    this.#f = parts.flavor ?? GENERIC_LDAP
    this.type = this.#f.type
    this.#base = toDn(options.baseDn)
    this.#disable = parts.disable ?? new DisableState(options.disable, this.#base)
    this.#reads = readList(options.readAttributes, parts.mappedAttributes ?? [])
    const ou = this.#disable.ou
    // disabled accounts stay visible to find and list, also when their OU is outside baseDn
    this.#bases = ou === undefined || isUnder(ou, this.#base) ? [this.#base] : [this.#base, ou]
    this.#groups = {
      ...options.groups,
      pageSize: options.pageSize,
      ...(this.#f.isMember === undefined ? {} : { isMember: this.#f.isMember }),
    }
    this.#groupsBase = options.groups.baseDn === undefined ? undefined : toDn(options.groups.baseDn)
    this.#memberBase = this.#groupsBase ?? rootOf(this.#base)
    this.#groupObjects = new LdapGroupObjects(
      parts.client,
      options.groups,
      this.#f,
      this.#groupsBase,
    )
    this.#anchors = new AnchorBatcher({
      search: (attribute, values) => this.#searchAnchors(attribute, values),
      sortable: (attribute) => this.#isSortable(attribute),
    })
    this.capabilities = Object.freeze({
      listAccounts: true,
      enableDisable: this.#disable.configured,
      delete: true,
      permissionTypes: ['group'],
      readOnlyAttributes: [...this.#f.readOnlyAttributes],
      defaultConcurrency: options.concurrency,
      createsContainers: options.createOus,
      groups: {
        roles: ['member', 'owner'],
        archive: options.groups.archiveDn === undefined ? ('ledger' as const) : ('target' as const),
      },
    })
  }

  async *listAccounts(options?: OpOptions): AsyncIterable<TargetAccount> {
    options?.signal?.throwIfAborted()
    const memberships =
      this.#groupsBase === undefined
        ? undefined
        : await allMemberships(this.#client, this.#groups, this.#groupsBase)
    for (const base of this.#bases) {
      const pages = this.#client.searchPages(base.text, {
        scope: 'sub',
        filter: this.#listFilter,
        attributes: this.#readAttributes(),
        explicitBufferAttributes: [...this.#f.binaryAttributes],
        paged: { pageSize: this.#o.pageSize },
      })
      try {
        for await (const page of pages) {
          options?.signal?.throwIfAborted()
          // without a groups base the memberships are unknown (undefined), which is not the same as none ([])
          for (const entry of page) {
            // parsed once: parsing and escaping an entry's DN was the listing's largest cost after GC
            const locator = toDn(entry.dn)
            yield this.#toAccount(
              entry,
              memberships === undefined ? undefined : (memberships.get(locator.key) ?? []),
              locator,
            )
          }
        }
      } catch (e) {
        throw baseMissing(e, base)
      }
    }
  }

  async find(anchor: Anchor, options?: OpOptions): Promise<TargetAccount | undefined> {
    options?.signal?.throwIfAborted()
    const entry = await this.#findByAnchor(anchor)
    if (entry === undefined) return undefined
    const groups =
      this.#groupsBase === undefined
        ? undefined
        : await groupsOf(this.#client, this.#groups, this.#groupsBase, toDn(entry.dn))
    return this.#toAccount(entry, groups)
  }

  async create(request: CreateRequest, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const { anchor } = request
    const existing = await this.#findByAnchor(anchor)
    if (existing !== undefined)
      return { outcome: 'unchanged', id: this.#idOf(existing), locator: toDn(existing.dn).text }
    const wanted = this.#dnAttribute(
      request.attributes.dn,
      `create ${anchor.attribute}=${anchor.value}`,
    )
    const entry: Record<string, Array<string | Buffer>> = toAddEntry(
      request.attributes,
      this.#o.objectClasses,
    )
    const password = request.secrets?.password
    if (password !== undefined) Object.assign(entry, this.#f.passwordEntry(password))
    const placed = this.#disable.placeNew(wanted, request.enabled, entry)
    // the id comes back with the add itself (RFC 4527), so no read-back is needed where the server has the control
    const postRead = this.#f.postRead ? new PostReadControl([this.#f.idAttribute]) : undefined
    const add = () => this.#client.add(placed.text, entry, postRead === undefined ? [] : [postRead])
    try {
      await this.#withParents(placed, `create ${placed.text}`, add)
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.kind === 'not-found' && e.code === 32) {
        const off = this.#o.createOus ? '' : ' (createOus is off)'
        throw new ConnectorError(
          'invalid',
          `cannot create ${placed.text}: parent ${parentOf(placed).text} does not exist${off}`,
          { cause: e, code: 32 },
        )
      }
      if (!(ConnectorError.isInstance(e) && e.code === 68)) throw e
      return this.#alreadyThere(placed, anchor, e)
    }
    const id = postRead?.entry === undefined ? undefined : this.#f.idOf(postRead.entry)
    if (id !== undefined) return { outcome: 'created', id, locator: placed.text }
    const [added] = await this.#client.search(placed.text, {
      scope: 'base',
      attributes: [this.#f.idAttribute],
      ...this.#binary(),
    })
    if (added === undefined)
      throw new ConnectorError('transient', `created ${placed.text} but cannot read it back`)
    return { outcome: 'created', id: this.#idOf(added), locator: placed.text }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options?: OpOptions,
  ): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const dnChange = changes.find((c) => c.field.toLowerCase() === 'dn')
    const mods = changes.filter((c) => c !== dnChange).map((c) => this.#replace(c, ref))
    let where = ref.locator
    let changed = false
    if (dnChange !== undefined) {
      const wanted = this.#dnAttribute(dnChange.new, `rename ${ref.locator}`)
      const moved = await this.#atRef(ref, (dn) => this.#rename(ref.id, dn, wanted)).catch(
        (e: unknown) => {
          throw missingParent(e, ref.locator, wanted)
        },
      )
      changed = moved.changed
      where = moved.dn.text
      await this.#followMove(ref.locator, moved.dn)
    }
    if (mods.length > 0) {
      const at = await this.#atRef({ id: ref.id, locator: where }, async (dn) => {
        await this.#client.modify(dn.text, mods, this.#f.assertId(ref.id))
        return dn
      })
      where = at.text
      changed = true
    }
    return { outcome: changed ? 'updated' : 'unchanged', id: ref.id, locator: where }
  }

  async disable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const entry = await this.#entryOf(ref, this.#disable.attributeNames())
    const result = await this.#disable.disable(this.#client, entry, ref.id)
    await this.#followMove(ref.locator, result.dn, entry.dn)
    return {
      outcome: result.changed ? 'updated' : 'unchanged',
      id: ref.id,
      locator: result.dn.text,
    }
  }

  async enable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const entry = await this.#entryOf(ref, this.#disable.attributeNames())
    const result = await this.#disable.enable(this.#client, entry, ref.id)
    await this.#followMove(ref.locator, result.dn, entry.dn)
    return {
      outcome: result.changed ? 'updated' : 'unchanged',
      id: ref.id,
      locator: result.dn.text,
    }
  }

  async delete(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    try {
      const dn = await this.#atRef(ref, async (at) => {
        await this.#client.del(at.text, this.#f.assertId(ref.id))
        return at
      })
      return { outcome: 'updated', id: ref.id, locator: dn.text }
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.kind === 'not-found' && e.code === undefined) {
        return { outcome: 'already-gone', id: ref.id, locator: ref.locator }
      }
      throw e
    }
  }

  containerOf(locator: string): string | undefined {
    try {
      const dn = toDn(locator)
      return dn.rdns.length > 1 ? parentOf(dn).text : undefined
    } catch {
      return undefined
    }
  }

  permissionKey(type: string, id: string): string {
    return type === 'group' ? canonicalDn(id) : id
  }

  async grant(
    ref: Ref,
    permission: { type: string; id: string; role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const group = this.#groupDn(permission)
    const outcome = await grantMember(
      this.#client,
      this.#roleOptions(permission.role),
      group,
      toDn(ref.locator),
    )
    return { outcome, id: ref.id, locator: ref.locator }
  }

  async revoke(
    ref: Ref,
    permission: { type: string; id: string; role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    const group = this.#groupDn(permission)
    const groupOptions = this.#roleOptions(permission.role)
    const last = toDn(ref.locator)
    // the account's DN now (moved by someone else, or renamed by a crashed run), and the DN Koppel last saw,
    // which a directory without refint may still list as a member
    const now = await this.#currentDn(ref)
    let outcome = await revokeMember(this.#client, groupOptions, group, now ?? last)
    if (
      now !== undefined &&
      now.key !== last.key &&
      (await revokeMember(this.#client, groupOptions, group, last)) === 'updated'
    )
      outcome = 'updated'
    return { outcome, id: ref.id, locator: now?.text ?? ref.locator }
  }

  async createGroup(request: GroupRequest, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.create(request)
  }

  async updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    options?: OpOptions,
  ): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.update(ref, changes, request)
  }

  async archiveGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.archive(ref)
  }

  async deleteGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    options?.signal?.throwIfAborted()
    return this.#groupObjects.delete(ref)
  }

  /** A provisioned group's `owner` role is the groupOfNames `owner` attribute; plain membership the member one. */
  #roleOptions(role: string | undefined): GroupOptions {
    if (role === undefined || role === 'member') return this.#groups
    // owner is optional in groupOfNames: never a placeholder, never a created group
    if (role === 'owner')
      return {
        ...this.#groups,
        memberAttribute: 'owner' as GroupOptions['memberAttribute'],
        createMissing: false,
      }
    throw new ConnectorError(
      'unsupported',
      `role ${JSON.stringify(role)}: an LDAP group has members and owners only`,
    )
  }

  close(): Promise<void> {
    return this.#client.close()
  }

  /**
   * The entry behind a ref with the given attributes (and the id), read at its locator or found again by id;
   * throws not-found when it is gone. For connectors that build on this one and need the current values.
   */
  read(ref: Ref, attributes: readonly string[]): Promise<Entry> {
    return this.#entryOf(ref, attributes)
  }

  /**
   * Runs a write that puts an entry at `dn`; when the parent is missing and `createOus` is on, creates the
   * missing OUs and runs it once more. A failure with every parent present (the entry itself moved) is thrown.
   */
  async #withParents<T>(dn: Dn, context: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (e) {
      if (!this.#o.createOus || !isMissingParent(e)) throw e
      const parent = parentOf(dn)
      if (!isUnder(parent, this.#base) && parent.key !== this.#base.key) throw e
      if ((await missingOus(this.#client, this.#base, parent)).length === 0) throw e
      await ensureOus(this.#client, this.#base, parent, context)
      return write()
    }
  }

  /** The account's DN now; undefined when it is gone. */
  async #currentDn(ref: Ref): Promise<Dn | undefined> {
    try {
      return toDn((await this.#entryOf(ref, ['1.1'])).dn)
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.kind === 'not-found' && e.code === undefined)
        return undefined
      throw e
    }
  }

  /**
   * After the account moved from `last` (the DN Koppel knew) and `seen` (where it was found) to `now`,
   * rewrites member values that still name an old DN, for directories that do not (OpenLDAP without refint).
   * An old DN that another entry has taken meanwhile is left alone: its memberships are that entry's.
   */
  async #followMove(last: string, now: Dn, seen?: string): Promise<void> {
    const olds = new Map(
      [last, ...(seen === undefined ? [] : [seen])].map((d) => toDn(d)).map((d) => [d.key, d]),
    )
    for (const old of olds.values()) {
      if (old.key === now.key || (await this.#exists(old))) continue
      await followMove(this.#client, this.#groups, this.#memberBase, old, now)
    }
  }

  async #exists(dn: Dn): Promise<boolean> {
    try {
      return (await this.#client.search(dn.text, { scope: 'base', attributes: ['1.1'] })).length > 0
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.kind === 'not-found') return false
      throw e
    }
  }

  #binary(): { explicitBufferAttributes: string[] } | Record<string, never> {
    return this.#f.binaryAttributes.length === 0
      ? {}
      : { explicitBufferAttributes: [...this.#f.binaryAttributes] }
  }

  #readAttributes(extra: readonly string[] = []): string[] {
    const id = this.#f.idAttribute
    if (this.#reads.length === 0) return ['*', id]
    return [...new Set([...this.#reads, ...this.#disable.attributeNames(), id, ...extra])]
  }

  #toAccount(
    entry: Entry,
    permissions: readonly string[] | undefined,
    locator: Dn = toDn(entry.dn),
  ): TargetAccount {
    const attributes = {
      ...entryAttributes(entry, this.#reads, [
        ...this.#disable.attributeNames(),
        this.#f.idAttribute,
      ]),
      // the DN the account has when enabled, so that a disabled account in its OU shows no drift in `dn`
      dn: this.#disable.enabledDn(entry, locator).text,
    }
    return {
      id: this.#idOf(entry),
      locator: locator.text,
      attributes,
      enabled: this.#disable.isEnabled(entry, locator),
      ...(permissions === undefined ? {} : { permissions }),
    }
  }

  #idOf(entry: Entry): string {
    const id = this.#f.idOf(entry)
    if (id === undefined)
      throw new ConnectorError('unsupported', `entry ${entry.dn} has no ${this.#f.idAttribute}`)
    return id
  }

  async #findByAnchor(anchor: Anchor): Promise<Entry | undefined> {
    if (!isAttributeName(anchor.attribute)) {
      throw new ConnectorError(
        'invalid',
        `anchor attribute ${JSON.stringify(anchor.attribute)} is not an LDAP attribute name`,
      )
    }
    const found = await this.#anchors.find(anchor.attribute, anchor.value)
    if (found.length > 1) {
      const dns = found.map((e) => e.dn).join('; ')
      throw new ConnectorError(
        'conflict',
        `${found.length} entries have ${anchor.attribute}=${JSON.stringify(anchor.value)}: ${dns}`,
      )
    }
    return found[0]
  }

  /** One search for several anchor values: what the batcher sends. */
  #searchAnchors(attribute: string, values: readonly string[]): Promise<Entry[]> {
    const matches = values.map((value) => new EqualityFilter({ attribute, value }))
    const match =
      matches.length === 1 ? (matches[0] as EqualityFilter) : new OrFilter({ filters: matches })
    // the anchor first: Samba's ldb works through an AND's indexes in order, and the list filter's
    // (objectCategory, objectClass) each match every user; 3.6 → 0.2 ms per search at 2,000 users with an indexed
    // anchor, 34 → 13 ms without (bench/measure-ad-requests.ts). slapd and Windows AD pick their own order.
    const filter = new AndFilter({ filters: [match, this.#listFilter] })
    return this.#searchBases(filter, this.#readAttributes([attribute]))
  }

  /** Whether one OR search's entries can be sorted back to its values; asked once per attribute. */
  #isSortable(attribute: string): Promise<boolean> {
    let known = this.#sortable.get(attribute)
    if (known === undefined) {
      known = (this.#f.equalityRule ?? equalityRuleOf)(this.#client, attribute).then(
        (rule) => rule !== undefined && SORTABLE_RULES.has(rule.toLowerCase()),
      )
      this.#sortable.set(attribute, known)
      // a failed schema read (connection trouble) is asked again next time; meanwhile values are searched one by one
      known.catch(() => this.#sortable.delete(attribute))
    }
    return known
  }

  async #searchBases(filter: Filter, attributes: string[]): Promise<Entry[]> {
    const found: Entry[] = []
    for (const base of this.#bases) {
      try {
        for (const e of await this.#client.search(base.text, {
          scope: 'sub',
          filter,
          attributes,
          ...this.#binary(),
        }))
          found.push(e)
      } catch (e) {
        throw baseMissing(e, base)
      }
    }
    return found
  }

  async #byUuid(id: string, attributes: string[]): Promise<Entry | undefined> {
    const found = await this.#searchBases(this.#idFilter(id), attributes)
    return found[0]
  }

  #idFilter(id: string): EqualityFilter {
    let value: string | Buffer
    try {
      value = this.#f.idValue(id)
    } catch (e) {
      throw new ConnectorError(
        'invalid',
        `${JSON.stringify(id)} is not a valid ${this.#f.idAttribute}: ${messageOf(e)}`,
        { cause: e },
      )
    }
    return new EqualityFilter({ attribute: this.#f.idAttribute, value })
  }

  /** The entry behind a ref, read at its locator (checked by id) or found again by id. */
  async #entryOf(ref: Ref, attributes: readonly string[]): Promise<Entry> {
    const wanted = [...attributes, this.#f.idAttribute]
    let entry: Entry | undefined
    try {
      const filter = this.#idFilter(ref.id)
      ;[entry] = await this.#client.search(ref.locator, {
        scope: 'base',
        filter,
        attributes: wanted,
        ...this.#binary(),
      })
    } catch (e) {
      if (!(ConnectorError.isInstance(e) && e.kind === 'not-found')) throw e
    }
    entry ??= await this.#byUuid(ref.id, wanted)
    if (entry === undefined) throw gone(ref, this.#f.idAttribute)
    return entry
  }

  /**
   * Runs a write against the entry at the ref's locator; when it is not there any more (moved by someone
   * else, or another entry took the DN), finds it by entryUUID and runs the write once more there.
   */
  async #atRef<T>(ref: Ref, write: (dn: Dn) => Promise<T>): Promise<T> {
    const first = toDn(ref.locator)
    try {
      return await write(first)
    } catch (e) {
      if (!(ConnectorError.isInstance(e) && e.kind === 'not-found')) throw e
      const entry = await this.#byUuid(ref.id, ['1.1'])
      if (entry === undefined) throw gone(ref, this.#f.idAttribute)
      const now = toDn(entry.dn)
      if (now.key === first.key) throw e
      return write(now)
    }
  }

  async #rename(id: string, current: Dn, wanted: Dn): Promise<{ dn: Dn; changed: boolean }> {
    const { target, origin } = this.#disable.placeRenamed(current, wanted)
    let changed = false
    if (target.key !== current.key) {
      await this.#withParents(target, `move ${current.text}`, () =>
        this.#client.modifyDn(current.text, target.text, this.#f.assertId(id)),
      )
      changed = true
    }
    if (origin !== undefined) {
      await this.#client.modify(target.text, [origin], this.#f.assertId(id))
      changed = true
    }
    return { dn: target, changed }
  }

  #replace(change: FieldChange, ref: Ref): Change {
    if (!isAttributeName(change.field)) {
      throw new ConnectorError(
        'invalid',
        `update ${ref.locator}: field ${JSON.stringify(change.field)} is not an LDAP attribute name`,
      )
    }
    // replace with no values deletes the attribute and is a no-op when it is already absent
    return new Change({
      operation: 'replace',
      modification: new Attribute({ type: change.field, values: toLdapValues(change.new) }),
    })
  }

  #dnAttribute(value: unknown, context: string): Dn {
    if (typeof value !== 'string' || value === '') {
      throw new ConnectorError(
        'invalid',
        `${context}: attribute "dn" must be a DN string, got ${JSON.stringify(value)}`,
      )
    }
    let dn: Dn
    try {
      dn = toDn(value)
    } catch (e) {
      throw new ConnectorError('invalid', `${context}: attribute "dn": ${messageOf(e)}`, {
        cause: e,
      })
    }
    if (!isUnder(dn, this.#base) || dn.key === this.#base.key) {
      throw new ConnectorError(
        'invalid',
        `${context}: dn ${dn.text} is not below baseDn ${this.#base.text}, where find would not see it`,
      )
    }
    // a second attribute in the naming RDN would be added to the entry as well (`cn=x+uid=admin`)
    if ((dn.rdns[0]?.length ?? 0) > 1) {
      throw new ConnectorError(
        'invalid',
        `${context}: dn ${dn.text} has a multi-valued RDN; accounts are named by one attribute`,
      )
    }
    return dn
  }

  #groupDn(permission: { type: string; id: string }): Dn {
    if (permission.type !== 'group') {
      throw new ConnectorError(
        'unsupported',
        `permission type ${JSON.stringify(permission.type)}: this target only has "group"`,
      )
    }
    let dn: Dn
    try {
      dn = toDn(permission.id)
    } catch (e) {
      throw new ConnectorError('invalid', `group id: ${messageOf(e)}`, { cause: e })
    }
    // a class named `a+description=b` must not name a group by two attributes (use rdn() in the rule)
    if ((dn.rdns[0]?.length ?? 0) > 1)
      throw new ConnectorError('invalid', `group id ${dn.text} has a multi-valued RDN`)
    return dn
  }

  async #alreadyThere(dn: Dn, anchor: Anchor, error: ConnectorError): Promise<WriteResult> {
    const [other] = await this.#client.search(dn.text, {
      scope: 'base',
      attributes: [anchor.attribute, this.#f.idAttribute],
      ...this.#binary(),
    })
    // our own create, raced by a concurrent retry of the same action: that is not a conflict
    if (other !== undefined && entryValue(other, anchor.attribute) === anchor.value) {
      return { outcome: 'unchanged', id: this.#idOf(other), locator: dn.text }
    }
    const theirs =
      other === undefined ? 'unknown' : JSON.stringify(entryValue(other, anchor.attribute) ?? null)
    throw new ConnectorError(
      'conflict',
      `cannot create ${dn.text} for ${anchor.attribute}=${JSON.stringify(anchor.value)}: another entry (${anchor.attribute}=${theirs}) already has this DN`,
      { cause: error, code: 68 },
    )
  }
}

// `code` undefined marks "the entry is gone" apart from a not-found result code on some other object
const gone = (ref: Ref, idAttribute: string) =>
  new ConnectorError(
    'not-found',
    `no entry with ${idAttribute} ${ref.id} (last seen at ${ref.locator})`,
  )

/**
 * What listing and find read: the configured attributes and every mapped one (so that nothing the mapping
 * writes shows as drift for not being read), once each, case-insensitively; `dn` is the entry's name, not an
 * attribute. No configured list reads every user attribute, mapped ones included.
 */
function readList(configured: readonly string[], mapped: readonly string[]): string[] {
  if (configured.length === 0) return []
  const out = new Map<string, string>()
  for (const name of [...configured, ...mapped]) {
    if (name.toLowerCase() === 'dn' || !isAttributeName(name) || out.has(name.toLowerCase()))
      continue
    out.set(name.toLowerCase(), name)
  }
  return [...out.values()]
}

/** The trailing dc= components of a DN (the naming context of most directories); the last RDN if it has none. */
function rootOf(dn: Dn): Dn {
  const dcs: Array<(typeof dn.rdns)[number]> = []
  for (let i = dn.rdns.length - 1; i >= 0; i--) {
    const rdn = dn.rdns[i]
    if (rdn === undefined || rdn.length !== 1 || rdn[0]?.type.toLowerCase() !== 'dc') break
    dcs.unshift(rdn)
  }
  return fromRdns(dcs.length > 0 ? dcs : dn.rdns.slice(-1))
}

function baseMissing(e: unknown, base: Dn): unknown {
  if (ConnectorError.isInstance(e) && e.kind === 'not-found' && e.code === 32) {
    return new ConnectorError('config', `search base ${base.text} does not exist`, {
      cause: e,
      code: 32,
    })
  }
  return e
}

/**
 * How a directory says "the parent does not exist": 32 noSuchObject (OpenLDAP; Samba on add), or Samba's
 * 80 "…parent does not exist!" on a modifyDN (seen on Samba 4.17).
 */
function isMissingParent(e: unknown): boolean {
  if (!ConnectorError.isInstance(e)) return false
  return (
    (e.kind === 'not-found' && e.code === 32) ||
    (e.code === 80 && /parent does not exist/i.test(e.message))
  )
}

// the entry was found by entryUUID where we tried, so a noSuchObject can only mean the new parent is missing
function missingParent(e: unknown, from: string, to: Dn): unknown {
  if (isMissingParent(e)) {
    const parent = parentOf(to).text
    return new ConnectorError(
      'invalid',
      `cannot move ${from} to ${to.text}: parent ${parent} does not exist`,
      { cause: e, code: 32 },
    )
  }
  return e
}
