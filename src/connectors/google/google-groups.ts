// Groups Koppel provisions in Google Workspace (issue 14) through the Directory API: groups.insert/patch/delete,
// members with role MEMBER or OWNER.
//
// The group's address is its key. Directory API groups have no field of their own for a sync key, but a group's
// email is unique in the customer and `groups.get` finds it at once (the search index behind `groups.list?query`
// lags by up to hours). So the address is made from the sync key: `<prefix><readable key>-<hash>@<domain>`,
// the hash of the whole key keeping two keys apart. A retried create finds its group by that address. A group
// whose display name is the title but whose address is not Koppel's is a conflict, never taken over (to adopt
// it, give it the address the error names). The title is the group's `name`, so a rename changes no address.
//
// Roles. A member has one role in a Google group. `owner` is OWNER (it includes membership), `member` is MEMBER;
// granting `owner` to a member raises the role, granting `member` to an owner leaves the owner. A revoke removes
// the member only when it holds the revoked role.
//
// Archive. Google groups have no archived state in the Directory API; with `groups.archivePrefix` archiving renames
// the group to `<prefix><title>` (members stay), without it only Koppel's ledger marks it. Delete is groups.delete.
import { createHash } from 'node:crypto'
import {
  ConnectorError,
  type GroupRequest,
  type Ref,
  type WriteResult,
} from '../../contract/index.ts'
import type { AttributeValue, FieldChange } from '../../model/index.ts'
import type { HttpRequest } from '../../protocol/index.ts'

export interface GoogleGroupOptions {
  /** The domain of the addresses Koppel gives its groups. */
  readonly domain: string | undefined
  readonly archivePrefix?: string | undefined
  readonly keyPrefix: string
}

/** How the Google target calls the Directory API (its #call, with the 403 rate-limit mapping). */
export type DirectoryCall = <T>(req: HttpRequest) => Promise<{ status: number; body: T }>

interface GoogleGroup {
  id?: string
  email?: string
  name?: string
}

interface GoogleMember {
  role?: string
}

/** Fields of a group request that are Koppel's own; `title` and `description` become name and description. */
const OWN_FIELDS = new Set(['title', 'description', 'type', 'parent', 'archived'])
const MAX_LOCAL_PART = 64
// GUESS: Google's help names 73 characters as the longest group name
const MAX_NAME = 73
const MAX_DESCRIPTION = 4096

export class GoogleGroups {
  readonly #call: DirectoryCall
  readonly #o: GoogleGroupOptions
  readonly #scope: () => Record<string, string>

  constructor(
    call: DirectoryCall,
    options: GoogleGroupOptions,
    scope: () => Record<string, string>,
  ) {
    this.#call = call
    this.#o = options
    this.#scope = scope
  }

  get archives(): boolean {
    return this.#o.archivePrefix !== undefined
  }

  async create(request: GroupRequest, signal?: AbortSignal): Promise<WriteResult> {
    const email = this.emailOf(request.key)
    const body = this.#createBody(request, email)
    const mine = await this.#get(email, signal)
    if (mine !== undefined)
      return { outcome: 'unchanged', id: String(mine.id), locator: String(mine.email) }
    const other = await this.#byName(String(body.name), signal)
    if (other !== undefined)
      throw this.#conflict(
        request,
        email,
        `group ${JSON.stringify(other.name)} <${String(other.email)}>`,
      )
    let res
    try {
      res = await this.#call<GoogleGroup>({
        method: 'POST',
        path: 'groups',
        json: body,
        ...sig(signal),
      })
    } catch (e) {
      if (!ConnectorError.isInstance(e) || (e.code !== 409 && e.kind !== 'transient')) throw e
      // the address is taken, or the insert's answer was lost: ours if it is a group now (groups.get is consistent)
      const landed = await this.#get(email, signal)
      if (landed !== undefined)
        return {
          outcome: e.code === 409 ? 'unchanged' : 'created',
          id: String(landed.id),
          locator: String(landed.email),
        }
      if (e.code === 409) throw this.#conflict(request, email, 'a user or an alias', e)
      throw e
    }
    if (typeof res.body?.id !== 'string')
      throw new ConnectorError(
        'invalid',
        `group ${request.key}: groups.insert answered without an id`,
      )
    return { outcome: 'created', id: res.body.id, locator: String(res.body.email ?? email) }
  }

  async update(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
    signal?: AbortSignal,
  ): Promise<WriteResult> {
    const body: Record<string, unknown> = {}
    for (const c of changes) {
      // a group-update leaves the group active: a rename or a restore writes the plain title
      if (c.field === 'title' || c.field === 'archived') body.name = nameOf(request)
      else if (c.field === 'description') body.description = descriptionOf(request, c.new) ?? ''
      else if (!OWN_FIELDS.has(c.field)) throw unknownField(request, c.field)
    }
    if (Object.keys(body).length === 0)
      return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    const res = await this.#patch(ref, body, request.key, signal)
    return { outcome: 'updated', id: ref.id, locator: String(res.email ?? ref.locator) }
  }

  async archive(ref: Ref, signal?: AbortSignal): Promise<WriteResult> {
    const prefix = this.#o.archivePrefix
    if (prefix === undefined) return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
    const g = await this.#get(ref.id, signal)
    if (g === undefined)
      throw new ConnectorError(
        'not-found',
        `Google group ${ref.locator} (${ref.id}) does not exist`,
        { code: 404 },
      )
    const name = String(g.name ?? '')
    if (name.startsWith(prefix))
      return { outcome: 'unchanged', id: ref.id, locator: String(g.email ?? ref.locator) }
    await this.#patch(ref, { name: `${prefix}${name}`.slice(0, MAX_NAME) }, ref.id, signal)
    return { outcome: 'updated', id: ref.id, locator: String(g.email ?? ref.locator) }
  }

  async delete(ref: Ref, signal?: AbortSignal): Promise<WriteResult> {
    const res = await this.#call({
      method: 'DELETE',
      path: `groups/${enc(ref.id)}`,
      accept: [404],
      ...sig(signal),
    })
    return {
      outcome: res.status === 404 ? 'already-gone' : 'updated',
      id: ref.id,
      locator: ref.locator,
    }
  }

  /** Adds a member with a role (`member`, `owner`); see the file comment for how the two combine. */
  async grant(
    group: string,
    memberId: string,
    role: string | undefined,
    signal?: AbortSignal,
  ): Promise<'updated' | 'unchanged'> {
    const want = roleOf(role)
    const res = await this.#call<GoogleMember>({
      method: 'POST',
      path: `groups/${enc(group)}/members`,
      json: { id: memberId, role: want },
      accept: [409],
      ...sig(signal),
    })
    if (res.status !== 409) return 'updated'
    if (want === 'MEMBER') return 'unchanged'
    const held = await this.#member(group, memberId, signal)
    if (held?.role === 'OWNER') return 'unchanged'
    await this.#call({
      method: 'PATCH',
      path: `groups/${enc(group)}/members/${enc(memberId)}`,
      json: { role: 'OWNER' },
      ...sig(signal),
    })
    return 'updated'
  }

  async revoke(
    group: string,
    memberId: string,
    role: string | undefined,
    signal?: AbortSignal,
  ): Promise<'updated' | 'unchanged'> {
    const want = roleOf(role)
    if (role !== undefined) {
      const held = await this.#member(group, memberId, signal)
      if (held === undefined || (held.role ?? 'MEMBER') !== want) return 'unchanged'
    }
    const res = await this.#call({
      method: 'DELETE',
      path: `groups/${enc(group)}/members/${enc(memberId)}`,
      accept: [404],
      ...sig(signal),
    })
    return res.status === 404 ? 'unchanged' : 'updated'
  }

  /** The address that carries a sync key: readable, a local part of at most 64 characters, distinct per key. */
  emailOf(key: string): string {
    const domain = this.#o.domain
    if (domain === undefined)
      throw new ConnectorError(
        'config',
        'groups.domain (or domain) must be set to provision groups: the domain of the addresses Koppel gives its groups',
      )
    const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)
    const readable = key
      .normalize('NFD')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .replace(/\.{2,}/g, '.')
    const room = MAX_LOCAL_PART - this.#o.keyPrefix.length - hash.length - 1
    return `${this.#o.keyPrefix}${readable.slice(0, Math.max(0, room)).replace(/[-.]+$/, '')}-${hash}@${domain}`
  }

  #createBody(request: GroupRequest, email: string): Record<string, unknown> {
    for (const name of Object.keys(request.attributes))
      if (!OWN_FIELDS.has(name)) throw unknownField(request, name)
    const body: Record<string, unknown> = { email, name: nameOf(request) }
    const description = descriptionOf(request, request.attributes['description'])
    if (description !== undefined) body.description = description
    return body
  }

  async #get(key: string, signal?: AbortSignal): Promise<GoogleGroup | undefined> {
    const res = await this.#call<GoogleGroup>({
      path: `groups/${enc(key)}`,
      accept: [404],
      ...sig(signal),
    })
    if (res.status === 404) return undefined
    if (typeof res.body?.id !== 'string')
      throw new ConnectorError('invalid', `groups.get ${key}: the answer has no id`)
    return res.body
  }

  async #byName(name: string, signal?: AbortSignal): Promise<GoogleGroup | undefined> {
    const res = await this.#call<{ groups?: GoogleGroup[] }>({
      path: 'groups',
      query: { ...this.#scope(), query: `name=${quoted(name)}`, maxResults: 2 },
      ...sig(signal),
    })
    // the search matches case-insensitively: keep exact names
    return (res.body?.groups ?? []).find((g) => g.name === name)
  }

  async #member(
    group: string,
    memberId: string,
    signal?: AbortSignal,
  ): Promise<GoogleMember | undefined> {
    const res = await this.#call<GoogleMember>({
      path: `groups/${enc(group)}/members/${enc(memberId)}`,
      accept: [404],
      ...sig(signal),
    })
    return res.status === 404 ? undefined : res.body
  }

  async #patch(
    ref: Ref,
    body: Record<string, unknown>,
    key: string,
    signal?: AbortSignal,
  ): Promise<GoogleGroup> {
    const res = await this.#call<GoogleGroup>({
      method: 'PATCH',
      path: `groups/${enc(ref.id)}`,
      json: body,
      accept: [404],
      ...sig(signal),
    })
    if (res.status === 404)
      throw new ConnectorError(
        'not-found',
        `group ${key}: Google group ${ref.locator} (${ref.id}) does not exist (deleted outside Koppel?)`,
        { code: 404 },
      )
    return res.body ?? {}
  }

  #conflict(request: GroupRequest, email: string, holder: string, cause?: unknown): ConnectorError {
    return new ConnectorError(
      'conflict',
      `group ${request.key}: ${holder} already exists and is not Koppel's (Koppel's group would be ${email}); a group Koppel does not manage is never overwritten: rename it, or change its address to ${email} to let Koppel adopt it`,
      { code: 409, ...(cause !== undefined ? { cause } : {}) },
    )
  }
}

function roleOf(role: string | undefined): 'MEMBER' | 'OWNER' {
  if (role === undefined || role === 'member') return 'MEMBER'
  if (role === 'owner') return 'OWNER'
  throw new ConnectorError(
    'unsupported',
    `role ${JSON.stringify(role)}: a Google group has members and owners only`,
  )
}

function nameOf(request: GroupRequest): string {
  const t = request.title.trim()
  if (t === '' || t.length > MAX_NAME)
    throw new ConnectorError(
      'invalid',
      `group ${request.key}: a Google group needs a title of 1 to ${MAX_NAME} characters, got ${JSON.stringify(request.title)}`,
    )
  return t
}

function descriptionOf(request: GroupRequest, v: AttributeValue | undefined): string | undefined {
  const s = Array.isArray(v) ? (v as string[]).join(' ') : (v as string | undefined)
  if (s === undefined || s === '') return undefined
  if (s.length > MAX_DESCRIPTION)
    throw new ConnectorError(
      'invalid',
      `group ${request.key}: description is longer than Google's ${MAX_DESCRIPTION} characters`,
    )
  return s
}

function unknownField(request: GroupRequest, name: string): ConnectorError {
  return new ConnectorError(
    'invalid',
    `group ${request.key}: ${JSON.stringify(name)} is not a field a Google group takes (title, description)`,
  )
}

/** A value in a groups.list query: in single quotes, a quote inside escaped with a backslash. */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

const enc = (s: string) => encodeURIComponent(s)
const sig = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { signal })
