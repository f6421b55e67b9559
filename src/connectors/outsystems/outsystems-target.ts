// The OutSystems target: users of a customer-built OutSystems REST API (bearer token). An account is the user's
// Key (id = locator); correlation is by username. Exactly one role per user: grant sets it, revoke returns to
// the default role. Users cannot be created inactive (create + PUT) and cannot be deleted (disable only).
import { ConnectorError } from '../../contract/index.ts'
import type {
  CreateRequest,
  OpOptions,
  Ref,
  TargetAccount,
  TargetConnector,
  WriteResult,
} from '../../contract/index.ts'
import type { Attributes, FieldChange } from '../../model/index.ts'
import { withReadRetry } from '../../protocol/index.ts'
import { fieldOf, OutSystemsClient, setField, single, str, type Json } from './outsystems-client.ts'
import type { OutSystemsOptions } from './outsystems-options.ts'

interface Role {
  readonly key: string
  readonly name: string
}

export interface OutSystemsServices {
  readonly log?: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void
  /** First backoff of the listing's read retries (tests shorten it). */
  readonly readRetryDelayMs?: number
}

export class OutSystemsTarget implements TargetConnector {
  readonly name: string
  readonly type = 'outsystems'
  readonly capabilities
  readonly #o: OutSystemsOptions
  readonly #client: OutSystemsClient
  readonly #services: OutSystemsServices
  /** Koppel attribute → JSON field. */
  readonly #fields: ReadonlyMap<string, string>
  #roles: Promise<Role[]> | undefined
  /** Operations on one user run one after another (grant and revoke read, then write the whole user). */
  readonly #locks = new Map<string, Promise<unknown>>()

  constructor(name: string, options: OutSystemsOptions, services: OutSystemsServices) {
    this.name = name
    this.#o = options
    this.#services = services
    this.capabilities = {
      listAccounts: true,
      enableDisable: true,
      delete: false, // the API has no delete; leavers stay inactive
      permissionTypes: ['role'],
      readOnlyAttributes: [],
      defaultConcurrency: options.concurrency,
    } as const
    const f = options.fields
    this.#fields = new Map([
      ['username', f.username],
      ['name', f.name],
      ['email', f.email],
      ...Object.entries(options.extraFields),
    ])
    this.#client = new OutSystemsClient(options)
  }

  async *listAccounts(options?: OpOptions): AsyncIterable<TargetAccount> {
    const signal = options?.signal
    const users = await withReadRetry(() => this.#listUsers(signal), {
      attempts: 3,
      ...(this.#services.readRetryDelayMs !== undefined
        ? { baseDelayMs: this.#services.readRetryDelayMs }
        : {}),
      ...(signal !== undefined ? { signal } : {}),
    })
    const roles = await this.#roleList(signal)
    for (const u of users) yield this.#account(u, roles)
  }

  async find(
    anchor: { readonly attribute: string; readonly value: string },
    options?: OpOptions,
  ): Promise<TargetAccount | undefined> {
    const field = this.#jsonField(anchor.attribute)
    const want = anchor.value.toLowerCase()
    // the API offers no filter: HelloID looks users up in the full list as well
    const hits = (await this.#listUsers(options?.signal)).filter(
      (u) => str(fieldOf(u, field))?.toLowerCase() === want,
    )
    if (hits.length === 0) return undefined
    if (hits.length > 1)
      throw new ConnectorError(
        'conflict',
        `${this.name}: ${hits.length} users have ${anchor.attribute}=${anchor.value}`,
      )
    return this.#account(hits[0] as Json, await this.#roleList(options?.signal))
  }

  async create(request: CreateRequest, options?: OpOptions): Promise<WriteResult> {
    const signal = options?.signal
    const body = this.#body(request.attributes)
    const found = await this.find(request.anchor, options)
    if (found !== undefined) {
      // a create whose deactivation failed earlier (see below) is completed by its retry
      if (!request.enabled && found.enabled) await this.#setActive(found.id, false, signal)
      return { outcome: 'unchanged', id: found.id, locator: found.locator }
    }
    const role = await this.#defaultRole(signal)
    const f = this.#o.fields
    const created = await this.#client.createUser(
      { ...body, [f.isActive]: true, [f.roleKey]: role.key },
      signal,
    )
    const key = created === undefined || created === null ? undefined : str(fieldOf(created, f.key))
    if (key === undefined)
      throw new ConnectorError(
        'invalid',
        `${this.name}: POST ${this.#o.paths.users} answered without the new user's ${f.key}; the user may exist`,
      )
    if (!request.enabled) {
      // the API cannot create inactive users: POST, then PUT inactive. A failed PUT leaves the user ACTIVE.
      try {
        await this.#setActive(key, false, signal)
      } catch (e) {
        const err = ConnectorError.isInstance(e) ? e : new ConnectorError('transient', String(e))
        throw new ConnectorError(
          err.kind,
          `${this.name}: user ${request.anchor.value} (${f.key} ${key}) was created but deactivating it failed, so it exists ACTIVE until a retry deactivates it: ${err.message}`,
          {
            cause: e,
            ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
            ...(err.code !== undefined ? { code: err.code } : {}),
          },
        )
      }
    }
    return { outcome: 'created', id: key, locator: key }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options?: OpOptions,
  ): Promise<WriteResult> {
    // GUESS: a removed attribute is written as "" (the API's PUT takes the whole user; whether it also takes null is unknown)
    const set = changes.map(
      (ch) =>
        [this.#jsonField(ch.field), ch.new === undefined ? '' : single(ch.new, ch.field)] as const,
    )
    return this.#modify(ref, options?.signal, 'not-found', (user) => {
      let changed = false
      for (const [field, value] of set) {
        if ((str(fieldOf(user, field)) ?? '') === value) continue
        setField(user, field, value)
        changed = true
      }
      return changed
    })
  }

  enable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#modify(ref, options?.signal, 'not-found', (user) => this.#flip(user, true))
  }

  disable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#modify(ref, options?.signal, 'already-gone', (user) => this.#flip(user, false))
  }

  /** Sets the user's one role; a user holding it already is unchanged. Granting a second role replaces the first. */
  async grant(
    ref: Ref,
    permission: { readonly type: string; readonly id: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    this.#checkType(permission.type)
    const role = await this.#role(permission.id, options?.signal)
    if (role === undefined)
      throw new ConnectorError(
        'invalid',
        `${this.name}: OutSystems has no role ${JSON.stringify(permission.id)} (by ${this.#o.roleId})`,
      )
    const f = this.#o.fields
    return this.#modify(ref, options?.signal, 'not-found', (user) => {
      if (str(fieldOf(user, f.roleKey)) === role.key) return false
      setField(user, f.roleKey, role.key)
      return true
    })
  }

  /** Returns the user to the default role if it holds this one; a user holding another role (or none of it) is unchanged. */
  async revoke(
    ref: Ref,
    permission: { readonly type: string; readonly id: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    this.#checkType(permission.type)
    const role = await this.#role(permission.id, options?.signal)
    const fallback = await this.#defaultRole(options?.signal)
    const f = this.#o.fields
    if (role === undefined || role.key === fallback.key)
      return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    return this.#modify(ref, options?.signal, 'not-found', (user) => {
      if (str(fieldOf(user, f.roleKey)) !== role.key) return false
      setField(user, f.roleKey, fallback.key)
      return true
    })
  }

  async close(): Promise<void> {}

  #flip(user: Json, active: boolean): boolean {
    const field = this.#o.fields.isActive
    if (fieldOf(user, field) === active) return false
    setField(user, field, active)
    return true
  }

  #setActive(key: string, active: boolean, signal?: AbortSignal): Promise<WriteResult> {
    return this.#modify({ id: key, locator: key }, signal, 'not-found', (user) =>
      this.#flip(user, active),
    )
  }

  /**
   * GET the user, let `change` edit the object, PUT the whole object back when it changed (the API's PUT takes
   * the full user). Serialised per user, so a grant and a revoke of one apply cannot interleave their reads and
   * writes. A user that is gone is `already-gone` (disable) or a not-found error.
   */
  #modify(
    ref: Ref,
    signal: AbortSignal | undefined,
    gone: 'already-gone' | 'not-found',
    change: (user: Json) => boolean,
  ): Promise<WriteResult> {
    return this.#serial(ref.id, async () => {
      const found = await this.#client.getUser(ref.id, signal)
      if (found === undefined) {
        if (gone === 'already-gone') return { outcome: 'already-gone', id: ref.id, locator: ref.id }
        throw new ConnectorError('not-found', `${this.name}: user ${ref.id} is not in OutSystems`, {
          code: 404,
        })
      }
      const user = { ...this.#checkUser(found.user, `GET ${this.#client.userPath(ref.id)}`) }
      if (!change(user)) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
      await this.#client.putUser(ref.id, user, signal)
      return { outcome: 'updated', id: ref.id, locator: ref.id }
    })
  }

  async #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(key) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => undefined)
    this.#locks.set(key, tail)
    try {
      return await run
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key)
    }
  }

  async #listUsers(signal?: AbortSignal): Promise<Json[]> {
    const what = `GET ${this.#o.paths.users}`
    const body = await this.#client.listUsers(signal)
    if (!Array.isArray(body))
      throw new ConnectorError(
        'invalid',
        `${this.name}: ${what} did not answer a JSON array of users`,
      )
    return body.map((u, i) => this.#checkUser(u, `${what}: user #${i + 1}`))
  }

  /** A user object must carry a key and a username; the error names the record and the field. */
  #checkUser(u: unknown, where: string): Json {
    const f = this.#o.fields
    if (u === null || typeof u !== 'object' || Array.isArray(u))
      throw new ConnectorError('invalid', `${this.name}: ${where} is not a JSON object`)
    const user = u as Json
    const key = str(fieldOf(user, f.key))
    if (key === undefined)
      throw new ConnectorError('invalid', `${this.name}: ${where} has no ${f.key}`)
    if (str(fieldOf(user, f.username)) === undefined)
      throw new ConnectorError(
        'invalid',
        `${this.name}: ${where} (${f.key} ${key}) has no ${f.username}`,
      )
    const active = fieldOf(user, f.isActive)
    if (active !== undefined && typeof active !== 'boolean') {
      throw new ConnectorError(
        'invalid',
        `${this.name}: ${where} (${f.key} ${key}) has ${f.isActive}=${JSON.stringify(active)}, not true or false`,
      )
    }
    return user
  }

  #account(u: Json, roles: readonly Role[]): TargetAccount {
    const f = this.#o.fields
    const key = str(fieldOf(u, f.key)) as string
    const attributes: Record<string, string> = {}
    for (const [attr, field] of this.#fields) {
      const v = str(fieldOf(u, field))
      if (v !== undefined && v !== '') attributes[attr] = v
    }
    const roleKey = str(fieldOf(u, f.roleKey))
    const role = roles.find((r) => r.key === roleKey)
    const defaultName = this.#o.defaultRole.toLowerCase()
    const isDefault = role !== undefined && role.name.toLowerCase() === defaultName
    const id = role === undefined ? roleKey : this.#o.roleId === 'key' ? role.key : role.name
    return {
      id: key,
      locator: key,
      attributes,
      enabled: fieldOf(u, f.isActive) !== false,
      permissions: id === undefined || isDefault ? [] : [id],
    }
  }

  #body(attributes: Attributes): Json {
    const body: Json = {}
    for (const [attr, v] of Object.entries(attributes)) {
      const value = single(v, attr)
      if (value !== '') body[this.#jsonField(attr)] = value
    }
    return body
  }

  #jsonField(attribute: string): string {
    const field =
      this.#fields.get(attribute) ??
      [...this.#fields].find(([a]) => a.toLowerCase() === attribute.toLowerCase())?.[1]
    if (field === undefined) {
      throw new ConnectorError(
        'config',
        `${this.name}: no field for attribute ${JSON.stringify(attribute)}; known: ${[...this.#fields.keys()].join(', ')} (more through the extraFields option)`,
      )
    }
    return field
  }

  #checkType(type: string): void {
    if (type !== 'role')
      throw new ConnectorError(
        'unsupported',
        `${this.name}: OutSystems has roles only, not ${type}`,
      )
  }

  #roleList(signal?: AbortSignal): Promise<Role[]> {
    if (this.#roles === undefined) {
      const f = this.#o.fields
      const p = this.#client.listRoles(signal).then((body) => {
        if (!Array.isArray(body))
          throw new ConnectorError(
            'invalid',
            `${this.name}: GET ${this.#o.paths.roles} did not answer a JSON array of roles`,
          )
        return body.map((r: unknown, i) => {
          const o = (r ?? {}) as Json
          const key = str(fieldOf(o, f.roleKeyOfRole))
          const name = str(fieldOf(o, f.roleName))
          if (key === undefined || name === undefined)
            throw new ConnectorError(
              'invalid',
              `${this.name}: GET ${this.#o.paths.roles}: role #${i + 1} has no ${key === undefined ? f.roleKeyOfRole : f.roleName}`,
            )
          return { key, name }
        })
      })
      this.#roles = p
      p.catch(() => {
        if (this.#roles === p) this.#roles = undefined
      })
    }
    return this.#roles
  }

  /** The role a permission id names; the role list is fetched again once when the id is not in it. */
  async #role(id: string, signal?: AbortSignal): Promise<Role | undefined> {
    const match = (roles: readonly Role[]) =>
      this.#o.roleId === 'key'
        ? roles.find((r) => r.key === id)
        : roles.find((r) => r.name.toLowerCase() === id.toLowerCase())
    const hit = match(await this.#roleList(signal))
    if (hit !== undefined) return hit
    this.#roles = undefined
    return match(await this.#roleList(signal))
  }

  async #defaultRole(signal?: AbortSignal): Promise<Role> {
    const roles = await this.#roleList(signal)
    const role = roles.find((r) => r.name.toLowerCase() === this.#o.defaultRole.toLowerCase())
    if (role === undefined) {
      throw new ConnectorError(
        'config',
        `${this.name}: the default role ${JSON.stringify(this.#o.defaultRole)} is not among the roles OutSystems lists (${roles.map((r) => r.name).join(', ')})`,
      )
    }
    return role
  }
}
