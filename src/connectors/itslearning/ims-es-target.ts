// The `itslearning-ims-es` target: persons, groups and memberships through IMS Enterprise Services.
// Creates of persons and memberships that arrive together (the engine runs `concurrency` actions at once) go
// out as one bulk call (createPersons / createMemberships); each action gets its own item's status back.
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
import type { FieldChange } from '../../model/index.ts'
import {
  checkSyncKey,
  MEMBERSHIP,
  MEMBERSHIP_ROLES,
  membershipSyncKey,
  parseMembership,
  personFrom,
  PERSON_ATTRIBUTES,
  single,
  SYNC_KEY_ATTRIBUTE,
  institutionRoleType,
  type GroupRef,
  type ImsPerson,
  type MembershipGrant,
  type MembershipRole,
} from './itslearning-conventions.ts'
import { provisionedChain } from './ims-es-courses.ts'
import { MicroBatcher, type ItemOutcome } from './ims-es-batcher.ts'
import {
  EsClient,
  isSuccess,
  isUnknownObject,
  statusError,
  type EsAnswer,
} from './ims-es-client.ts'
import type { ImsEsOptions } from './ims-es-options.ts'
import { groupElement, membershipElement, personAttributes, personElement } from './ims-es-wire.ts'

interface PendingMembership {
  readonly id: string
  readonly person: string
  readonly grant: MembershipGrant
}

export class ImsEsTarget implements TargetConnector {
  readonly name: string
  readonly type = 'itslearning-ims-es'
  readonly capabilities: TargetCapabilities
  readonly #client: EsClient
  readonly #context: ConnectorContext
  readonly #persons: MicroBatcher<ImsPerson, void>
  readonly #memberships: MicroBatcher<PendingMembership, void>
  /** Groups created (upserted) by this process: the first grant that names a group creates it and its parents. */
  readonly #groups = new Map<string, Promise<void>>()

  constructor(name: string, options: ImsEsOptions, context: ConnectorContext) {
    this.name = name
    this.#context = context
    this.#client = new EsClient(options)
    this.#persons = new MicroBatcher(
      (items) => this.#createPersons(items),
      options.batchSize,
      options.batchWaitMs,
    )
    this.#memberships = new MicroBatcher(
      (items) => this.#createMemberships(items),
      options.batchSize,
      options.batchWaitMs,
    )
    this.capabilities = {
      // readAllPersons pages through everyone on the site, also persons Koppel does not manage: not used
      listAccounts: false,
      // itslearning has no disabled state over IMS ES: deletePerson moves a user to the trash can
      enableDisable: false,
      delete: true,
      permissionTypes: [MEMBERSHIP],
      readOnlyAttributes: [],
      defaultConcurrency: options.concurrency,
      // provisioned courses (provisionGroups:); archived ones stay as they are until their delete (ledger only)
      groups: { roles: [...MEMBERSHIP_ROLES], archive: 'ledger' },
    }
  }

  async find(
    anchor: { readonly attribute: string; readonly value: string },
    options: OpOptions = {},
  ): Promise<TargetAccount | undefined> {
    if (anchor.attribute !== SYNC_KEY_ATTRIBUTE)
      throw new ConnectorError(
        'config',
        `${this.name}: itslearning finds persons by ${SYNC_KEY_ATTRIBUTE} only (the anchor is ${anchor.attribute})`,
      )
    checkSyncKey(`${this.name}: ${SYNC_KEY_ATTRIBUTE}`, anchor.value)
    const a = await this.#client.call(
      'pms',
      'readPerson',
      { sourcedId: { identifier: anchor.value } },
      options.signal,
    )
    if (isUnknownObject(a.status)) return undefined
    throwIf(a.status, `itslearning readPerson ${anchor.value}`)
    const node = a.body.person as Record<string, unknown> | undefined
    if (node === undefined || typeof node !== 'object')
      throw new ConnectorError(
        'invalid',
        `itslearning readPerson ${anchor.value}: the answer has no person element`,
      )
    return {
      id: anchor.value,
      locator: anchor.value,
      attributes: personAttributes(anchor.value, node),
      enabled: true,
    }
  }

  async create(request: CreateRequest, options: OpOptions = {}): Promise<WriteResult> {
    const found = await this.find(request.anchor, options)
    if (found !== undefined) return { outcome: 'unchanged', id: found.id, locator: found.locator }
    const person = personFrom(request.attributes, `${this.name}: create ${request.anchor.value}`)
    if (person.syncKey !== request.anchor.value)
      throw new ConnectorError(
        'config',
        `${this.name}: the anchor must be ${SYNC_KEY_ATTRIBUTE} (anchor ${request.anchor.value}, syncPersonKey ${person.syncKey})`,
      )
    // a person in the trash can is restored by a create with the same sync key
    await this.#persons.add(person)
    return { outcome: 'created', id: person.syncKey, locator: person.syncKey }
  }

  async #createPersons(items: readonly ImsPerson[]): Promise<ItemOutcome<void>[]> {
    if (items.length === 1) {
      const p = items[0] as ImsPerson
      const a = await this.#client.call('pms', 'createPerson', {
        sourcedId: { identifier: p.syncKey },
        person: personElement(p),
      })
      return [outcome(a.status, `itslearning createPerson ${p.syncKey}`)]
    }
    const a = await this.#client.call('pms', 'createPersons', {
      personIdPairSet: {
        personIdPair: items.map((p) => ({
          sourcedId: { identifier: p.syncKey },
          person: personElement(p),
        })),
      },
    })
    return zip(
      a,
      items.map((p) => `itslearning createPersons ${p.syncKey}`),
    )
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options: OpOptions = {},
  ): Promise<WriteResult> {
    const partial: Record<string, string> = {}
    for (const c of changes) {
      if (!(PERSON_ATTRIBUTES as readonly string[]).includes(c.field))
        throw new ConnectorError(
          'invalid',
          `${this.name}: update ${ref.id}: unknown attribute ${c.field}`,
        )
      const value = single(c.new)
      if (c.field === SYNC_KEY_ATTRIBUTE) {
        if (value !== ref.id)
          throw new ConnectorError(
            'invalid',
            `${this.name}: syncPersonKey cannot change (${ref.id}); it is the person's identity in itslearning`,
          )
        continue
      }
      if (value === undefined && (c.field === 'givenName' || c.field === 'familyName'))
        throw new ConnectorError(
          'invalid',
          `${this.name}: update ${ref.id}: ${c.field} cannot be removed (itslearning requires it)`,
        )
      if (c.field === 'institutionRole') {
        // an empty institutionRoleType would reset the profile to the default: leave the profile as it is
        if (value === undefined)
          this.#context.log(
            'warn',
            `${this.name}: ${ref.id}: institutionRole removed in Koppel; the itslearning profile is left as it is`,
          )
        else partial.institutionRole = institutionRoleType(value)
        continue
      }
      partial[c.field] = value ?? ''
    }
    if (Object.keys(partial).length === 0)
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    const a = await this.#client.call(
      'pms',
      'updatePerson',
      { sourcedId: { identifier: ref.id }, person: personElement(partial) },
      options.signal,
    )
    throwIf(a.status, `itslearning updatePerson ${ref.id}`)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async delete(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    const a = await this.#client.call(
      'pms',
      'deletePerson',
      { sourcedId: { identifier: ref.id } },
      options.signal,
    )
    if (isUnknownObject(a.status)) return { outcome: 'already-gone', id: ref.id, locator: ref.id }
    throwIf(a.status, `itslearning deletePerson ${ref.id}`)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async grant(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options: OpOptions = {},
  ): Promise<WriteResult> {
    const grant = this.#parse(permission)
    const id = membershipSyncKey(ref.id, grant)
    const existing = await this.#client.call(
      'mms',
      'readMembership',
      { sourcedId: { identifier: id } },
      options.signal,
    )
    if (isSuccess(existing.status)) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    if (!isUnknownObject(existing.status))
      throwIf(existing.status, `itslearning readMembership ${id}`)
    await this.#ensureGroups(grant.chain)
    try {
      await this.#memberships.add({ id, person: ref.id, grant })
    } catch (e) {
      // a group removed in itslearning since this process created it: create the chain again on the retry
      if (ConnectorError.isInstance(e) && e.kind === 'not-found')
        for (const g of grant.chain) this.#groups.delete(g.syncKey)
      throw e
    }
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async revoke(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options: OpOptions = {},
  ): Promise<WriteResult> {
    const grant = this.#parse(permission)
    const id = membershipSyncKey(ref.id, grant)
    const a = await this.#client.call(
      'mms',
      'deleteMembership',
      { sourcedId: { identifier: id } },
      options.signal,
    )
    if (isUnknownObject(a.status)) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    throwIf(a.status, `itslearning deleteMembership ${id}`)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  /**
   * A provisioned course or course group (createGroup): its sync key, title and the school and school year it
   * sits in (the set's `school` and `schoolYear` attributes), or the course a course group belongs to (`parent`).
   * The school and school year are upserted first, as a membership grant does.
   */
  async createGroup(request: GroupRequest, options: OpOptions = {}): Promise<WriteResult> {
    const chain = provisionedChain(request)
    const own = chain[chain.length - 1] as GroupRef
    const existing = await this.#client.call(
      'gms',
      'readGroup',
      { sourcedId: { identifier: own.syncKey } },
      options.signal,
    )
    if (isSuccess(existing.status))
      return { outcome: 'unchanged', id: own.syncKey, locator: own.syncKey }
    if (!isUnknownObject(existing.status))
      throwIf(existing.status, `itslearning readGroup ${own.syncKey}`)
    await this.#ensureGroups(chain.slice(0, -1))
    await this.#writeGroup(chain, 'createGroup')
    return { outcome: 'created', id: own.syncKey, locator: own.syncKey }
  }

  /** A new title (or description) is written with updateGroup; the sync key, and so every membership, stays. */
  async updateGroup(
    ref: Ref,
    _changes: readonly FieldChange[],
    request: GroupRequest,
    options: OpOptions = {},
  ): Promise<WriteResult> {
    options.signal?.throwIfAborted()
    const chain = provisionedChain(request)
    await this.#ensureGroups(chain.slice(0, -1))
    await this.#writeGroup(chain, 'updateGroup')
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async deleteGroup(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    const a = await this.#client.call(
      'gms',
      'deleteGroup',
      { sourcedId: { identifier: ref.id } },
      options.signal,
    )
    if (isUnknownObject(a.status)) return { outcome: 'already-gone', id: ref.id, locator: ref.id }
    throwIf(a.status, `itslearning deleteGroup ${ref.id}`)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async #writeGroup(
    chain: readonly GroupRef[],
    operation: 'createGroup' | 'updateGroup',
  ): Promise<void> {
    const own = chain[chain.length - 1] as GroupRef
    const parentTitle = chain.length > 1 ? chain[chain.length - 2]?.title : undefined
    const a = await this.#client.call('gms', operation, {
      sourcedId: { identifier: own.syncKey },
      group: groupElement(own, parentTitle),
    })
    throwIf(a.status, `itslearning ${operation} ${own.syncKey}`)
  }

  #parse(p: {
    readonly type: string
    readonly id: string
    readonly role?: string
  }): MembershipGrant {
    if (p.type === 'group') {
      // a provisioned course or course group: the id is its sync key, the role comes with the grant
      const role = (p.role ?? 'learner') as MembershipRole
      if (!MEMBERSHIP_ROLES.includes(role))
        throw new ConnectorError(
          'unsupported',
          `${this.name}: role ${JSON.stringify(p.role)}; itslearning knows ${MEMBERSHIP_ROLES.join(', ')}`,
        )
      const group: GroupRef = { kind: 'Course', syncKey: p.id, title: p.id }
      return { id: `${p.id}#${role}`, role, chain: [], group }
    }
    if (p.type !== MEMBERSHIP)
      throw new ConnectorError(
        'unsupported',
        `${this.name}: permission type ${JSON.stringify(p.type)}; only "${MEMBERSHIP}" is supported`,
      )
    return parseMembership(p.id)
  }

  /** Creates (upserts) the school, school year, course and course group a grant names, top down, once each. */
  async #ensureGroups(chain: readonly GroupRef[]): Promise<void> {
    for (const [i, g] of chain.entries()) {
      let p = this.#groups.get(g.syncKey)
      if (p === undefined) {
        const parentTitle = i > 0 ? chain[i - 1]?.title : undefined
        p = this.#client
          .call('gms', 'createGroup', {
            sourcedId: { identifier: g.syncKey },
            group: groupElement(g, parentTitle),
          })
          .then((a) => throwIf(a.status, `itslearning createGroup ${g.syncKey}`))
        this.#groups.set(g.syncKey, p)
        // a failed create is tried again by the next grant that names the group
        p.catch(() => this.#groups.delete(g.syncKey))
      }
      await p
    }
  }

  async #createMemberships(items: readonly PendingMembership[]): Promise<ItemOutcome<void>[]> {
    const pair = (m: PendingMembership) => ({
      sourcedId: { identifier: m.id },
      membership: membershipElement(m.grant.group.syncKey, m.person, m.grant.role),
    })
    if (items.length === 1) {
      const m = items[0] as PendingMembership
      const a = await this.#client.call('mms', 'createMembership', pair(m))
      return [outcome(a.status, `itslearning createMembership ${m.id} (${m.grant.id})`)]
    }
    const a = await this.#client.call('mms', 'createMemberships', {
      membershipIdPairSet: { membershipIdPair: items.map(pair) },
    })
    return zip(
      a,
      items.map((m) => `itslearning createMemberships ${m.id} (${m.grant.id})`),
    )
  }

  async close(): Promise<void> {
    // HTTP keep-alive connections belong to fetch's global pool; nothing to release
  }
}

function throwIf(status: EsAnswer['status'], what: string): void {
  const e = statusError(status, what)
  if (e !== undefined) throw e
}

function outcome(status: EsAnswer['status'], what: string): ItemOutcome<void> {
  const e = statusError(status, what)
  return e === undefined ? { ok: true, value: undefined } : { ok: false, error: e }
}

/** One status per item, in request order; a count that does not match fails every item of the call. */
function zip(a: EsAnswer, whats: readonly string[]): ItemOutcome<void>[] {
  if (a.statuses.length !== whats.length) {
    // a whole-call failure status (bad header, too many items) applies to every item
    const whole =
      a.status !== undefined
        ? statusError(a.status, `${whats[0] ?? 'bulk call'} and ${whats.length - 1} more`)
        : undefined
    const error =
      whole ??
      new ConnectorError(
        'invalid',
        `${whats[0] ?? 'bulk call'} and ${whats.length - 1} more: the answer has ${a.statuses.length} statuses for ${whats.length} items`,
      )
    return whats.map(() => ({ ok: false, error }))
  }
  return a.statuses.map((s, i) => outcome(s, whats[i] as string))
}
