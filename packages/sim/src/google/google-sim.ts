// A Google Workspace Admin SDK Directory API (v1) simulator: the service-account token endpoint (RFC 7523
// JWT bearer grant with domain-wide delegation) and the parts of users/groups/members that provisioning uses.
// Built on the shared simulator HTTP server, so tests inject 403 rateLimitExceeded, 429, 5xx, delays, resets.
import { createHash, randomUUID } from 'node:crypto'
import { importSPKI, jwtVerify, type CryptoKey } from 'jose'
import { startSimHttpServer, type SimHttpServer, type SimRequest, type SimResponse } from '../http/sim-http-server.ts'
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

export interface GoogleSim {
  /** Base URL of the Directory API: <url>/admin/directory/v1 */
  readonly apiUrl: string
  readonly tokenUrl: string
  readonly http: SimHttpServer
  readonly users: Map<string, SimUser>
  readonly groups: Map<string, { id: string; email: string; name: string; members: Set<string> }>
  /** Forget every issued token (the next API call gets 401; a client re-authenticates). */
  revokeTokens(): void
  close(): Promise<void>
}

/** Google's JSON error body (https://cloud.google.com/apis/design/errors, the v1 `errors[]` form the Admin SDK uses). */
export function googleError(code: number, reason: string, message: string, domain = 'global', status?: string): SimResponse {
  return { status: code, json: { error: { code, message, errors: [{ message, domain, reason }], ...(status !== undefined ? { status } : {}) } } }
}

export const rateLimitExceeded = (): SimResponse => googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits')
export const userRateLimitExceeded = (): SimResponse => googleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits')

const USER_FIELDS = new Set(['primaryEmail', 'name', 'suspended', 'orgUnitPath', 'externalIds', 'recoveryEmail', 'recoveryPhone', 'password', 'hashFunction', 'changePasswordAtNextLogin', 'includeInGlobalAddressList', 'organizations', 'phones', 'addresses', 'customSchemas', 'suspensionReason', 'archived', 'emails'])
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
    for (const u of users.values()) if (u.primaryEmail.toLowerCase() === e || (u.aliases ?? []).some((a) => a.toLowerCase() === e)) return u
    return undefined
  }
  const userByKey = (key: string) => users.get(key) ?? byEmail(key)
  const groupByKey = (key: string) => groups.get(key) ?? [...groups.values()].find((g) => g.email.toLowerCase() === key.toLowerCase())
  const emailTaken = (email: string, except?: string) => {
    const u = byEmail(email)
    if (u !== undefined && u.id !== except) return true
    return [...groups.values()].some((g) => g.email.toLowerCase() === email.toLowerCase())
  }
  const inDomain = (email: string) => domains.includes(email.slice(email.lastIndexOf('@') + 1).toLowerCase())

  async function token(req: SimRequest): Promise<SimResponse> {
    const form = new URLSearchParams(req.body)
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + (form.get('grant_type') ?? '') } }
    }
    const assertion = form.get('assertion') ?? ''
    let payload
    try {
      // Google's endpoint takes only its own token URL as the audience, whatever host the request reached.
      ;({ payload } = await jwtVerify(assertion, publicKey, { algorithms: ['RS256'], audience: GOOGLE_TOKEN_AUDIENCE, issuer: options.serviceAccount.clientEmail, maxTokenAge: '3600s' }))
    } catch (e) {
      const code = (e as { code?: string }).code
      const description = code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'Invalid JWT Signature.' : code === 'ERR_JWT_EXPIRED' ? 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.' : 'Invalid JWT.'
      return { status: 400, json: { error: 'invalid_grant', error_description: description } }
    }
    // Google refuses an assertion whose exp is more than an hour after iat
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > 3600) {
      return { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.' } }
    }
    const scopes = String(payload.scope ?? '').split(/\s+/).filter(Boolean)
    if (scopes.length === 0 || scopes.some((s) => !delegated.has(s))) {
      return { status: 401, json: { error: 'unauthorized_client', error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.' } }
    }
    // GUESS: a `sub` that is not an admin of the domain gets invalid_grant; a service account without `sub` gets a
    // token but the Directory API refuses it (403 Not Authorized to access this resource/api).
    if (typeof payload.sub === 'string' && !admins.has(payload.sub.toLowerCase())) {
      return { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid email or User ID' } }
    }
    const access = `ya29.sim-${randomUUID()}`
    tokens.set(access, payload.sub === undefined ? -1 : Date.now() + (options.tokenLifetimeSeconds ?? 3599) * 1000)
    return { status: 200, json: { access_token: access, expires_in: options.tokenLifetimeSeconds ?? 3599, token_type: 'Bearer' } }
  }

  function authorised(req: SimRequest): SimResponse | undefined {
    const t = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const until = t === undefined ? undefined : tokens.get(t)
    if (until === undefined || (until !== -1 && until < Date.now())) {
      return googleError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'global', 'UNAUTHENTICATED')
    }
    if (until === -1) return googleError(403, 'forbidden', 'Not Authorized to access this resource/api')
    return undefined
  }

  function present(u: SimUser): Record<string, unknown> {
    const { password: _p, emails: stored, ...rest } = u as SimUser & { password?: string }
    // GUESS: `emails` lists the primary address (primary: true), the aliases, then the addresses set through
    // `emails`, as users.get shows them for a user with aliases.
    const emails = [{ address: u.primaryEmail, primary: true }, ...(u.aliases ?? []).map((address) => ({ address })), ...(stored ?? []).filter((e) => e.address.toLowerCase() !== u.primaryEmail.toLowerCase())]
    const body = { kind: 'admin#directory#user', ...rest, emails, customerId, isAdmin: admins.has(u.primaryEmail.toLowerCase()), name: { ...u.name, fullName: [u.name.givenName, u.name.familyName].filter(Boolean).join(' ') } }
    return { ...body, etag: etagOf(body) }
  }

  function presentGroup(g: { id: string; email: string; name: string; members: Set<string> }): Record<string, unknown> {
    const body = { kind: 'admin#directory#group', id: g.id, email: g.email, name: g.name, directMembersCount: String(g.members.size), adminCreated: true }
    return { ...body, etag: etagOf(body) }
  }

  function presentMember(u: SimUser): Record<string, unknown> {
    // GUESS: every member is a direct MEMBER with status ACTIVE (roles other than MEMBER are not stored).
    const body = { kind: 'admin#directory#member', id: u.id, email: u.primaryEmail, role: 'MEMBER', type: 'USER', status: u.suspended ? 'SUSPENDED' : 'ACTIVE' }
    return { ...body, etag: etagOf(body) }
  }

  function parseBody(req: SimRequest): Record<string, unknown> | SimResponse {
    try {
      const b = JSON.parse(req.body) as unknown
      if (b === null || typeof b !== 'object' || Array.isArray(b)) return googleError(400, 'invalid', 'Invalid JSON payload received.')
      return b as Record<string, unknown>
    } catch {
      return googleError(400, 'parseError', 'Parse Error')
    }
  }

  // GUESS: the wording and `reason` of these 400s follow answers quoted in public issue threads, not a
  // documented list; what the connector relies on is the status (400 → invalid).
  function validateUser(b: Record<string, unknown>, creating: boolean): SimResponse | undefined {
    for (const k of Object.keys(b)) if (!USER_FIELDS.has(k)) return googleError(400, 'invalid', `Invalid JSON payload received. Unknown name "${k}" at 'resource': Cannot find field.`)
    const name = b.name as { givenName?: unknown; familyName?: unknown } | undefined
    if (creating) {
      if (typeof b.primaryEmail !== 'string' || b.primaryEmail === '') return googleError(400, 'required', 'Invalid Input: primary_user_email')
      if (typeof name?.givenName !== 'string' || name.givenName === '') return googleError(400, 'required', 'Invalid Given/Family Name: GivenName')
      if (typeof name?.familyName !== 'string' || name.familyName === '') return googleError(400, 'required', 'Invalid Given/Family Name: FamilyName')
      if (typeof b.password !== 'string' || b.password.length < 8) return googleError(400, 'invalid', 'Invalid Password')
    }
    // GUESS: names are checked for length only (60 characters); which characters Google refuses is not documented
    if (name !== undefined && ((name.givenName !== undefined && String(name.givenName).length > 60) || (name.familyName !== undefined && String(name.familyName).length > 60))) {
      return googleError(400, 'invalid', 'Invalid Given/Family Name')
    }
    if (b.emails !== undefined && b.emails !== null && !(Array.isArray(b.emails) && b.emails.every((e) => typeof (e as { address?: unknown })?.address === 'string' && /^[^@\s]+@[^@\s]+$/.test((e as { address: string }).address)))) {
      return googleError(400, 'invalid', 'Invalid Input: emails') // GUESS: wording
    }
    if (b.primaryEmail !== undefined && (typeof b.primaryEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.primaryEmail))) return googleError(400, 'invalid', 'Invalid Input: primary_user_email')
    if (typeof b.primaryEmail === 'string' && !inDomain(b.primaryEmail)) return googleError(400, 'invalid', 'Domain not found.')
    // GUESS: any path starting with / is taken as an existing OU (Google answers INVALID_OU_ID for unknown OUs)
    if (b.orgUnitPath !== undefined && (typeof b.orgUnitPath !== 'string' || !b.orgUnitPath.startsWith('/'))) return googleError(400, 'invalid', 'Invalid Input: INVALID_OU_ID')
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
    if (customer !== null && customer !== 'my_customer' && customer !== customerId) return googleError(400, 'badRequest', 'Bad Request')
    let clauses
    try {
      clauses = parseUserQuery(q.get('query') ?? '')
    } catch (e) {
      return googleError(400, 'invalid', `Invalid Input: ${messageOf(e)}`)
    }
    const max = Math.min(500, Math.max(1, Number(q.get('maxResults') ?? 100) || 100))
    const orderBy = q.get('orderBy')
    const sortOrder = q.get('sortOrder')
    if (orderBy !== null && !(orderBy in USER_ORDER)) return googleError(400, 'invalid', 'Invalid Input: orderBy') // GUESS: wording
    if (sortOrder !== null && sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') return googleError(400, 'invalid', 'Invalid Input: sortOrder') // GUESS: wording
    const all = [...users.values()].filter((u) => (domain === null || u.primaryEmail.toLowerCase().endsWith(`@${domain.toLowerCase()}`)) && matchesQuery(u, clauses))
    if (orderBy !== null) {
      const key = USER_ORDER[orderBy] as (u: SimUser) => string
      // GUESS: the sort ignores case; ties keep creation order.
      all.sort((a, b) => key(a).toLowerCase().localeCompare(key(b).toLowerCase()) * (sortOrder === 'DESCENDING' ? -1 : 1))
    }
    const tokenText = q.get('pageToken')
    let offset = 0
    if (tokenText !== null && tokenText !== '') {
      const m = /^o:(\d+)$/.exec(Buffer.from(tokenText, 'base64url').toString())
      if (m === null) return googleError(400, 'invalid', 'Invalid Input: pageToken')
      offset = Number(m[1])
    }
    const page = all.slice(offset, offset + max)
    const next = offset + max < all.length ? Buffer.from(`o:${offset + max}`).toString('base64url') : undefined
    const body = { kind: 'admin#directory#users', ...(page.length > 0 ? { users: page.map(present) } : {}), ...(next ? { nextPageToken: next } : {}) }
    return { status: 200, json: { ...body, etag: etagOf(body) } }
  }

  /** groups.list: every group of the customer or domain, or the groups `userKey` is a member of. */
  function listGroups(req: SimRequest): SimResponse {
    const q = req.url.searchParams
    const customer = q.get('customer')
    const domain = q.get('domain')
    const userKey = q.get('userKey')
    if (customer === null && domain === null && userKey === null) return googleError(400, 'badRequest', 'Bad Request')
    if (customer !== null && customer !== 'my_customer' && customer !== customerId) return googleError(400, 'badRequest', 'Bad Request')
    let all = [...groups.values()].filter((g) => domain === null || g.email.toLowerCase().endsWith(`@${domain.toLowerCase()}`))
    if (userKey !== null) {
      const u = userByKey(userKey)
      if (u === undefined) return googleError(404, 'notFound', 'Resource Not Found: userKey')
      all = all.filter((g) => g.members.has(u.id))
    }
    const orderBy = q.get('orderBy')
    // groups.list documents only orderBy=email.
    if (orderBy !== null && orderBy !== 'email') return googleError(400, 'invalid', 'Invalid Input: orderBy') // GUESS: wording
    if (orderBy === 'email') all.sort((a, b) => a.email.toLowerCase().localeCompare(b.email.toLowerCase()) * (q.get('sortOrder') === 'DESCENDING' ? -1 : 1))
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
    const next = offset + max < all.length ? Buffer.from(`g:${offset + max}`).toString('base64url') : undefined
    const body = { kind: 'admin#directory#groups', ...(page.length > 0 ? { groups: page.map(presentGroup) } : {}), ...(next ? { nextPageToken: next } : {}) }
    return { status: 200, json: { ...body, etag: etagOf(body) } }
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
    const parts = path.slice(DIRECTORY_BASE.length + 1).split('/').map(decodeURIComponent)
    const [collection, key, sub, memberKey] = parts

    if (collection === 'users' && key === undefined) {
      if (req.method === 'GET') return listUsers(req)
      if (req.method === 'POST') {
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const body = b as Record<string, unknown>
        const invalid = validateUser(body, true)
        if (invalid) return invalid
        if (emailTaken(body.primaryEmail as string)) return googleError(409, 'duplicate', 'Entity already exists.')
        // GUESS: ids are 21-digit numeric strings; Google's are not sequential
        const u: SimUser = { id: String(100000000000000000000n + BigInt(users.size + 1) * 7919n), primaryEmail: '', name: {}, suspended: false, orgUnitPath: '/', creationTime: new Date().toISOString() }
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
        for (const g of groups.values()) g.members.delete(u.id)
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
          if ((holder !== undefined && holder.id !== u.id) || emailTaken(newEmail, u.id)) return googleError(409, 'duplicate', 'Entity already exists.')
          // Renaming keeps the old primary address as an alias (Google adds it automatically), and the new
          // address stops being an alias if it was one.
          u.aliases = [...(u.aliases ?? []).filter((a) => a.toLowerCase() !== newEmail.toLowerCase()), u.primaryEmail]
        }
        applyPatch(u, body)
        return { status: 200, json: present(u) }
      }
    }
    if (collection === 'groups' && key === undefined && req.method === 'POST') {
      const b = parseBody(req)
      if ('status' in b && typeof b.status === 'number') return b as SimResponse
      const email = String((b as Record<string, unknown>).email ?? '')
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) return googleError(400, 'invalid', 'Invalid Input: email')
      if (emailTaken(email)) return googleError(409, 'duplicate', 'Entity already exists.')
      const g = { id: randomUUID().replace(/-/g, '').slice(0, 17), email, name: String((b as Record<string, unknown>).name ?? email), members: new Set<string>() }
      groups.set(g.id, g)
      return { status: 200, json: presentGroup(g) }
    }
    if (collection === 'groups' && key === undefined && req.method === 'GET') return listGroups(req)
    if (collection === 'groups' && key !== undefined) {
      const g = groupByKey(key)
      if (g === undefined) return googleError(404, 'notFound', 'Resource Not Found: groupKey')
      if (sub === undefined && req.method === 'GET') return { status: 200, json: presentGroup(g) }
      if (sub === 'members' && memberKey === undefined && req.method === 'POST') {
        const b = parseBody(req)
        if ('status' in b && typeof b.status === 'number') return b as SimResponse
        const m = b as { email?: string; id?: string; role?: string }
        const u = m.id !== undefined ? users.get(m.id) : m.email !== undefined ? byEmail(m.email) : undefined
        if (u === undefined) return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        if (g.members.has(u.id)) return googleError(409, 'duplicate', 'Member already exists.')
        g.members.add(u.id)
        return { status: 200, json: { ...presentMember(u), ...(m.role !== undefined ? { role: m.role } : {}) } }
      }
      if (sub === 'members' && memberKey === undefined && req.method === 'GET') {
        const members = [...g.members].map((id) => users.get(id)).filter((u): u is SimUser => u !== undefined)
        const body = { kind: 'admin#directory#members', ...(members.length ? { members: members.map(presentMember) } : {}) }
        return { status: 200, json: { ...body, etag: etagOf(body) } }
      }
      if (sub === 'members' && memberKey !== undefined && req.method === 'GET') {
        const u = userByKey(memberKey)
        if (u === undefined || !g.members.has(u.id)) return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        return { status: 200, json: presentMember(u) }
      }
      if (sub === 'members' && memberKey !== undefined && req.method === 'DELETE') {
        const u = userByKey(memberKey)
        if (u === undefined || !g.members.has(u.id)) return googleError(404, 'notFound', 'Resource Not Found: memberKey')
        g.members.delete(u.id)
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

  const http = await startSimHttpServer(handler, { ...(options.port !== undefined ? { port: options.port } : {}), ...(options.tls !== undefined ? { tls: options.tls } : {}) })
  const tokenUrl = `${http.url}${TOKEN_PATH}`
  return {
    apiUrl: `${http.url}${DIRECTORY_BASE}`,
    tokenUrl,
    http,
    users,
    groups,
    revokeTokens: () => tokens.clear(),
    close: () => http.close(),
  }
}
