// The generic SCIM 2.0 target (RFC 7643/7644): users by filter on the anchor attribute, create/replace/patch,
// `active` for enable/disable, groups by displayName with member PATCH, paging with startIndex/count;
// provisioned groups (issue 14) as /Groups resources carrying the sync key in externalId.
// ServiceProviderConfig decides PATCH vs PUT and whether If-Match is sent; everything else works without them.
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
import type { FieldChange } from '../../model/index.ts'
import {
  HttpClient,
  httpError,
  staticAuth,
  withReadRetry,
  type HttpRequest,
  jsonErrorDetail,
} from '../../protocol/index.ts'
import type { ScimOptions } from './scim-options.ts'
import {
  CORE_GROUP,
  CORE_USER,
  eqFilter,
  getPath,
  isEmpty,
  parsePath,
  patchOperation,
  PATCH_OP,
  setPath,
  type PatchOperation,
  type ScimPath,
} from './scim-paths.ts'

type Json = Record<string, unknown>

export interface ScimFeatures {
  readonly patch: boolean
  readonly bulk: boolean
  /** The service's bulk.maxOperations (0 when it gives none). */
  readonly bulkMaxOperations: number
  readonly etag: boolean
  readonly filter: boolean
}

interface ListResponse {
  totalResults?: number
  itemsPerPage?: number
  startIndex?: number
  Resources?: Json[]
}

const SCIM_JSON = 'application/scim+json'

interface BulkItem {
  readonly bulkId: string
  readonly data: Json
  resolve(id: string): void
  reject(e: unknown): void
}

/** `scimType: detail` from a SCIM error body (RFC 7644 §3.12), or the start of whatever came back. */
export function scimErrorDetail(text: string): string {
  return jsonErrorDetail(text, (j) =>
    [j.scimType, j.detail].filter((x) => typeof x === 'string' && x !== '').join(': '),
  )
}

export class ScimTarget implements TargetConnector {
  readonly name: string
  readonly type = 'scim'
  readonly capabilities: TargetCapabilities
  readonly #options: ScimOptions
  readonly #http: HttpClient
  readonly #read: ScimPath[]
  #features: Promise<ScimFeatures> | undefined
  #patchRefused = false
  #bulkRefused = false
  #bulkQueue: BulkItem[] = []
  #bulkTimer: NodeJS.Immediate | undefined
  #bulkSeq = 0
  readonly #groupIds = new Map<string, Promise<string>>()
  /** Per resource (`Groups/<id>`), the tail of the writes queued for it. */
  readonly #writing = new Map<string, Promise<void>>()

  constructor(name: string, options: ScimOptions) {
    this.name = name
    this.#options = options
    this.#read = options.readAttributes.map(parsePath)
    this.#http = new HttpClient({
      baseUrl: options.baseUrl,
      auth: staticAuth(`Bearer ${options.token}`),
      timeoutMs: options.timeoutMs,
      userAgent: 'koppel-scim',
      errorDetail: scimErrorDetail,
    })
    this.capabilities = {
      listAccounts: true,
      enableDisable: true,
      delete: true,
      permissionTypes: ['group'],
      readOnlyAttributes: ['id', 'meta', 'groups'],
      defaultConcurrency: options.concurrency,
      // RFC 7643 §4.2: a Group has members only (no owners), and nothing that marks it archived
      groups: { roles: ['member'], archive: 'ledger' },
    }
  }

  /** ServiceProviderConfig (RFC 7643 §5), read once. */
  features(signal?: AbortSignal): Promise<ScimFeatures> {
    this.#features ??= this.#discover(signal).catch((e: unknown) => {
      this.#features = undefined
      throw e
    })
    return this.#features
  }

  async #discover(signal?: AbortSignal): Promise<ScimFeatures> {
    const res = await this.#http.json<Json | undefined>({
      path: 'ServiceProviderConfig',
      accept: [404],
      ...sig(signal),
    })
    const supported = (k: string) => {
      const v = res.body?.[k] as { supported?: unknown } | undefined
      return v?.supported === true
    }
    // GUESS: a service without /ServiceProviderConfig (404; RFC 7644 makes it mandatory) gets the most careful
    // choice that still works everywhere: PUT instead of PATCH, no If-Match, no Bulk.
    if (res.status === 404)
      return { patch: false, bulk: false, bulkMaxOperations: 0, etag: false, filter: true }
    return {
      patch: this.#options.patch === 'auto' && supported('patch'),
      bulk: this.#options.bulk === 'auto' && supported('bulk'),
      bulkMaxOperations:
        Number((res.body?.bulk as { maxOperations?: unknown } | undefined)?.maxOperations ?? 0) ||
        0,
      etag: this.#options.etag === 'auto' && supported('etag'),
      filter: supported('filter'),
    }
  }

  async #req<T>(req: HttpRequest): Promise<{ status: number; headers: Headers; body: T }> {
    return this.#http.json<T>({
      ...req,
      headers: { accept: `${SCIM_JSON}, application/json`, ...(req.headers ?? {}) },
      ...(req.json !== undefined ? { contentType: SCIM_JSON } : {}),
    })
  }

  #account(r: Json): TargetAccount {
    const id = String(r.id ?? '')
    if (id === '')
      throw new ConnectorError('invalid', `${this.name}: a user came back without an id`)
    const attributes: Record<string, string | readonly string[]> = {}
    for (const p of this.#read) {
      const v = getPath(r, p)
      if (v !== undefined)
        attributes[this.#options.readAttributes[this.#read.indexOf(p)] as string] = v
    }
    return { id, locator: id, attributes, enabled: r.active !== false && r.active !== 'false' }
  }

  async #findRaw(
    anchor: { attribute: string; value: string },
    signal?: AbortSignal,
  ): Promise<Json | undefined> {
    const filter = eqFilter(anchor.attribute, anchor.value)
    const res = await this.#req<ListResponse>({
      path: 'Users',
      query: { filter, startIndex: 1, count: 2 },
      ...sig(signal),
    })
    const found = res.body?.Resources ?? []
    // a server that ignores the filter (or matches loosely) must not hand us someone else
    const p = parsePath(anchor.attribute)
    const exact = found.filter((r) => {
      const v = getPath(r, p)
      return (
        v === anchor.value ||
        (p.attr.toLowerCase() === 'username' &&
          typeof v === 'string' &&
          v.toLowerCase() === anchor.value.toLowerCase())
      )
    })
    if (exact.length > 1)
      throw new ConnectorError(
        'conflict',
        `${this.name}: ${exact.length} users have ${anchor.attribute} ${JSON.stringify(anchor.value)}`,
      )
    return exact[0]
  }

  async find(
    anchor: { readonly attribute: string; readonly value: string },
    options?: OpOptions,
  ): Promise<TargetAccount | undefined> {
    const r = await this.#findRaw(anchor, options?.signal)
    return r === undefined ? undefined : this.#account(r)
  }

  async *listAccounts(options?: OpOptions): AsyncIterable<TargetAccount> {
    let startIndex = 1
    const seen = new Set<string>()
    for (;;) {
      const query = {
        startIndex,
        count: this.#options.pageSize,
        ...(this.#options.listFilter !== undefined ? { filter: this.#options.listFilter } : {}),
      }
      const res = await withReadRetry(
        () => this.#req<ListResponse>({ path: 'Users', query, ...sig(options?.signal) }),
        sig(options?.signal),
      )
      const page = res.body?.Resources ?? []
      for (const r of page) {
        const a = this.#account(r)
        if (seen.has(a.id)) continue
        seen.add(a.id)
        yield a
      }
      const total = Number(res.body?.totalResults ?? 0)
      startIndex += page.length
      if (page.length === 0 || startIndex > total) return
    }
  }

  async create(request: CreateRequest, options?: OpOptions): Promise<WriteResult> {
    const signal = options?.signal
    const existing = await this.#findRaw(request.anchor, signal)
    if (existing !== undefined)
      return { outcome: 'unchanged', id: String(existing.id), locator: String(existing.id) }
    const body: Json = { schemas: [CORE_USER] }
    const schemas = new Set<string>([CORE_USER])
    for (const [field, value] of Object.entries({
      ...request.attributes,
      [request.anchor.attribute]: request.anchor.value,
    })) {
      if (isEmpty(value)) continue
      const p = parsePath(field)
      if (p.urn !== undefined) schemas.add(p.urn)
      setPath(body, p, value)
    }
    body.schemas = [...schemas]
    body.active = request.enabled
    if (request.secrets?.password !== undefined) body.password = request.secrets.password
    let id: string
    try {
      id = await this.#post(body, signal)
    } catch (e) {
      // A 409 after a find that saw nothing: an earlier attempt of ours may have landed after all.
      if (ConnectorError.isInstance(e) && e.kind === 'conflict') {
        const again = await this.#findRaw(request.anchor, signal)
        if (again !== undefined)
          return { outcome: 'unchanged', id: String(again.id), locator: String(again.id) }
      }
      throw e
    }
    return { outcome: 'created', id, locator: id }
  }

  /** POST /Users, or one operation of a Bulk request when the service offers Bulk. Returns the new id. */
  async #post(body: Json, signal?: AbortSignal): Promise<string> {
    const f = await this.features(signal)
    if (f.bulk && !this.#bulkRefused) {
      return new Promise<string>((resolve, reject) => {
        this.#bulkQueue.push({ bulkId: `k${++this.#bulkSeq}`, data: body, resolve, reject })
        if (this.#bulkQueue.length >= this.#bulkLimit(f)) this.#flushBulk(f)
        // creates that reach this point in the same turn of the event loop travel together
        else this.#bulkTimer ??= setImmediate(() => this.#flushBulk(f))
      })
    }
    const res = await this.#req<Json>({ method: 'POST', path: 'Users', json: body, ...sig(signal) })
    const id = String(res.body?.id ?? '')
    if (id === '')
      throw new ConnectorError('invalid', `${this.name}: POST /Users answered without an id`)
    return id
  }

  #bulkLimit(f: ScimFeatures): number {
    return Math.max(
      1,
      Math.min(
        this.#options.bulkMaxOperations,
        f.bulkMaxOperations > 0 ? f.bulkMaxOperations : Infinity,
      ),
    )
  }

  #flushBulk(f: ScimFeatures): void {
    if (this.#bulkTimer !== undefined) clearImmediate(this.#bulkTimer)
    this.#bulkTimer = undefined
    while (this.#bulkQueue.length > 0)
      void this.#sendBulk(this.#bulkQueue.splice(0, this.#bulkLimit(f)))
  }

  async #sendBulk(batch: BulkItem[]): Promise<void> {
    const request = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: batch.map((b) => ({
        method: 'POST',
        path: '/Users',
        bulkId: b.bulkId,
        data: b.data,
      })),
    }
    let res
    try {
      res = await this.#req<{
        Operations?: Array<{
          bulkId?: string
          status?: unknown
          location?: string
          response?: unknown
        }>
      }>({ method: 'POST', path: 'Bulk', json: request })
    } catch (e) {
      if (ConnectorError.isInstance(e) && (e.code === 501 || e.code === 404 || e.code === 405)) {
        // advertised but not there after all: one POST each, now and from now on
        this.#bulkRefused = true
        for (const b of batch) this.#post(b.data).then(b.resolve, b.reject)
        return
      }
      for (const b of batch) b.reject(e)
      return
    }
    const answers = new Map((res.body?.Operations ?? []).map((o) => [o.bulkId, o]))
    for (const b of batch) {
      const o = answers.get(b.bulkId)
      // RFC 7644 §3.7.3 writes status as a string ("201"); drafts and some servers as {code: 201}
      const status = Number(
        typeof o?.status === 'object' && o.status !== null
          ? (o.status as { code?: unknown }).code
          : o?.status,
      )
      if (o === undefined || Number.isNaN(status)) {
        b.reject(
          new ConnectorError(
            'transient',
            `${this.name}: POST /Bulk answered without operation ${b.bulkId}`,
          ),
        )
      } else if (status >= 200 && status < 300) {
        const id =
          decodeURIComponent(
            String(o.location ?? '')
              .replace(/\/+$/, '')
              .split('/')
              .pop() ?? '',
          ) || String((o.response as Json | undefined)?.id ?? '')
        if (id === '')
          b.reject(
            new ConnectorError(
              'invalid',
              `${this.name}: POST /Bulk operation ${b.bulkId} answered without a location`,
            ),
          )
        else b.resolve(id)
      } else {
        b.reject(
          httpError(
            status,
            'POST /Bulk (POST /Users)',
            scimErrorDetail(JSON.stringify(o.response ?? {})),
          ),
        )
      }
    }
  }

  async #get(
    kind: 'Users' | 'Groups',
    id: string,
    signal?: AbortSignal,
    query?: HttpRequest['query'],
  ): Promise<{ body: Json; version?: string }> {
    const res = await this.#req<Json>({
      path: `${kind}/${encodeURIComponent(id)}`,
      ...(query ? { query } : {}),
      ...sig(signal),
    })
    const version =
      res.headers.get('etag') ?? (res.body?.meta as { version?: string } | undefined)?.version
    return { body: res.body ?? {}, ...(typeof version === 'string' ? { version } : {}) }
  }

  /**
   * Reads the resource, computes the change against it and writes it with PATCH (or PUT when PATCH is not
   * offered), with If-Match when ETags are. A 412 (someone changed it in between) re-reads and tries once more.
   */
  #modify(
    kind: 'Users' | 'Groups',
    id: string,
    compute: (current: Json) => { ops: PatchOperation[]; apply: (copy: Json) => void } | undefined,
    signal?: AbortSignal,
  ): Promise<'updated' | 'unchanged'> {
    // One write per resource at a time: grants to one class group run side by side in an apply, and with ETags
    // each would otherwise make the others' If-Match stale (412) — the retry is for changes made by others.
    const key = `${kind}/${id}`
    const before = this.#writing.get(key) ?? Promise.resolve()
    const mine = before.then(() => this.#modifyNow(kind, id, compute, signal))
    const settled = mine.then(
      () => undefined,
      () => undefined,
    )
    this.#writing.set(key, settled)
    void settled.then(() => {
      if (this.#writing.get(key) === settled) this.#writing.delete(key)
    })
    return mine
  }

  async #modifyNow(
    kind: 'Users' | 'Groups',
    id: string,
    compute: (current: Json) => { ops: PatchOperation[]; apply: (copy: Json) => void } | undefined,
    signal?: AbortSignal,
  ): Promise<'updated' | 'unchanged'> {
    const f = await this.features(signal)
    for (let attempt = 1; ; attempt++) {
      const cur = await this.#get(kind, id, signal)
      const change = compute(cur.body)
      if (change === undefined || change.ops.length === 0) return 'unchanged'
      const headers: Record<string, string> =
        f.etag && cur.version !== undefined ? { 'if-match': cur.version } : {}
      const path = `${kind}/${encodeURIComponent(id)}`
      try {
        if (f.patch && !this.#patchRefused) {
          try {
            await this.#req({
              method: 'PATCH',
              path,
              headers,
              json: { schemas: [PATCH_OP], Operations: change.ops },
              accept: [204],
              ...sig(signal),
            })
            return 'updated'
          } catch (e) {
            // advertised but not implemented after all: fall back to PUT from now on
            if (!(ConnectorError.isInstance(e) && (e.code === 501 || e.code === 405))) throw e
            this.#patchRefused = true
          }
        }
        const copy = structuredClone(cur.body)
        delete copy.meta
        change.apply(copy)
        await this.#req({ method: 'PUT', path, headers, json: copy, ...sig(signal) })
        return 'updated'
      } catch (e) {
        if (ConnectorError.isInstance(e) && e.code === 412 && attempt < 2) continue
        throw e
      }
    }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    options?: OpOptions,
  ): Promise<WriteResult> {
    const parsed = changes.map((c) => ({
      p: parsePath(c.field),
      value: isEmpty(c.new) ? undefined : c.new,
    }))
    const outcome = await this.#modify(
      'Users',
      ref.id,
      (cur) => {
        const ops = parsed
          .map(({ p, value }) => patchOperation(cur, p, value))
          .filter((o): o is PatchOperation => o !== undefined)
        return { ops, apply: (copy) => parsed.forEach(({ p, value }) => setPath(copy, p, value)) }
      },
      options?.signal,
    )
    return { outcome, id: ref.id, locator: ref.id }
  }

  #setActive(ref: Ref, active: boolean, options?: OpOptions): Promise<WriteResult> {
    return this.#modify(
      'Users',
      ref.id,
      (cur) => {
        const now = cur.active !== false && cur.active !== 'false'
        if (now === active) return undefined
        return {
          ops: [{ op: 'replace', path: 'active', value: active }],
          apply: (copy) => void (copy.active = active),
        }
      },
      options?.signal,
    ).then((outcome) => ({ outcome, id: ref.id, locator: ref.id }))
  }

  enable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#setActive(ref, true, options)
  }

  disable(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    return this.#setActive(ref, false, options)
  }

  async delete(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    const res = await this.#req({
      method: 'DELETE',
      path: `Users/${encodeURIComponent(ref.id)}`,
      accept: [404],
      ...sig(options?.signal),
    })
    return { outcome: res.status === 404 ? 'already-gone' : 'updated', id: ref.id, locator: ref.id }
  }

  /** A provisioned group with this sync key (externalId), checked exactly: a server may match loosely. */
  async #groupByKey(key: string, signal?: AbortSignal): Promise<Json | undefined> {
    const res = await this.#req<ListResponse>({
      path: 'Groups',
      query: {
        filter: eqFilter('externalId', key),
        excludedAttributes: 'members',
        startIndex: 1,
        count: 2,
      },
      ...sig(signal),
    })
    const found = (res.body?.Resources ?? []).filter((g) => g.externalId === key)
    if (found.length > 1)
      throw new ConnectorError(
        'conflict',
        `${this.name}: ${found.length} groups have externalId ${JSON.stringify(key)}`,
      )
    return found[0]
  }

  async createGroup(request: GroupRequest, options?: OpOptions): Promise<WriteResult> {
    const signal = options?.signal
    const mine = await this.#groupByKey(request.key, signal)
    if (mine !== undefined) return groupResult('unchanged', mine)
    const body: Json = {
      schemas: [CORE_GROUP],
      externalId: request.key,
      displayName: request.title,
      members: [],
    }
    for (const [field, value] of Object.entries(request.attributes)) {
      if (GROUP_OWN_FIELDS.has(field) || isEmpty(value)) continue
      setPath(body, parsePath(field), value)
    }
    try {
      const res = await this.#req<Json>({
        method: 'POST',
        path: 'Groups',
        json: body,
        ...sig(signal),
      })
      return groupResult('created', res.body ?? {})
    } catch (e) {
      if (!(ConnectorError.isInstance(e) && e.kind === 'conflict')) throw e
      // our own create from a parallel or crashed try, or a group Koppel does not manage
      const again = await this.#groupByKey(request.key, signal)
      if (again !== undefined) return groupResult('unchanged', again)
      throw new ConnectorError(
        'conflict',
        `${this.name}: group ${JSON.stringify(request.title)} already exists and is not Koppel's (no externalId ${JSON.stringify(request.key)}); a group Koppel does not manage is never overwritten: rename it, or set externalId ${JSON.stringify(request.key)} on it to let Koppel adopt it`,
        { cause: e, code: 409 },
      )
    }
  }

  async updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    options?: OpOptions,
  ): Promise<WriteResult> {
    const id = groupIdOf(ref)
    const parsed = changes.flatMap((c) => {
      if (c.field === 'title') return [{ p: parsePath('displayName'), value: request.title }]
      if (GROUP_OWN_FIELDS.has(c.field)) return []
      return [{ p: parsePath(c.field), value: isEmpty(c.new) ? undefined : c.new }]
    })
    const outcome = await this.#modify(
      'Groups',
      id,
      (cur) => {
        const ops = parsed
          .map(({ p, value }) => patchOperation(cur, p, value))
          .filter((o): o is PatchOperation => o !== undefined)
        return { ops, apply: (copy) => parsed.forEach(({ p, value }) => setPath(copy, p, value)) }
      },
      options?.signal,
    )
    // a permission named by the old title must not find the group under it any more
    this.#groupIds.clear()
    return { outcome, id, locator: groupLocator(id) }
  }

  async deleteGroup(ref: Ref, options?: OpOptions): Promise<WriteResult> {
    const id = groupIdOf(ref)
    const res = await this.#req({
      method: 'DELETE',
      path: `Groups/${encodeURIComponent(id)}`,
      accept: [404],
      ...sig(options?.signal),
    })
    this.#groupIds.clear()
    return { outcome: res.status === 404 ? 'already-gone' : 'updated', id, locator: ref.locator }
  }

  /** The group's SCIM id for a displayName; created when missing and `groups.createMissing`. */
  #groupId(displayName: string, signal?: AbortSignal): Promise<string> {
    // a provisioned group is named by its locator, `Groups/<id>`
    if (displayName.startsWith(GROUP_LOCATOR))
      return Promise.resolve(groupIdOf({ id: '', locator: displayName }))
    let p = this.#groupIds.get(displayName)
    if (p === undefined) {
      p = this.#resolveGroup(displayName, signal)
      this.#groupIds.set(displayName, p)
      p.catch(() => this.#groupIds.delete(displayName))
    }
    return p
  }

  async #resolveGroup(displayName: string, signal?: AbortSignal): Promise<string> {
    const look = async () => {
      const res = await this.#req<ListResponse>({
        path: 'Groups',
        query: {
          filter: eqFilter('displayName', displayName),
          excludedAttributes: 'members',
          startIndex: 1,
          count: 2,
        },
        ...sig(signal),
      })
      return (res.body?.Resources ?? []).find((g) => g.displayName === displayName)
    }
    const found = await look()
    if (found !== undefined) return String(found.id)
    if (!this.#options.groups.createMissing)
      throw new ConnectorError(
        'not-found',
        `${this.name}: group ${JSON.stringify(displayName)} does not exist (groups.createMissing is off)`,
      )
    try {
      const res = await this.#req<Json>({
        method: 'POST',
        path: 'Groups',
        json: { schemas: [CORE_GROUP], displayName, members: [] },
        ...sig(signal),
      })
      return String(res.body?.id)
    } catch (e) {
      if (!(ConnectorError.isInstance(e) && e.kind === 'conflict')) throw e
      const again = await look() // created by a parallel grant
      if (again === undefined) throw e
      return String(again.id)
    }
  }

  async #membership(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    add: boolean,
    options?: OpOptions,
  ): Promise<WriteResult> {
    if (permission.type !== 'group')
      throw new ConnectorError(
        'unsupported',
        `${this.name}: permission type ${JSON.stringify(permission.type)} is not supported (only group)`,
      )
    if (permission.role !== undefined && permission.role !== 'member')
      throw new ConnectorError(
        'unsupported',
        `${this.name}: role ${JSON.stringify(permission.role)} in group ${JSON.stringify(permission.id)}: a SCIM group has members only (RFC 7643 §4.2); grant role member`,
      )
    const gid = await this.#groupId(permission.id, options?.signal)
    const outcome = await this.#modify(
      'Groups',
      gid,
      (cur) => {
        const members = Array.isArray(cur.members) ? (cur.members as Json[]) : []
        const held = members.some((m) => String(m.value) === ref.id)
        if (held === add) return undefined
        const op: PatchOperation = add
          ? { op: 'add', path: 'members', value: [{ value: ref.id }] }
          : { op: 'remove', path: `members[value eq ${JSON.stringify(ref.id)}]` }
        return {
          ops: [op],
          apply: (copy) =>
            void (copy.members = add
              ? [...members, { value: ref.id }]
              : members.filter((m) => String(m.value) !== ref.id)),
        }
      },
      options?.signal,
    )
    return { outcome, id: ref.id, locator: ref.id }
  }

  grant(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    return this.#membership(ref, permission, true, options)
  }

  revoke(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
    options?: OpOptions,
  ): Promise<WriteResult> {
    return this.#membership(ref, permission, false, options)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

/** Fields of a group request that are Koppel's own; RFC 7643's Group has no description, type or parent. */
const GROUP_OWN_FIELDS = new Set(['title', 'description', 'type', 'parent', 'archived'])
const GROUP_LOCATOR = 'Groups/'
const groupLocator = (id: string) => `${GROUP_LOCATOR}${id}`

function groupIdOf(ref: Ref): string {
  if (ref.locator.startsWith(GROUP_LOCATOR) && ref.locator.length > GROUP_LOCATOR.length)
    return ref.locator.slice(GROUP_LOCATOR.length)
  if (ref.id !== '') return ref.id
  throw new ConnectorError(
    'invalid',
    `group locator ${JSON.stringify(ref.locator)} is not Groups/<id>`,
  )
}

function groupResult(outcome: 'created' | 'unchanged', group: Json): WriteResult {
  const id = typeof group.id === 'string' || typeof group.id === 'number' ? String(group.id) : ''
  if (id === '') throw new ConnectorError('invalid', 'a group came back without an id')
  return { outcome, id, locator: groupLocator(id) }
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal }
}
