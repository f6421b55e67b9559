// The Google Workspace target: Admin SDK Directory API v1 users and group members, as a service account
// impersonating an admin. Accounts are identified by Google's user id, located by primaryEmail, correlated by
// an externalIds entry (the anchor) found with a users.list query. Disable is `suspended`.
import { randomBytes } from 'node:crypto'
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
import type { AttributeValue, FieldChange } from '../../model/index.ts'
import {
  HttpClient,
  withReadRetry,
  type AuthProvider,
  type HttpRequest,
  jsonErrorDetail,
} from '../../protocol/index.ts'
import type { GoogleOptions } from './google-options.ts'
import { GoogleGroups } from './google-groups.ts'

interface GoogleUser {
  id?: string
  primaryEmail?: string
  name?: { givenName?: string; familyName?: string; fullName?: string }
  suspended?: boolean
  orgUnitPath?: string
  externalIds?: Array<{ value?: string; type?: string; customType?: string }>
  aliases?: string[]
  recoveryEmail?: string
  recoveryPhone?: string
}

/** Attribute names this connector maps; anything else is refused (Google refuses unknown fields too). */
export const GOOGLE_ATTRIBUTES = [
  'primaryEmail',
  'name.givenName',
  'name.familyName',
  'orgUnitPath',
  'externalId',
  'recoveryEmail',
  'recoveryPhone',
] as const
const REQUIRED = new Set(['primaryEmail', 'name.givenName', 'name.familyName'])
const RATE_REASONS = /\b(rateLimitExceeded|userRateLimitExceeded|quotaExceeded)\b/

/** `reason: message` from a Google error body ({error: {code, message, errors: [{reason, message}]}}). */
export function googleErrorDetail(text: string): string {
  return jsonErrorDetail(text, (j) => {
    const error = j.error as
      { message?: string; errors?: Array<{ reason?: string }> } | string | undefined
    if (typeof error === 'object' && error !== null)
      return [error.errors?.[0]?.reason, error.message].filter(Boolean).join(': ')
    if (typeof error === 'string') return [error, j.error_description].filter(Boolean).join(': ')
    return undefined
  })
}

/** A value inside single quotes in a users.list query: \ and ' escaped with a backslash. */
// GUESS: Google documents escaping a single quote as \' inside a quoted value; that a backslash escapes itself
// (\\) is not documented.
export function queryValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

export class GoogleTarget implements TargetConnector {
  readonly name: string
  readonly type = 'google-workspace'
  readonly capabilities: TargetCapabilities
  readonly #o: GoogleOptions
  readonly #http: HttpClient
  readonly #groups: GoogleGroups

  constructor(name: string, options: GoogleOptions, auth: AuthProvider) {
    this.name = name
    this.#o = options
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      auth,
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel-google-workspace',
      errorDetail: googleErrorDetail,
    })
    const groups = {
      domain: options.groups.domain ?? options.domain,
      archivePrefix: options.groups.archivePrefix,
      keyPrefix: options.groups.keyPrefix,
    }
    this.#groups = new GoogleGroups(
      (req) => this.#call(req),
      groups,
      () => this.#scope(),
    )
    this.capabilities = {
      listAccounts: true,
      enableDisable: true,
      delete: true,
      permissionTypes: ['group'],
      readOnlyAttributes: ['id', 'aliases', 'creationTime', 'isAdmin'],
      defaultConcurrency: options.concurrency,
      groups: {
        roles: ['member', 'owner'],
        archive: this.#groups.archives ? ('target' as const) : ('ledger' as const),
      },
    }
  }

  /** Every call: Google's 403 rateLimitExceeded/userRateLimitExceeded is a rate limit, not an auth failure. */
  async #call<T>(req: HttpRequest): Promise<{ status: number; body: T }> {
    try {
      return await this.#http.json<T>(req)
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.code === 403 && RATE_REASONS.test(e.message)) {
        // no Retry-After from Google here: the engine's exponential backoff applies
        throw new ConnectorError('rate-limited', e.message, {
          code: 403,
          cause: e,
          ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
        })
      }
      throw e
    }
  }

  #isOurs(u: GoogleUser, value: string): boolean {
    return (u.externalIds ?? []).some(
      (x) =>
        x.value === value &&
        x.type === this.#o.externalIdType &&
        (this.#o.externalIdType !== 'custom' || x.customType === this.#o.externalIdCustomType),
    )
  }

  #anchorValue(u: GoogleUser): string | undefined {
    return (u.externalIds ?? []).find(
      (x) =>
        x.type === this.#o.externalIdType &&
        (this.#o.externalIdType !== 'custom' || x.customType === this.#o.externalIdCustomType),
    )?.value
  }

  #account(u: GoogleUser): TargetAccount {
    if (typeof u.id !== 'string' || typeof u.primaryEmail !== 'string')
      throw new ConnectorError(
        'invalid',
        `${this.name}: a user came back without id or primaryEmail`,
      )
    const a: Record<string, AttributeValue> = { primaryEmail: u.primaryEmail }
    if (u.name?.givenName !== undefined) a['name.givenName'] = u.name.givenName
    if (u.name?.familyName !== undefined) a['name.familyName'] = u.name.familyName
    if (u.orgUnitPath !== undefined) a.orgUnitPath = u.orgUnitPath
    const ext = this.#anchorValue(u)
    if (ext !== undefined) a.externalId = ext
    if (u.recoveryEmail !== undefined) a.recoveryEmail = u.recoveryEmail
    if (u.recoveryPhone !== undefined) a.recoveryPhone = u.recoveryPhone
    if (u.aliases !== undefined && u.aliases.length > 0) a.aliases = [...u.aliases]
    return { id: u.id, locator: u.primaryEmail, attributes: a, enabled: u.suspended !== true }
  }

  #scope(): Record<string, string> {
    return this.#o.domain !== undefined && this.#o.customer === 'my_customer'
      ? { domain: this.#o.domain }
      : { customer: this.#o.customer }
  }

  async #getUser(key: string, signal?: AbortSignal): Promise<GoogleUser | undefined> {
    const res = await this.#call<GoogleUser>({
      path: `users/${encodeURIComponent(key)}`,
      accept: [404],
      ...sig(signal),
    })
    return res.status === 404 ? undefined : res.body
  }

  async #findRaw(
    anchor: { attribute: string; value: string },
    signal?: AbortSignal,
  ): Promise<GoogleUser | undefined> {
    switch (anchor.attribute) {
      case 'externalId': {
        const res = await this.#call<{ users?: GoogleUser[] }>({
          path: 'users',
          query: {
            ...this.#scope(),
            query: `externalId=${queryValue(anchor.value)}`,
            maxResults: 10,
            projection: 'basic',
          },
          ...sig(signal),
        })
        // the search matches case-insensitively and on any externalIds type: keep exact matches of our type
        const mine = (res.body?.users ?? []).filter((u) => this.#isOurs(u, anchor.value))
        if (mine.length > 1)
          throw new ConnectorError(
            'conflict',
            `${this.name}: ${mine.length} users have externalId ${JSON.stringify(anchor.value)}`,
          )
        return mine[0]
      }
      case 'primaryEmail': {
        const u = await this.#getUser(anchor.value, signal)
        // users.get also answers for an alias; the anchor is the primary address only
        return u !== undefined && u.primaryEmail?.toLowerCase() === anchor.value.toLowerCase()
          ? u
          : undefined
      }
      case 'id':
        return this.#getUser(anchor.value, signal)
      default:
        throw new ConnectorError(
          'config',
          `${this.name}: anchor attribute ${JSON.stringify(anchor.attribute)} is not supported (externalId, primaryEmail or id)`,
        )
    }
  }

  async find(
    anchor: { readonly attribute: string; readonly value: string },
    options?: OpOptions,
  ): Promise<TargetAccount | undefined> {
    const u = await this.#findRaw(anchor, options?.signal)
    return u === undefined ? undefined : this.#account(u)
  }

  async *listAccounts(options?: OpOptions): AsyncIterable<TargetAccount> {
    let pageToken: string | undefined
    const seen = new Set<string>()
    do {
      const query = {
        ...this.#scope(),
        maxResults: this.#o.pageSize,
        projection: 'basic',
        ...(this.#o.listQuery !== undefined ? { query: this.#o.listQuery } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      }
      const res = await withReadRetry(
        () =>
          this.#call<{ users?: GoogleUser[]; nextPageToken?: string }>({
            path: 'users',
            query,
            ...sig(options?.signal),
          }),
        sig(options?.signal),
      )
      for (const u of res.body?.users ?? []) {
        const a = this.#account(u)
        if (seen.has(a.id)) continue
        seen.add(a.id)
        yield a
      }
      pageToken = res.body?.nextPageToken || undefined
    } while (pageToken !== undefined)
  }

  #externalIds(
    current: GoogleUser | undefined,
    value: string | undefined,
  ): GoogleUser['externalIds'] {
    const others = (current?.externalIds ?? []).filter(
      (x) =>
        !(
          x.type === this.#o.externalIdType &&
          (this.#o.externalIdType !== 'custom' || x.customType === this.#o.externalIdCustomType)
        ),
    )
    if (value === undefined) return others
    return [
      ...others,
      {
        value,
        type: this.#o.externalIdType,
        ...(this.#o.externalIdCustomType !== undefined
          ? { customType: this.#o.externalIdCustomType }
          : {}),
      },
    ]
  }

  /** The users.insert/patch body for the given fields; `undefined` values remove. */
  #body(
    fields: ReadonlyArray<readonly [string, AttributeValue | undefined]>,
    current?: GoogleUser,
  ): Record<string, unknown> {
    const body: Record<string, unknown> = {}
    for (const [field, raw] of fields) {
      if (Array.isArray(raw))
        throw new ConnectorError('invalid', `${this.name}: ${field} takes one value`)
      const value = raw === undefined || raw === '' ? undefined : (raw as string)
      if (value === undefined && REQUIRED.has(field))
        throw new ConnectorError(
          'invalid',
          `${this.name}: ${field} is required and cannot be removed`,
        )
      switch (field) {
        case 'primaryEmail':
          if (
            this.#o.domain !== undefined &&
            !(value as string).toLowerCase().endsWith(`@${this.#o.domain.toLowerCase()}`)
          ) {
            throw new ConnectorError(
              'invalid',
              `${this.name}: primaryEmail ${JSON.stringify(value)} is not in domain ${this.#o.domain}`,
            )
          }
          body.primaryEmail = value
          break
        case 'name.givenName':
        case 'name.familyName':
          body.name = { ...((body.name as object | undefined) ?? {}), [field.slice(5)]: value }
          break
        case 'orgUnitPath':
          body.orgUnitPath = value ?? '/'
          break
        case 'externalId':
          body.externalIds = this.#externalIds(current, value)
          break
        case 'recoveryEmail':
        case 'recoveryPhone':
          // GUESS: an empty string clears these fields in a users.patch
          body[field] = value ?? ''
          break
        default:
          throw new ConnectorError(
            'invalid',
            `${this.name}: attribute ${JSON.stringify(field)} is not supported (${GOOGLE_ATTRIBUTES.join(', ')})`,
          )
      }
    }
    return body
  }

  async create(request: CreateRequest, options?: OpOptions): Promise<WriteResult> {
    const signal = options?.signal
    const existing = await this.#findRaw(request.anchor, signal)
    if (existing !== undefined)
      return {
        outcome: 'unchanged',
        id: String(existing.id),
        locator: String(existing.primaryEmail),
      }
    const fields = new Map<string, AttributeValue | undefined>(Object.entries(request.attributes))
    if (request.anchor.attribute === 'externalId') fields.set('externalId', request.anchor.value)
    for (const f of ['primaryEmail', 'name.givenName', 'name.familyName']) {
      if (fields.get(f) === undefined || fields.get(f) === '')
        throw new ConnectorError('invalid', `${this.name}: create needs ${f}`)
    }
    const body = this.#body([...fields.entries()].filter(([, v]) => v !== undefined && v !== ''))
    body.orgUnitPath ??= this.#o.defaultOrgUnitPath
    body.suspended = !request.enabled
    // Google requires a password; without one from the plan the account gets a random one, handed to the engine
    // once for its delivery channel (or dropped unseen when none is configured: sign-in through SSO).
    body.password = request.secrets?.password ?? randomBytes(18).toString('base64url')
    let res
    try {
      res = await this.#call<GoogleUser>({
        method: 'POST',
        path: 'users',
        json: body,
        ...sig(signal),
      })
    } catch (e) {
      if (ConnectorError.isInstance(e) && e.code === 409) {
        // the address is taken: ours (an earlier attempt the search index does not show yet) or someone else's
        const holder = await this.#getUser(String(body.primaryEmail), signal)
        if (
          holder !== undefined &&
          request.anchor.attribute === 'externalId' &&
          this.#isOurs(holder, request.anchor.value)
        ) {
          return {
            outcome: 'unchanged',
            id: String(holder.id),
            locator: String(holder.primaryEmail),
          }
        }
        throw new ConnectorError(
          'conflict',
          `${this.name}: primaryEmail ${String(body.primaryEmail)} is already used by an account Koppel does not manage (${holder?.primaryEmail?.toLowerCase() === String(body.primaryEmail).toLowerCase() ? 'a user' : 'an alias or group'})`,
          { code: 409, cause: e },
        )
      }
      throw e
    }
    if (typeof res.body?.id !== 'string')
      throw new ConnectorError('invalid', `${this.name}: users.insert answered without an id`)
    const generated =
      request.secrets?.password === undefined
        ? { oneTimeSecrets: { password: String(body.password) } }
        : {}
    return {
      outcome: 'created',
      id: res.body.id,
      locator: String(res.body.primaryEmail ?? body.primaryEmail),
      ...generated,
    }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options?: OpOptions,
  ): Promise<WriteResult> {
    if (changes.length === 0) return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    const current = changes.some((c) => c.field === 'externalId')
      ? await this.#getUser(ref.id, options?.signal)
      : undefined
    const body = this.#body(
      changes.map((c) => [c.field, c.new] as const),
      current,
    )
    const res = await this.#call<GoogleUser>({
      method: 'PATCH',
      path: `users/${encodeURIComponent(ref.id)}`,
      json: body,
      ...sig(options?.signal),
    })
    return {
      outcome: 'updated',
      id: ref.id,
      locator: String(res.body?.primaryEmail ?? ref.locator),
    }
  }

  async #suspend(ref: Ref, suspended: boolean, options?: OpOptions): Promise<WriteResult> {
    const u = await this.#getUser(ref.id, options?.signal)
    if (u === undefined)
      throw new ConnectorError(
        'not-found',
        `${this.name}: user ${ref.locator} (${ref.id}) does not exist`,
        { code: 404 },
      )
    if ((u.suspended === true) === suspended)
      return { outcome: 'unchanged', id: ref.id, locator: String(u.primaryEmail) }
    const res = await this.#call<GoogleUser>({
      method: 'PATCH',
      path: `users/${encodeURIComponent(ref.id)}`,
      json: { suspended },
      ...sig(options?.signal),
    })
    return {
      outcome: 'updated',
      id: ref.id,
      locator: String(res.body?.primaryEmail ?? u.primaryEmail),
    }
  }

  enable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#suspend(ref, false, options)
  }

  disable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#suspend(ref, true, options)
  }

  async delete(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    const res = await this.#call({
      method: 'DELETE',
      path: `users/${encodeURIComponent(ref.id)}`,
      accept: [404],
      ...sig(options?.signal),
    })
    return {
      outcome: res.status === 404 ? 'already-gone' : 'updated',
      id: ref.id,
      locator: ref.locator,
    }
  }

  #checkGroup(permission: { readonly type: string; readonly id: string }): string {
    if (permission.type !== 'group')
      throw new ConnectorError(
        'unsupported',
        `${this.name}: permission type ${JSON.stringify(permission.type)} is not supported (only group)`,
      )
    return encodeURIComponent(permission.id)
  }

  async grant(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    const group = this.#checkGroup(permission)
    if (permission.role !== undefined) {
      // a provisioned group's membership: the group exists (its create ran first), the role matters
      return {
        outcome: await this.#groups.grant(permission.id, ref.id, permission.role, options?.signal),
        id: ref.id,
        locator: ref.locator,
      }
    }
    const insert = () =>
      this.#call<unknown>({
        method: 'POST',
        path: `groups/${group}/members`,
        json: { id: ref.id, role: 'MEMBER' },
        accept: [409],
        ...sig(options?.signal),
      })
    let res
    try {
      res = await insert()
    } catch (e) {
      if (!(
        ConnectorError.isInstance(e) &&
        e.code === 404 &&
        /groupKey/.test(e.message) &&
        this.#o.groups.createMissing
      ))
        throw e
      try {
        await this.#call({
          method: 'POST',
          path: 'groups',
          json: { email: permission.id, name: permission.id },
          ...sig(options?.signal),
        })
      } catch (c) {
        if (!(ConnectorError.isInstance(c) && c.code === 409)) throw c // created meanwhile by a parallel grant
      }
      res = await insert()
    }
    // 409 "Member already exists."
    return {
      outcome: res.status === 409 ? 'unchanged' : 'updated',
      id: ref.id,
      locator: ref.locator,
    }
  }

  async revoke(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    const group = this.#checkGroup(permission)
    if (permission.role !== undefined)
      return {
        outcome: await this.#groups.revoke(permission.id, ref.id, permission.role, options?.signal),
        id: ref.id,
        locator: ref.locator,
      }
    // 404: not a member (or no such group, which holds no one either)
    const res = await this.#call({
      method: 'DELETE',
      path: `groups/${group}/members/${encodeURIComponent(ref.id)}`,
      accept: [404],
      ...sig(options?.signal),
    })
    return {
      outcome: res.status === 404 ? 'unchanged' : 'updated',
      id: ref.id,
      locator: ref.locator,
    }
  }

  createGroup(request: GroupRequest, options?: OpOptions): Promise<WriteResult> {
    return this.#groups.create(request, options?.signal)
  }

  updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    options?: OpOptions,
  ): Promise<WriteResult> {
    return this.#groups.update(ref, changes, request, options?.signal)
  }

  archiveGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#groups.archive(ref, options?.signal)
  }

  deleteGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#groups.delete(ref, options?.signal)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal }
}
