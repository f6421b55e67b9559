// A loopback OneRoster 1.1/1.2 REST rostering service: OAuth2 client credentials (POST /token), collection GETs
// with limit/offset paging, X-Total-Count and Link headers, `filter` (two predicates at most, AND or OR),
// `sort`/`orderBy`, single-record GETs, and imsx_StatusInfo error bodies. Records can be changed, added and
// marked tobedeleted afterwards (with their dateLastModified) for delta tests.
import type { OneRosterVersion } from '../generator/oneroster-columns.ts'
import type { SimBoard } from '../generator/index.ts'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import {
  basePath,
  buildRestData,
  COLLECTIONS,
  type Collection,
  type RestData,
  type RestRecord,
} from './oneroster-rest-data.ts'

export interface OneRosterRestSimOptions {
  readonly board: SimBoard
  readonly version?: OneRosterVersion
  readonly clientId: string
  readonly clientSecret: string
  /** dateLastModified of every generated record. Default: the board's today at midnight UTC. */
  readonly modifiedAt?: string
  /** Token lifetime in seconds. Default 3600. */
  readonly tokenSeconds?: number
  /** Largest `limit` served; a larger one is cut to it. Default 5000. */
  readonly maxLimit?: number
  readonly port?: number
}

export interface OneRosterRestSim {
  /** Base URL of the rostering service, e.g. `http://127.0.0.1:1234/ims/oneroster/rostering/v1p2`. */
  readonly url: string
  readonly tokenUrl: string
  readonly http: SimHttpServer
  readonly data: RestData
  readonly version: OneRosterVersion
  /** Scopes asked for in token requests, in order. */
  readonly scopes: string[]
  /** Filters received, in order. */
  readonly filters: string[]
  /** Forget every issued token (as if they expired): the next request gets 401. */
  expireTokens(): void
  /** Changes fields of a record and stamps it modified at `at`. */
  modify(
    collection: Collection,
    sourcedId: string,
    patch: Record<string, unknown>,
    at: string,
  ): void
  /** Adds a record (active) modified at `at`. */
  add(
    collection: Collection,
    record: Record<string, unknown> & { sourcedId: string },
    at: string,
  ): void
  /** Marks a record tobedeleted at `at` (it stays served, as the REST binding keeps such records for a while). */
  remove(collection: Collection, sourcedId: string, at: string): void
  close(): Promise<void>
}

const PLURAL_TYPES: Record<Collection, string> = {
  orgs: 'org',
  academicSessions: 'academicSession',
  courses: 'course',
  classes: 'class',
  users: 'user',
  enrollments: 'enrollment',
  demographics: 'demographics',
}

/** imsx_StatusInfo error body, as the OpenAPI binding describes it. */
function statusInfo(status: number, codeMinor: string, description: string): SimResponse {
  return {
    status,
    json: {
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: description,
      imsx_CodeMinor: {
        imsx_codeMinorField: [
          { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
        ],
      },
    },
  }
}

interface Predicate {
  readonly field: string
  readonly op: string
  readonly value: string
}

/** `field op 'value'` joined by at most one AND or OR; quotes inside a value are doubled. */
export function parseFilter(
  filter: string,
): { predicates: Predicate[]; join: 'AND' | 'OR' } | undefined {
  const one = /^\s*([A-Za-z][A-Za-z0-9.]*)\s*(>=|<=|!=|=|>|<|~)\s*'((?:[^']|'')*)'\s*/
  const predicates: Predicate[] = []
  let rest = filter
  let join: 'AND' | 'OR' = 'AND'
  for (;;) {
    const m = one.exec(rest)
    if (m === null) return undefined
    predicates.push({
      field: m[1] as string,
      op: m[2] as string,
      value: (m[3] as string).replace(/''/g, "'"),
    })
    rest = rest.slice(m[0].length)
    if (rest === '') break
    const j = /^(AND|OR)\s+/.exec(rest)
    if (j === null || predicates.length >= 2) return undefined
    join = j[1] as 'AND' | 'OR'
    rest = rest.slice(j[0].length)
  }
  return { predicates, join }
}

function valueAt(record: Record<string, unknown>, path: string): unknown {
  let cur: unknown = record
  for (const part of path.split('.'))
    cur =
      typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined
  return cur
}

function matches(record: Record<string, unknown>, p: Predicate): boolean {
  const raw = valueAt(record, p.field)
  const v =
    raw === undefined || raw === null
      ? ''
      : typeof raw === 'object'
        ? JSON.stringify(raw)
        : String(raw as string | number | boolean)
  switch (p.op) {
    case '=':
      return v === p.value
    case '!=':
      return v !== p.value
    case '>':
      return v > p.value
    case '>=':
      return v >= p.value
    case '<':
      return v < p.value
    case '<=':
      return v <= p.value
    default:
      return v.includes(p.value)
  }
}

export async function startOneRosterRestSim(
  options: OneRosterRestSimOptions,
): Promise<OneRosterRestSim> {
  const version = options.version ?? '1.2'
  const base = basePath(version)
  const data = buildRestData(
    options.board,
    version,
    options.modifiedAt ?? `${options.board.today}T00:00:00.000Z`,
  )
  const index = new Map<Collection, Map<string, RestRecord>>(
    COLLECTIONS.map((c) => [c, new Map(data[c].map((r) => [r.sourcedId, r]))]),
  )
  const tokens = new Map<string, number>()
  const scopes: string[] = []
  const filters: string[] = []
  let issued = 0
  const maxLimit = options.maxLimit ?? 5000
  // the fields a filter may name: every top-level field a record of the collection can have, plus sub-fields of references
  // sorted copies and filterable fields per collection, dropped whenever a record changes
  const sortedCache = new Map<string, RestRecord[]>()
  const knownCache = new Map<Collection, Set<string>>()
  // each record's JSON text (pages are joined from these) and equality indexes for `field='value'` filters
  const jsonCache = new WeakMap<RestRecord, string>()
  const equalityIndex = new Map<string, Map<string, RestRecord[]>>()
  const changed = () => {
    sortedCache.clear()
    knownCache.clear()
    equalityIndex.clear()
  }
  const recordJson = (r: RestRecord): string => {
    let j = jsonCache.get(r)
    if (j === undefined) jsonCache.set(r, (j = JSON.stringify(r)))
    return j
  }
  const equal = (c: Collection, field: string, value: string): RestRecord[] => {
    const key = `${c}\u0000${field}`
    let idx = equalityIndex.get(key)
    if (idx === undefined) {
      idx = new Map()
      for (const r of data[c]) {
        const raw = valueAt(r, field)
        const v =
          raw === undefined || raw === null
            ? ''
            : typeof raw === 'object'
              ? JSON.stringify(raw)
              : String(raw as string | number | boolean)
        const list = idx.get(v)
        if (list === undefined) idx.set(v, [r])
        else list.push(r)
      }
      equalityIndex.set(key, idx)
    }
    return idx.get(value) ?? []
  }
  const known = (c: Collection): Set<string> => {
    let k = knownCache.get(c)
    if (k === undefined) knownCache.set(c, (k = knownFields(c)))
    return k
  }
  const knownFields = (c: Collection): Set<string> => {
    const s = new Set<string>(['sourcedId', 'status', 'dateLastModified'])
    for (const r of data[c].slice(0, 200))
      for (const [k, v] of Object.entries(r)) {
        s.add(k)
        if (typeof v === 'object' && v !== null && !Array.isArray(v))
          for (const sub of Object.keys(v)) s.add(`${k}.${sub}`)
      }
    return s
  }

  const token = (req: SimRequest): SimResponse => {
    const form = new URLSearchParams(req.body)
    let id = form.get('client_id')
    let secret = form.get('client_secret')
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')
    if (basic !== null) {
      const [u, p] = Buffer.from(basic[1] as string, 'base64')
        .toString('utf8')
        .split(':')
      id = decodeURIComponent(u ?? '')
      secret = decodeURIComponent(p ?? '')
    }
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, json: { error: 'unsupported_grant_type' } }
    if (id !== options.clientId || secret !== options.clientSecret)
      return {
        status: 401,
        json: { error: 'invalid_client', error_description: 'client authentication failed' },
      }
    scopes.push(form.get('scope') ?? '')
    const t = `tok-${++issued}-${Math.random().toString(36).slice(2)}`
    const seconds = options.tokenSeconds ?? 3600
    tokens.set(t, Date.now() + seconds * 1000)
    return {
      status: 200,
      json: {
        access_token: t,
        token_type: 'bearer',
        expires_in: seconds,
        scope: form.get('scope') ?? '',
      },
    }
  }

  const handler = (req: SimRequest): SimResponse => {
    if (req.url.pathname === '/token' && req.method === 'POST') return token(req)
    if (!req.url.pathname.startsWith(`${base}/`))
      return statusInfo(404, 'unknownobject', `no such endpoint ${req.url.pathname}`)
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const expires = bearer === undefined ? undefined : tokens.get(bearer)
    if (expires === undefined || expires < Date.now())
      return statusInfo(
        401,
        'unauthorisedrequest',
        'the access token is missing, invalid or expired',
      )
    if (req.method !== 'GET')
      return statusInfo(405, 'unsupported', `${req.method} is not supported`)
    const [collection, id, ...more] = req.url.pathname.slice(base.length + 1).split('/')
    if (!(COLLECTIONS as readonly string[]).includes(collection ?? '') || more.length > 0)
      return statusInfo(404, 'unknownobject', `no such endpoint ${req.url.pathname}`)
    const c = collection as Collection
    if (id !== undefined && id !== '') {
      const r = index.get(c)?.get(decodeURIComponent(id))
      // a single-record answer is wrapped in the type's singular name
      return r === undefined
        ? statusInfo(404, 'unknownobject', `${PLURAL_TYPES[c]} ${id} not found`)
        : { status: 200, json: { [PLURAL_TYPES[c]]: r } }
    }
    const q = req.url.searchParams
    const limit = Number(q.get('limit') ?? '100')
    const offset = Number(q.get('offset') ?? '0')
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0)
      return statusInfo(400, 'invaliddata', 'limit must be an integer ≥ 1 and offset ≥ 0')
    let rows = data[c]
    const filter = q.get('filter')
    if (filter !== null) {
      filters.push(filter)
      const parsed = parseFilter(filter)
      if (parsed === undefined)
        return statusInfo(400, 'invalid_filter_field', `cannot parse filter ${filter}`)
      const fields = known(c)
      const bad = parsed.predicates.find((p) => !fields.has(p.field))
      if (bad !== undefined)
        return statusInfo(400, 'invalid_filter_field', `unknown filter field ${bad.field}`)
      const only = parsed.predicates.length === 1 ? parsed.predicates[0] : undefined
      rows =
        only !== undefined && only.op === '='
          ? equal(c, only.field, only.value)
          : rows.filter((r) =>
              parsed.join === 'AND'
                ? parsed.predicates.every((p) => matches(r, p))
                : parsed.predicates.some((p) => matches(r, p)),
            )
    }
    const sort = q.get('sort')
    if (sort !== null) {
      if (!known(c).has(sort))
        return statusInfo(400, 'invalid_sort_field', `unknown sort field ${sort}`)
      const desc = q.get('orderBy') === 'desc'
      const cacheKey = `${c}\u0000${sort}\u0000${desc}\u0000${filter ?? ''}`
      let sorted = sortedCache.get(cacheKey)
      if (sorted === undefined) {
        const keyed = rows.map((r) => ({ r, k: String(valueAt(r, sort) ?? '') }))
        keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0) * (desc ? -1 : 1))
        sorted = keyed.map((x) => x.r)
        sortedCache.set(cacheKey, sorted)
      }
      rows = sorted
    }
    // GUESS: a limit above the server's maximum is cut to it (the client sees it in X-Total-Count and Link)
    const take = Math.min(limit, maxLimit)
    const page = rows.slice(offset, offset + take)
    const link = (o: number, rel: string) => {
      const u = new URL(req.url.toString())
      u.searchParams.set('limit', String(take))
      u.searchParams.set('offset', String(o))
      return `<${u.pathname}${u.search}>; rel="${rel}"`
    }
    const links = [
      link(0, 'first'),
      link(Math.max(0, Math.floor((rows.length - 1) / take) * take), 'last'),
    ]
    if (offset + take < rows.length) links.push(link(offset + take, 'next'))
    if (offset > 0) links.push(link(Math.max(0, offset - take), 'prev'))
    return {
      status: 200,
      headers: { 'x-total-count': String(rows.length), link: links.join(', ') },
      contentType: 'application/json',
      text: `{"${c}":[${page.map(recordJson).join(',')}]}`,
    }
  }

  const http = await startSimHttpServer(
    handler,
    options.port !== undefined ? { port: options.port } : {},
  )
  const stamp = (r: RestRecord, at: string) => {
    r.dateLastModified = at
  }
  const find = (c: Collection, id: string): RestRecord => {
    const r = index.get(c)?.get(id)
    if (r === undefined) throw new Error(`${c} ${id} is not in the simulator`)
    return r
  }
  return {
    url: `${http.url}${base}`,
    tokenUrl: `${http.url}/token`,
    http,
    data,
    version,
    scopes,
    filters,
    expireTokens: () => tokens.clear(),
    modify(c, id, patch, at) {
      changed()
      const r = find(c, id)
      jsonCache.delete(r)
      Object.assign(r, patch)
      stamp(r, at)
    },
    add(c, record, at) {
      changed()
      const r = { ...record, status: 'active', dateLastModified: at } as RestRecord
      data[c].push(r)
      index.get(c)?.set(r.sourcedId, r)
    },
    remove(c, id, at) {
      changed()
      const r = find(c, id)
      jsonCache.delete(r)
      r.status = 'tobedeleted'
      stamp(r, at)
    },
    close: () => http.close(),
  }
}
