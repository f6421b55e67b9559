// A Google Workspace Admin SDK Directory API (v1) simulator: the service-account token endpoint (RFC 7523
// JWT bearer grant with domain-wide delegation) and the parts of users/groups/members that provisioning uses.
// Built on the shared simulator HTTP server, so tests inject 403 rateLimitExceeded, 429, 5xx, delays, resets.
import { createHash, randomUUID } from 'node:crypto'
import { importSPKI, jwtVerify, type CryptoKey } from 'jose'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import { matchesQuery, parseUserQuery } from './user-query.ts'
import { applyFields, parseFields, type FieldSelection } from './partial-response.ts'
import { messageOf } from '../../../../src/util/message-of.ts'

export const DIRECTORY_BASE = '/admin/directory/v1'
export const TOKEN_PATH = '/token'
/** The audience Google's token endpoint requires in a service account's JWT, wherever the request is sent
 * (developers.google.com/identity/protocols/oauth2/service-account: "aud … always https://oauth2.googleapis.com/token"). */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token'
export const DIRECTORY_SCOPES = {
  user: 'https://www.googleapis.com/auth/admin.directory.user',
  group: 'https://www.googleapis.com/auth/admin.directory.group',
  member: 'https://www.googleapis.com/auth/admin.directory.group.member',
}

export interface GoogleSimOptions {
  /** The service account allowed to get tokens: its client_email and the PEM of its public key. */
  readonly serviceAccount: { readonly clientEmail: string; readonly publicKeyPem: string }
  /** Scopes granted to the service account by domain-wide delegation (admin console). Default: user, group, member. */
  readonly delegatedScopes?: readonly string[]
  /** Admins the service account may impersonate (`sub`). Default admin@<first domain>. */
  readonly admins?: readonly string[]
  /** Domains of the customer; primary e-mails must be in one of them. Default ['school.test']. */
  readonly domains?: readonly string[]
  readonly customerId?: string
  /** Lifetime of issued access tokens. Default 3599 s, as Google. */
  readonly tokenLifetimeSeconds?: number
  readonly port?: number
  /** Serve HTTPS with this key and certificate (PEM), e.g. from a test CA. */
  readonly tls?: { readonly key: string; readonly cert: string }
}

export interface SimUser {
  id: string
  primaryEmail: string
  name: { givenName?: string; familyName?: string; fullName?: string }
  suspended: boolean
  orgUnitPath: string
  externalIds?: Array<{ value: string; type: string; customType?: string }>
  aliases?: string[]
  recoveryEmail?: string
  /** Further addresses set through `emails` (not the primary one, not aliases). */
  emails?: Array<{ address: string; type?: string; customType?: string; primary?: boolean }>
  creationTime: string
  [key: string]: unknown
}

/** A group: `members` holds the member user ids; `roles` their role when it is not MEMBER (OWNER, MANAGER). */
export interface SimGroup {
  readonly id: string
  email: string
  name: string
  description: string
  readonly aliases: string[]
  readonly members: Set<string>
  readonly roles: Map<string, MemberRole>
}

export type MemberRole = 'OWNER' | 'MANAGER' | 'MEMBER'
const MEMBER_ROLES = new Set<string>(['OWNER', 'MANAGER', 'MEMBER'])
/** groups.insert/patch body fields (developers.google.com/admin-sdk/directory/reference/rest/v1/groups). */
const GROUP_FIELDS = new Set([
  'email',
  'name',
  'description',
  'kind',
  'id',
  'etag',
  'aliases',
  'nonEditableAliases',
  'directMembersCount',
  'adminCreated',
])
/** The description's documented limit. */
const MAX_GROUP_DESCRIPTION = 4096
// GUESS: Google's help names 73 characters as the longest group name; the API's answer to a longer one is guessed.
const MAX_GROUP_NAME = 73

export interface GoogleSim {
  /** Base URL of the Directory API: <url>/admin/directory/v1 */
  readonly apiUrl: string
  readonly tokenUrl: string
  readonly http: SimHttpServer
  readonly users: Map<string, SimUser>
  readonly groups: Map<string, SimGroup>
  /** Forget every issued token (the next API call gets 401; a client re-authenticates). */
  revokeTokens(): void
  /** A group made outside Koppel (as an admin would); returns its id. */
  addGroup(email: string, name?: string, id?: string): string
  close(): Promise<void>
}

/** Google's JSON error body (https://cloud.google.com/apis/design/errors, the v1 `errors[]` form the Admin SDK uses). */
export function googleError(
  code: number,
  reason: string,
  message: string,
  domain = 'global',
  status?: string,
): SimResponse {
  return {
    status: code,
    json: {
      error: {
        code,
        message,
        errors: [{ message, domain, reason }],
        ...(status !== undefined ? { status } : {}),
      },
    },
  }
}

export const rateLimitExceeded = (): SimResponse =>
  googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits')
export const userRateLimitExceeded = (): SimResponse =>
  googleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits')

const USER_FIELDS = new Set([
  'primaryEmail',
  'name',
  'suspended',
  'orgUnitPath',
  'externalIds',
  'recoveryEmail',
  'recoveryPhone',
  'password',
  'hashFunction',
  'changePasswordAtNextLogin',
  'includeInGlobalAddressList',
  'organizations',
  'phones',
  'addresses',
  'customSchemas',
  'suspensionReason',
  'archived',
  'emails',
])
/** users.list orderBy values (developers.google.com/admin-sdk/directory/reference/rest/v1/users/list). */
const USER_ORDER: Record<string, (u: SimUser) => string> = {
  email: (u) => u.primaryEmail,
  givenName: (u) => u.name.givenName ?? '',
  familyName: (u) => u.name.familyName ?? '',
}

/** A strong etag over the resource as served: it changes when the resource does. */
export function etagOf(resource: unknown): string {
  // GUESS: Google's etags are opaque quoted strings; this one is a hash of the served JSON.
  return `"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url').slice(0, 27)}"`
}

export async function startGoogleSim(options: GoogleSimOptions): Promise<GoogleSim> {
  const domains = (options.domains ?? ['school.test']).map((d) => d.toLowerCase())
  const admins = new Set((options.admins ?? [`admin@${domains[0]}`]).map((a) => a.toLowerCase()))
  const delegated = new Set(options.delegatedScopes ?? Object.values(DIRECTORY_SCOPES))
  const customerId = options.customerId ?? 'C01koppel'
  const publicKey: CryptoKey = await importSPKI(options.serviceAccount.publicKeyPem, 'RS256')
  const tokens = new Map<string, number>()
  const users = new Map<string, SimUser>()
  const groups: GoogleSim['groups'] = new Map()

  const byEmail = (email: string): SimUser | undefined => {
    const e = email.toLowerCase()
    for (const u of users.values())
      if (
        u.primaryEmail.toLowerCase() === e ||
        (u.aliases ?? []).some((a) => a.toLowerCase() === e)
      )
        return u
    return undefined
  }
  const userByKey = (key: string) => users.get(key) ?? byEmail(key)
  const groupByKey = (key: string) =>
    groups.get(key) ??
    [...groups.values()].find(
      (g) =>
        g.email.toLowerCase() === key.toLowerCase() ||
        g.aliases.some((a) => a.toLowerCase() === key.toLowerCase()),
    )
  const emailTaken = (email: string, except?: string) => {
    const u = byEmail(email)
    if (u !== undefined && u.id !== except) return true
    return [...groups.values()].some(
      (g) =>
        g.id !== except &&
        (g.email.toLowerCase() === email.toLowerCase() ||
          g.aliases.some((a) => a.toLowerCase() === email.toLowerCase())),
    )
  }
  const inDomain = (email: string) =>
    domains.includes(email.slice(email.lastIndexOf('@') + 1).toLowerCase())

  async function token(req: SimRequest): Promise<SimResponse> {
    const form = new URLSearchParams(req.body)
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return {
        status: 400,
        json: {
          error: 'unsupported_grant_type',
          error_description: 'Invalid grant_type: ' + (form.get('grant_type') ?? ''),
        },
      }
    }
    const assertion = form.get('assertion') ?? ''
    let payload
    try {
      // Google's endpoint takes only its own token URL as the audience, whatever host the request reached.
      ;({ payload } = await jwtVerify(assertion, publicKey, {
        algorithms: ['RS256'],
        audience: GOOGLE_TOKEN_AUDIENCE,
        issuer: options.serviceAccount.clientEmail,
        maxTokenAge: '3600s',
      }))
    } catch (e) {
      const code = (e as { code?: string }).code
      const description =
        code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
          ? 'Invalid JWT Signature.'
          : code === 'ERR_JWT_EXPIRED'
            ? 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'
            : 'Invalid JWT.'
      return { status: 400, json: { error: 'invalid_grant', error_description: description } }
    }
    // Google refuses an assertion whose exp is more than an hour after iat
    if (
      typeof payload.exp !== 'number' ||
      typeof payload.iat !== 'number' ||
      payload.exp - payload.iat > 3600
    ) {
      return {
        status: 400,
        json: {
          error: 'invalid_grant',
          error_description:
            'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
        },
      }
    }
    const scopes = String(payload.scope ?? '')
      .split(/\s+/)
      .filter(Boolean)
    if (scopes.length === 0 || scopes.some((s) => !delegated.has(s))) {
      return {
        status: 401,
        json: {
          error: 'unauthorized_client',
          error_description:
            'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        },
      }
    }
    // GUESS: a `sub` that is not an admin of the domain gets invalid_grant; a service account without `sub` gets a
    // token but the Directory API refuses it (403 Not Authorized to access this resource/api).
    if (typeof payload.sub === 'string' && !admins.has(payload.sub.toLowerCase())) {
      return {
        status: 400,
        json: { error: 'invalid_grant', error_description: 'Invalid email or User ID' },
      }
    }
    const access = `ya29.sim-${randomUUID()}`
    tokens.set(
      access,
      payload.sub === undefined ? -1 : Date.now() + (options.tokenLifetimeSeconds ?? 3599) * 1000,
    )
    return {
      status: 200,
      json: {
        access_token: access,
        expires_in: options.tokenLifetimeSeconds ?? 3599,
        token_type: 'Bearer',
      },
    }
  }

  function authorised(req: SimRequest): SimResponse | undefined {
    const t = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const until = t === undefined ? undefined : tokens.get(t)
    if (until === undefined || (until !== -1 && until < Date.now())) {
      return googleError(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'global',
        'UNAUTHENTICATED',
      )
    }
    if (until === -1)
      return googleError(403, 'forbidden', 'Not Authorized to access this resource/api')
    return undefined
  }

  function present(u: SimUser): Record<string, unknown> {
    const { password: _p, emails: stored, ...rest } = u as SimUser & { password?: string }
    // GUESS: `emails` lists the primary address (primary: true), the aliases, then the addresses set through
    // `emails`, as users.get shows them for a user with aliases.
    const emails = [
      { address: u.primaryEmail, primary: true },
      ...(u.aliases ?? []).map((address) => ({ address })),
      ...(stored ?? []).filter((e) => e.address.toLowerCase() !== u.primaryEmail.toLowerCase()),
    ]
    const body = {
      kind: 'admin#directory#user',
      ...rest,
      emails,
      customerId,
      isAdmin: admins.has(u.primaryEmail.toLowerCase()),
      name: {
        ...u.name,
        fullName: [u.name.givenName, u.name.familyName].filter(Boolean).join(' '),
      },
    }
    return { ...body, etag: etagOf(body) }
  }

  function presentGroup(g: SimGroup): Record<string, unknown> {
    const body = {
      kind: 'admin#directory#group',
      id: g.id,
      email: g.email,
      name: g.name,
      description: g.description,
      directMembersCount: String(g.members.size),
      adminCreated: true,
      ...(g.aliases.length > 0 ? { aliases: [...g.aliases] } : {}),
    }
    return { ...body, etag: etagOf(body) }
  }

  function presentMember(u: SimUser, g?: SimGroup): Record<string, unknown> {
    // GUESS: every member is a direct member (type USER) with status ACTIVE unless suspended.
    const body = {
      kind: 'admin#directory#member',
      id: u.id,
      email: u.primaryEmail,
      role: g?.roles.get(u.id) ?? 'MEMBER',
      type: 'USER',
      status: u.suspended ? 'SUSPENDED' : 'ACTIVE',
    }
    return { ...body, etag: etagOf(body) }
  }

  /** groups.insert/patch: unknown fields, a malformed address, names and descriptions over their limits are 400. */
  function validateGroup(b: Record<string, unknown>, creating: boolean): SimResponse | undefined {
    for (const k of Object.keys(b))
      if (!GROUP_FIELDS.has(k))
        return googleError(
          400,
          'invalid',
          `Invalid JSON payload received. Unknown name "${k}" at 'resource': Cannot find field.`,
        )
    if (
      (creating || b.email !== undefined) &&
      (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.email))
    )
      return googleError(400, 'invalid', 'Invalid Input: email')
    if (typeof b.email === 'string' && !inDomain(b.email))
      return googleError(400, 'invalid', 'Domain not found.') // GUESS: as for users
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > MAX_GROUP_NAME))
      return googleError(400, 'invalid', 'Invalid Input: name') // GUESS: wording
    if (
      b.description !== undefined &&
      (typeof b.description !== 'string' || b.description.length > MAX_GROUP_DESCRIPTION)
    ) {
      return googleError(400, 'invalid', 'Invalid Input: description') // GUESS: wording
    }
    return undefined
  }

  function parseBody(req: SimRequest): Record<string, unknown> | SimResponse {
    try {
      const b = JSON.parse(req.body) as unknown
      if (b === null || typeof b !== 'object' || Array.isArray(b))
        return googleError(400, 'invalid', 'Invalid JSON payload received.')
      return b as Record<string, unknown>
    } catch {
      return googleError(400, 'parseError', 'Parse Error')
    }
  }

  // GUESS: the wording and `reason` of these 400s follow answers quoted in public issue threads, not a
  // documented list; what the connector relies on is the status (400 → invalid).
  function validateUser(b: Record<string, unknown>, creating: boolean): SimResponse | undefined {
    for (const k of Object.keys(b))
      if (!USER_FIELDS.has(k))
        return googleError(
          400,
          'invalid',
          `Invalid JSON payload received. Unknown name "${k}" at 'resource': Cannot find field.`,
        )
    const name = b.name as { givenName?: unknown; familyName?: unknown } | undefined
    if (creating) {
      if (typeof b.primaryEmail !== 'string' || b.primaryEmail === '')
        return googleError(400, 'required', 'Invalid Input: primary_user_email')
      if (typeof name?.givenName !== 'string' || name.givenName === '')
        return googleError(400, 'required', 'Invalid Given/Family Name: GivenName')
      if (typeof name?.familyName !== 'string' || name.familyName === '')
        return googleError(400, 'required', 'Invalid Given/Family Name: FamilyName')
      if (typeof b.password !== 'string' || b.password.length < 8)
        return googleError(400, 'invalid', 'Invalid Password')
    }
    // GUESS: names are checked for length only (60 characters); which characters Google refuses is not documented
    if (
      name !== undefined &&
      ((name.givenName !== undefined && String(name.givenName).length > 60) ||
        (name.familyName !== undefined && String(name.familyName).length > 60))
    ) {
      return googleError(400, 'invalid', 'Invalid Given/Family Name')
    }
    if (
      b.emails !== undefined &&
      b.emails !== null &&
      !(
        Array.isArray(b.emails) &&
        b.emails.every(
          (e) =>
            typeof (e as { address?: unknown })?.address === 'string' &&
            /^[^@\s]+@[^@\s]+$/.test((e as { address: string }).address),
        )
      )
    ) {
      return googleError(400, 'invalid', 'Invalid Input: emails') // GUESS: wording
    }
    if (
      b.primaryEmail !== undefined &&
      (typeof b.primaryEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.primaryEmail))
    )
      return googleError(400, 'invalid', 'Invalid Input: primary_user_email')
    if (typeof b.primaryEmail === 'string' && !inDomain(b.primaryEmail))
      return googleError(400, 'invalid', 'Domain not found.')
    // GUESS: any path starting with / is taken as an existing OU (Google answers INVALID_OU_ID for unknown OUs)
    if (
      b.orgUnitPath !== undefined &&
      (typeof b.orgUnitPath !== 'string' || !b.orgUnitPath.startsWith('/'))
    )
      return googleError(400, 'invalid', 'Invalid Input: INVALID_OU_ID')
    return undefined
  }

  /** Google's PATCH: fields present replace, repeated fields are replaced whole, nested objects merge. */
  function applyPatch(u: SimUser, b: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(b)) {
      if (k === 'name' && v !== null && typeof v === 'object') {
        u.name = { ...u.name, ...(v as SimUser['name']) }
        continue
      }
      if (v === null || v === '') delete u[k]
      else u[k] = v
    }
  }

  function listUsers(req: SimRequest): SimResponse {
    const q = req.url.searchParams
    const customer = q.get('customer')
    const domain = q.get('domain')
    if (customer === null && domain === null) return googleError(400, 'badRequest', 'Bad Request')
    if (customer !== null && customer !== 'my_customer' && customer !== customerId)
      return googleError(400, 'badRequest', 'Bad Request')
    let clauses
    try {
      clauses = parseUserQuery(q.get('query') ?? '')
    } catch (e) {
      return googleError(400, 'invalid', `Invalid Input: ${messageOf(e)}`)
    }
    const max = Math.min(500, Math.max(1, Number(q.get('maxResults') ?? 100) || 100))
    const orderBy = q.get('orderBy')
    const sortOrder = q.get('sortOrder')
    if (orderBy !== null && !(orderBy in USER_ORDER))
      return googleError(400, 'invalid', 'Invalid Input: orderBy') // GUESS: wording
    if (sortOrder !== null && sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING')
      return googleError(400, 'invalid', 'Invalid Input: sortOrder') // GUESS: wording
    const all = [...users.values()].filter(
      (u) =>
        (domain === null || u.primaryEmail.toLowerCase().endsWith(`@${domain.toLowerCase()}`)) &&
        matchesQuery(u, clauses),
    )
    if (orderBy !== null) {
      const key = USER_ORDER[orderBy] as (u: SimUser) => string
      // GUESS: the sort ignores case; ties keep creation order.
      all.sort(
        (a, b) =>
          key(a).toLowerCase().localeCompare(key(b).toLowerCase()) *
          (sortOrder === 'DESCENDING' ? -1 : 1),
      )
    }
    const tokenText = q.get('pageToken')
    let offset = 0
    if (tokenText !== null && tokenText !== '') {
      const m = /^o:(\d+)$/.exec(Buffer.from(tokenText, 'base64url').toString())
      if (m === null) return googleError(400, 'invalid', 'Invalid Input: pageToken')
      offset = Number(m[1])
    }
    const page = all.slice(offset, offset + max)
    const next =
      offset + max < all.length ? Buffer.from(`o:${offset + max}`).toString('base64url') : undefined
    const body = {
      kind: 'admin#directory#users',
      ...(page.length > 0 ? { users: page.map(present) } : {}),
      ...(next ? { nextPageToken: next } : {}),
    }
    return { status: 200, json: { ...body, etag: etagOf(body) } }
  }

  /** groups.list: every group of the customer or domain, or the groups `userKey` is a member of. */
  function listGroups(req: SimRequest): SimResponse {
    const q = req.url.searchParams
    const customer = q.get('customer')
    const domain = q.get('domain')
    const userKey = q.get('userKey')
    if (customer === null && domain === null && userKey === null)
      return googleError(400, 'badRequest', 'Bad Request')
    if (customer !== null && customer !== 'my_customer' && customer !== customerId)
      return googleError(400, 'badRequest', 'Bad Request')
    let all = [...groups.values()].filter(
      (g) => domain === null || g.email.toLowerCase().endsWith(`@${domain.toLowerCase()}`),
    )
    const query = q.get('query')
    if (query !== null && query.trim() !== '') {
      let clauses
      try {
        clauses = parseGroupQuery(query)
      } catch (e) {
        return googleError(400, 'invalid', `Invalid Input: ${messageOf(e)}`) // GUESS: wording
      }
      if (
        clauses.some((c) => c.field === 'memberKey') &&
        clauses.some((c) => c.field !== 'memberKey')
      ) {
        return googleError(
          400,
          'invalid',
          'Invalid Input: memberKey cannot be combined with email or name',
        ) // GUESS: wording; the rule is documented
      }
      all = all.filter((g) => clauses.every((c) => groupMatches(g, c)))
    }
    if (userKey !== null) {
      const u = userByKey(userKey)
      if (u === undefined) return googleError(404, 'notFound', 'Resource Not Found: userKey')
      all = all.filter((g) => g.members.has(u.id))
    }
    const orderBy = q.get('orderBy')
    // groups.list documents only orderBy=email.
    if (orderBy !== null && orderBy !== 'email')
      return googleError(400, 'invalid', 'Invalid Input: orderBy') // GUESS: wording
    if (orderBy === 'email')
      all.sort(
        (a, b) =>
          a.email.toLowerCase().localeCompare(b.email.toLowerCase()) *
          (q.get('sortOrder') === 'DESCENDING' ? -1 : 1),
      )
    // groups.list: maxResults at most 200, default 200.
    const max = Math.min(200, Math.max(1, Number(q.get('maxResults') ?? 200) || 200))
    const tokenText = q.get('pageToken')
    let offset = 0
    if (tokenText !== null && tokenText !== '') {
      const m = /^g:(\d+)$/.exec(Buffer.from(tokenText, 'base64url').toString())
      if (m === null) return googleError(400, 'invalid', 'Invalid Input: pageToken')
      offset = Number(m[1])
    }
    const page = all.slice(offset, offset + max)
    const next =
      offset + max < all.length ? Buffer.from(`g:${offset + max}`).toString('base64url') : undefined
    const body = {
      kind: 'admin#directory#groups',
      ...(page.length > 0 ? { groups: page.map(presentGroup) } : {}),
      ...(next ? { nextPageToken: next } : {}),
    }
    return { status: 200, json: { ...body, etag: etagOf(body) } }
  }

  /** One clause of a groups.list query: `memberKey=` a user, or `email`/`name` equal to, or starting with, a value. */
  function groupMatches(g: SimGroup, c: GroupClause): boolean {
    if (c.field === 'memberKey') {
      const u = userByKey(c.value)
      return u !== undefined && g.members.has(u.id)
    }
    const values = c.field === 'email' ? [g.email, ...g.aliases] : [g.name]
    const want = c.value.toLowerCase()
    // GUESS: matching ignores case, as the users search does
    return values.some((v) =>
      c.prefix ? v.toLowerCase().startsWith(want) : v.toLowerCase() === want,
    )
  }

  /** Every Directory API answer honours `fields` (partial response, developers.google.com/admin-sdk/directory/v1/guides/performance). */
  async function handler(req: SimRequest): Promise<SimResponse> {
    const fieldsText = req.url.searchParams.get('fields')
    let fields: FieldSelection | undefined
    if (fieldsText !== null && req.url.pathname.startsWith(DIRECTORY_BASE + '/')) {
      try {
        fields = parseFields(fieldsText)
      } catch (e) {
        return googleError(400, 'invalidParameter', `Invalid field selection ${messageOf(e)}`)
      }
    }
    const answer = await route(req)
    if (fields === undefined || answer.status >= 300 || answer.json === undefined) return answer
    try {
      return { ...answer, json: applyFields(answer.json, fields) }
    } catch (e) {
      return googleError(400, 'invalidParameter', `Invalid field selection ${messageOf(e)}`)
    }
  }

  async function route(req: SimRequest): Promise<SimResponse> {
    const path = req.url.pathname
    if (path === TOKEN_PATH && req.method === 'POST') return token(req)
    if (!path.startsWith(DIRECTORY_BASE + '/')) return googleError(404, 'notFound', 'Not Found')
    const denied = authorised(req)
    if (denied !== undefined) return denied
    const parts = path
      .slice(DIRECTORY_BASE.length + 1)
      .split('/')
      .map(decodeURIComponent)
    const [collection, key, sub, memberKey] = parts

    if (collection === 'users' && key === undefined) {
      if (req.method === 'GET') return listUsers(req)
      if (req.method === 'POST') {
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const body = b as Record<string, unknown>
        const invalid = validateUser(body, true)
        if (invalid) return invalid
        if (emailTaken(body.primaryEmail as string))
          return googleError(409, 'duplicate', 'Entity already exists.')
        // GUESS: ids are 21-digit numeric strings; Google's are not sequential
        const u: SimUser = {
          id: String(100000000000000000000n + BigInt(users.size + 1) * 7919n),
          primaryEmail: '',
          name: {},
          suspended: false,
          orgUnitPath: '/',
          creationTime: new Date().toISOString(),
        }
        applyPatch(u, body)
        users.set(u.id, u)
        return { status: 200, json: present(u) }
      }
    }
    if (collection === 'users' && key !== undefined && sub === undefined) {
      const u = userByKey(key)
      if (u === undefined) return googleError(404, 'notFound', 'Resource Not Found: userKey')
      if (req.method === 'GET') return { status: 200, json: present(u) }
      if (req.method === 'DELETE') {
        users.delete(u.id)
        for (const g of groups.values()) {
          g.members.delete(u.id)
          g.roles.delete(u.id)
        }
        return { status: 204, text: '' }
      }
      if (req.method === 'PATCH' || req.method === 'PUT') {
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const body = b as Record<string, unknown>
        const invalid = validateUser(body, false)
        if (invalid) return invalid
        const newEmail = body.primaryEmail as string | undefined
        if (newEmail !== undefined && newEmail.toLowerCase() !== u.primaryEmail.toLowerCase()) {
          const holder = byEmail(newEmail)
          if ((holder !== undefined && holder.id !== u.id) || emailTaken(newEmail, u.id))
            return googleError(409, 'duplicate', 'Entity already exists.')
          // Renaming keeps the old primary address as an alias (Google adds it automatically), and the new
          // address stops being an alias if it was one.
          u.aliases = [
            ...(u.aliases ?? []).filter((a) => a.toLowerCase() !== newEmail.toLowerCase()),
            u.primaryEmail,
          ]
        }
        applyPatch(u, body)
        return { status: 200, json: present(u) }
      }
    }
    if (collection === 'groups' && key === undefined && req.method === 'POST') {
      const b = parseBody(req)
      if ('status' in b && typeof b.status === 'number') return b as SimResponse
      const body = b as Record<string, unknown>
      const invalid = validateGroup(body, true)
      if (invalid) return invalid
      const email = String(body.email)
      if (emailTaken(email)) return googleError(409, 'duplicate', 'Entity already exists.')
      const g: SimGroup = {
        id: randomUUID().replace(/-/g, '').slice(0, 17),
        email,
        // the name defaults to the address (an empty name shows the address in the admin console)
        name: typeof body.name === 'string' && body.name !== '' ? body.name : email,
        description: typeof body.description === 'string' ? body.description : '',
        aliases: [],
        members: new Set<string>(),
        roles: new Map(),
      }
      groups.set(g.id, g)
      return { status: 200, json: presentGroup(g) }
    }
    if (collection === 'groups' && key === undefined && req.method === 'GET') return listGroups(req)
    if (collection === 'groups' && key !== undefined) {
      const g = groupByKey(key)
      if (g === undefined) return googleError(404, 'notFound', 'Resource Not Found: groupKey')
      if (sub === undefined && req.method === 'GET') return { status: 200, json: presentGroup(g) }
      if (sub === undefined && (req.method === 'PATCH' || req.method === 'PUT')) {
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const body = b as Record<string, unknown>
        const invalid = validateGroup(body, false)
        if (invalid) return invalid
        if (typeof body.email === 'string' && body.email.toLowerCase() !== g.email.toLowerCase()) {
          if (emailTaken(body.email, g.id))
            return googleError(409, 'duplicate', 'Entity already exists.')
          // GUESS: as for a user, a group's old address stays as an alias
          g.aliases.splice(
            0,
            g.aliases.length,
            ...g.aliases.filter((a) => a.toLowerCase() !== String(body.email).toLowerCase()),
            g.email,
          )
          g.email = body.email
        }
        if (typeof body.name === 'string') g.name = body.name === '' ? g.email : body.name
        if (typeof body.description === 'string') g.description = body.description
        return { status: 200, json: presentGroup(g) }
      }
      if (sub === undefined && req.method === 'DELETE') {
        groups.delete(g.id)
        return { status: 204, text: '' }
      }
      if (sub === 'members' && memberKey === undefined && req.method === 'POST') {
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const m = b as { email?: string; id?: string; role?: unknown }
        // members.insert: role is OWNER, MANAGER or MEMBER (the default)
        if (m.role !== undefined && !MEMBER_ROLES.has(String(m.role)))
          return googleError(400, 'invalid', 'Invalid Input: role') // GUESS: wording
        const u =
          m.id !== undefined
            ? users.get(m.id)
            : m.email !== undefined
              ? byEmail(m.email)
              : undefined
        if (u === undefined) return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        if (g.members.has(u.id)) return googleError(409, 'duplicate', 'Member already exists.')
        g.members.add(u.id)
        if (m.role !== undefined && m.role !== 'MEMBER') g.roles.set(u.id, m.role as MemberRole)
        return { status: 200, json: presentMember(u, g) }
      }
      if (sub === 'members' && memberKey === undefined && req.method === 'GET') {
        // members.list: `roles` takes a comma-separated list of OWNER, MANAGER, MEMBER
        const roles = req.url.searchParams
          .get('roles')
          ?.split(',')
          .map((r) => r.trim().toUpperCase())
        if (roles !== undefined && roles.some((r) => !MEMBER_ROLES.has(r)))
          return googleError(400, 'invalid', 'Invalid Input: roles') // GUESS: wording
        const members = [...g.members]
          .map((id) => users.get(id))
          .filter((u): u is SimUser => u !== undefined)
          .filter((u) => roles === undefined || roles.includes(g.roles.get(u.id) ?? 'MEMBER'))
        // members.list: maxResults at most 200 (the default), pageToken/nextPageToken
        const max = Math.min(
          200,
          Math.max(1, Number(req.url.searchParams.get('maxResults') ?? 200) || 200),
        )
        const tokenText = req.url.searchParams.get('pageToken')
        let offset = 0
        if (tokenText !== null && tokenText !== '') {
          const t = /^m:(\d+)$/.exec(Buffer.from(tokenText, 'base64url').toString())
          if (t === null) return googleError(400, 'invalid', 'Invalid Input: pageToken')
          offset = Number(t[1])
        }
        const page = members.slice(offset, offset + max)
        const next =
          offset + max < members.length
            ? Buffer.from(`m:${offset + max}`).toString('base64url')
            : undefined
        const body = {
          kind: 'admin#directory#members',
          ...(page.length ? { members: page.map((u) => presentMember(u, g)) } : {}),
          ...(next ? { nextPageToken: next } : {}),
        }
        return { status: 200, json: { ...body, etag: etagOf(body) } }
      }
      if (sub === 'members' && memberKey !== undefined && req.method === 'GET') {
        const u = userByKey(memberKey)
        if (u === undefined || !g.members.has(u.id))
          return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        return { status: 200, json: presentMember(u, g) }
      }
      if (
        sub === 'members' &&
        memberKey !== undefined &&
        (req.method === 'PATCH' || req.method === 'PUT')
      ) {
        const u = userByKey(memberKey)
        if (u === undefined || !g.members.has(u.id))
          return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const role = (b as { role?: unknown }).role
        if (role !== undefined && !MEMBER_ROLES.has(String(role)))
          return googleError(400, 'invalid', 'Invalid Input: role') // GUESS: wording
        if (role === 'MEMBER') g.roles.delete(u.id)
        else if (role !== undefined) g.roles.set(u.id, role as MemberRole)
        return { status: 200, json: presentMember(u, g) }
      }
      if (sub === 'members' && memberKey !== undefined && req.method === 'DELETE') {
        const u = userByKey(memberKey)
        if (u === undefined || !g.members.has(u.id))
          return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        g.members.delete(u.id)
        g.roles.delete(u.id)
        return { status: 204, text: '' }
      }
      if (sub === 'hasMember' && memberKey !== undefined && req.method === 'GET') {
        const u = userByKey(memberKey)
        if (u === undefined) return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        return { status: 200, json: { isMember: g.members.has(u.id) } }
      }
    }
    return googleError(404, 'notFound', 'Not Found')
  }

  const http = await startSimHttpServer(handler, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
  })
  const tokenUrl = `${http.url}${TOKEN_PATH}`
  return {
    apiUrl: `${http.url}${DIRECTORY_BASE}`,
    tokenUrl,
    http,
    users,
    groups,
    revokeTokens: () => tokens.clear(),
    addGroup(
      email,
      name = email.split('@')[0] ?? email,
      id = randomUUID().replace(/-/g, '').slice(0, 17),
    ) {
      groups.set(id, {
        id,
        email,
        name,
        description: '',
        aliases: [],
        members: new Set(),
        roles: new Map(),
      })
      return id
    },
    close: () => http.close(),
  }
}

interface GroupClause {
  readonly field: 'email' | 'name' | 'memberKey'
  readonly value: string
  /** `field:value*`: the value starts with it. */
  readonly prefix: boolean
}

/**
 * A groups.list `query` (developers.google.com/admin-sdk/directory/v1/guides/search-groups): whitespace-separated
 * clauses joined by AND; fields email and name with `=` or `:{PREFIX}*`, memberKey with `=`; a value in single
 * quotes when it has whitespace, `\'` for a quote inside.
 */
export function parseGroupQuery(text: string): GroupClause[] {
  const out: GroupClause[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i] as string)) {
      i++
      continue
    }
    const m = /^(email|name|memberKey)(=|:)/.exec(text.slice(i))
    if (m === null) throw new Error(`unknown search clause at ${JSON.stringify(text.slice(i))}`)
    i += m[0].length
    let value = ''
    if (text[i] === "'") {
      i++
      for (; i < text.length && text[i] !== "'"; i++)
        value +=
          text[i] === '\\' && i + 1 < text.length ? (text[++i] as string) : (text[i] as string)
      if (text[i] !== "'") throw new Error('unterminated quoted value')
      i++
    } else {
      for (; i < text.length && !/\s/.test(text[i] as string); i++) value += text[i]
    }
    const field = m[1] as GroupClause['field']
    const prefix = m[2] === ':'
    if (prefix && (field === 'memberKey' || !value.endsWith('*')))
      throw new Error(
        `${field}: takes ${field === 'memberKey' ? 'only =' : 'a prefix ending in *'}`,
      )
    out.push({ field, value: prefix ? value.slice(0, -1) : value, prefix })
  }
  return out
}
