// OutSystems user API simulator: the customer-built REST API the HelloID OutSystems connector talks to
// (Tools4everBV/HelloID-Conn-Prov-Target-OutSystems): bearer token, GET /users?IncludeInactive=true, POST /users,
// GET/PUT /users/{key}, GET /roles. One role per user (RoleKey, required); users cannot be created inactive.
// Errors use OutSystems' default REST error body {Errors: [...], StatusCode}. Guesses are marked GUESS and listed
// in README.md.
import { randomUUID } from 'node:crypto'
import {
  startSimHttpServer,
  type SimHttpServer,
  type SimRequest,
  type SimResponse,
} from '../http/sim-http-server.ts'
import { messageOf } from '../../../../src/util/message-of.ts'

export interface OutSystemsRole {
  readonly Key: string
  readonly Name: string
}

/** A user as the simulator keeps it: Key, Username, Name, Email, IsActive, RoleKey and extra string fields. */
export type OutSystemsUser = Record<string, string | boolean>

export interface OutSystemsWrite {
  readonly method: 'POST' | 'PUT'
  readonly key: string
  readonly body: Record<string, unknown>
}

export interface OutSystemsSimOptions {
  readonly token: string
  /** Roles served by GET /roles; default Default User, Docent, Leerling, Beheerder with fixed GUID keys. */
  readonly roles?: readonly OutSystemsRole[]
  /** Path prefix of the API; default /UserManagement/rest/v1 (GUESS: an exposed REST API's usual shape). */
  readonly basePath?: string
}

export interface OutSystemsSim {
  /** Base URL including the path prefix. */
  readonly url: string
  readonly http: SimHttpServer
  readonly users: Map<string, OutSystemsUser>
  readonly roles: OutSystemsRole[]
  /** Every accepted POST and PUT, in order. */
  readonly writes: OutSystemsWrite[]
  /** A token-bucket rate limit whose 429 carries Retry-After and the default error body (off with undefined). */
  rateLimit(perSecond: number | undefined, burst?: number): void
  close(): Promise<void>
}

export const DEFAULT_ROLES: readonly OutSystemsRole[] = [
  { Key: '3f1c2a9e-0d6b-4a51-9d7e-000000000001', Name: 'Default User' },
  { Key: '3f1c2a9e-0d6b-4a51-9d7e-000000000002', Name: 'Docent' },
  { Key: '3f1c2a9e-0d6b-4a51-9d7e-000000000003', Name: 'Leerling' },
  { Key: '3f1c2a9e-0d6b-4a51-9d7e-000000000004', Name: 'Beheerder' },
]

const KNOWN = ['Key', 'Username', 'Name', 'Email', 'IsActive', 'RoleKey']

export async function startOutSystemsSim(options: OutSystemsSimOptions): Promise<OutSystemsSim> {
  const base = (options.basePath ?? '/UserManagement/rest/v1').replace(/\/$/, '')
  const roles = [...(options.roles ?? DEFAULT_ROLES)]
  const users = new Map<string, OutSystemsUser>()
  const writes: OutSystemsWrite[] = []

  const handler = (req: SimRequest): SimResponse => {
    if (!req.url.pathname.startsWith(`${base}/`))
      return error(404, `No endpoint ${req.url.pathname}`)
    // GUESS: the token check comes before routing, and a wrong token answers 401 with the default error body
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return error(401, 'Invalid or missing authentication token')
    const path = req.url.pathname.slice(base.length)
    if (path === '/roles' && req.method === 'GET')
      return { status: 200, json: roles.map((r) => wire({ ...r })) }
    if (path === '/users' && req.method === 'GET') {
      // GUESS: without IncludeInactive=true only active users are listed
      const all = req.url.searchParams.get('IncludeInactive')?.toLowerCase() === 'true'
      return {
        status: 200,
        json: [...users.values()].filter((u) => all || u.IsActive === true).map(wire),
      }
    }
    if (path === '/users' && req.method === 'POST') {
      const parsed = parseBody(req)
      if (!parsed.ok) return parsed.res
      const body = parsed.value
      const normal = normalise(body)
      if (!normal.ok) return normal.res
      const user = normal.value
      user.Key = randomUUID()
      user.IsActive = true // documented: the API cannot create inactive users (HelloID PUTs IsActive=false after)
      const bad = validate(user, undefined)
      if (bad) return bad
      users.set(user.Key, user)
      writes.push({ method: 'POST', key: user.Key, body })
      return { status: 200, json: wire(user) } // GUESS: 200 with the created user (HelloID reads .key from it)
    }
    const m = /^\/users\/([^/]+)$/.exec(path)
    if (m) {
      const key = decodeURIComponent(m[1] as string)
      const existing = users.get(key)
      if (existing === undefined) return error(404, `User ${key} not found`)
      if (req.method === 'GET') return { status: 200, json: wire(existing) }
      if (req.method === 'PUT') {
        const parsed = parseBody(req)
        if (!parsed.ok) return parsed.res
        const body = parsed.value
        const normal = normalise(body)
        if (!normal.ok) return normal.res
        const user = normal.value
        if (user.Key !== undefined && user.Key !== key)
          return error(400, 'Key in the body differs from the key in the path')
        user.Key = key
        // GUESS: PUT replaces the whole user; IsActive must be given (HelloID always sends the full object)
        if (typeof user.IsActive !== 'boolean') return error(400, 'IsActive is required')
        const bad = validate(user, key)
        if (bad) return bad
        users.set(key, user)
        writes.push({ method: 'PUT', key, body })
        return { status: 200, json: wire(user) }
      }
    }
    return error(404, `No endpoint ${req.method} ${path}`)
  }

  function validate(user: OutSystemsUser, key: string | undefined): SimResponse | undefined {
    const username = typeof user.Username === 'string' ? user.Username : ''
    if (username.trim() === '') return error(400, 'Username is required')
    if (typeof user.Name !== 'string' || user.Name.trim() === '')
      return error(400, 'Name is required')
    if (typeof user.RoleKey !== 'string' || user.RoleKey === '')
      return error(400, 'RoleKey is required: a user has exactly one role')
    if (!roles.some((r) => r.Key === user.RoleKey))
      return error(400, `Role ${user.RoleKey} does not exist`)
    // GUESS: usernames are unique regardless of case, and a duplicate answers 409
    for (const u of users.values()) {
      if (u.Key !== key && String(u.Username).toLowerCase() === username.toLowerCase())
        return error(409, `Username ${username} is already in use`)
    }
    return undefined
  }

  const http = await startSimHttpServer(handler)
  return {
    url: `${http.url}${base}`,
    http,
    users,
    roles,
    writes,
    rateLimit(perSecond, burst) {
      // GUESS: no limit is documented; a throttled call answers like any other error, with Retry-After
      http.rateLimit(
        perSecond === undefined
          ? undefined
          : {
              perSecond,
              ...(burst !== undefined ? { burst } : {}),
              response: (retryAfter) => ({
                status: 429,
                headers: { 'retry-after': String(retryAfter) },
                json: wire({ Errors: ['Too many requests'], StatusCode: 429 }),
              }),
            },
      )
    },
    close: () => http.close(),
  }
}

type Result<T> = { ok: true; value: T } | { ok: false; res: SimResponse }
const fail = (status: number, message: string): { ok: false; res: SimResponse } => ({
  ok: false,
  res: error(status, message),
})

function parseBody(req: SimRequest): Result<Record<string, unknown>> {
  if (!/application\/json/i.test(req.headers['content-type'] ?? ''))
    return fail(415, 'Content-Type must be application/json')
  try {
    const v: unknown = JSON.parse(req.body)
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      return fail(400, 'The body must be a JSON object')
    return { ok: true, value: v as Record<string, unknown> }
  } catch (e) {
    return fail(400, `Invalid JSON: ${messageOf(e)}`)
  }
}

/**
 * Field names matched regardless of case (GUESS: HelloID posts `UserName` and reads `username`/`Username`, so
 * the API must take either); other string fields (Department, Manager, …) are kept too.
 */
function normalise(body: Record<string, unknown>): Result<OutSystemsUser> {
  const user: OutSystemsUser = {}
  for (const [k, v] of Object.entries(body)) {
    // extra fields are kept with an upper-case first letter, so `department` (as answered) and `Department` are one
    const name =
      KNOWN.find((n) => n.toLowerCase() === k.toLowerCase()) ??
      k.charAt(0).toUpperCase() + k.slice(1)
    if (v === null || v === undefined) continue
    if (name === 'IsActive') {
      if (typeof v !== 'boolean') return fail(400, 'IsActive must be true or false')
      user.IsActive = v
    } else if (typeof v === 'string') user[name] = v
    else return fail(400, `${name} must be a string`)
  }
  return { ok: true, value: user }
}

/**
 * An object as the simulator answers it: every field name with a lower-case first letter (`key`, `username`,
 * `isActive`, `roleKey`, `name`). GUESS: the real casing is unknown — the HelloID script posts `UserName` and
 * reads `key`, `Key`, `username`, `name` and `RoleKey` alike, which works only because PowerShell ignores
 * case. One fixed casing unlike the one requests use makes a client that reads case-sensitively fail here.
 */
function wire(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]),
  )
}

function error(status: number, message: string): SimResponse {
  return { status, json: wire({ Errors: [message], StatusCode: status }) }
}
