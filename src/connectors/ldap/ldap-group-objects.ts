// Groups Koppel provisions as entries of their own (issue 14): created below `groups.baseDn` as
// `cn=<title>` (escaped), carrying the sync key in `groups.keyAttribute` so that a retried create finds its
// group and a same-named group Koppel does not manage is refused, never taken over. A title change renames the
// entry (the id stays); archiving moves it to `groups.archiveDn` with its members, restoring moves it back.
import { Attribute, Change, EqualityFilter, type Entry } from 'ldapts'
import {
  ConnectorError,
  type GroupRequest,
  type Ref,
  type WriteResult,
} from '../../contract/index.ts'
import type { FieldChange } from '../../model/index.ts'
import type { LdapClient } from './ldap-client.ts'
import { escapeDnValue } from '../../protocol/ldap-escape.ts'
import {
  fromRdns,
  isAttributeName,
  moveUnder,
  toDn,
  toLdapValues,
  type Dn,
} from './ldap-mapping.ts'
import { PostReadControl } from './ldap-post-read.ts'

export interface GroupObjectOptions {
  readonly objectClass: string
  readonly memberAttribute: string
  readonly placeholderMember?: string | undefined
  /** Where the sync key is kept on the group entry. */
  readonly keyAttribute: string
  readonly archiveDn?: string | undefined
}

/**
 * What a directory flavor adds to a provisioned group (AD: sAMAccountName, groupType, an OU per school).
 * Without one a group is plain groupOfNames below the groups base, its title in cn.
 */
export interface GroupObjectFlavor {
  /** The group needs no member to exist (AD's group); else the placeholder keeps it valid. */
  readonly memberOptional?: boolean
  /** Where the title is also written besides the RDN (AD refuses a modify of cn: displayName). */
  readonly titleAttribute?: string
  /** Request fields the flavor turns into something else: never written as attributes. */
  readonly ownFields?: readonly string[]
  /** Request fields that choose the container (`parentFor`): a change moves the group. */
  readonly placementFields?: readonly string[]
  /** Attributes a new group gets besides cn, the key and its members. */
  createAttributes?(request: GroupRequest): Promise<Record<string, string[]>>
  /** The container of the group; missing OUs may be created on the way. */
  parentFor?(request: GroupRequest, base: Dn): Promise<Dn>
}

export interface GroupObjectIdentity {
  readonly idAttribute: string
  readonly binaryAttributes: readonly string[]
  readonly postRead: boolean
  idOf(entry: Entry): string | undefined
  idValue(id: string): string | Buffer
}

/** Fields of a group request that are Koppel's own, not LDAP attributes: written as cn/description or not at all. */
const OWN_FIELDS = new Set(['title', 'description', 'type', 'parent', 'archived'])

export class LdapGroupObjects {
  readonly #client: LdapClient
  readonly #o: GroupObjectOptions
  readonly #id: GroupObjectIdentity
  readonly #base: Dn | undefined
  readonly #archive: Dn | undefined
  readonly #flavor: GroupObjectFlavor
  readonly #own: ReadonlySet<string>

  constructor(
    client: LdapClient,
    options: GroupObjectOptions,
    identity: GroupObjectIdentity,
    base: Dn | undefined,
    flavor: GroupObjectFlavor = {},
  ) {
    this.#client = client
    this.#o = options
    this.#id = identity
    this.#base = base
    this.#flavor = flavor
    this.#own = new Set([
      ...OWN_FIELDS,
      ...(flavor.ownFields ?? []),
      ...(flavor.placementFields ?? []),
    ])
    this.#archive = options.archiveDn === undefined ? undefined : toDn(options.archiveDn)
  }

  async create(request: GroupRequest): Promise<WriteResult> {
    const base = this.#requireBase()
    const mine = await this.#findByKey(request.key)
    if (mine !== undefined)
      return { outcome: 'unchanged', id: this.#idOf(mine), locator: toDn(mine.dn).text }
    const dn = this.#dnFor(request.title, await this.#parentFor(request, base))
    const entry: Record<string, string[]> = {
      objectClass: [this.#o.objectClass],
      cn: [request.title],
      [this.#o.keyAttribute]: [request.key],
    }
    // groupOfNames needs a member: the placeholder, as for a group whose last member left (ldap-groups.ts)
    if (this.#flavor.memberOptional !== true)
      entry[this.#o.memberAttribute] = [this.#o.placeholderMember ?? dn.text]
    const titleAttribute = this.#flavor.titleAttribute
    if (titleAttribute !== undefined) entry[titleAttribute] = [request.title]
    Object.assign(entry, await this.#flavor.createAttributes?.(request))
    const description = request.attributes['description']
    if (typeof description === 'string') entry['description'] = [description]
    for (const [name, value] of Object.entries(request.attributes)) {
      if (this.#own.has(name)) continue
      if (!isAttributeName(name))
        throw new ConnectorError(
          'invalid',
          `group ${request.key}: ${JSON.stringify(name)} is not an LDAP attribute name`,
        )
      entry[name] = toLdapValues(value)
    }
    const postRead = this.#id.postRead ? new PostReadControl([this.#id.idAttribute]) : undefined
    try {
      await this.#client.add(dn.text, entry, postRead === undefined ? [] : [postRead])
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.code === 68) throw this.#conflict(dn, request.key, e)
      throw e
    }
    const id = postRead?.entry === undefined ? undefined : this.#id.idOf(postRead.entry)
    if (id !== undefined) return { outcome: 'created', id, locator: dn.text }
    const [added] = await this.#client.search(dn.text, {
      scope: 'base',
      attributes: [this.#id.idAttribute],
      ...this.#binary(),
    })
    if (added === undefined)
      throw new ConnectorError('transient', `created group ${dn.text} but cannot read it back`)
    return { outcome: 'created', id: this.#idOf(added), locator: dn.text }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
  ): Promise<WriteResult> {
    const base = this.#requireBase()
    let at = await this.#locate(ref)
    let changed = false
    const restoring = changes.some((c) => c.field === 'archived')
    const title = changes.find((c) => c.field === 'title')
    const placed = changes.some((c) => this.#flavor.placementFields?.includes(c.field) === true)
    if (title !== undefined || restoring || placed) {
      const parent =
        restoring || placed ? await this.#parentFor(request, base) : fromRdns(at.rdns.slice(1))
      const wanted = this.#dnFor(request.title, parent)
      if (wanted.key !== at.key) {
        await this.#move(at, wanted, request.key)
        at = wanted
        changed = true
      }
    }
    const mods: Change[] = []
    for (const c of changes) {
      if (c.field === 'archived' || c.field === 'type' || c.field === 'parent') continue
      if (this.#own.has(c.field) && c.field !== 'title' && c.field !== 'description') continue
      const name = c.field === 'title' ? (this.#flavor.titleAttribute ?? 'cn') : c.field
      if (!isAttributeName(name))
        throw new ConnectorError(
          'invalid',
          `group ${request.key}: ${JSON.stringify(name)} is not an LDAP attribute name`,
        )
      mods.push(
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: name, values: toLdapValues(c.new) }),
        }),
      )
    }
    if (mods.length > 0) {
      await this.#client.modify(at.text, mods)
      changed = true
    }
    return { outcome: changed ? 'updated' : 'unchanged', id: ref.id, locator: at.text }
  }

  async archive(ref: Ref): Promise<WriteResult> {
    const at = await this.#locate(ref)
    if (this.#archive === undefined) return { outcome: 'unchanged', id: ref.id, locator: at.text }
    const wanted = moveUnder(at, this.#archive)
    if (wanted.key === at.key) return { outcome: 'unchanged', id: ref.id, locator: at.text }
    await this.#move(at, wanted, undefined)
    return { outcome: 'updated', id: ref.id, locator: wanted.text }
  }

  async delete(ref: Ref): Promise<WriteResult> {
    let at: Dn
    try {
      at = await this.#locate(ref)
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.kind === 'not-found')
        return { outcome: 'already-gone', id: ref.id, locator: ref.locator }
      throw e
    }
    await this.#client.del(at.text)
    return { outcome: 'updated', id: ref.id, locator: at.text }
  }

  async #move(from: Dn, to: Dn, key: string | undefined): Promise<void> {
    try {
      await this.#client.modifyDn(from.text, to.text)
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.code === 68)
        throw this.#conflict(to, key ?? '(archived group)', e)
      throw e
    }
  }

  /** Where the group with this id is now: below the groups base or in the archive. */
  async #locate(ref: Ref): Promise<Dn> {
    const filter = new EqualityFilter({
      attribute: this.#id.idAttribute,
      value: this.#id.idValue(ref.id),
    })
    for (const base of this.#searchBases()) {
      const [entry] = await this.#search(base, filter)
      if (entry !== undefined) return toDn(entry.dn)
    }
    throw new ConnectorError(
      'not-found',
      `no group with ${this.#id.idAttribute} ${ref.id} (last seen at ${ref.locator})`,
    )
  }

  async #findByKey(key: string): Promise<Entry | undefined> {
    const filter = new EqualityFilter({ attribute: this.#o.keyAttribute, value: key })
    for (const base of this.#searchBases()) {
      const [entry] = await this.#search(base, filter)
      if (entry !== undefined) return entry
    }
    return undefined
  }

  async #search(base: Dn, filter: EqualityFilter): Promise<Entry[]> {
    try {
      return await this.#client.search(base.text, {
        scope: 'sub',
        filter,
        attributes: [this.#id.idAttribute, this.#o.keyAttribute],
        ...this.#binary(),
      })
    } catch (e) {
      // an archive OU that does not exist yet holds no groups
      if (ConnectorError.isInstance(e) && e.kind === 'not-found' && e.code === 32) return []
      throw e
    }
  }

  #parentFor(request: GroupRequest, base: Dn): Promise<Dn> {
    return this.#flavor.parentFor?.(request, base) ?? Promise.resolve(base)
  }

  #searchBases(): Dn[] {
    return [this.#base, this.#archive].filter((b): b is Dn => b !== undefined)
  }

  #dnFor(title: string, parent: Dn): Dn {
    return toDn(`cn=${escapeDnValue(title)},${parent.text}`)
  }

  #conflict(dn: Dn, key: string, cause: unknown): ConnectorError {
    return new ConnectorError(
      'conflict',
      `group ${dn.text} already exists and is not Koppel's (it has no ${this.#o.keyAttribute}: ${key}); a group Koppel does not manage is never overwritten: rename it, or set ${this.#o.keyAttribute}: ${key} on it to let Koppel adopt it`,
      { cause, code: 68 },
    )
  }

  #requireBase(): Dn {
    if (this.#base === undefined)
      throw new ConnectorError(
        'config',
        'groups.baseDn must be set to provision groups (provisionGroups:)',
      )
    return this.#base
  }

  #idOf(entry: Entry): string {
    const id = this.#id.idOf(entry)
    if (id === undefined)
      throw new ConnectorError('transient', `group ${entry.dn} has no ${this.#id.idAttribute}`)
    return id
  }

  #binary(): { explicitBufferAttributes: string[] } | Record<string, never> {
    return this.#id.binaryAttributes.length > 0
      ? { explicitBufferAttributes: [...this.#id.binaryAttributes] }
      : {}
  }
}
