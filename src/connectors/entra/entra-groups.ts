// Groups Koppel provisions in Entra ID (issue 14): security groups, or Microsoft 365 groups when the group set asks
// (`attributes: { groupKind: microsoft365 }`), through Microsoft Graph `POST/PATCH/DELETE /groups`.
//
// The sync key. Graph has no free property to carry it that every tenant can filter on without registering a
// directory extension first, but every group has a `mailNickname` (required on create, filterable with `eq`, 64
// ASCII characters, unique for Microsoft 365 groups). The key is kept there as `<prefix><readable part>-<hash>`:
// the hash of the whole key makes two keys never share a nickname, the readable part lets an admin see which
// group it is. A retried create finds its group by that nickname; a group with the requested display name but
// without the nickname is not Koppel's: a conflict, never taken over (to adopt it, give it the nickname that the
// error message names).
//
// Archive. Entra has no archive for groups (Teams archives a team, not its group), so archiving is, when
// `groups.archivePrefix` is set, a rename to `<prefix><title>`, members and owners kept (the archive keeps who was
// in the course); without it the group stays as it is and only the ledger marks it. Delete moves the group to
// deleted items, where Graph keeps it 30 days.
import { createHash } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import {
  ConnectorError,
  type GroupRequest,
  type Ref,
  type WriteResult,
} from '../../contract/index.ts'
import type { AttributeValue, FieldChange } from '../../model/index.ts'
import { graphErrorOf, type Graph } from './graph-client.ts'

export interface EntraGroupOptions {
  /** The kind of group a set makes unless its `groupKind` attribute says otherwise. */
  readonly kind: 'security' | 'microsoft365'
  /** Put before the title of an archived group; undefined: archiving is recorded in Koppel's ledger only. */
  readonly archivePrefix?: string | undefined
  /** Start of every mailNickname that carries a sync key. */
  readonly keyPrefix: string
}

/** Fields of a group request that are Koppel's own; `title` and `description` are written as displayName/description. */
const OWN_FIELDS = new Set([
  'title',
  'description',
  'type',
  'parent',
  'archived',
  'groupKind',
  'visibility',
])
const VISIBILITY = new Set(['Private', 'Public', 'HiddenMembership'])
const MAX_NICKNAME = 64
/** learn.microsoft.com/graph/api/resources/group: displayName at most 256 characters. */
const MAX_TITLE = 256

type GraphGroup = { id?: unknown; displayName?: unknown; mailNickname?: unknown }

export class EntraGroups {
  readonly #graph: Graph
  readonly #o: EntraGroupOptions
  readonly #lookup: { readonly attempts: number; readonly delayMs: number }

  /** `lookup`: how often and how far apart a create whose answer was lost looks for the group it may have made. */
  constructor(
    graph: Graph,
    options: EntraGroupOptions,
    lookup: { readonly attempts: number; readonly delayMs: number },
  ) {
    this.#graph = graph
    this.#o = options
    this.#lookup = lookup
  }

  async create(request: GroupRequest, signal?: AbortSignal): Promise<WriteResult> {
    const nickname = this.nicknameOf(request.key)
    const body = this.#createBody(request, nickname)
    const mine = await this.#byNickname(nickname, signal)
    if (mine !== undefined) return { outcome: 'unchanged', id: mine, locator: mine }
    const other = await this.#byDisplayName(String(body.displayName), signal)
    if (other !== undefined) throw this.#conflict(request, nickname, other)
    let answer
    try {
      answer = await this.#graph.call(
        { method: 'POST', url: '/groups', body, accept: [400] },
        signal,
      )
    } catch (e) {
      if (!ConnectorError.isInstance(e) || e.kind !== 'transient') throw e
      // the POST may have landed: its nickname says so, once Entra has replicated it
      for (let attempt = 1; attempt <= this.#lookup.attempts; attempt++) {
        const landed = await this.#byNickname(nickname, signal)
        if (landed !== undefined) return { outcome: 'created', id: landed, locator: landed }
        if (attempt < this.#lookup.attempts)
          await delay(this.#lookup.delayMs, undefined, { signal })
      }
      throw e
    }
    if (answer.status === 400) {
      const err = graphErrorOf(answer.body)
      const text = [err?.code, err?.message].filter(Boolean).join(': ')
      const taken = err?.details?.some((d) => d.code === 'ObjectConflict') === true
      if (taken) {
        // a Microsoft 365 nickname is unique: the holder is ours (a create that raced) or someone else's
        const holder = await this.#byNickname(nickname, signal)
        if (holder !== undefined) return { outcome: 'unchanged', id: holder, locator: holder }
        throw new ConnectorError(
          'conflict',
          `group ${request.key}: mailNickname ${nickname} is taken by an object that is not one of Koppel's groups (${text})`,
          { code: 400 },
        )
      }
      throw new ConnectorError(
        'invalid',
        `group ${request.key}: POST /v1.0/groups answered 400: ${text}`,
        { code: 400 },
      )
    }
    const id = (answer.body as GraphGroup | undefined)?.id
    if (typeof id !== 'string')
      throw new ConnectorError(
        'invalid',
        `group ${request.key}: POST /v1.0/groups answered without an id`,
      )
    return { outcome: 'created', id, locator: id }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    signal?: AbortSignal,
  ): Promise<WriteResult> {
    const body: Record<string, unknown> = {}
    for (const c of changes) {
      // a group-update always leaves the group active: a rename or a restore writes the plain title
      if (c.field === 'title' || c.field === 'archived') body.displayName = titleOf(request)
      else if (c.field === 'description') body.description = text(c.new) ?? null
      else if (c.field === 'visibility') body.visibility = this.#visibility(request, c.new)
      else if (c.field === 'groupKind') {
        throw new ConnectorError(
          'invalid',
          `group ${request.key}: groupKind cannot change after the group is made (Graph does not turn a security group into a Microsoft 365 group)`,
        )
      } else if (!OWN_FIELDS.has(c.field)) throw unknownField(request, c.field)
    }
    if (Object.keys(body).length === 0)
      return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    await this.#patch(ref, body, request.key, signal)
    return { outcome: 'updated', id: ref.id, locator: ref.locator }
  }

  get archives(): boolean {
    return this.#o.archivePrefix !== undefined
  }

  async archive(ref: Ref, signal?: AbortSignal): Promise<WriteResult> {
    const prefix = this.#o.archivePrefix
    if (prefix === undefined) return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    const a = await this.#graph.call(
      { method: 'GET', url: `/groups/${enc(ref.id)}?$select=id,displayName` },
      signal,
    )
    const name = (a.body as GraphGroup | undefined)?.displayName
    if (typeof name !== 'string')
      throw new ConnectorError(
        'invalid',
        `GET /v1.0/groups/${ref.id}: the answer has no displayName`,
      )
    if (name.startsWith(prefix)) return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    await this.#patch(ref, { displayName: `${prefix}${name}`.slice(0, MAX_TITLE) }, ref.id, signal)
    return { outcome: 'updated', id: ref.id, locator: ref.locator }
  }

  async delete(ref: Ref, signal?: AbortSignal): Promise<WriteResult> {
    const a = await this.#graph.call(
      { method: 'DELETE', url: `/groups/${enc(ref.id)}`, accept: [404] },
      signal,
    )
    return {
      outcome: a.status === 404 ? 'already-gone' : 'updated',
      id: ref.id,
      locator: ref.locator,
    }
  }

  /** The mailNickname that carries a sync key: readable, at most 64 characters, distinct per key. */
  nicknameOf(key: string): string {
    const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)
    const readable = key
      .normalize('NFD')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
    const room = MAX_NICKNAME - this.#o.keyPrefix.length - hash.length - 1
    return `${this.#o.keyPrefix}${readable.slice(0, Math.max(0, room)).replace(/[-.]+$/, '')}-${hash}`
  }

  #createBody(request: GroupRequest, nickname: string): Record<string, unknown> {
    for (const name of Object.keys(request.attributes))
      if (!OWN_FIELDS.has(name)) throw unknownField(request, name)
    const kindText = text(request.attributes['groupKind']) ?? this.#o.kind
    if (kindText !== 'security' && kindText !== 'microsoft365') {
      throw new ConnectorError(
        'invalid',
        `group ${request.key}: groupKind must be security or microsoft365, got ${JSON.stringify(kindText)}`,
      )
    }
    const unified = kindText === 'microsoft365'
    const body: Record<string, unknown> = {
      displayName: titleOf(request),
      mailNickname: nickname,
      // Graph makes Microsoft 365 groups (mail-enabled) and security groups (not mail-enabled) only
      mailEnabled: unified,
      securityEnabled: !unified,
      groupTypes: unified ? ['Unified'] : [],
    }
    const description = text(request.attributes['description'])
    if (description !== undefined) body.description = description
    if (request.attributes['visibility'] !== undefined)
      body.visibility = this.#visibility(request, request.attributes['visibility'])
    return body
  }

  #visibility(request: GroupRequest, value: AttributeValue | undefined): string | null {
    const v = text(value)
    if (v === undefined) return null
    if (!VISIBILITY.has(v))
      throw new ConnectorError(
        'invalid',
        `group ${request.key}: visibility must be Private, Public or HiddenMembership, got ${JSON.stringify(v)}`,
      )
    return v
  }

  async #patch(
    ref: Ref,
    body: Record<string, unknown>,
    key: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const a = await this.#graph.call(
      { method: 'PATCH', url: `/groups/${enc(ref.id)}`, body, accept: [400, 404] },
      signal,
    )
    if (a.status === 404)
      throw new ConnectorError(
        'not-found',
        `group ${key}: Entra group ${ref.id} does not exist (deleted outside Koppel?)`,
        { code: 404 },
      )
    if (a.status === 400) {
      const err = graphErrorOf(a.body)
      throw new ConnectorError(
        'invalid',
        `group ${key}: PATCH /v1.0/groups/${ref.id} answered 400: ${[err?.code, err?.message].filter(Boolean).join(': ')}`,
        { code: 400 },
      )
    }
  }

  async #byNickname(nickname: string, signal?: AbortSignal): Promise<string | undefined> {
    const found = await this.#find(`mailNickname eq ${odata(nickname)}`, signal)
    if (found.length > 1)
      throw new ConnectorError(
        'conflict',
        `${found.length} Entra groups have mailNickname ${nickname} (${found.map((g) => String(g.id)).join(', ')}); remove the copy Koppel should not manage`,
      )
    return found[0] === undefined ? undefined : String(found[0].id)
  }

  async #byDisplayName(name: string, signal?: AbortSignal): Promise<GraphGroup | undefined> {
    return (await this.#find(`displayName eq ${odata(name)}`, signal))[0]
  }

  async #find(filter: string, signal?: AbortSignal): Promise<GraphGroup[]> {
    const a = await this.#graph.call(
      {
        method: 'GET',
        url: `/groups?$filter=${enc(filter)}&$select=id,displayName,mailNickname&$top=2`,
      },
      signal,
    )
    const value = (a.body as { value?: unknown } | undefined)?.value
    if (!Array.isArray(value))
      throw new ConnectorError('invalid', 'GET /v1.0/groups: the answer has no value array')
    for (const [i, g] of (value as GraphGroup[]).entries()) {
      if (typeof g?.id !== 'string')
        throw new ConnectorError(
          'invalid',
          `GET /v1.0/groups?$filter=${filter}: group ${i + 1} has no id`,
        )
    }
    return value as GraphGroup[]
  }

  #conflict(request: GroupRequest, nickname: string, other: GraphGroup): ConnectorError {
    return new ConnectorError(
      'conflict',
      `group ${request.key}: Entra group ${JSON.stringify(request.title)} (${String(other.id)}) already exists and is not Koppel's (its mailNickname is ${JSON.stringify(other.mailNickname ?? null)}, not ${nickname}); a group Koppel does not manage is never overwritten: rename it, or set its mailNickname to ${nickname} to let Koppel adopt it`,
    )
  }
}

function titleOf(request: GroupRequest): string {
  const t = request.title.trim()
  if (t === '' || t.length > MAX_TITLE)
    throw new ConnectorError(
      'invalid',
      `group ${request.key}: an Entra group needs a title of 1 to ${MAX_TITLE} characters, got ${JSON.stringify(request.title)}`,
    )
  return t
}

function unknownField(request: GroupRequest, name: string): ConnectorError {
  return new ConnectorError(
    'invalid',
    `group ${request.key}: ${JSON.stringify(name)} is not a field an Entra group takes (title, description, groupKind, visibility)`,
  )
}

function text(v: AttributeValue | undefined): string | undefined {
  const s = Array.isArray(v) ? (v as string[]).join(' ') : (v as string | undefined)
  return s === undefined || s === '' ? undefined : s
}

const odata = (value: string) => `'${value.replace(/'/g, "''")}'`
const enc = (s: string) => encodeURIComponent(s)
