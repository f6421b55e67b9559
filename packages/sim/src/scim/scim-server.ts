// A SCIM 2.0 service provider for tests, the demo and benchmarks. The protocol (schemas, filters, PATCH,
// ListResponse paging, Bulk, errors) is scimmy's and scimmy-routers', not ours; this file adds an in-memory
// store, a bearer token, feature switches (PATCH, Bulk, ETag) and the fault injection of the shared
// simulator HTTP server, which sits in front of the express app and forwards every request to it.
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'
import SCIMMY from 'scimmy'
import SCIMMYRouters from 'scimmy-routers'
import { startSimHttpServer, type SimHttpServer } from '../http/sim-http-server.ts'
import { eqPredicate, parseEqClauses, type EqClause, type RecordPredicate } from './eq-filter.ts'
import { IndexedRecords } from './indexed-records.ts'

export interface ScimSimOptions {
  /** The bearer token clients must send. Default `test-token`. */
  readonly token?: string
  /** Advertise and accept PATCH. Default true. */
  readonly patch?: boolean
  /** Advertise and accept POST /Bulk. Default true. */
  readonly bulk?: boolean
  /** Advertise ETags (meta.version, ETag header) and honour If-Match. Default true. */
  readonly etag?: boolean
  /**
   * Answer equality filters on userName, externalId and id, and the uniqueness checks, from an index. Default
   * true; false scans every record per request, as before — kept so tests can compare the two.
   */
  readonly index?: boolean
  readonly port?: number
}

type Rec = Record<string, unknown> & {
  id: string
  meta: { created: Date; lastModified: Date; version?: string }
}

interface SimState {
  readonly options: Required<Omit<ScimSimOptions, 'port'>>
  readonly stores: { User: IndexedRecords<Rec>; Group: IndexedRecords<Rec> }
  counter: number
  /** Records a filter or a uniqueness check looked at: what an index saves, counted rather than timed. */
  examined: number
}

/** A filter the simulator evaluates itself instead of scimmy (see the middleware before scimmy's routers). */
interface EqFilter {
  readonly clauses: readonly EqClause[]
  readonly predicate: RecordPredicate
}

interface Ctx {
  readonly state: SimState
  readonly filter?: EqFilter
}

export interface ScimSim {
  /** Base URL of the SCIM endpoints, e.g. http://127.0.0.1:port/scim/v2 */
  readonly url: string
  /** The shared simulator server in front: inject() faults, rateLimit(), request counts. */
  readonly http: SimHttpServer
  readonly users: ReadonlyMap<string, Readonly<Record<string, unknown>>>
  readonly groups: ReadonlyMap<string, Readonly<Record<string, unknown>>>
  /** How many stored records filters and uniqueness checks have looked at so far. */
  recordsExamined(): number
  close(): Promise<void>
}

interface HandlerChain {
  ingress(
    handler: (res: { id?: string }, instance: Record<string, unknown>, ctx: Ctx) => unknown,
  ): HandlerChain
  egress(handler: (res: EgressResource, ctx: Ctx) => unknown): HandlerChain
  degress(handler: (res: { id?: string }, ctx: Ctx) => unknown): HandlerChain
}

const BASE = '/scim/v2'
const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User'
const CORE_GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group'
let declared = false

/** scimmy's resource declarations are process-global: declare once, and find each server's store through ctx. */
function declareResources(): void {
  if (declared) return
  declared = true
  SCIMMY.Config.set({ bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 } })
  for (const name of ['User', 'Group'] as const) {
    const R = name === 'User' ? SCIMMY.Resources.User : SCIMMY.Resources.Group
    // the handlers are the same for both types and deal in plain JSON; scimmy's typings want one type per chain
    ;(SCIMMY.Resources.declare(R) as unknown as HandlerChain)
      .ingress((res: { id?: string }, inst: Record<string, unknown>, ctx: Ctx) => {
        const { state } = ctx
        const store = state.stores[name]
        if (res.id !== undefined && !store.has(res.id))
          throw new SCIMMY.Types.Error(404, null as never, `Resource ${res.id} not found`)
        const key = name === 'User' ? 'userName' : 'displayName'
        const value = String(inst[key] ?? '').toLowerCase()
        // GUESS: userName (and Group displayName, which Entra requires unique) are unique case-insensitively
        // (RFC 7643 §4.1.1 marks userName caseExact false, uniqueness server).
        const others = (state.options.index ? store.matching(key, value) : undefined) ?? [
          ...store.values(),
        ]
        state.examined += others.length
        for (const other of others) {
          if (other.id !== res.id && String(other[key] ?? '').toLowerCase() === value) {
            throw new SCIMMY.Types.Error(409, 'uniqueness', `${key} is already in use`)
          }
        }
        if (name === 'Group') checkNewMembers(state, store.get(res.id ?? ''), inst)
        const id = res.id ?? randomUUID()
        const now = new Date()
        const version = `W/"${(++state.counter).toString(16)}"`
        const rec: Rec = {
          ...inst,
          id,
          meta: { created: store.get(id)?.meta.created ?? now, lastModified: now, version },
        }
        store.set(id, rec)
        return present(rec, state)
      })
      .egress((res: { id?: string; filter?: { match: (v: unknown[]) => unknown[] } }, ctx: Ctx) => {
        const store = ctx.state.stores[name]
        if (res.id !== undefined) {
          const r = store.get(res.id)
          if (r === undefined)
            throw new SCIMMY.Types.Error(404, null as never, `Resource ${res.id} not found`)
          return present(r, ctx.state)
        }
        let all: Rec[] =
          ctx.filter !== undefined ? candidates(ctx.state, store, ctx.filter) : [...store.values()]
        if (ctx.filter !== undefined || res.filter !== undefined) ctx.state.examined += all.length
        if (ctx.filter !== undefined) all = all.filter(ctx.filter.predicate)
        all = all.map((r) => present(r, ctx.state))
        return page(res.filter !== undefined ? res.filter.match(all) : all, res)
      })
      .degress((res: { id?: string }, ctx: Ctx) => {
        if (res.id === undefined || !ctx.state.stores[name].delete(res.id))
          throw new SCIMMY.Types.Error(404, null as never, `Resource ${res.id} not found`)
      })
  }
}

/** Attributes whose equality filters the simulator answers itself, from the index: the ones look-ups use. */
const INDEXED_FILTER = new Set(['username', 'externalid', 'id'])

/**
 * The records an equality filter can match: those an indexed clause names (the predicate still decides), or
 * every record when no clause is indexed or the index is off. Several matches keep the store's order, so
 * paging gives the pages a scan would.
 */
function candidates(state: SimState, store: IndexedRecords<Rec>, filter: EqFilter): Rec[] {
  if (state.options.index) {
    for (const { path, value } of filter.clauses) {
      if (path.toLowerCase() === 'id') {
        const r = store.get(value)
        return r === undefined ? [] : [r]
      }
      const found = store.matching(path, value)
      if (found !== undefined) return found
    }
  }
  return [...store.values()]
}

/**
 * RFC 7643 §4.2: a member's `value` is the id of a User or Group of this provider. GUESS: a server answers 400
 * invalidValue for a member it does not know (the RFC names no status for it). Only members the write adds
 * are checked: one left behind by a deleted user stays until the group is written without it.
 */
function checkNewMembers(state: SimState, before: Rec | undefined, inst: Record<string, unknown>) {
  const valueOf = (m: unknown) => String((m as { value?: unknown } | null)?.value ?? '')
  const had = new Set((Array.isArray(before?.members) ? before.members : []).map(valueOf))
  for (const m of Array.isArray(inst.members) ? inst.members : []) {
    const value = valueOf(m)
    if (had.has(value)) continue
    if (!state.stores.User.has(value) && !state.stores.Group.has(value))
      throw new SCIMMY.Types.Error(
        400,
        'invalidValue',
        `members: no User or Group has id ${JSON.stringify(value)}`,
      )
  }
}

interface EgressResource {
  id?: string
  filter?: { match: (v: unknown[]) => unknown[] }
  constraints?: { startIndex?: number; count?: number; sortBy?: string; totalResults?: number }
}

/**
 * scimmy turns every record egress returns into a schema instance (~1 ms each) before it pages, so a listing
 * of N users in pages would cost N²/pageSize of those. This hands scimmy no more than the records up to the
 * end of the requested page, with the true totalResults, in the shape its ListResponse slices correctly: the
 * exact page when it is shorter than startIndex (ListResponse then takes it as already offset), otherwise the
 * prefix up to the page's end (ListResponse slices it), one longer when the prefix would look offset.
 */
function page(all: unknown[], res: EgressResource): unknown[] {
  const c = res.constraints
  if (c === undefined || c.sortBy !== undefined || c.count === undefined) return all
  const start = c.startIndex ?? 1
  const exact = all.slice(start - 1, start - 1 + c.count)
  c.totalResults = all.length
  if (exact.length < start) return exact
  let end = Math.min(all.length, start - 1 + c.count)
  if (all.length === end + start - 1) end = Math.min(all.length, end + 1)
  return all.slice(0, end)
}

function present(r: Rec, state: SimState): Rec {
  if (state.options.etag) return r
  const { version: _v, ...meta } = r.meta
  return { ...r, meta }
}

const scimError = (status: number, detail: string, scimType?: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  status: String(status),
  ...(scimType !== undefined ? { scimType } : {}),
  detail,
})

export async function startScimSim(options: ScimSimOptions = {}): Promise<ScimSim> {
  declareResources()
  const state: SimState = {
    options: {
      token: options.token ?? 'test-token',
      patch: options.patch ?? true,
      bulk: options.bulk ?? true,
      etag: options.etag ?? true,
      index: options.index ?? true,
    },
    stores: {
      // RFC 7643: userName and Group displayName are caseExact false; externalId is caseExact true
      User: new IndexedRecords([
        { name: 'userName', caseExact: false },
        { name: 'externalId', caseExact: true },
      ]),
      Group: new IndexedRecords([
        { name: 'displayName', caseExact: false },
        { name: 'externalId', caseExact: true },
      ]),
    },
    counter: 0,
    examined: 0,
  }
  const o = state.options
  const app = express()
  app.disable('x-powered-by')
  app.use(
    BASE,
    express.json({ type: ['application/scim+json', 'application/json'], limit: 1_048_576 }),
  )

  // Feature switches and the parts scimmy leaves to the implementer (ETags), before scimmy's routers.
  app.use(BASE, (req: Request, res: Response, next: NextFunction) => {
    if (req.header('authorization') !== `Bearer ${o.token}`) return next() // scimmy-routers answers 401
    const path = req.path
    if (req.method === 'GET' && /^\/ServiceProviderConfig\/?$/i.test(path)) {
      res.type('application/scim+json').send(serviceProviderConfig(o))
      return
    }
    if (req.method === 'PATCH' && !o.patch)
      return void res
        .status(501)
        .type('application/scim+json')
        .send(scimError(501, 'PATCH is not implemented'))
    if (req.method === 'POST' && /^\/Bulk\/?$/i.test(path) && !o.bulk) {
      return void res
        .status(501)
        .type('application/scim+json')
        .send(scimError(501, 'Bulk is not implemented'))
    }
    // RFC 7643 §3: `schemas` is REQUIRED in a resource; scimmy fills it in when it is missing
    if (['POST', 'PUT'].includes(req.method) && /^\/(Users|Groups)(\/[^/]+)?\/?$/.test(path)) {
      const core = /^\/Users/.test(path) ? CORE_USER_URN : CORE_GROUP_URN
      const schemas = (req.body as { schemas?: unknown } | undefined)?.schemas
      if (!Array.isArray(schemas) || !schemas.includes(core))
        return void res
          .status(400)
          .type('application/scim+json')
          .send(scimError(400, `schemas must include ${core}`, 'invalidSyntax'))
    }
    const m = /^\/(Users|Groups)\/([^/]+)$/.exec(path)
    if (m !== null && o.etag && ['PUT', 'PATCH', 'DELETE'].includes(req.method)) {
      const ifMatch = req.header('if-match')
      const rec = state.stores[m[1] === 'Users' ? 'User' : 'Group'].get(m[2] as string)
      if (
        ifMatch !== undefined &&
        rec !== undefined &&
        ifMatch !== '*' &&
        !ifMatch
          .split(',')
          .map((s) => s.trim())
          .includes(rec.meta.version ?? '')
      ) {
        return void res
          .status(412)
          .type('application/scim+json')
          .send(scimError(412, 'If-Match does not match the current version', 'invalidVers'))
      }
    }
    if (o.etag) {
      const send = res.send.bind(res)
      res.send = (body: unknown) => {
        const version = (body as { meta?: { version?: unknown } } | undefined)?.meta?.version
        if (typeof version === 'string' && !res.headersSent) res.setHeader('ETag', version)
        return send(body)
      }
    }
    next()
  })

  // Two kinds of filter are taken out of the query and evaluated here (only `attr eq "json string"` joined by
  // `and`, the form Entra and Koppel send); scimmy gets every other filter unchanged.
  // - Workaround: scimmy 1.3.5's filter tokenizer ends a string value at the first `"` even when it is escaped
  //   (`"a\"b"`), and never unescapes `\\`: a filter whose values carry a backslash escape.
  // - Look-ups: equality on userName, externalId or id alone, answered from the index. scimmy would test every
  //   record, and compares userName case-exactly where RFC 7643 §4.1.1 says caseExact false.
  app.use(BASE, (req: Request, res: Response, next: NextFunction) => {
    const url = new URL(req.originalUrl, 'http://x')
    const filter = url.searchParams.get('filter')
    const clauses = filter === null ? undefined : parseEqClauses(filter)
    const escaped = filter?.includes('\\') === true
    if (escaped && clauses === undefined)
      return void res
        .status(400)
        .type('application/scim+json')
        .send(scimError(400, 'Unsupported filter', 'invalidFilter'))
    if (
      clauses !== undefined &&
      (escaped || clauses.every((c) => INDEXED_FILTER.has(c.path.toLowerCase())))
    ) {
      url.searchParams.delete('filter')
      ;(req as Request & { koppelFilter?: EqFilter }).koppelFilter = {
        clauses,
        predicate: eqPredicate(clauses),
      }
      req.url = `${req.url.split('?')[0]}${url.search}`
    }
    // Workaround: express 5 makes req.query a getter that parses the URL on every access, so scimmy-routers'
    // cast of startIndex/count to numbers is lost and scimmy then ignores both (every page is the first one).
    // A plain own property with the numbers cast keeps them.
    const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) }
    for (const k of ['startIndex', 'count'])
      if (typeof query[k] === 'string' && query[k] !== '' && !Number.isNaN(Number(query[k])))
        query[k] = Number(query[k])
    Object.defineProperty(req, 'query', {
      value: query,
      writable: true,
      configurable: true,
      enumerable: true,
    })
    next()
  })

  app.use(
    BASE,
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
      handler: (req: Request) => {
        if (req.header('authorization') !== `Bearer ${o.token}`)
          throw new Error('Authorization failed')
        return 'koppel'
      },
      context: (req: Request): Ctx => {
        const filter = (req as Request & { koppelFilter?: EqFilter }).koppelFilter
        return { state, ...(filter !== undefined ? { filter } : {}) }
      },
    }) as unknown as express.Router,
  )

  const inner: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const innerUrl = `http://127.0.0.1:${(inner.address() as AddressInfo).port}`
  const http = await startSimHttpServer(
    async (req) => {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))
          headers[k] = v
      }
      const hasBody = !['GET', 'HEAD', 'DELETE'].includes(req.method) && req.body !== ''
      const r = await fetch(`${innerUrl}${req.url.pathname}${req.url.search}`, {
        method: req.method,
        headers,
        ...(hasBody ? { body: req.body } : {}),
      })
      const out: Record<string, string> = {}
      const etag = r.headers.get('etag')
      if (etag !== null) out.etag = etag
      const location = r.headers.get('location')
      if (location !== null) out.location = location
      return {
        status: r.status,
        headers: out,
        text: await r.text(),
        contentType: r.headers.get('content-type') ?? 'application/scim+json',
      }
    },
    options.port !== undefined ? { port: options.port } : {},
  )

  return {
    url: `${http.url}${BASE}`,
    http,
    users: state.stores.User,
    groups: state.stores.Group,
    recordsExamined: () => state.examined,
    async close() {
      await http.close()
      await new Promise<void>((resolve) => {
        inner.closeAllConnections()
        inner.close(() => resolve())
      })
    },
  }
}

function serviceProviderConfig(o: SimState['options']) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: o.patch },
    bulk: {
      supported: o.bulk,
      maxOperations: o.bulk ? 1000 : 0,
      maxPayloadSize: o.bulk ? 1_048_576 : 0,
    },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: o.etag },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
  }
}
