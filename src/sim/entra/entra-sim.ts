// A Microsoft Entra ID tenant as Microsoft Graph v1.0 shows it to an app with client credentials: the token
// endpoint, users (create/get/update/delete, $filter, $select, $top paging), group members by $ref, licence
// assignment, deleted items with restore, and JSON $batch. Behaviour follows learn.microsoft.com (see README.md);
// what the docs do not pin down is marked `// GUESS:`.
import { randomUUID } from 'node:crypto'
import { startSimHttpServer, type SimHttpServer, type SimRequest, type SimResponse } from '../http/sim-http-server.ts'
import { FilterError, parseFilter } from './odata-filter.ts'

export interface EntraSimOptions {
  readonly tenantId?: string
  /** Registered apps: clientId → client secret. */
  readonly clients?: Readonly<Record<string, string>>
  readonly tokenLifetimeSeconds?: number
  /** How long a new user stays invisible to $filter queries and listings (replication lag). Default 0. */
  readonly replicationLagMs?: number
  /** Whether the lag also hides a new user from GET /users/{id|upn}. Default false. */
  readonly lagHidesGetById?: boolean
  /** Subscribed SKUs: skuId → skuPartNumber. */
  readonly skus?: Readonly<Record<string, string>>
  /** Verified domains; a UPN in another domain is refused. Default: any domain. */
  readonly domains?: readonly string[]
  /** Clock for token expiry, replication lag and the 30-day deleted-items window. */
  readonly now?: () => number
  readonly port?: number
}

export interface SimUser {
  readonly id: string
  readonly seq: number
  props: Record<string, unknown>
  visibleAt: number
  licenses: { skuId: string; disabledPlans: string[] }[]
  deletedAt?: number
  /** Groups the user was in when deleted; a restore puts them back. */
  formerGroups?: string[]
}

export interface SimGroup {
  readonly id: string
  readonly displayName: string
  readonly members: Set<string>
}

export interface EntraSim {
  readonly url: string
  readonly tenantId: string
  readonly tokenUrl: string
  readonly http: SimHttpServer
  readonly users: Map<string, SimUser>
  readonly groups: Map<string, SimGroup>
  /** Sizes of the $batch requests answered (for the chunking tests). */
  readonly batchSizes: number[]
  /** Tokens issued so far. */
  tokensIssued(): number
  /** Forget every issued token: the next Graph call gets 401. */
  revokeTokens(): void
  addGroup(displayName: string, id?: string): string
  /** A user created outside Koppel (no replication lag). */
  seedUser(props: Record<string, unknown>): SimUser
  /** A token-bucket limit on HTTP requests (a $batch counts once), answered 429 with Retry-After and a Graph
   * error body; undefined turns it off. */
  rateLimit(limit: { perSecond: number; burst?: number } | undefined): void
  /** The next `count` Graph operations (direct or inside a $batch) answer 429 or 503 with Retry-After. */
  throttleNext(count: number, status?: 429 | 503, retryAfterSeconds?: number): void
  close(): Promise<void>
}

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'
const DELETED_RETENTION_MS = 30 * 24 * 3600 * 1000
const MAX_BATCH = 20
const DEFAULT_PAGE = 100
const MAX_PAGE = 999

/** Properties returned without $select (learn.microsoft.com/graph/api/user-list: the default set). */
const DEFAULT_SELECT = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id']

const STRING_PROPS = [
  'displayName', 'givenName', 'surname', 'userPrincipalName', 'mailNickname', 'mail', 'employeeId', 'employeeType',
  'department', 'jobTitle', 'companyName', 'officeLocation', 'usageLocation', 'preferredLanguage', 'city', 'country',
  'mobilePhone', 'onPremisesImmutableId', 'employeeHireDate', 'ageGroup', 'consentProvidedForMinor', 'userType', 'state',
  'postalCode', 'streetAddress',
]
const ARRAY_PROPS = ['businessPhones', 'otherMails']
const WRITABLE = new Set([...STRING_PROPS, ...ARRAY_PROPS, 'accountEnabled', 'passwordProfile'])
const READABLE = new Set([...STRING_PROPS, ...ARRAY_PROPS, 'accountEnabled', 'id', 'assignedLicenses', 'deletedDateTime', 'createdDateTime'])
// GUESS: which properties take eq/startswith without advanced query parameters; the docs' per-property table
// lists these as "eq, ne, not, in, startsWith" where eq/startsWith are default, ne/not advanced.
const FILTERABLE = new Set(['id', 'accountEnabled', ...STRING_PROPS])

function graphError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): SimResponse {
  const date = new Date().toISOString().slice(0, 19)
  const requestId = randomUUID()
  return {
    status,
    headers: { 'request-id': requestId, ...headers },
    json: { error: { code, message, ...extra, innerError: { date, 'request-id': requestId, 'client-request-id': requestId } } },
  }
}

const notFound = (id: string) =>
  graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`)

export async function startEntraSim(options: EntraSimOptions = {}): Promise<EntraSim> {
  const tenantId = options.tenantId ?? 'koppel-test-tenant'
  const clients = options.clients ?? { 'koppel-client': 'koppel-secret' }
  const lifetime = options.tokenLifetimeSeconds ?? 3599
  const lag = options.replicationLagMs ?? 0
  const now = options.now ?? Date.now
  const skus = options.skus ?? {}
  const tokens = new Map<string, number>()
  const users = new Map<string, SimUser>()
  const groups = new Map<string, SimGroup>()
  const batchSizes: number[] = []
  let issued = 0
  let seq = 0
  let throttle: { left: number; status: 429 | 503; retry: number } | undefined

  const purge = () => {
    for (const [id, u] of users) if (u.deletedAt !== undefined && now() - u.deletedAt > DELETED_RETENTION_MS) users.delete(id)
  }
  const live = () => [...users.values()].filter((u) => u.deletedAt === undefined)
  const byKey = (key: string): SimUser | undefined => {
    const k = key.toLowerCase()
    return live().find((u) => u.id === key || String(u.props.userPrincipalName ?? '').toLowerCase() === k)
  }

  function view(u: SimUser, select: readonly string[] | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const name of select ?? DEFAULT_SELECT) {
      if (name === 'id') out.id = u.id
      else if (name === 'assignedLicenses') out.assignedLicenses = u.licenses.map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans }))
      else if (name === 'deletedDateTime') out.deletedDateTime = u.deletedAt === undefined ? null : new Date(u.deletedAt).toISOString()
      else if (ARRAY_PROPS.includes(name)) out[name] = u.props[name] ?? []
      else out[name] = u.props[name] ?? null
    }
    return out
  }

  function parseSelect(q: URLSearchParams): string[] | undefined | SimResponse {
    const s = q.get('$select')
    if (s === null) return undefined
    const names = s.split(',').map((x) => x.trim()).filter(Boolean)
    for (const n of names) {
      if (!READABLE.has(n)) return graphError(400, 'Request_BadRequest', `Could not find a property named '${n}' on type 'microsoft.graph.user'.`)
    }
    return names
  }

  /** Validates a create/update body; returns an error answer or undefined. */
  function checkBody(body: Record<string, unknown>, self: SimUser | undefined, creating: boolean): SimResponse | undefined {
    for (const [k, v] of Object.entries(body)) {
      if (!WRITABLE.has(k)) {
        return graphError(400, 'Request_BadRequest', `The property '${k}' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.`)
      }
      if (v === null) continue
      if (k === 'accountEnabled' && typeof v !== 'boolean') return graphError(400, 'Request_BadRequest', `Invalid value specified for property 'accountEnabled' of resource 'User'.`)
      if (STRING_PROPS.includes(k) && typeof v !== 'string') return graphError(400, 'Request_BadRequest', `Invalid value specified for property '${k}' of resource 'User'.`)
      if (ARRAY_PROPS.includes(k) && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return graphError(400, 'Request_BadRequest', `Invalid value specified for property '${k}' of resource 'User'.`)
    }
    const merged = { ...(self?.props ?? {}), ...body }
    // Required on create (learn.microsoft.com/graph/api/user-post-users): accountEnabled, displayName,
    // mailNickname, passwordProfile, userPrincipalName.
    // GUESS: the wording of the missing-property error.
    const required = ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName']
    for (const r of required) {
      if ((creating || r in body) && (merged[r] === undefined || merged[r] === null || merged[r] === '')) {
        return graphError(400, 'Request_BadRequest', `Invalid value specified for property '${r}' of resource 'User'.`)
      }
    }
    if (creating && (typeof body.passwordProfile !== 'object' || body.passwordProfile === null)) {
      return graphError(400, 'Request_BadRequest', `Invalid value specified for property 'passwordProfile' of resource 'User'.`)
    }
    if (body.passwordProfile !== undefined && body.passwordProfile !== null) {
      const pw = (body.passwordProfile as { password?: unknown }).password
      if (typeof pw !== 'string' || !complex(pw)) {
        return graphError(400, 'Request_BadRequest', 'The specified password does not comply with password complexity requirements. Please provide a different password.')
      }
    }
    if (typeof body.mailNickname === 'string' && !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/.test(body.mailNickname)) {
      return graphError(400, 'Request_BadRequest', `Invalid value specified for property 'mailNickname' of resource 'User'.`)
    }
    if (typeof body.userPrincipalName === 'string') {
      const upn = body.userPrincipalName
      const m = /^([A-Za-z0-9'.\-_!#^~]{1,64})@([A-Za-z0-9.-]+)$/.exec(upn)
      // GUESS: the error for a malformed UPN (the message for an unverified domain is the documented one).
      if (m === null) return graphError(400, 'Request_BadRequest', `Property userPrincipalName is invalid.`, { details: [{ target: 'userPrincipalName', code: 'InvalidValue' }] })
      if (options.domains !== undefined && !options.domains.includes((m[2] as string).toLowerCase())) {
        return graphError(400, 'Request_BadRequest', 'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.', {
          details: [{ target: 'userPrincipalName', code: 'InvalidValue' }],
        })
      }
      const other = live().find((u) => u !== self && String(u.props.userPrincipalName).toLowerCase() === upn.toLowerCase())
      if (other !== undefined) return conflict('userPrincipalName')
    }
    if (typeof body.mail === 'string') {
      const mail = body.mail.toLowerCase()
      const other = live().find((u) => u !== self && (String(u.props.mail ?? '').toLowerCase() === mail || String(u.props.userPrincipalName).toLowerCase() === mail))
      if (other !== undefined) return conflict('proxyAddresses')
    }
    return undefined
  }

  const conflict = (property: string) =>
    graphError(400, 'Request_BadRequest', `Another object with the same value for property ${property} already exists.`, {
      details: [{ target: property, code: 'ObjectConflict' }],
    })

  function store(u: SimUser, body: Record<string, unknown>) {
    for (const [k, v] of Object.entries(body)) {
      if (k === 'passwordProfile') continue // write-only, never returned
      if (v === null || (Array.isArray(v) && v.length === 0)) delete u.props[k]
      else u.props[k] = v
    }
  }

  function newUser(body: Record<string, unknown>, visibleAt: number): SimUser {
    const u: SimUser = { id: randomUUID(), seq: ++seq, props: {}, visibleAt, licenses: [] }
    store(u, body)
    u.props.createdDateTime = new Date(now()).toISOString()
    users.set(u.id, u)
    return u
  }

  // ---- the token endpoint (Microsoft identity platform v2.0, client credentials) ----
  function token(req: SimRequest, tenant: string): SimResponse {
    const form = new URLSearchParams(req.body)
    const err = (status: number, error: string, description: string) => ({ status, json: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date(now()).toISOString(), trace_id: randomUUID(), correlation_id: randomUUID() } })
    if (tenant !== tenantId) return err(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`)
    if (form.get('grant_type') !== 'client_credentials') return err(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.')
    const clientId = form.get('client_id') ?? ''
    if (!(clientId in clients)) return err(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`)
    if (form.get('client_secret') !== clients[clientId]) return err(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`)
    if (form.get('scope') !== GRAPH_SCOPE) return err(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`)
    const t = `sim.${randomUUID()}`
    tokens.set(t, now() + lifetime * 1000)
    issued++
    return { status: 200, json: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: t } }
  }

  function checkAuth(req: SimRequest): SimResponse | undefined {
    const h = req.headers.authorization ?? ''
    const bearer = /^Bearer (.+)$/.exec(h)?.[1]
    if (bearer === undefined) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', {}, { 'www-authenticate': 'Bearer realm=""' })
    const exp = tokens.get(bearer)
    if (exp === undefined) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.')
    if (now() >= exp) return graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.')
    return undefined
  }

  // ---- Graph operations ----
  interface Op {
    readonly method: string
    readonly url: URL
    readonly headers: Record<string, string | undefined>
    readonly body: unknown
    readonly origin: string
  }

  function listUsers(op: Op, deleted: boolean): SimResponse {
    const q = op.url.searchParams
    const select = parseSelect(q)
    if (select !== undefined && !Array.isArray(select)) return select
    const advancedHeaders = (op.headers['consistencylevel'] ?? '').toLowerCase() === 'eventual'
    const count = q.get('$count')
    if (count === 'true' && !advancedHeaders) return graphError(400, 'Request_BadRequest', '$count is not currently supported.')
    let token: { after: number; filter: string | null; top: number; select: string | null } | undefined
    const skip = q.get('$skiptoken')
    if (skip !== null) {
      try {
        token = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8')) as typeof token
      } catch {
        return graphError(400, 'Directory_InvalidSkipToken', 'The specified page token value has expired or is invalid.')
      }
    }
    const filterText = token?.filter ?? q.get('$filter')
    let test: ((p: Readonly<Record<string, unknown>>) => boolean) | undefined
    if (filterText !== null && filterText !== undefined) {
      try {
        const f = parseFilter(filterText, FILTERABLE)
        if (f.advanced && !(advancedHeaders && (count === 'true' || token !== undefined))) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.')
        test = f.test
      } catch (e) {
        if (e instanceof FilterError) return graphError(400, 'BadRequest', `Invalid filter clause: ${e.message}`)
        throw e
      }
    }
    const topText = token !== undefined ? String(token.top) : q.get('$top')
    const top = topText === null ? DEFAULT_PAGE : Number(topText)
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE) {
      return graphError(400, 'Request_BadRequest', `Invalid page size specified: '${topText ?? ''}'. Must be between 1 and ${MAX_PAGE} inclusive.`)
    }
    const sel = token !== undefined ? (token.select === null ? undefined : token.select.split(',')) : select
    const t = now()
    purge()
    const all = [...users.values()]
      .filter((u) => (deleted ? u.deletedAt !== undefined : u.deletedAt === undefined))
      .filter((u) => deleted || u.visibleAt <= t)
      .filter((u) => test === undefined || test({ ...u.props, id: u.id, accountEnabled: u.props.accountEnabled ?? true }))
      .sort((a, b) => a.seq - b.seq)
    const after = token?.after ?? 0
    const rest = all.filter((u) => u.seq > after)
    const page = rest.slice(0, top)
    const json: Record<string, unknown> = {
      '@odata.context': `${op.origin}/v1.0/$metadata#${deleted ? 'directoryObjects' : 'users'}`,
    }
    if (count === 'true' && token === undefined) json['@odata.count'] = all.length
    if (rest.length > top) {
      const last = page[page.length - 1] as SimUser
      const next = Buffer.from(JSON.stringify({ after: last.seq, filter: filterText ?? null, top, select: sel?.join(',') ?? null }), 'utf8').toString('base64url')
      json['@odata.nextLink'] = `${op.origin}/v1.0/${deleted ? 'directory/deletedItems/microsoft.graph.user' : 'users'}?$skiptoken=${next}`
    }
    json.value = page.map((u) => (deleted ? { '@odata.type': '#microsoft.graph.user', ...view(u, sel ?? [...DEFAULT_SELECT, 'deletedDateTime']) } : view(u, sel)))
    return { status: 200, json }
  }

  function getUser(key: string, op: Op): SimUser | SimResponse {
    const u = byKey(key)
    if (u === undefined) return notFound(key)
    if (options.lagHidesGetById === true && u.visibleAt > now()) return notFound(key)
    void op
    return u
  }

  function route(op: Op): SimResponse {
    const path = op.url.pathname.replace(/^\/v1\.0/, '')
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent)
    const body = (op.body ?? {}) as Record<string, unknown>
    const m = op.method
    if (seg[0] === 'users') {
      if (seg.length === 1 && m === 'GET') return listUsers(op, false)
      if (seg.length === 1 && m === 'POST') {
        const bad = checkBody(body, undefined, true)
        if (bad !== undefined) return bad
        const u = newUser({ ...body }, now() + lag)
        return { status: 201, headers: { location: `${op.origin}/v1.0/users/${u.id}` }, json: { '@odata.context': `${op.origin}/v1.0/$metadata#users/$entity`, ...view(u, undefined) } }
      }
      const found = getUser(seg[1] as string, op)
      if (!('seq' in found)) return found
      const u = found
      if (seg.length === 2 && m === 'GET') {
        const select = parseSelect(op.url.searchParams)
        if (select !== undefined && !Array.isArray(select)) return select
        return { status: 200, json: { '@odata.context': `${op.origin}/v1.0/$metadata#users/$entity`, ...view(u, select) } }
      }
      if (seg.length === 2 && m === 'PATCH') {
        const bad = checkBody(body, u, false)
        if (bad !== undefined) return bad
        store(u, body)
        return { status: 204 }
      }
      if (seg.length === 2 && m === 'DELETE') {
        u.deletedAt = now()
        u.formerGroups = [...groups.values()].filter((g) => g.members.delete(u.id)).map((g) => g.id)
        return { status: 204 }
      }
      if (seg.length === 3 && seg[2] === 'assignLicense' && m === 'POST') return assignLicense(u, body, op)
      if ((seg.length === 3 || (seg.length === 4 && seg[3] === 'microsoft.graph.group')) && seg[2] === 'memberOf' && m === 'GET') {
        // GUESS: one page (a pupil is in far fewer groups than Graph's default page of 100)
        const value = [...groups.values()].filter((g) => g.members.has(u.id)).map((g) => ({ '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName }))
        return { status: 200, json: { '@odata.context': `${op.origin}/v1.0/$metadata#directoryObjects`, value } }
      }
      return graphError(400, 'Request_BadRequest', `Unsupported segment type. ODataQuery: ${path}`)
    }
    if (seg[0] === 'groups' && seg.length >= 2) {
      const g = groups.get(seg[1] as string)
      if (g === undefined) return notFound(seg[1] as string)
      if (seg.length === 2 && m === 'GET') return { status: 200, json: { id: g.id, displayName: g.displayName } }
      if (seg.length === 3 && seg[2] === 'members' && m === 'GET') {
        return { status: 200, json: { value: [...g.members].map((id) => ({ '@odata.type': '#microsoft.graph.user', id })) } }
      }
      if (seg.length === 4 && seg[2] === 'members' && seg[3] === '$ref' && m === 'POST') {
        const ref = body['@odata.id']
        const id = typeof ref === 'string' ? /\/directoryObjects\/([^/?]+)$/.exec(ref)?.[1] : undefined
        if (id === undefined) return graphError(400, 'Request_BadRequest', "Invalid URL format specified in @odata.id for the 'members' navigation property.") // GUESS: wording
        const member = byKey(id)
        if (member === undefined || (options.lagHidesGetById === true && member.visibleAt > now())) return notFound(id)
        if (g.members.has(member.id)) return graphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.")
        g.members.add(member.id)
        return { status: 204 }
      }
      if (seg.length === 5 && seg[2] === 'members' && seg[4] === '$ref' && m === 'DELETE') {
        const id = seg[3] as string
        if (!g.members.has(id)) return notFound(id)
        g.members.delete(id)
        return { status: 204 }
      }
    }
    if (seg[0] === 'directory' && seg[1] === 'deletedItems') {
      purge()
      if (seg.length === 3 && seg[2] === 'microsoft.graph.user' && m === 'GET') return listUsers(op, true)
      const u = users.get(seg[2] ?? '')
      if (u === undefined || u.deletedAt === undefined) return notFound(seg[2] ?? '')
      if (seg.length === 3 && m === 'GET') return { status: 200, json: { '@odata.type': '#microsoft.graph.user', ...view(u, [...DEFAULT_SELECT, 'deletedDateTime', 'employeeId']) } }
      if (seg.length === 3 && m === 'DELETE') {
        users.delete(u.id)
        return { status: 204 }
      }
      if (seg.length === 4 && seg[3] === 'restore' && m === 'POST') {
        const upn = String(u.props.userPrincipalName).toLowerCase()
        if (live().some((o) => String(o.props.userPrincipalName).toLowerCase() === upn)) {
          // GUESS: restoring while another live user holds the UPN; the docs name the conflict but not the body.
          return conflict('userPrincipalName')
        }
        delete u.deletedAt
        for (const gid of u.formerGroups ?? []) groups.get(gid)?.members.add(u.id)
        delete u.formerGroups
        return { status: 200, json: { '@odata.context': `${op.origin}/v1.0/$metadata#directoryObjects/$entity`, '@odata.type': '#microsoft.graph.user', ...view(u, undefined) } }
      }
    }
    return graphError(400, 'Request_BadRequest', `Resource not found for the segment '${seg[0] ?? ''}'.`)
  }

  function assignLicense(u: SimUser, body: Record<string, unknown>, op: Op): SimResponse {
    const add = body.addLicenses
    const remove = body.removeLicenses
    if (!Array.isArray(add) || !Array.isArray(remove)) {
      return graphError(400, 'Request_BadRequest', "The request body must contain both 'addLicenses' and 'removeLicenses'.") // GUESS: wording
    }
    const adds = add.map((a) => String((a as { skuId?: unknown }).skuId ?? ''))
    for (const s of [...adds, ...remove.map(String)]) {
      if (!(s in skus)) return graphError(400, 'Request_BadRequest', `License ${s} does not correspond to a valid company License.`)
    }
    if (adds.length > 0 && (typeof u.props.usageLocation !== 'string' || u.props.usageLocation === '')) {
      return graphError(400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.')
    }
    for (const s of remove.map(String)) {
      // GUESS: removing a licence the user lacks is refused with this message.
      if (!u.licenses.some((l) => l.skuId === s)) return graphError(400, 'Request_BadRequest', 'User does not have a corresponding license.')
    }
    u.licenses = u.licenses.filter((l) => !remove.map(String).includes(l.skuId))
    for (const [i, s] of adds.entries()) {
      const disabledPlans = ((add[i] as { disabledPlans?: unknown }).disabledPlans as string[] | undefined) ?? []
      const have = u.licenses.find((l) => l.skuId === s)
      if (have !== undefined) have.disabledPlans = disabledPlans
      else u.licenses.push({ skuId: s, disabledPlans })
    }
    return { status: 200, json: { '@odata.context': `${op.origin}/v1.0/$metadata#users/$entity`, ...view(u, undefined) } }
  }

  function operate(op: Op): SimResponse {
    if (throttle !== undefined && throttle.left > 0) {
      throttle.left--
      const t = throttle
      if (t.left === 0) throttle = undefined
      // Retry-After on 429/503 is documented (learn.microsoft.com/graph/throttling).
      // GUESS: the error codes TooManyRequests / ServiceUnavailable and their messages.
      return t.status === 429
        ? graphError(429, 'TooManyRequests', 'Too many requests.', {}, { 'retry-after': String(t.retry) })
        : graphError(503, 'ServiceUnavailable', 'Service is unavailable.', {}, { 'retry-after': String(t.retry) })
    }
    return route(op)
  }

  function batch(req: SimRequest, origin: string): SimResponse {
    let parsed: { requests?: unknown }
    try {
      parsed = JSON.parse(req.body) as typeof parsed
    } catch {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.') // GUESS: wording
    }
    const list = parsed.requests
    if (!Array.isArray(list)) return graphError(400, 'BadRequest', 'Invalid batch payload format.')
    // learn.microsoft.com/graph/json-batching: at most 20 requests in one batch.
    // GUESS: the error code and message for a batch above the limit.
    if (list.length > MAX_BATCH) return graphError(400, 'BadRequest', `The number of requests in the batch (${list.length}) exceeds the limit of ${MAX_BATCH}.`)
    const ids = new Set<string>()
    for (const r of list as Record<string, unknown>[]) {
      const id = String(r.id ?? '')
      if (id === '' || ids.has(id)) return graphError(400, 'BadRequest', `Batch request ids must be unique and non-empty; got '${id}'.`) // GUESS: wording
      ids.add(id)
      const headers = Object.fromEntries(Object.entries((r.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]))
      if (r.body !== undefined && headers['content-type'] === undefined) {
        return graphError(400, 'BadRequest', `Write request id : ${id} does not contain Content-Type header or body.`)
      }
      if (String(r.url ?? '').includes('$batch')) return graphError(400, 'BadRequest', 'Nested batch requests are not supported.') // GUESS: wording
    }
    batchSizes.push(list.length)
    const statuses = new Map<string, number>()
    const responses: Record<string, unknown>[] = []
    // GUESS: Graph may run independent requests in any order; the simulator runs them in array order.
    for (const r of list as Record<string, unknown>[]) {
      const id = String(r.id)
      const deps = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : []
      const failedDep = deps.find((d) => (statuses.get(d) ?? 424) >= 400)
      let res: SimResponse
      if (failedDep !== undefined) {
        res = graphError(424, 'FailedDependency', `The request with id '${failedDep}' that this request depends on failed.`) // GUESS: wording
      } else {
        const rel = String(r.url ?? '')
        const url = new URL(`/v1.0/${rel.replace(/^\//, '')}`, 'http://127.0.0.1')
        const headers = Object.fromEntries(Object.entries((r.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]))
        try {
          res = operate({ method: String(r.method ?? 'GET').toUpperCase(), url, headers, body: r.body, origin })
        } catch (e) {
          res = graphError(500, 'InternalServerError', (e as Error).message)
        }
      }
      statuses.set(id, res.status)
      responses.push({ id, status: res.status, headers: { 'content-type': 'application/json', ...(res.headers ?? {}) }, ...(res.json !== undefined ? { body: res.json } : {}) })
    }
    return { status: 200, json: { responses } }
  }

  const http = await startSimHttpServer(
    (req) => {
      const origin = `http://${req.headers.host ?? '127.0.0.1'}`
      const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url.pathname)
      if (tokenPath !== null && req.method === 'POST') return token(req, decodeURIComponent(tokenPath[1] as string))
      if (!req.url.pathname.startsWith('/v1.0/')) return graphError(404, 'NotFound', 'Not found.')
      const denied = checkAuth(req)
      if (denied !== undefined) return denied
      if (req.url.pathname === '/v1.0/$batch' && req.method === 'POST') return batch(req, origin)
      let body: unknown
      if (req.body !== '') {
        try {
          body = JSON.parse(req.body)
        } catch {
          return graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.')
        }
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]))
      return operate({ method: req.method, url: req.url, headers, body, origin })
    },
    options.port !== undefined ? { port: options.port } : {},
  )

  return {
    url: http.url,
    tenantId,
    tokenUrl: `${http.url}/${tenantId}/oauth2/v2.0/token`,
    http,
    users,
    groups,
    batchSizes,
    tokensIssued: () => issued,
    revokeTokens: () => tokens.clear(),
    addGroup(displayName, id = randomUUID()) {
      if (!groups.has(id)) groups.set(id, { id, displayName, members: new Set() })
      return id
    },
    seedUser(props) {
      return newUser({ accountEnabled: true, ...props }, now())
    },
    rateLimit(limit) {
      http.rateLimit(
        limit === undefined
          ? undefined
          : { ...limit, response: (seconds) => graphError(429, 'TooManyRequests', 'Too many requests.', {}, { 'retry-after': String(seconds) }) },
      )
    },
    throttleNext(count, status = 429, retryAfterSeconds = 1) {
      throttle = { left: count, status, retry: retryAfterSeconds }
    },
    close: () => http.close(),
  }
}

/** Graph's password complexity: at least 8 characters and three of lower, upper, digit, symbol. */
function complex(pw: string): boolean {
  if (pw.length < 8 || pw.length > 256) return false
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length
  return classes >= 3
}
