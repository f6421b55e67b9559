// A Microsoft Entra ID tenant as Microsoft Graph v1.0 shows it to an app with client credentials: the token
// endpoint, users (create/get/update/delete, $filter, $select, $top paging), group members by $ref, licence
// assignment, deleted items with restore, and JSON $batch. Behaviour follows learn.microsoft.com (see README.md);
// what the docs do not pin down is marked `// GUESS:`.
import { randomUUID } from 'node:crypto'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import { FilterError, parseFilter, type Filterable } from './odata-filter.ts'
import {
  matchesSearch,
  orderRows,
  parseOrderBy,
  parseSearch,
  QueryError,
  type OrderBy,
  type Search,
} from './odata-order-search.ts'
import { messageOf } from '../../../../src/util/message-of.ts'

export interface EntraSimOptions {
  readonly tenantId?: string
  /** Registered apps: clientId → client secret. */
  readonly clients?: Readonly<Record<string, string>>
  readonly tokenLifetimeSeconds?: number
  /** How long a new user or group stays invisible to $filter queries and listings (replication lag). Default 0. */
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
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP (the Graph SDK only sends tokens to https). */
  readonly tls?: { readonly key: string; readonly cert: string }
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
  readonly seq: number
  displayName: string
  readonly members: Set<string>
  /** learn.microsoft.com/graph/api/group-post-owners: users who own the group. */
  readonly owners: Set<string>
  /** When it was deleted: it waits in deleted items for 30 days (both security and Microsoft 365 groups). */
  deletedAt?: number
  /** Until then a new group is missing from $filter and listings (replicationLagMs, as for users). */
  visibleAt?: number
  /** Graph properties besides id and displayName (description, mailNickname, securityEnabled, …). */
  readonly props: Record<string, unknown>
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
  /** A group made outside Koppel; `props` e.g. `{ onPremisesSyncEnabled: true }` for one synced from AD. */
  addGroup(displayName: string, id?: string, props?: Record<string, unknown>): string
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
const DEFAULT_SELECT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
]

const STRING_PROPS = [
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mailNickname',
  'mail',
  'employeeId',
  'employeeType',
  'department',
  'jobTitle',
  'companyName',
  'officeLocation',
  'usageLocation',
  'preferredLanguage',
  'city',
  'country',
  'mobilePhone',
  'onPremisesImmutableId',
  'employeeHireDate',
  'ageGroup',
  'consentProvidedForMinor',
  'userType',
  'state',
  'postalCode',
  'streetAddress',
]
const ARRAY_PROPS = ['businessPhones', 'otherMails']
/** Read-only properties a client may read and filter on but never write (learn.microsoft.com/graph/api/resources/user). */
const READ_ONLY = ['proxyAddresses', 'onPremisesSyncEnabled']
const WRITABLE = new Set([
  ...STRING_PROPS,
  ...ARRAY_PROPS,
  'accountEnabled',
  'passwordProfile',
  'identities',
])
const READABLE = new Set([
  ...STRING_PROPS,
  ...ARRAY_PROPS,
  ...READ_ONLY,
  'identities',
  'accountEnabled',
  'id',
  'assignedLicenses',
  'deletedDateTime',
  'createdDateTime',
])
// GUESS: which properties take eq/in/startswith without advanced query parameters; the docs' per-property table
// lists these as "eq, ne, not, in, startsWith" where eq/in/startsWith are default, ne/not advanced.
const USER_FILTER: Filterable = {
  properties: new Set([
    'id',
    'accountEnabled',
    'onPremisesSyncEnabled',
    'createdDateTime',
    ...STRING_PROPS,
  ]),
  collections: new Map([
    ['proxyAddresses', new Set<string>()],
    ['otherMails', new Set<string>()],
    ['businessPhones', new Set<string>()],
    ['identities', new Set(['issuer', 'issuerAssignedId'])],
  ]),
  endsWith: new Set(['mail', 'otherMails', 'userPrincipalName', 'proxyAddresses']),
  // GUESS: identities take a filter only on issuer and issuerAssignedId together (the docs' example shape).
  checkLambda: (collection, used) =>
    collection === 'identities' && !(used.includes('issuer') && used.includes('issuerAssignedId'))
      ? 'identities can be filtered only on issuerAssignedId and issuer together'
      : undefined,
}
/** Properties $orderby takes by default, and those it takes only as an advanced query (learn.microsoft.com/graph/aad-advanced-queries, "Support for sorting"). */
const USER_ORDER = {
  basic: new Set(['displayName', 'userPrincipalName']),
  advanced: new Set(['createdDateTime', 'deletedDateTime']),
}
// GUESS: the user properties $search tokenizes (the docs name displayName and description on every directory
// object, and mail, userPrincipalName, givenName, surname, mailNickname, proxyAddresses, otherMails on users).
const USER_SEARCH = new Set([
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mailNickname',
  'userPrincipalName',
  'proxyAddresses',
  'otherMails',
  'employeeId',
])
/** Properties returned without $select on a group (learn.microsoft.com/graph/api/group-list: the default set, abridged). */
const GROUP_DEFAULT_SELECT = [
  'id',
  'createdDateTime',
  'description',
  'displayName',
  'groupTypes',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'visibility',
  'onPremisesSyncEnabled',
]
const GROUP_WRITABLE = new Set([
  'displayName',
  'description',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'groupTypes',
  'visibility',
  'members@odata.bind',
  'owners@odata.bind',
])
const GROUP_FILTER: Filterable = {
  properties: new Set([
    'id',
    'displayName',
    'description',
    'mail',
    'mailNickname',
    'mailEnabled',
    'securityEnabled',
    'onPremisesSyncEnabled',
  ]),
}
const GROUP_ORDER = { basic: new Set(['displayName']), advanced: new Set(['deletedDateTime']) }
const GROUP_SEARCH = new Set(['displayName', 'description', 'mail', 'mailNickname'])
/** learn.microsoft.com/graph/api/group-post-members: up to 20 members in one request. */
const MAX_BIND = 20
// GUESS: the user properties a synced (onPremisesSyncEnabled) user still takes from Graph; the rest are mastered
// on premises ("Unable to update the specified properties for on-premises mastered Directory Sync objects").
const CLOUD_MASTERED = new Set(['usageLocation'])

function graphError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): SimResponse {
  const date = new Date().toISOString().slice(0, 19)
  const requestId = randomUUID()
  return {
    status,
    headers: { 'request-id': requestId, ...headers },
    json: {
      error: {
        code,
        message,
        ...extra,
        innerError: { date, 'request-id': requestId, 'client-request-id': requestId },
      },
    },
  }
}

const notFound = (id: string) =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  )

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
    for (const [id, u] of users)
      if (u.deletedAt !== undefined && now() - u.deletedAt > DELETED_RETENTION_MS) users.delete(id)
    for (const [id, g] of groups)
      if (g.deletedAt !== undefined && now() - g.deletedAt > DELETED_RETENTION_MS) groups.delete(id)
  }
  const live = () => [...users.values()].filter((u) => u.deletedAt === undefined)
  const liveGroups = () => [...groups.values()].filter((g) => g.deletedAt === undefined)
  const byKey = (key: string): SimUser | undefined => {
    const k = key.toLowerCase()
    return live().find(
      (u) => u.id === key || String(u.props.userPrincipalName ?? '').toLowerCase() === k,
    )
  }

  /** Every property of a user as Graph computes it, for $select, $filter, $orderby and $search. */
  function record(u: SimUser): Record<string, unknown> {
    const upn = u.props.userPrincipalName
    const mail = u.props.mail
    // GUESS: a cloud user's proxyAddresses hold its mail as the primary SMTP address (Exchange adds more).
    const proxyAddresses =
      (u.props.proxyAddresses as string[] | undefined) ??
      (typeof mail === 'string' ? [`SMTP:${mail}`] : [])
    const stored = (u.props.identities as Record<string, unknown>[] | undefined) ?? []
    const identities = [
      {
        signInType: 'userPrincipalName',
        issuer: `${tenantId}.onmicrosoft.com`,
        issuerAssignedId: upn ?? null,
      },
      ...stored.filter((i) => i.signInType !== 'userPrincipalName'),
    ]
    return {
      ...u.props,
      id: u.id,
      accountEnabled: u.props.accountEnabled ?? true,
      proxyAddresses,
      identities,
      onPremisesSyncEnabled: u.props.onPremisesSyncEnabled ?? null,
      assignedLicenses: u.licenses.map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans })),
      deletedDateTime: u.deletedAt === undefined ? null : new Date(u.deletedAt).toISOString(),
    }
  }

  function view(u: SimUser, select: readonly string[] | undefined): Record<string, unknown> {
    return pick(record(u), select ?? DEFAULT_SELECT)
  }

  function pick(rec: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const name of names) out[name] = rec[name] ?? (ARRAY_PROPS.includes(name) ? [] : null)
    return out
  }

  function parseSelect(
    q: URLSearchParams,
    readable: ReadonlySet<string> = READABLE,
    type = 'user',
  ): string[] | undefined | SimResponse {
    const s = q.get('$select')
    if (s === null) return undefined
    const names = s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
    for (const n of names) {
      if (!readable.has(n))
        return graphError(
          400,
          'Request_BadRequest',
          `Could not find a property named '${n}' on type 'microsoft.graph.${type}'.`,
        )
    }
    return names
  }

  /** Validates a create/update body; returns an error answer or undefined. */
  function checkBody(
    body: Record<string, unknown>,
    self: SimUser | undefined,
    creating: boolean,
  ): SimResponse | undefined {
    for (const [k, v] of Object.entries(body)) {
      // GUESS: the wording for writing a read-only property.
      if (READ_ONLY.includes(k))
        return graphError(
          400,
          'Request_BadRequest',
          `Property '${k}' is read-only and cannot be set.`,
        )
      if (!WRITABLE.has(k)) {
        return graphError(
          400,
          'Request_BadRequest',
          `The property '${k}' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        )
      }
      if (v === null) continue
      if (k === 'accountEnabled' && typeof v !== 'boolean')
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property 'accountEnabled' of resource 'User'.`,
        )
      if (STRING_PROPS.includes(k) && typeof v !== 'string')
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${k}' of resource 'User'.`,
        )
      if (ARRAY_PROPS.includes(k) && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${k}' of resource 'User'.`,
        )
      if (k === 'identities' && !(Array.isArray(v) && v.every(isIdentity)))
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property 'identities' of resource 'User'.`,
        )
    }
    const merged = { ...(self?.props ?? {}), ...body }
    // Required on create (learn.microsoft.com/graph/api/user-post-users): accountEnabled, displayName,
    // mailNickname, passwordProfile, userPrincipalName.
    // GUESS: the wording of the missing-property error.
    const required = ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName']
    for (const r of required) {
      if (
        (creating || r in body) &&
        (merged[r] === undefined || merged[r] === null || merged[r] === '')
      ) {
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${r}' of resource 'User'.`,
        )
      }
    }
    if (creating && (typeof body.passwordProfile !== 'object' || body.passwordProfile === null)) {
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid value specified for property 'passwordProfile' of resource 'User'.`,
      )
    }
    if (body.passwordProfile !== undefined && body.passwordProfile !== null) {
      const pw = (body.passwordProfile as { password?: unknown }).password
      if (typeof pw !== 'string' || !complex(pw)) {
        return graphError(
          400,
          'Request_BadRequest',
          'The specified password does not comply with password complexity requirements. Please provide a different password.',
        )
      }
    }
    if (
      typeof body.mailNickname === 'string' &&
      !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/.test(body.mailNickname)
    ) {
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid value specified for property 'mailNickname' of resource 'User'.`,
      )
    }
    if (typeof body.userPrincipalName === 'string') {
      const upn = body.userPrincipalName
      const m = /^([A-Za-z0-9'.\-_!#^~]{1,64})@([A-Za-z0-9.-]+)$/.exec(upn)
      // GUESS: the error for a malformed UPN (the message for an unverified domain is the documented one).
      if (m === null)
        return graphError(400, 'Request_BadRequest', `Property userPrincipalName is invalid.`, {
          details: [{ target: 'userPrincipalName', code: 'InvalidValue' }],
        })
      if (
        options.domains !== undefined &&
        !options.domains.includes((m[2] as string).toLowerCase())
      ) {
        return graphError(
          400,
          'Request_BadRequest',
          'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
          {
            details: [{ target: 'userPrincipalName', code: 'InvalidValue' }],
          },
        )
      }
      const other = live().find(
        (u) => u !== self && String(u.props.userPrincipalName).toLowerCase() === upn.toLowerCase(),
      )
      if (other !== undefined) return conflict('userPrincipalName')
    }
    if (typeof body.mail === 'string') {
      const mail = body.mail.toLowerCase()
      const other = live().find(
        (u) =>
          u !== self &&
          (String(u.props.mail ?? '').toLowerCase() === mail ||
            String(u.props.userPrincipalName).toLowerCase() === mail),
      )
      if (other !== undefined) return conflict('proxyAddresses')
    }
    return undefined
  }

  const conflict = (property: string) =>
    graphError(
      400,
      'Request_BadRequest',
      `Another object with the same value for property ${property} already exists.`,
      {
        details: [{ target: property, code: 'ObjectConflict' }],
      },
    )

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
    const err = (status: number, error: string, description: string) => ({
      status,
      json: {
        error,
        error_description: description,
        error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
        timestamp: new Date(now()).toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      },
    })
    if (tenant !== tenantId)
      return err(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`)
    if (form.get('grant_type') !== 'client_credentials')
      return err(
        400,
        'unsupported_grant_type',
        'AADSTS70003: The app requested an unsupported grant type.',
      )
    const clientId = form.get('client_id') ?? ''
    if (!(clientId in clients))
      return err(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`,
      )
    if (form.get('client_secret') !== clients[clientId])
      return err(
        401,
        'invalid_client',
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      )
    if (form.get('scope') !== GRAPH_SCOPE)
      return err(
        400,
        'invalid_scope',
        `AADSTS1002012: The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      )
    const t = `sim.${randomUUID()}`
    tokens.set(t, now() + lifetime * 1000)
    issued++
    return {
      status: 200,
      json: {
        token_type: 'Bearer',
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: t,
      },
    }
  }

  function checkAuth(req: SimRequest): SimResponse | undefined {
    const h = req.headers.authorization ?? ''
    const bearer = /^Bearer (.+)$/.exec(h)?.[1]
    if (bearer === undefined)
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token is empty.',
        {},
        { 'www-authenticate': 'Bearer realm=""' },
      )
    const exp = tokens.get(bearer)
    if (exp === undefined)
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
      )
    if (now() >= exp)
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token has expired or is not yet valid.',
      )
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

  interface Row {
    readonly seq: number
    readonly rec: Record<string, unknown>
  }

  /** How a collection answers $filter, $orderby, $search and $select. */
  interface CollectionSpec {
    readonly path: string
    readonly type: string
    readonly context: string
    readonly filter: Filterable
    readonly order: { basic: ReadonlySet<string>; advanced: ReadonlySet<string> }
    readonly search: ReadonlySet<string>
    readonly readable: ReadonlySet<string>
    readonly defaultSelect: readonly string[]
    /** The object's own extra keys in a listing (deleted items carry their @odata.type). */
    readonly decorate?: (item: Record<string, unknown>) => Record<string, unknown>
  }

  const USER_SPEC: CollectionSpec = {
    path: 'users',
    type: 'User',
    context: 'users',
    filter: USER_FILTER,
    order: USER_ORDER,
    search: USER_SEARCH,
    readable: READABLE,
    defaultSelect: DEFAULT_SELECT,
  }
  const DELETED_SPEC: CollectionSpec = {
    ...USER_SPEC,
    path: 'directory/deletedItems/microsoft.graph.user',
    context: 'directoryObjects',
    defaultSelect: [...DEFAULT_SELECT, 'deletedDateTime'],
    decorate: (item) => ({ '@odata.type': '#microsoft.graph.user', ...item }),
  }
  const GROUP_SPEC: CollectionSpec = {
    path: 'groups',
    type: 'Group',
    context: 'groups',
    filter: GROUP_FILTER,
    order: GROUP_ORDER,
    search: GROUP_SEARCH,
    readable: new Set([...GROUP_DEFAULT_SELECT]),
    defaultSelect: GROUP_DEFAULT_SELECT,
  }
  const DELETED_GROUP_SPEC: CollectionSpec = {
    ...GROUP_SPEC,
    path: 'directory/deletedItems/microsoft.graph.group',
    context: 'directoryObjects',
    readable: new Set([...GROUP_DEFAULT_SELECT, 'deletedDateTime']),
    defaultSelect: [...GROUP_DEFAULT_SELECT, 'deletedDateTime'],
    decorate: (item) => ({ '@odata.type': '#microsoft.graph.group', ...item }),
  }

  interface PageToken {
    after?: number
    offset?: number
    filter: string | null
    search: string | null
    orderby: string | null
    top: number
    select: string | null
  }

  /**
   * A listing with Graph's query options. Advanced queries (learn.microsoft.com/graph/aad-advanced-queries) need
   * `ConsistencyLevel: eventual`; $filter operators that are advanced and $filter with $orderby also need
   * `$count=true`. Nothing is ignored: what the simulator cannot answer is refused as Graph refuses it.
   * `countOnly` answers `/$count` (a bare number, text/plain).
   */
  function listCollection(
    op: Op,
    spec: CollectionSpec,
    rows: () => Row[],
    countOnly = false,
  ): SimResponse {
    const q = op.url.searchParams
    const eventual = (op.headers['consistencylevel'] ?? '').toLowerCase() === 'eventual'
    // learn.microsoft.com/graph/aad-advanced-queries: without ConsistencyLevel the /$count segment is an error and
    // the $count=true parameter is ignored.
    if (countOnly && !eventual)
      return graphError(400, 'Request_BadRequest', '$count is not currently supported.')
    const count = eventual ? q.get('$count') : null
    for (const name of q.keys()) {
      // GUESS: the wording for query options Graph's directory does not take ($skip, $expand here).
      if (
        name.startsWith('$') &&
        !['$filter', '$select', '$top', '$count', '$skiptoken', '$orderby', '$search'].includes(
          name,
        )
      ) {
        return graphError(
          400,
          'Request_BadRequest',
          `Query option '${name}' is not supported on this resource.`,
        )
      }
    }
    let token: PageToken | undefined
    const skip = q.get('$skiptoken')
    if (skip !== null) {
      try {
        token = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8')) as PageToken
      } catch {
        return graphError(
          400,
          'Directory_InvalidSkipToken',
          'The specified page token value has expired or is invalid.',
        )
      }
    }
    const select =
      token !== undefined
        ? token.select === null
          ? undefined
          : token.select.split(',')
        : parseSelect(q, spec.readable, spec.type.toLowerCase())
    if (select !== undefined && !Array.isArray(select)) return select
    const filterText = token !== undefined ? token.filter : q.get('$filter')
    const searchText = token !== undefined ? token.search : q.get('$search')
    const orderText = token !== undefined ? token.orderby : q.get('$orderby')
    // A page token carries the query it continues, which was checked on the first page.
    const advanced = eventual && (count === 'true' || countOnly || token !== undefined)
    let test: ((p: Readonly<Record<string, unknown>>) => boolean) | undefined
    if (filterText !== null) {
      try {
        const f = parseFilter(filterText, spec.filter)
        if (f.advancedOperator !== undefined && !advanced) {
          return graphError(
            400,
            'Request_UnsupportedQuery',
            `Operator '${f.advancedOperator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
          )
        }
        // learn.microsoft.com/graph/filter-query-parameter: `in` is limited to 15 expressions unless advanced.
        // GUESS: the answer when it is exceeded.
        if (f.longestIn > 15 && !advanced)
          return graphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.')
        test = f.test
      } catch (e) {
        if (e instanceof FilterError)
          return graphError(400, 'BadRequest', `Invalid filter clause: ${e.message}`)
        throw e
      }
    }
    let search: Search | undefined
    let order: OrderBy | undefined
    try {
      if (searchText !== null) {
        if (!eventual) {
          return graphError(
            400,
            'Request_UnsupportedQuery',
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
          )
        }
        search = parseSearch(searchText.trim(), spec.search, spec.type)
      }
      if (orderText !== null) {
        order = parseOrderBy(orderText, spec.order)
        if ((order.advanced || filterText !== null) && !advanced)
          return graphError(
            400,
            'Request_UnsupportedQuery',
            'Sorting not supported for current query.',
          )
      }
    } catch (e) {
      if (e instanceof QueryError) return graphError(400, e.code, e.message)
      throw e
    }
    const topText = token !== undefined ? String(token.top) : q.get('$top')
    const top = topText === null ? DEFAULT_PAGE : Number(topText)
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE) {
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${topText ?? ''}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
      )
    }
    let all = rows()
      .filter((r) => test === undefined || test(r.rec))
      .filter((r) => search === undefined || matchesSearch(search, r.rec))
      .sort((a, b) => a.seq - b.seq)
    if (countOnly) return { status: 200, text: String(all.length), contentType: 'text/plain' }
    if (order !== undefined) all = orderRows(all, order)
    // Unsorted pages continue after the last object seen (stable while objects are added); sorted ones by offset.
    const start =
      order === undefined ? all.findIndex((r) => r.seq > (token?.after ?? 0)) : (token?.offset ?? 0)
    const rest = start < 0 ? [] : all.slice(start)
    const page = rest.slice(0, top)
    const json: Record<string, unknown> = {
      '@odata.context': `${op.origin}/v1.0/$metadata#${spec.context}`,
    }
    if (count === 'true' && token === undefined) json['@odata.count'] = all.length
    if (rest.length > top) {
      const next: PageToken = {
        ...(order === undefined
          ? { after: (page[page.length - 1] as Row).seq }
          : { offset: (token?.offset ?? 0) + top }),
        filter: filterText,
        search: searchText,
        orderby: orderText,
        top,
        select: select?.join(',') ?? null,
      }
      json['@odata.nextLink'] =
        `${op.origin}/v1.0/${spec.path}?$skiptoken=${Buffer.from(JSON.stringify(next), 'utf8').toString('base64url')}`
    }
    json.value = page.map((r) => {
      const item = pick(r.rec, select ?? spec.defaultSelect)
      return spec.decorate !== undefined ? spec.decorate(item) : item
    })
    return { status: 200, json }
  }

  function listUsers(op: Op, deleted: boolean, countOnly = false): SimResponse {
    purge()
    const t = now()
    const rows = () =>
      [...users.values()]
        .filter((u) => (deleted ? u.deletedAt !== undefined : u.deletedAt === undefined))
        .filter((u) => deleted || u.visibleAt <= t)
        .map((u) => ({ seq: u.seq, rec: record(u) }))
    return listCollection(op, deleted ? DELETED_SPEC : USER_SPEC, rows, countOnly)
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
      if (seg.length === 2 && seg[1] === '$count' && m === 'GET') return listUsers(op, false, true)
      if (seg.length === 1 && m === 'POST') {
        const bad = checkBody(body, undefined, true)
        if (bad !== undefined) return bad
        const u = newUser({ ...body }, now() + lag)
        return {
          status: 201,
          headers: { location: `${op.origin}/v1.0/users/${u.id}` },
          json: {
            '@odata.context': `${op.origin}/v1.0/$metadata#users/$entity`,
            ...view(u, undefined),
          },
        }
      }
      const found = getUser(seg[1] as string, op)
      if (!('seq' in found)) return found
      const u = found
      if (seg.length === 2 && m === 'GET') {
        const select = parseSelect(op.url.searchParams)
        if (select !== undefined && !Array.isArray(select)) return select
        return {
          status: 200,
          json: {
            '@odata.context': `${op.origin}/v1.0/$metadata#users/$entity`,
            ...view(u, select),
          },
        }
      }
      if (seg.length === 2 && m === 'PATCH') {
        const bad = checkBody(body, u, false)
        if (bad !== undefined) return bad
        if (
          u.props.onPremisesSyncEnabled === true &&
          Object.keys(body).some((k) => !CLOUD_MASTERED.has(k))
        )
          return onPremisesMastered()
        store(u, body)
        return { status: 204 }
      }
      if (seg.length === 2 && m === 'DELETE') {
        // GUESS: a synced user is deleted in the on-premises directory, not through Graph.
        if (u.props.onPremisesSyncEnabled === true) return onPremisesMastered()
        u.deletedAt = now()
        u.formerGroups = [...groups.values()].filter((g) => g.members.delete(u.id)).map((g) => g.id)
        // GUESS: a deleted user stops owning its groups (and does not own them again after a restore)
        for (const g of groups.values()) g.owners.delete(u.id)
        return { status: 204 }
      }
      if (seg.length === 3 && seg[2] === 'assignLicense' && m === 'POST')
        return assignLicense(u, body, op)
      if (
        (seg.length === 3 || (seg.length === 4 && seg[3] === 'microsoft.graph.group')) &&
        seg[2] === 'memberOf' &&
        m === 'GET'
      ) {
        // GUESS: one page (a pupil is in far fewer groups than Graph's default page of 100)
        const value = liveGroups()
          .filter((g) => g.members.has(u.id))
          .map((g) => ({
            '@odata.type': '#microsoft.graph.group',
            id: g.id,
            displayName: g.displayName,
          }))
        return {
          status: 200,
          json: { '@odata.context': `${op.origin}/v1.0/$metadata#directoryObjects`, value },
        }
      }
      return graphError(400, 'Request_BadRequest', `Unsupported segment type. ODataQuery: ${path}`)
    }
    if (seg[0] === 'groups') return routeGroups(op, seg.slice(1), body)
    if (seg[0] === 'directory' && seg[1] === 'deletedItems') {
      purge()
      if (seg.length === 3 && seg[2] === 'microsoft.graph.user' && m === 'GET')
        return listUsers(op, true)
      if (seg.length === 3 && seg[2] === 'microsoft.graph.group' && m === 'GET')
        return listCollection(op, DELETED_GROUP_SPEC, () => groupRows(true))
      const gone = groups.get(seg[2] ?? '')
      if (gone !== undefined) return routeDeletedGroup(op, seg.slice(3), gone)
      const u = users.get(seg[2] ?? '')
      if (u === undefined || u.deletedAt === undefined) return notFound(seg[2] ?? '')
      if (seg.length === 3 && m === 'GET')
        return {
          status: 200,
          json: {
            '@odata.type': '#microsoft.graph.user',
            ...view(u, [...DEFAULT_SELECT, 'deletedDateTime', 'employeeId']),
          },
        }
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
        return {
          status: 200,
          json: {
            '@odata.context': `${op.origin}/v1.0/$metadata#directoryObjects/$entity`,
            '@odata.type': '#microsoft.graph.user',
            ...view(u, undefined),
          },
        }
      }
    }
    return graphError(
      400,
      'Request_BadRequest',
      `Resource not found for the segment '${seg[0] ?? ''}'.`,
    )
  }

  const onPremisesMastered = () =>
    graphError(
      400,
      'Request_BadRequest',
      'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
    )

  function groupRecord(g: SimGroup): Record<string, unknown> {
    return {
      ...g.props,
      id: g.id,
      displayName: g.displayName,
      onPremisesSyncEnabled: g.props.onPremisesSyncEnabled ?? null,
      deletedDateTime: g.deletedAt === undefined ? null : new Date(g.deletedAt).toISOString(),
    }
  }

  function groupRows(deleted: boolean): Row[] {
    purge()
    const t = now()
    return [...groups.values()]
      .filter(
        (g) => (g.deletedAt !== undefined) === deleted && (deleted || (g.visibleAt ?? 0) <= t),
      )
      .map((g) => ({ seq: g.seq, rec: groupRecord(g) }))
  }

  /** learn.microsoft.com/graph/api/directory-deleteditems-get|restore|delete for a deleted group. */
  function routeDeletedGroup(op: Op, rest: string[], g: SimGroup): SimResponse {
    if (g.deletedAt === undefined) return notFound(g.id)
    const item = () => ({
      '@odata.type': '#microsoft.graph.group',
      ...pick(groupRecord(g), [...GROUP_DEFAULT_SELECT, 'deletedDateTime']),
    })
    if (rest.length === 0 && op.method === 'GET') return { status: 200, json: item() }
    if (rest.length === 0 && op.method === 'DELETE') {
      groups.delete(g.id)
      return { status: 204 }
    }
    if (rest.length === 1 && rest[0] === 'restore' && op.method === 'POST') {
      const taken = nicknameTaken(g.props, g)
      if (taken !== undefined) return taken
      delete g.deletedAt
      return {
        status: 200,
        json: {
          '@odata.context': `${op.origin}/v1.0/$metadata#directoryObjects/$entity`,
          ...item(),
        },
      }
    }
    return graphError(
      400,
      'Request_BadRequest',
      `Unsupported segment type. ODataQuery: directory/deletedItems/${g.id}/${rest.join('/')}`,
    )
  }

  /**
   * A Microsoft 365 group's mailNickname is its mail address, unique in the tenant (learn.microsoft.com/graph/api/
   * resources/group: "unique for Microsoft 365 groups in the organization"); security groups need not differ.
   */
  function nicknameTaken(
    props: Record<string, unknown>,
    self: SimGroup | undefined,
  ): SimResponse | undefined {
    const unified = Array.isArray(props.groupTypes) && props.groupTypes.includes('Unified')
    if (!unified || typeof props.mailNickname !== 'string') return undefined
    const nick = props.mailNickname.toLowerCase()
    const other = liveGroups().find(
      (o) =>
        o !== self &&
        Array.isArray(o.props.groupTypes) &&
        o.props.groupTypes.includes('Unified') &&
        String(o.props.mailNickname).toLowerCase() === nick,
    )
    // GUESS: the conflict is reported on proxyAddresses, as for a user's mail
    return other === undefined ? undefined : conflict('proxyAddresses')
  }

  /** The ids named by `members@odata.bind` (…/directoryObjects/{id} or …/users/{id}); an error answer if one is bad. */
  function boundMembers(
    value: unknown,
    g: SimGroup | undefined,
    nav: 'members' | 'owners' = 'members',
  ): string[] | SimResponse {
    if (!Array.isArray(value))
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid value for '${nav}@odata.bind': expected an array of URLs.`,
      ) // GUESS: wording
    if (value.length > MAX_BIND)
      return graphError(
        400,
        'Request_BadRequest',
        `The request adds ${value.length} members; at most ${MAX_BIND} can be added in one request.`,
      ) // GUESS: wording
    const ids: string[] = []
    for (const ref of value) {
      const id =
        typeof ref === 'string'
          ? /\/(?:directoryObjects|users)\/([^/?]+)$/.exec(ref)?.[1]
          : undefined
      if (id === undefined)
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid URL format specified in @odata.bind for the '${nav}' navigation property.`,
        ) // GUESS: wording
      const member = byKey(id)
      if (member === undefined || (options.lagHidesGetById === true && member.visibleAt > now()))
        return notFound(id)
      if (g?.[nav].has(member.id) === true || ids.includes(member.id)) {
        return graphError(
          400,
          'Request_BadRequest',
          `One or more added object references already exist for the following modified properties: '${nav}'.`,
        )
      }
      ids.push(member.id)
    }
    return ids
  }

  /** Validates a group create/update body (learn.microsoft.com/graph/api/group-post-groups). */
  function checkGroupBody(
    body: Record<string, unknown>,
    creating: boolean,
  ): SimResponse | undefined {
    for (const [k, v] of Object.entries(body)) {
      if (!GROUP_WRITABLE.has(k)) {
        return graphError(
          400,
          'Request_BadRequest',
          `The property '${k}' does not exist on type 'microsoft.graph.group'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        )
      }
      const bad = () =>
        graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${k}' of resource 'Group'.`,
        )
      if (
        ['displayName', 'description', 'mailNickname', 'visibility'].includes(k) &&
        v !== null &&
        typeof v !== 'string'
      )
        return bad()
      if (['mailEnabled', 'securityEnabled'].includes(k) && typeof v !== 'boolean') return bad()
      if (
        k === 'groupTypes' &&
        !(Array.isArray(v) && v.every((x) => x === 'Unified' || x === 'DynamicMembership'))
      )
        return bad()
    }
    if (creating) {
      // Required on create: displayName, mailEnabled, mailNickname, securityEnabled.
      for (const r of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
        if (body[r] === undefined || body[r] === null || body[r] === '')
          return graphError(
            400,
            'Request_BadRequest',
            `Invalid value specified for property '${r}' of resource 'Group'.`,
          )
      }
      const unified = Array.isArray(body.groupTypes) && body.groupTypes.includes('Unified')
      // Graph creates only Microsoft 365 groups (Unified) and security groups; a mail-enabled security group is refused.
      if (body.mailEnabled === true && !unified) {
        return graphError(
          400,
          'Request_BadRequest',
          'Creating mail-enabled security groups is not supported through Microsoft Graph.',
        ) // GUESS: wording
      }
    }
    if (
      typeof body.mailNickname === 'string' &&
      !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/.test(body.mailNickname)
    ) {
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid value specified for property 'mailNickname' of resource 'Group'.`,
      )
    }
    return undefined
  }

  function routeGroups(op: Op, seg: string[], body: Record<string, unknown>): SimResponse {
    const m = op.method
    const rows = () => groupRows(false)
    if (seg.length === 0 && m === 'GET') return listCollection(op, GROUP_SPEC, rows)
    if (seg.length === 1 && seg[0] === '$count' && m === 'GET')
      return listCollection(op, GROUP_SPEC, rows, true)
    if (seg.length === 0 && m === 'POST') {
      const bad = checkGroupBody(body, true)
      if (bad !== undefined) return bad
      const members =
        body['members@odata.bind'] === undefined
          ? []
          : boundMembers(body['members@odata.bind'], undefined)
      if (!Array.isArray(members)) return members
      const owners =
        body['owners@odata.bind'] === undefined
          ? []
          : boundMembers(body['owners@odata.bind'], undefined, 'owners')
      if (!Array.isArray(owners)) return owners
      const taken = nicknameTaken(body, undefined)
      if (taken !== undefined) return taken
      const g = makeGroup(String(body.displayName), randomUUID(), body)
      g.visibleAt = now() + lag
      for (const id of members) g.members.add(id)
      for (const id of owners) g.owners.add(id)
      return {
        status: 201,
        headers: { location: `${op.origin}/v1.0/groups/${g.id}` },
        json: {
          '@odata.context': `${op.origin}/v1.0/$metadata#groups/$entity`,
          ...pick(groupRecord(g), GROUP_DEFAULT_SELECT),
        },
      }
    }
    const g = groups.get(seg[0] ?? '')
    if (g === undefined || g.deletedAt !== undefined) return notFound(seg[0] ?? '')
    if (seg.length === 1 && m === 'GET') {
      const select = parseSelect(op.url.searchParams, GROUP_SPEC.readable, 'group')
      if (select !== undefined && !Array.isArray(select)) return select
      return {
        status: 200,
        json: {
          '@odata.context': `${op.origin}/v1.0/$metadata#groups/$entity`,
          ...pick(groupRecord(g), select ?? GROUP_DEFAULT_SELECT),
        },
      }
    }
    // A group synced from AD is changed in AD; Graph refuses to change its members or properties.
    if (g.props.onPremisesSyncEnabled === true && m !== 'GET') return onPremisesMastered()
    if (seg.length === 1 && m === 'PATCH') {
      const bad = checkGroupBody(body, false)
      if (bad !== undefined) return bad
      const members =
        body['members@odata.bind'] === undefined ? [] : boundMembers(body['members@odata.bind'], g)
      if (!Array.isArray(members)) return members
      const owners =
        body['owners@odata.bind'] === undefined
          ? []
          : boundMembers(body['owners@odata.bind'], g, 'owners')
      if (!Array.isArray(owners)) return owners
      const taken =
        body.mailNickname === undefined ? undefined : nicknameTaken({ ...g.props, ...body }, g)
      if (taken !== undefined) return taken
      for (const id of members) g.members.add(id)
      for (const id of owners) g.owners.add(id)
      for (const [k, v] of Object.entries(body)) {
        if (k === 'members@odata.bind' || k === 'owners@odata.bind') continue
        if (k === 'displayName') g.displayName = String(v)
        else g.props[k] = v
      }
      return { status: 204 }
    }
    if (seg.length === 1 && m === 'DELETE') {
      // learn.microsoft.com/graph/api/group-delete: Microsoft 365 and security groups wait 30 days in deleted items
      g.deletedAt = now()
      return { status: 204 }
    }
    const nav = seg[1] === 'members' || seg[1] === 'owners' ? seg[1] : undefined
    if (nav !== undefined && seg.length === 2 && m === 'GET') {
      // learn.microsoft.com/graph/api/group-list-members: directory objects, paged like /users ($top, nextLink)
      const spec: CollectionSpec = {
        ...USER_SPEC,
        path: `groups/${g.id}/${nav}`,
        context: 'directoryObjects',
        decorate: (item) => ({ '@odata.type': '#microsoft.graph.user', ...item }),
      }
      const ids = g[nav]
      return listCollection(op, spec, () =>
        live()
          .filter((u) => ids.has(u.id))
          .map((u) => ({ seq: u.seq, rec: record(u) })),
      )
    }
    if (nav !== undefined && seg.length === 3 && seg[2] === '$ref' && m === 'POST') {
      const ref = body['@odata.id']
      const id =
        typeof ref === 'string' ? /\/directoryObjects\/([^/?]+)$/.exec(ref)?.[1] : undefined
      if (id === undefined)
        return graphError(
          400,
          'Request_BadRequest',
          `Invalid URL format specified in @odata.id for the '${nav}' navigation property.`,
        ) // GUESS: wording
      const member = byKey(id)
      if (member === undefined || (options.lagHidesGetById === true && member.visibleAt > now()))
        return notFound(id)
      if (g[nav].has(member.id))
        return graphError(
          400,
          'Request_BadRequest',
          `One or more added object references already exist for the following modified properties: '${nav}'.`,
        )
      g[nav].add(member.id)
      return { status: 204 }
    }
    if (nav !== undefined && seg.length === 4 && seg[3] === '$ref' && m === 'DELETE') {
      const id = seg[2] as string
      if (!g[nav].has(id)) return notFound(id)
      // learn.microsoft.com/graph/api/group-delete-owners: once a group has owners, the last one cannot be removed
      if (nav === 'owners' && g.owners.size === 1) {
        return graphError(
          400,
          'Request_BadRequest',
          'The group must have at least one owner, hence this owner cannot be removed.',
        ) // GUESS: wording
      }
      g[nav].delete(id)
      return { status: 204 }
    }
    return graphError(
      400,
      'Request_BadRequest',
      `Unsupported segment type. ODataQuery: groups/${seg.join('/')}`,
    )
  }

  function makeGroup(displayName: string, id: string, props: Record<string, unknown>): SimGroup {
    const rest = Object.fromEntries(
      Object.entries(props).filter(([k]) => !k.endsWith('@odata.bind') && k !== 'displayName'),
    )
    const g: SimGroup = {
      id,
      seq: ++seq,
      displayName,
      members: new Set(),
      owners: new Set(),
      props: { createdDateTime: new Date(now()).toISOString(), groupTypes: [], ...rest },
    }
    groups.set(id, g)
    return g
  }

  function assignLicense(u: SimUser, body: Record<string, unknown>, op: Op): SimResponse {
    const add = body.addLicenses
    const remove = body.removeLicenses
    if (!Array.isArray(add) || !Array.isArray(remove)) {
      return graphError(
        400,
        'Request_BadRequest',
        "The request body must contain both 'addLicenses' and 'removeLicenses'.",
      ) // GUESS: wording
    }
    const adds = add.map((a) => String((a as { skuId?: unknown }).skuId ?? ''))
    for (const s of [...adds, ...remove.map(String)]) {
      if (!(s in skus))
        return graphError(
          400,
          'Request_BadRequest',
          `License ${s} does not correspond to a valid company License.`,
        )
    }
    if (
      adds.length > 0 &&
      (typeof u.props.usageLocation !== 'string' || u.props.usageLocation === '')
    ) {
      return graphError(
        400,
        'Request_BadRequest',
        'License assignment cannot be done for user with invalid usage location.',
      )
    }
    for (const s of remove.map(String)) {
      // GUESS: removing a licence the user lacks is refused with this message.
      if (!u.licenses.some((l) => l.skuId === s))
        return graphError(400, 'Request_BadRequest', 'User does not have a corresponding license.')
    }
    u.licenses = u.licenses.filter((l) => !remove.map(String).includes(l.skuId))
    for (const [i, s] of adds.entries()) {
      const disabledPlans =
        ((add[i] as { disabledPlans?: unknown }).disabledPlans as string[] | undefined) ?? []
      const have = u.licenses.find((l) => l.skuId === s)
      if (have !== undefined) have.disabledPlans = disabledPlans
      else u.licenses.push({ skuId: s, disabledPlans })
    }
    return {
      status: 200,
      json: {
        '@odata.context': `${op.origin}/v1.0/$metadata#users/$entity`,
        ...view(u, undefined),
      },
    }
  }

  function operate(op: Op): SimResponse {
    if (throttle !== undefined && throttle.left > 0) {
      throttle.left--
      const t = throttle
      if (t.left === 0) throttle = undefined
      // Retry-After on 429/503 is documented (learn.microsoft.com/graph/throttling).
      // GUESS: the error codes TooManyRequests / ServiceUnavailable and their messages.
      return t.status === 429
        ? graphError(
            429,
            'TooManyRequests',
            'Too many requests.',
            {},
            { 'retry-after': String(t.retry) },
          )
        : graphError(
            503,
            'ServiceUnavailable',
            'Service is unavailable.',
            {},
            { 'retry-after': String(t.retry) },
          )
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
    if (list.length > MAX_BATCH)
      return graphError(
        400,
        'BadRequest',
        `The number of requests in the batch (${list.length}) exceeds the limit of ${MAX_BATCH}.`,
      )
    const ids = new Set<string>()
    for (const r of list as Record<string, unknown>[]) {
      const id = String(r.id ?? '')
      if (id === '' || ids.has(id))
        return graphError(
          400,
          'BadRequest',
          `Batch request ids must be unique and non-empty; got '${id}'.`,
        ) // GUESS: wording
      ids.add(id)
      const headers = Object.fromEntries(
        Object.entries((r.headers ?? {}) as Record<string, string>).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      )
      if (r.body !== undefined && headers['content-type'] === undefined) {
        return graphError(
          400,
          'BadRequest',
          `Write request id : ${id} does not contain Content-Type header or body.`,
        )
      }
      if (String(r.url ?? '').includes('$batch'))
        return graphError(400, 'BadRequest', 'Nested batch requests are not supported.') // GUESS: wording
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
        res = graphError(
          424,
          'FailedDependency',
          `The request with id '${failedDep}' that this request depends on failed.`,
        ) // GUESS: wording
      } else {
        const rel = String(r.url ?? '')
        const url = new URL(`/v1.0/${rel.replace(/^\//, '')}`, 'http://127.0.0.1')
        const headers = Object.fromEntries(
          Object.entries((r.headers ?? {}) as Record<string, string>).map(([k, v]) => [
            k.toLowerCase(),
            v,
          ]),
        )
        try {
          res = operate({
            method: String(r.method ?? 'GET').toUpperCase(),
            url,
            headers,
            body: r.body,
            origin,
          })
        } catch (e) {
          res = graphError(500, 'InternalServerError', messageOf(e))
        }
      }
      statuses.set(id, res.status)
      responses.push({
        id,
        status: res.status,
        headers: { 'content-type': 'application/json', ...(res.headers ?? {}) },
        ...(res.json !== undefined ? { body: res.json } : {}),
      })
    }
    return { status: 200, json: { responses } }
  }

  const http = await startSimHttpServer(
    (req) => {
      const origin = req.origin ?? `http://${req.headers.host ?? '127.0.0.1'}`
      const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url.pathname)
      if (tokenPath !== null && req.method === 'POST')
        return token(req, decodeURIComponent(tokenPath[1] as string))
      if (!req.url.pathname.startsWith('/v1.0/')) return graphError(404, 'NotFound', 'Not found.')
      const denied = checkAuth(req)
      if (denied !== undefined) return denied
      if (req.url.pathname === '/v1.0/$batch' && req.method === 'POST') return batch(req, origin)
      let body: unknown
      if (req.body !== '') {
        try {
          body = JSON.parse(req.body)
        } catch {
          return graphError(
            400,
            'BadRequest',
            'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
          )
        }
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      )
      return operate({ method: req.method, url: req.url, headers, body, origin })
    },
    {
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
    },
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
    addGroup(displayName, id = randomUUID(), props = {}) {
      if (!groups.has(id))
        makeGroup(displayName, id, {
          mailEnabled: false,
          securityEnabled: true,
          mailNickname: displayName.replace(/[^A-Za-z0-9]/g, '') || 'group',
          ...props,
        })
      return id
    },
    seedUser(props) {
      return newUser({ accountEnabled: true, ...props }, now())
    },
    rateLimit(limit) {
      http.rateLimit(
        limit === undefined
          ? undefined
          : {
              ...limit,
              response: (seconds) =>
                graphError(
                  429,
                  'TooManyRequests',
                  'Too many requests.',
                  {},
                  { 'retry-after': String(seconds) },
                ),
            },
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

/** An objectIdentity: signInType, issuer and issuerAssignedId, all strings (learn.microsoft.com/graph/api/resources/objectidentity). */
function isIdentity(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false
  const i = v as Record<string, unknown>
  return ['signInType', 'issuer', 'issuerAssignedId'].every(
    (k) => typeof i[k] === 'string' && i[k] !== '',
  )
}
