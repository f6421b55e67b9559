/**
 * Who is asking, and may they: a session cookie (the dashboard) or a bearer API token (scripts), resolved to a
 * principal once per request; `requireRole` answers 401 without one and 403 below the role; a session or token
 * of another tenant of the same store gets 404 on every route, as if nothing here existed (a 401 or 403 would
 * tell its holder that this tenant is one they could be given); a state-changing
 * request on a session must carry the session's CSRF token (a bearer token is not sent by a browser on its own,
 * so it needs none); every state-changing request that passed is an audit event naming the user.
 */
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import { html } from '../../notify/html.ts'
import type { AccessStore, Store } from '../../store/index.ts'
import { roleAtLeast, type Role } from './roles.ts'
import { newSecret, secretHash } from './secrets.ts'

/**
 * The session cookie of a tenant's dashboard. Browsers keep cookies per host, not per port, so two tenants served
 * on ports of one host would otherwise overwrite each other's session at every login; tenant names are lower
 * case letters, digits and hyphens, all valid in a cookie name.
 */
export function sessionCookie(tenant: string): string {
  return `koppel_session_${tenant}`
}
export const CSRF_HEADER = 'x-csrf-token'
export const CSRF_FIELD = '_csrf'
const SESSION_HOURS = 8

export interface Principal {
  readonly user: string
  readonly role: Role
  readonly via: 'session' | 'token'
  /** The tenant of the store this service answers for (the only one the session or token is good for). */
  readonly tenant?: string
  /** The session's CSRF token (for forms); absent on a token. */
  readonly csrf?: string
}

export interface AuthEnv {
  Variables: {
    principal: Principal | undefined
    /** The request came with a live session or token of another tenant of the store. */
    otherTenant: boolean
  }
}

export interface AuthOptions {
  readonly store: Store
  readonly now: () => Date
}

/** Derived from the session secret, which only the HttpOnly cookie holds: a page of another origin cannot know it. */
export function csrfTokenOf(sessionSecret: string): string {
  return secretHash(`csrf:${sessionSecret}`)
}

export function authenticate(o: AuthOptions) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const asking = await principalOf(c, o.store.access, o.store.tenant, o.now())
    c.set(
      'principal',
      asking === OTHER_TENANT || asking === undefined
        ? undefined
        : { ...asking, tenant: o.store.tenant },
    )
    c.set('otherTenant', asking === OTHER_TENANT)
    await next()
  })
}

const OTHER_TENANT = Symbol('another tenant')

async function principalOf(
  c: Context,
  access: AccessStore,
  tenant: string,
  now: Date,
): Promise<Principal | typeof OTHER_TENANT | undefined> {
  const bearer = /^Bearer ([A-Za-z0-9_-]{20,})$/.exec(c.req.header('authorization') ?? '')?.[1]
  if (bearer !== undefined) {
    const hash = secretHash(bearer)
    const grant = await access.findGrant('api_tokens', hash, now)
    if (grant === undefined)
      return (await access.isOtherTenantsGrant('api_tokens', hash, now)) ? OTHER_TENANT : undefined
    return withCurrentRole(access, grant.userName, grant.role, 'token')
  }
  const session = getCookie(c, sessionCookie(tenant))
  if (session === undefined || session.length < 20) return undefined
  const hash = secretHash(session)
  const grant = await access.findGrant('sessions', hash, now)
  if (grant === undefined)
    return (await access.isOtherTenantsGrant('sessions', hash, now)) ? OTHER_TENANT : undefined
  const p = await withCurrentRole(access, grant.userName, grant.role, 'session')
  return p && { ...p, csrf: csrfTokenOf(session) }
}

/** A user demoted or removed since the grant was made gets no more than their role now. */
async function withCurrentRole(
  access: AccessStore,
  name: string,
  granted: Role,
  via: Principal['via'],
): Promise<Principal | undefined> {
  const user = await access.getUser(name)
  if (user === undefined) return undefined
  return { user: name, role: roleAtLeast(user.role, granted) ? granted : user.role, via }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase())
}

/** 401 without a principal, 403 below `role`, 403 on a session request that changes state without its CSRF token. */
export function requireRole(role: Role, o: AuthOptions) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const p = c.get('principal')
    if (p === undefined) return c.get('otherTenant') ? notFound(c) : unauthenticated(c)
    if (!roleAtLeast(p.role, role))
      return forbidden(c, `forbidden: this needs the ${role} role; ${p.user} is ${p.role}`)
    const changing = isStateChanging(c.req.method)
    if (changing && p.via === 'session' && !(await csrfOk(c, p)))
      return c.json({ error: 'forbidden: missing or wrong CSRF token' }, 403)
    await next()
    if (changing) {
      await o.store.appendAudit([
        {
          type: 'http.request',
          actor: p.user,
          data: { method: c.req.method, path: c.req.path, status: c.res.status, via: p.via },
        },
      ])
    }
  })
}

function forbidden(c: Context, message: string): Response {
  if (!wantsHtml(c)) return c.json({ error: message }, 403)
  const page = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>403</title>
<link rel="stylesheet" href="/static/koppel.css"></head><body><main><h1>403</h1><p>${message}</p><p><a href="/">Koppel</a></p></main></body></html>`
  return c.html(page.value, 403)
}

function notFound(c: Context): Response {
  if (!wantsHtml(c)) return c.json({ error: 'not found' }, 404)
  const page = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>404</title>
<link rel="stylesheet" href="/static/koppel.css"></head><body><main><h1>404</h1><p>not found</p></main></body></html>`
  return c.html(page.value, 404)
}

const wantsHtml = (c: Context): boolean =>
  c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')

function unauthenticated(c: Context): Response {
  // a browser asking for a page is sent to the login form; an API client gets the status
  if (wantsHtml(c)) {
    return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303)
  }
  return c.json(
    { error: 'unauthenticated: log in or send an API token (Authorization: Bearer …)' },
    401,
  )
}

async function csrfOk(c: Context, p: Principal): Promise<boolean> {
  const header = c.req.header(CSRF_HEADER)
  if (header !== undefined) return header === p.csrf
  if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded'))
    return false
  const body = await c.req.parseBody()
  return body[CSRF_FIELD] === p.csrf
}

/** Starts a session for a user who just proved who they are; the cookie holds the only copy of the secret. */
export async function startSession(
  c: Context,
  o: AuthOptions & { readonly user: string; readonly role: Role; readonly secure: boolean },
): Promise<void> {
  const secret = newSecret()
  const now = o.now()
  const expires = new Date(now.getTime() + SESSION_HOURS * 3_600_000)
  await o.store.access.addGrant('sessions', {
    secretHash: secretHash(secret),
    userName: o.user,
    role: o.role,
    label: c.req.header('user-agent')?.slice(0, 200) ?? '',
    createdAt: now.toISOString(),
    expiresAt: expires.toISOString(),
  })
  setCookie(c, sessionCookie(o.store.tenant), secret, {
    httpOnly: true,
    secure: o.secure,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_HOURS * 3600,
  })
}

export async function endSession(c: Context, store: Store): Promise<void> {
  const name = sessionCookie(store.tenant)
  const session = getCookie(c, name)
  if (session !== undefined) await store.access.removeGrant('sessions', secretHash(session))
  deleteCookie(c, name, { path: '/', secure: true })
}
