// The Microsoft Entra ID target: users through Microsoft Graph v1.0 with app-only (client credentials) tokens.
//
// Never twice under eventual consistency. Entra replicates a new user to the indexes behind $filter with a delay,
// so "find by anchor, else POST" can miss a user made a moment ago (a retried create after a lost answer). The
// userPrincipalName is unique in the tenant and Graph enforces it at once, so it is the idempotency key: a POST
// that Graph refuses with ObjectConflict on userPrincipalName (or proxyAddresses, for mail) makes the connector
// read the holder (GET /users/{upn}, consistent, or a mail filter, retried `lookupAttempts` times) and
// - return `unchanged` with its id when it carries our anchor (our own earlier create),
// - throw `conflict` when it does not (an account Koppel does not manage; it is never overwritten).
// A POST that times out or is reset is followed by the same look-up: found with our anchor → `created`; not
// visible → the original transient error (a retry then meets the ObjectConflict path, never a second user).
//
// Returners. A deleted user stays in /directory/deletedItems for 30 days. Create looks there for the anchor first
// and restores that user (same object id, groups back), then writes the requested attributes and state onto it;
// the outcome is `created` (the account exists again, as asked), and the log says it was a restore.
//
// Hybrid tenants. Users synced from on-premises AD by Entra Connect (onPremisesSyncEnabled) are mastered in AD:
// Graph refuses changes to their synced properties, their state and their deletion. The connector manages what
// Entra masters for them (licences, cloud-group memberships, usageLocation), leaves the rest to the AD target
// with a log line instead of failing, and with `createUsers: false` adopts them instead of creating users.
import { randomBytes } from 'node:crypto'
import { ConnectorError } from '../../contract/index.ts'
import type {
  ConnectorContext,
  CreateRequest,
  GroupRequest,
  OpOptions,
  Ref,
  TargetAccount,
  TargetCapabilities,
  TargetConnector,
  WriteResult,
} from '../../contract/index.ts'
import type { AttributeValue, Attributes, FieldChange } from '../../model/index.ts'
import { clientCredentials, HttpClient, withReadRetry } from '../../protocol/index.ts'
import { Graph, graphErrorDetail, graphErrorOf, type GraphAnswer } from './graph-client.ts'
import type { EntraOptions } from './entra-options.ts'
import { EntraGroups } from './entra-groups.ts'

/** Properties that can be an anchor: Graph filters them with `eq` without advanced query parameters. */
const ANCHORABLE = new Set([
  'employeeId',
  'userPrincipalName',
  'mail',
  'mailNickname',
  'onPremisesImmutableId',
  'displayName',
  'id',
])
/** Multi-valued user properties; every other attribute is written as one string. */
const MULTI = new Set(['businessPhones', 'otherMails', 'proxyAddresses'])
const BOOLEAN = new Set(['accountEnabled'])
/** Computed by Graph or write-only through other calls. */
const READ_ONLY = ['id', 'createdDateTime', 'deletedDateTime', 'assignedLicenses', 'proxyAddresses']
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
// GUESS: the properties of a synced user that Graph still takes (everything else is mastered on premises).
const CLOUD_MASTERED = new Set(['usageLocation'])
/** Graph's 400 for a change to what on-premises AD masters (learn.microsoft.com, Entra Connect sync errors). */
const ON_PREMISES_MASTERED = /on-premises mastered/i

type GraphUser = Record<string, unknown> & { id?: unknown }

export class EntraTarget implements TargetConnector {
  readonly type = 'entra-id'
  readonly name: string
  readonly capabilities: TargetCapabilities
  readonly #o: EntraOptions
  readonly #graph: Graph
  readonly #ctx: ConnectorContext | undefined
  readonly #select: string
  /** Group display name → object id, resolved once per run (a name not found is looked up again). */
  readonly #groupIds = new Map<string, Promise<string | undefined>>()
  readonly #groups: EntraGroups

  constructor(name: string, options: EntraOptions, context?: ConnectorContext) {
    this.name = name
    this.#o = options
    this.#ctx = context
    const auth = clientCredentials({
      tokenUrl: `${options.loginUrl.replace(/\/$/, '')}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
      timeoutMs: options.timeoutMs,
    })
    const http = new HttpClient({
      baseUrl: options.graphUrl,
      auth,
      timeoutMs: options.timeoutMs,
      userAgent: 'Koppel',
      errorDetail: graphErrorDetail,
    })
    this.#graph = new Graph(http, options.batchSize)
    this.#select = [...new Set(['id', 'accountEnabled', ...options.readAttributes])].join(',')
    this.#groups = new EntraGroups(this.#graph, options.groups, {
      attempts: options.lookupAttempts,
      delayMs: options.lookupDelayMs,
    })
    this.capabilities = {
      listAccounts: true,
      enableDisable: true,
      delete: true,
      permissionTypes: ['group', 'licence'],
      readOnlyAttributes: READ_ONLY,
      defaultConcurrency: options.concurrency,
      groups: {
        roles: ['member', 'owner'],
        archive: this.#groups.archives ? ('target' as const) : ('ledger' as const),
      },
    }
  }

  async *listAccounts(options: OpOptions = {}): AsyncIterable<TargetAccount> {
    const q = [`$select=${enc(this.#select)}`, `$top=${this.#o.pageSize}`]
    const headers: Record<string, string> = {}
    if (this.#o.listFilter !== undefined) {
      // sent as an advanced query, so that ne/not/endsWith work as well as eq
      q.push(`$filter=${enc(this.#o.listFilter)}`, '$count=true')
      headers.ConsistencyLevel = 'eventual'
    }
    let url: string | undefined = `/users?${q.join('&')}`
    let pageNo = 0
    while (url !== undefined) {
      const at: string = url
      pageNo++
      const body = (await withReadRetry(
        () => this.#graph.page(at, headers, options.signal),
        options.signal !== undefined ? { signal: options.signal } : {},
      )) as {
        value?: unknown
        '@odata.nextLink'?: unknown
      }
      if (!Array.isArray(body?.value))
        throw new ConnectorError(
          'invalid',
          `GET /v1.0/users page ${pageNo}: the answer has no value array`,
        )
      for (const [i, u] of (body.value as GraphUser[]).entries())
        yield toAccount(u, `GET /v1.0/users page ${pageNo}, user ${i + 1}`)
      const next = body['@odata.nextLink']
      url = typeof next === 'string' ? next : undefined
    }
  }

  async find(
    anchor: { readonly attribute: string; readonly value: string },
    options: OpOptions = {},
  ): Promise<TargetAccount | undefined> {
    const users = await this.#query('/users', anchor, options.signal)
    if (users.length > 1)
      throw new ConnectorError(
        'conflict',
        `${users.length} users have ${anchor.attribute} ${JSON.stringify(anchor.value)}`,
      )
    return users[0] === undefined
      ? undefined
      : toAccount(users[0], `user with ${anchor.attribute} ${JSON.stringify(anchor.value)}`)
  }

  async create(request: CreateRequest, options: OpOptions = {}): Promise<WriteResult> {
    const signal = options.signal
    const existing = await this.find(request.anchor, options)
    if (existing !== undefined)
      return { outcome: 'unchanged', id: existing.id, locator: existing.id }
    if (!this.#o.createUsers) {
      throw new ConnectorError(
        'transient',
        `no Entra user with ${request.anchor.attribute} ${JSON.stringify(request.anchor.value)} yet; createUsers is false, so it is adopted once Entra Connect has synced it from AD`,
      )
    }
    if (this.#o.restoreDeleted) {
      const restored = await this.#restore(request, signal)
      if (restored !== undefined) return restored
    }
    const body = this.#createBody(request)
    // a password we generated goes to the engine once (its delivery channel), never to a log
    const generated =
      request.secrets?.password === undefined
        ? { oneTimeSecrets: { password: (body.passwordProfile as { password: string }).password } }
        : {}
    let answer: GraphAnswer
    try {
      answer = await this.#graph.call(
        { method: 'POST', url: '/users', body, accept: [400] },
        signal,
      )
    } catch (e) {
      if (!ConnectorError.isInstance(e) || e.kind !== 'transient') throw e
      // the POST may have landed: look for it by its unique UPN before giving up
      const held = await this.#holder('userPrincipalName', String(body.userPrincipalName), signal)
      if (held !== undefined && sameAnchor(held, request.anchor))
        return { outcome: 'created', id: String(held.id), locator: String(held.id), ...generated }
      if (held !== undefined)
        throw this.#conflict('userPrincipalName', String(body.userPrincipalName), request, e)
      throw e
    }
    if (answer.status === 400) {
      const err = graphErrorOf(answer.body)
      const property =
        err?.details?.find((d) => d.code === 'ObjectConflict')?.target ??
        /same value for property (\w+)/.exec(err?.message ?? '')?.[1]
      if (property === undefined)
        throw new ConnectorError(
          'invalid',
          `POST /v1.0/users answered 400: ${[err?.code, err?.message].filter(Boolean).join(': ')}`,
          { code: 400 },
        )
      const [prop, value]: ['userPrincipalName' | 'mail', string] =
        property === 'userPrincipalName'
          ? ['userPrincipalName', String(body.userPrincipalName)]
          : ['mail', String(body.mail ?? '')]
      const held = await this.#holder(prop, value, signal)
      if (held === undefined) {
        throw new ConnectorError(
          'transient',
          `${prop} ${JSON.stringify(value)} is taken, but its holder is not visible yet (replication delay); try again`,
          { code: 400 },
        )
      }
      if (sameAnchor(held, request.anchor))
        return { outcome: 'unchanged', id: String(held.id), locator: String(held.id) }
      throw this.#conflict(prop, value, request)
    }
    const id = (answer.body as GraphUser | undefined)?.id
    if (typeof id !== 'string')
      throw new ConnectorError('invalid', 'POST /v1.0/users answered without an id')
    return { outcome: 'created', id, locator: id, ...generated }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options: OpOptions = {},
  ): Promise<WriteResult> {
    const body: Record<string, unknown> = {}
    for (const c of changes) {
      if (READ_ONLY.includes(c.field) || c.field === 'dn')
        throw new ConnectorError('invalid', `${c.field} cannot be written to an Entra user`)
      body[c.field] = graphValue(c.field, c.new)
    }
    if (Object.keys(body).length === 0) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    const a = await this.#graph.call(
      { method: 'PATCH', url: `/users/${enc(ref.id)}`, body, accept: [400] },
      options.signal,
    )
    if (a.status === 400) {
      const err = graphErrorOf(a.body)
      if (ON_PREMISES_MASTERED.test(err?.message ?? ''))
        return this.#updateSynced(ref, body, options.signal)
      const text = `PATCH /v1.0/users/${ref.id} answered 400: ${[err?.code, err?.message].filter(Boolean).join(': ')}`
      const taken =
        err?.details?.some((d) => d.code === 'ObjectConflict') === true ||
        /same value for property/.test(err?.message ?? '')
      throw new ConnectorError(taken ? 'conflict' : 'invalid', text, { code: 400 })
    }
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  enable(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    return this.#setEnabled(ref, true, options.signal)
  }

  disable(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    return this.#setEnabled(ref, false, options.signal)
  }

  async delete(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    const a = await this.#graph.call(
      { method: 'DELETE', url: `/users/${enc(ref.id)}`, accept: [400, 404] },
      options.signal,
    )
    if (a.status === 400) {
      const err = graphErrorOf(a.body)
      const text = [err?.code, err?.message].filter(Boolean).join(': ')
      if (!ON_PREMISES_MASTERED.test(err?.message ?? ''))
        throw new ConnectorError('invalid', `DELETE /v1.0/users/${ref.id} answered 400: ${text}`, {
          code: 400,
        })
      // deleting the AD account (the AD target) removes the synced user at the next sync
      this.#ctx?.log(
        'info',
        `${this.name}: user ${ref.id} is synced from on-premises AD; it is deleted there, not in Entra`,
        { id: ref.id },
      )
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    }
    return { outcome: a.status === 404 ? 'already-gone' : 'updated', id: ref.id, locator: ref.id }
  }

  async grant(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options: OpOptions = {},
  ): Promise<WriteResult> {
    const signal = options.signal
    if (permission.type === 'group') {
      const nav = navigationOf(permission.role)
      const gid = await this.#groupId(permission.id, signal, this.#o.createMissingGroups)
      if (gid === undefined)
        throw new ConnectorError(
          'not-found',
          `group ${JSON.stringify(permission.id)} does not exist in Entra ID (no group has that display name)`,
          { code: 404 },
        )
      const a = await this.#graph.call(
        {
          method: 'POST',
          url: `/groups/${enc(gid)}/${nav}/$ref`,
          body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ref.id}` },
          accept: [400, 404],
        },
        signal,
      )
      if (a.status === 404) throw await this.#missingForGroup(ref.id, gid, signal)
      if (a.status === 400) {
        const err = graphErrorOf(a.body)
        if (/already exist/i.test(err?.message ?? ''))
          return { outcome: 'unchanged', id: ref.id, locator: ref.id }
        const hint = ON_PREMISES_MASTERED.test(err?.message ?? '')
          ? ' (the group is synced from on-premises AD: grant it with the AD target)'
          : ''
        throw new ConnectorError(
          'invalid',
          `adding ${nav === 'owners' ? 'an owner ' : ''}to group ${groupLabel(permission.id, gid)} answered 400: ${[err?.code, err?.message].filter(Boolean).join(': ')}${hint}`,
          { code: 400 },
        )
      }
      return { outcome: 'updated', id: ref.id, locator: ref.id }
    }
    if (permission.type === 'licence') {
      const skuId = this.#sku(permission.id)
      const user = await this.#get(ref.id, 'id,usageLocation,assignedLicenses', signal)
      if (licencesOf(user).includes(skuId.toLowerCase()))
        return { outcome: 'unchanged', id: ref.id, locator: ref.id }
      if ((user.usageLocation ?? null) === null && this.#o.usageLocation !== undefined) {
        await this.#graph.call(
          {
            method: 'PATCH',
            url: `/users/${enc(ref.id)}`,
            body: { usageLocation: this.#o.usageLocation },
          },
          signal,
        )
      }
      await this.#assign(
        ref.id,
        { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] },
        permission.id,
        signal,
      )
      return { outcome: 'updated', id: ref.id, locator: ref.id }
    }
    throw new ConnectorError(
      'unsupported',
      `Entra ID has no permission type ${JSON.stringify(permission.type)} (group, licence)`,
    )
  }

  async revoke(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options: OpOptions = {},
  ): Promise<WriteResult> {
    const signal = options.signal
    if (permission.type === 'group') {
      const nav = navigationOf(permission.role)
      const gid = await this.#groupId(permission.id, signal)
      if (gid === undefined) return { outcome: 'unchanged', id: ref.id, locator: ref.id } // no such group: nothing to revoke
      const a = await this.#graph.call(
        {
          method: 'DELETE',
          url: `/groups/${enc(gid)}/${nav}/${enc(ref.id)}/$ref`,
          accept: [400, 404],
        },
        signal,
      )
      if (a.status === 400) {
        const err = graphErrorOf(a.body)
        const text = [err?.code, err?.message].filter(Boolean).join(': ')
        // Graph keeps at least one owner once a group has owners: the next plan tries again, after the new owner's grant
        if (nav === 'owners' && /owner/i.test(err?.message ?? '')) {
          throw new ConnectorError(
            'conflict',
            `user ${ref.id} is the last owner of group ${gid}; Entra keeps at least one owner, so it stays until another owner is granted (${text})`,
            { code: 400 },
          )
        }
        throw new ConnectorError(
          'invalid',
          `removing from group ${groupLabel(permission.id, gid)} answered 400: ${text}`,
          { code: 400 },
        )
      }
      return { outcome: a.status === 404 ? 'unchanged' : 'updated', id: ref.id, locator: ref.id }
    }
    if (permission.type === 'licence') {
      const skuId = this.#sku(permission.id)
      const user = await this.#get(ref.id, 'id,assignedLicenses', signal)
      if (!licencesOf(user).includes(skuId.toLowerCase()))
        return { outcome: 'unchanged', id: ref.id, locator: ref.id }
      await this.#assign(
        ref.id,
        { addLicenses: [], removeLicenses: [skuId] },
        permission.id,
        signal,
      )
      return { outcome: 'updated', id: ref.id, locator: ref.id }
    }
    throw new ConnectorError(
      'unsupported',
      `Entra ID has no permission type ${JSON.stringify(permission.type)} (group, licence)`,
    )
  }

  createGroup(request: GroupRequest, options: OpOptions = {}): Promise<WriteResult> {
    return this.#groups.create(request, options.signal)
  }

  updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    options: OpOptions = {},
  ): Promise<WriteResult> {
    return this.#groups.update(ref, changes, request, options.signal)
  }

  archiveGroup(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    return this.#groups.archive(ref, options.signal)
  }

  deleteGroup(ref: Ref, options: OpOptions = {}): Promise<WriteResult> {
    return this.#groups.delete(ref, options.signal)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  // ---- helpers ----

  async #query(
    collection: '/users' | '/directory/deletedItems/microsoft.graph.user',
    anchor: { attribute: string; value: string },
    signal?: AbortSignal,
  ): Promise<GraphUser[]> {
    if (!ANCHORABLE.has(anchor.attribute)) {
      throw new ConnectorError(
        'config',
        `anchor attribute ${JSON.stringify(anchor.attribute)} cannot be looked up in Entra ID; use one of ${[...ANCHORABLE].join(', ')}`,
      )
    }
    const filter = `${anchor.attribute} eq ${odataString(anchor.value)}`
    const select = collection === '/users' ? this.#select : `${this.#select},deletedDateTime`
    // GUESS: deleted items may need advanced query parameters for $filter; they are sent there (harmless if not).
    const deleted = collection !== '/users'
    const a = await this.#graph.call(
      {
        method: 'GET',
        url: `${collection}?$filter=${enc(filter)}&$select=${enc(select)}&$top=2${deleted ? '&$count=true' : ''}`,
        ...(deleted ? { headers: { ConsistencyLevel: 'eventual' } } : {}),
      },
      signal,
    )
    const value = (a.body as { value?: unknown } | undefined)?.value
    if (!Array.isArray(value))
      throw new ConnectorError('invalid', `GET /v1.0${collection}: the answer has no value array`)
    return value as GraphUser[]
  }

  async #restore(request: CreateRequest, signal?: AbortSignal): Promise<WriteResult | undefined> {
    const [gone] = (
      await this.#query('/directory/deletedItems/microsoft.graph.user', request.anchor, signal)
    ).filter((u) => typeof u.id === 'string')
    if (gone === undefined) return undefined
    const id = String(gone.id)
    await this.#graph.call(
      { method: 'POST', url: `/directory/deletedItems/${enc(id)}/restore` },
      signal,
    )
    // bring the restored user to what was asked: attributes and state (the password stays the user's own)
    const { passwordProfile: _p, ...body } = this.#createBody(request)
    await this.#graph.call({ method: 'PATCH', url: `/users/${enc(id)}`, body }, signal)
    if (!this.#o.restoreKeepsAccess) await this.#stripAccess(id, signal)
    this.#ctx?.log(
      'info',
      `${this.name}: restored deleted user ${id} (${request.anchor.attribute} ${request.anchor.value}) instead of creating a new one`,
      { id },
    )
    return { outcome: 'created', id, locator: id }
  }

  /**
   * Removes the group memberships and licences a restore brought back, so that the returner holds only what the
   * plan grants next (its grants follow the create). A group that refuses (dynamic membership, on-premises
   * synced) is logged and left.
   */
  async #stripAccess(id: string, signal?: AbortSignal): Promise<void> {
    let url: string | undefined = `/users/${enc(id)}/memberOf/microsoft.graph.group?$select=id`
    const groups: string[] = []
    while (url !== undefined) {
      const body = (await this.#graph.page(url, {}, signal)) as {
        value?: unknown
        '@odata.nextLink'?: unknown
      }
      if (!Array.isArray(body?.value))
        throw new ConnectorError(
          'invalid',
          `GET /v1.0/users/${id}/memberOf: the answer has no value array`,
        )
      for (const g of body.value as { id?: unknown }[])
        if (typeof g.id === 'string') groups.push(g.id)
      url = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined
    }
    await Promise.all(
      groups.map(async (gid) => {
        try {
          await this.#graph.call(
            { method: 'DELETE', url: `/groups/${enc(gid)}/members/${enc(id)}/$ref`, accept: [404] },
            signal,
          )
        } catch (e) {
          if (!ConnectorError.isInstance(e) || e.kind !== 'invalid') throw e
          this.#ctx?.log(
            'warn',
            `${this.name}: restored user ${id} stays in group ${gid}: ${e.message}`,
            { id, group: gid },
          )
        }
      }),
    )
    const user = await this.#get(id, 'id,assignedLicenses', signal)
    const held = Array.isArray(user.assignedLicenses)
      ? (user.assignedLicenses as { skuId?: unknown }[]).map((l) => String(l.skuId))
      : []
    if (held.length > 0)
      await this.#assign(id, { addLicenses: [], removeLicenses: held }, held.join(', '), signal)
  }

  #createBody(request: CreateRequest): Record<string, unknown> {
    const body: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(request.attributes)) {
      if (k === 'dn' || READ_ONLY.includes(k)) continue
      const value = graphValue(k, v)
      if (value !== null) body[k] = value
    }
    if (body[request.anchor.attribute] === undefined && request.anchor.attribute !== 'id')
      body[request.anchor.attribute] = request.anchor.value
    body.accountEnabled = request.enabled
    if (typeof body.userPrincipalName === 'string' && body.mailNickname === undefined) {
      body.mailNickname =
        body.userPrincipalName.split('@')[0]?.replace(/[^A-Za-z0-9._-]/g, '') || 'user'
    }
    if (body.usageLocation === undefined && this.#o.usageLocation !== undefined)
      body.usageLocation = this.#o.usageLocation
    body.passwordProfile = {
      password: request.secrets?.password ?? generatePassword(),
      forceChangePasswordNextSignIn: this.#o.forceChangePasswordNextSignIn,
    }
    return body
  }

  /** The live user holding a unique value, looked up repeatedly to ride out replication delay. */
  async #holder(
    property: 'userPrincipalName' | 'mail',
    value: string,
    signal?: AbortSignal,
  ): Promise<GraphUser | undefined> {
    for (let attempt = 1; ; attempt++) {
      let found: GraphUser | undefined
      if (property === 'userPrincipalName') {
        const a = await this.#graph.call(
          {
            method: 'GET',
            url: `/users/${enc(value)}?$select=${enc(this.#select)}`,
            accept: [404],
          },
          signal,
        )
        found = a.status === 404 ? undefined : (a.body as GraphUser)
      } else {
        found = (await this.#query('/users', { attribute: 'mail', value }, signal))[0]
      }
      if (found !== undefined || attempt >= this.#o.lookupAttempts) return found
      await sleep(this.#o.lookupDelayMs, signal)
    }
  }

  /**
   * A 404 on adding a member names neither side. An existing group means the user is not visible to the group
   * service yet (replication delay right after a create): transient, so the engine tries again.
   */
  async #missingForGroup(
    userId: string,
    groupId: string,
    signal?: AbortSignal,
  ): Promise<ConnectorError> {
    const g = await this.#graph.call(
      { method: 'GET', url: `/groups/${enc(groupId)}?$select=id`, accept: [404] },
      signal,
    )
    if (g.status === 404)
      return new ConnectorError('not-found', `group ${groupId} does not exist in Entra ID`, {
        code: 404,
      })
    return new ConnectorError(
      'transient',
      `user ${userId} is not visible to group ${groupId} yet (replication delay); try again`,
      { code: 404 },
    )
  }

  /**
   * A group permission id is a group's object id, or its display name, looked up once per run
   * (`displayName eq`, which ignores case as Entra does). Two groups with the name are a `conflict`:
   * Entra does not keep display names unique, so such a group must be named by object id.
   */
  async #groupId(name: string, signal?: AbortSignal, create = false): Promise<string | undefined> {
    if (GUID.test(name)) return name
    let looked = this.#groupIds.get(name)
    if (looked === undefined) {
      looked = this.#lookUpGroup(name, signal)
      this.#remember(name, looked)
    }
    const found = await looked
    if (found !== undefined || !create) return found
    // grants of the same new group at the same time share one create
    let made = this.#groupIds.get(name)
    if (made === undefined || made === looked) {
      made = this.#createGroup(name, signal)
      this.#remember(name, made)
    }
    return made
  }

  /** Caches a name's id for the run; a name not found (or a failed look-up) is looked up again next time. */
  #remember(name: string, id: Promise<string | undefined>): void {
    this.#groupIds.set(name, id)
    const forget = () => void (this.#groupIds.get(name) === id && this.#groupIds.delete(name))
    id.then((found) => found === undefined && forget(), forget)
  }

  async #lookUpGroup(name: string, signal?: AbortSignal): Promise<string | undefined> {
    const filter = `displayName eq ${odataString(name)}`
    const a = await this.#graph.call(
      { method: 'GET', url: `/groups?$filter=${enc(filter)}&$select=id,displayName&$top=2` },
      signal,
    )
    const value = (a.body as { value?: unknown } | undefined)?.value
    if (!Array.isArray(value))
      throw new ConnectorError('invalid', 'GET /v1.0/groups: the answer has no value array')
    const ids = (value as { id?: unknown }[]).map((g) => String(g.id))
    if (ids.length > 1) {
      throw new ConnectorError(
        'conflict',
        `more than one Entra group is named ${JSON.stringify(name)} (${ids.join(', ')}, …); name the group by its object id`,
      )
    }
    return ids[0]
  }

  /** Creates the security group a grant names (createMissingGroups). */
  async #createGroup(name: string, signal?: AbortSignal): Promise<string> {
    const body = {
      displayName: name,
      mailEnabled: false,
      securityEnabled: true,
      mailNickname: mailNicknameOf(name),
    }
    const a = await this.#graph.call({ method: 'POST', url: '/groups', body }, signal)
    const id = (a.body as { id?: unknown } | undefined)?.id
    if (typeof id !== 'string')
      throw new ConnectorError(
        'invalid',
        `POST /v1.0/groups for ${JSON.stringify(name)} answered without an id`,
      )
    this.#ctx?.log('info', `${this.name}: created group ${JSON.stringify(name)} (${id})`, {
      group: id,
    })
    return id
  }

  /**
   * A PATCH Graph refused because the user is synced from AD: the properties Entra masters are written, the
   * rest are left to the AD target (and a log line names them), so a hybrid run does not fail on them.
   */
  async #updateSynced(
    ref: Ref,
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<WriteResult> {
    const user = await this.#get(ref.id, 'id,onPremisesSyncEnabled', signal)
    if (user.onPremisesSyncEnabled !== true) {
      throw new ConnectorError(
        'invalid',
        `PATCH /v1.0/users/${ref.id} was refused as on-premises mastered, but the user is not synced`,
        { code: 400 },
      )
    }
    const cloud = Object.fromEntries(Object.entries(body).filter(([k]) => CLOUD_MASTERED.has(k)))
    const skipped = Object.keys(body).filter((k) => !CLOUD_MASTERED.has(k))
    this.#ctx?.log(
      'warn',
      `${this.name}: user ${ref.id} is synced from on-premises AD; ${skipped.join(', ')} ${skipped.length === 1 ? 'is' : 'are'} set in AD, not in Entra`,
      { id: ref.id, fields: skipped.join(',') },
    )
    if (Object.keys(cloud).length === 0)
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.#graph.call({ method: 'PATCH', url: `/users/${enc(ref.id)}`, body: cloud }, signal)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  #conflict(
    property: string,
    value: string,
    request: CreateRequest,
    cause?: unknown,
  ): ConnectorError {
    return new ConnectorError(
      'conflict',
      `${property} ${JSON.stringify(value)} belongs to an Entra user without ${request.anchor.attribute} ${JSON.stringify(request.anchor.value)} (not managed by Koppel); it is left alone`,
      { code: 'ObjectConflict', ...(cause !== undefined ? { cause } : {}) },
    )
  }

  async #setEnabled(ref: Ref, enabled: boolean, signal?: AbortSignal): Promise<WriteResult> {
    const user = await this.#get(ref.id, 'id,accountEnabled,onPremisesSyncEnabled', signal)
    if (user.accountEnabled === enabled)
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    if (user.onPremisesSyncEnabled === true) {
      // the AD target sets the state; Entra Connect brings it here
      this.#ctx?.log(
        'info',
        `${this.name}: user ${ref.id} is synced from on-premises AD; it is ${enabled ? 'enabled' : 'disabled'} there, not in Entra`,
        { id: ref.id },
      )
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    }
    await this.#graph.call(
      { method: 'PATCH', url: `/users/${enc(ref.id)}`, body: { accountEnabled: enabled } },
      signal,
    )
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async #get(id: string, select: string, signal?: AbortSignal): Promise<GraphUser> {
    const a = await this.#graph.call(
      { method: 'GET', url: `/users/${enc(id)}?$select=${enc(select)}` },
      signal,
    )
    if (typeof a.body !== 'object' || a.body === null)
      throw new ConnectorError('invalid', `GET /v1.0/users/${id}: the answer is not a user object`)
    return a.body as GraphUser
  }

  async #assign(id: string, body: unknown, name: string, signal?: AbortSignal): Promise<void> {
    const a = await this.#graph.call(
      { method: 'POST', url: `/users/${enc(id)}/assignLicense`, body, accept: [400] },
      signal,
    )
    if (a.status !== 400) return
    const err = graphErrorOf(a.body)
    const hint = /usage location/i.test(err?.message ?? '')
      ? ' (set usageLocation on the user, or the connector option usageLocation)'
      : ''
    throw new ConnectorError(
      'invalid',
      `licence ${name} for user ${id}: ${[err?.code, err?.message].filter(Boolean).join(': ')}${hint}`,
      { code: 400 },
    )
  }

  #sku(id: string): string {
    const sku = this.#o.licences[id] ?? (GUID.test(id) ? id : undefined)
    if (sku === undefined)
      throw new ConnectorError(
        'config',
        `licence ${JSON.stringify(id)} is neither a skuId nor a name under the connector's licences option`,
      )
    return sku
  }
}

function toAccount(u: GraphUser, where: string): TargetAccount {
  if (typeof u !== 'object' || u === null)
    throw new ConnectorError('invalid', `${where}: not a user object`)
  if (typeof u.id !== 'string' || u.id === '')
    throw new ConnectorError('invalid', `${where}: field id is missing or not a string`)
  if (
    u.accountEnabled !== undefined &&
    u.accountEnabled !== null &&
    typeof u.accountEnabled !== 'boolean'
  ) {
    throw new ConnectorError(
      'invalid',
      `${where} (id ${u.id}): field accountEnabled is not a boolean`,
    )
  }
  const attributes: Record<string, AttributeValue> = {}
  for (const [k, v] of Object.entries(u)) {
    if (k === 'id' || k === 'accountEnabled' || k.startsWith('@')) continue
    if (typeof v === 'string' && v !== '') attributes[k] = v
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
      attributes[k] = v as string[]
  }
  return {
    id: u.id,
    locator: u.id,
    attributes: attributes as Attributes,
    enabled: u.accountEnabled !== false,
  }
}

/** Graph requires a mailNickname on every group: the name's letters and digits (accents dropped). */
function mailNicknameOf(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 64) || 'group'
  )
}

/** The navigation property a membership role is written to: plain membership and `member` to members. */
function navigationOf(role: string | undefined): 'members' | 'owners' {
  if (role === undefined || role === 'member') return 'members'
  if (role === 'owner') return 'owners'
  throw new ConnectorError(
    'unsupported',
    `role ${JSON.stringify(role)}: an Entra group has members and owners only`,
  )
}

function groupLabel(name: string, id: string): string {
  return name === id ? id : `${JSON.stringify(name)} (${id})`
}

function sameAnchor(u: GraphUser, anchor: { attribute: string; value: string }): boolean {
  const have = u[anchor.attribute]
  return typeof have === 'string' && have.toLowerCase() === anchor.value.toLowerCase()
}

function licencesOf(u: GraphUser): string[] {
  const list = Array.isArray(u.assignedLicenses)
    ? (u.assignedLicenses as { skuId?: unknown }[])
    : []
  return list.map((l) => String(l.skuId ?? '').toLowerCase())
}

/** A FieldChange/attribute value as Graph wants it; undefined and '' clear the property (null). */
function graphValue(field: string, v: AttributeValue | undefined): unknown {
  if (v === undefined) return null
  if (BOOLEAN.has(field)) return String(Array.isArray(v) ? v[0] : v).toLowerCase() === 'true'
  if (MULTI.has(field)) {
    const list = (Array.isArray(v) ? v : [v]).filter((x) => x !== '')
    return list
  }
  const s = Array.isArray(v) ? (v.length === 0 ? '' : (v as string[]).join(' ')) : (v as string)
  return s === '' ? null : s
}

/** An OData string literal: single quotes, a quote inside doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

const enc = (s: string) => encodeURIComponent(s)

/** 24 random characters plus one of each class, which meets Entra's complexity rule. */
function generatePassword(): string {
  return `${randomBytes(18).toString('base64url')}aA1!`
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error)
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(signal.reason as Error)
      },
      { once: true },
    )
  })
}
