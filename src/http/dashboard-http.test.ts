// The dashboard's access layer and API in-process (Hono's app.request) on a real engine and SQLite store with a
// blocked plan: users with argon2id hashes, sessions, CSRF, the login rate limit, API tokens, the route matrix
// (every documented route: no credentials → 401, too low a role → 403), approve through the engine, audit
// events naming the user, security headers, escaping of person data; the operations pages: apply this person now
// (runPerson), sources and targets, drift (driftReport), schedules (nextTimes), the configuration (redact), the
// actions-per-day chart and the plan's school filter.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { Hono } from 'hono'
import { applyStoredPlan, makePlan } from '../engine/index.ts'
import { acquireApplyLease } from '../engine/apply-lease.ts'
import type { Plan } from '../model/index.ts'
import { engineFixture, pupil, type Fixture } from '../../test/support/engine-fixture.ts'
import { sessionCookie } from './access/auth.ts'
import { newSecret, secretHash } from './access/secrets.ts'
import { createApiToken } from './access/tokens.ts'
import { addUser, checkLogin } from './access/users.ts'
import { openStore } from '../store/index.ts'
import { run } from '../store/store-fixtures.ts'
import { API_ROUTES } from './api/api-app.ts'
import { resolveSecrets, type KoppelConfig } from '../config/index.ts'
import { mountDashboard } from './dashboard-http.ts'

const PASSWORD = 'correct horse battery'
// browsers send Origin on every POST; app.request's URLs are http://localhost
const ORIGIN = 'http://localhost'

let fx: Fixture
let app: Hono
let blocked: Plan
let config: KoppelConfig

/** A config as `koppel serve` holds it: secrets resolved from references (which the config page must not show). */
function resolvedConfig(): KoppelConfig {
  const written = {
    version: 1,
    tenant: 'default',
    store: { kind: 'postgres', url: 'postgres://koppel:${env:PGPASSWORD}@db.test/<b>koppel</b>' },
    audit: { key: '${env:AUDIT_KEY}' },
    sources: [],
    merge: { match: [], primaryContract: ['employment', 'enrolment'] },
    targets: [],
    rules: [],
    schedules: [
      { name: 'nightly', cron: '30 5 * * 1-5', timezone: 'Europe/Amsterdam' },
      { name: 'hourly', cron: '0 7-17 * * 1-5', timezone: 'Europe/Amsterdam' },
    ],
  } as const satisfies KoppelConfig
  const r = resolveSecrets(written, {
    env: { PGPASSWORD: 'pg-s3cret', AUDIT_KEY: 'k-s3cret'.repeat(4) },
    readFile: () => '',
    baseDir: '/x',
  })
  assert.ok(r.ok)
  return r.config
}

async function blockedPlan(f: Fixture, hostileName = false): Promise<Plan> {
  for (let i = 0; i < 40; i++)
    f.persons.push(
      pupil(
        `p${String(i).padStart(2, '0')}`,
        i === 39 && hostileName ? '<script>alert(1)</script>' : `Kind${i}`,
        'Mulder',
        '1A',
      ),
    )
  const first = await makePlan(f.engine, { actor: 'test' })
  assert.ok(first.ok)
  assert.ok((await applyStoredPlan(f.engine, first.plan.id, { actor: 'test' })).ok)
  f.persons.splice(20)
  f.clock.today = '2026-11-24'
  const second = await makePlan(f.engine, { actor: 'test' })
  assert.ok(second.ok && second.plan.status === 'blocked', 'half the pupils gone: the guard blocks')
  return second.plan
}

beforeEach(async () => {
  fx = await engineFixture()
  blocked = await blockedPlan(fx, true)
  for (const role of ['viewer', 'operator', 'admin']) {
    await addUser(fx.engine.store.access, {
      name: role,
      role,
      password: PASSWORD,
      now: fx.engine.now(),
    })
  }
  app = new Hono()
  config = resolvedConfig()
  mountDashboard(app, { engine: fx.engine, config })
})
afterEach(async () => fx.cleanup())

async function login(name: string, password = PASSWORD): Promise<Response> {
  return app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ name, password, next: '/' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
  })
}

/** Logs in and returns the cookie header to send and the session's CSRF token (read from a page's form). */
async function session(name: string): Promise<{ cookie: string; csrf: string }> {
  const r = await login(name)
  assert.equal(r.status, 303)
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const page = await (await app.request('/', { headers: { cookie } })).text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1]
  assert.ok(csrf !== undefined, 'every page carries the CSRF token in its logout form')
  return { cookie, csrf }
}

async function token(
  user: string,
  role: 'viewer' | 'operator' | 'admin',
  days = 30,
): Promise<string> {
  return (
    await createApiToken(fx.engine.store.access, {
      user,
      role,
      label: 'test',
      days,
      now: fx.engine.now(),
    })
  ).token
}

const OTHER = 'other-board'

/**
 * Credentials of another tenant of the same store: its own user's token and session, and a token the
 * default tenant's admin holds there (one login, a role in each tenant; each token is for one tenant).
 */
async function otherTenantCredentials(): Promise<Record<string, RequestInit['headers']>> {
  const other = await openStore({ kind: 'sqlite', path: fx.storePath }, { tenant: OTHER })
  const now = fx.engine.now()
  try {
    await addUser(other.access, { name: 'bestuur', role: 'admin', password: PASSWORD, now })
    assert.ok(await fx.engine.store.access.grantTenant('admin', OTHER, 'admin', now))
    const made = (user: string) =>
      createApiToken(other.access, { user, role: 'admin', label: 'x', days: 30, now })
    const session = newSecret()
    await other.access.addGrant('sessions', {
      secretHash: secretHash(session),
      userName: 'bestuur',
      role: 'admin',
      label: 'test',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    })
    return {
      "another tenant's token": { authorization: `Bearer ${(await made('bestuur')).token}` },
      "this tenant's admin's token for another tenant": {
        authorization: `Bearer ${(await made('admin')).token}`,
      },
      // copied into this tenant's cookie name: a browser keeps it under its own tenant's name
      "another tenant's session": {
        cookie: `${sessionCookie(fx.engine.store.tenant)}=${session}`,
        origin: ORIGIN,
      },
    }
  } finally {
    await other.close()
  }
}

describe('users and login', () => {
  test('a user is stored with an argon2id hash, never the password; bad input is refused naming the field', async () => {
    const user = await fx.engine.store.access.getUser('admin')
    assert.match(user?.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    assert.ok(!(user?.passwordHash ?? '').includes(PASSWORD))
    const add = (name: string, role: string, password: string) =>
      addUser(fx.engine.store.access, { name, role, password, now: fx.engine.now() })
    await assert.rejects(
      add('jan', 'root', PASSWORD),
      /--role "root": must be one of viewer, operator, admin/,
    )
    await assert.rejects(
      add('jan', 'viewer', 'short'),
      /user jan: the password must be at least 12 characters/,
    )
    await assert.rejects(add('Jan <x>', 'viewer', PASSWORD), /user name "Jan <x>"/)
  })

  test('an unknown user name takes as long to refuse as a wrong password: the timing does not reveal names', async () => {
    const fastest = async (name: string): Promise<number> => {
      let best = Infinity
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now()
        assert.equal(await checkLogin(fx.engine.store.access, name, 'wrong password!'), undefined)
        best = Math.min(best, performance.now() - t0)
      }
      return best
    }
    await fastest('nobody') // the first call makes the dummy hash
    const [unknown, known] = [await fastest('nobody'), await fastest('admin')]
    // the fastest of several runs: load on the machine only makes a run slower
    assert.ok(
      unknown > known * 0.5,
      `unknown name ${unknown.toFixed(1)} ms, known name ${known.toFixed(1)} ms`,
    )
  })

  test('a login sets an HttpOnly, SameSite=Strict, Secure session cookie; the store keeps only its hash', async () => {
    assert.equal((await login('admin', 'wrong password!')).status, 401)
    const r = await login('admin')
    assert.equal(r.status, 303)
    const cookie = r.headers.get('set-cookie') ?? ''
    assert.match(cookie, /^koppel_session_default=[A-Za-z0-9_-]{43};/)
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/'])
      assert.ok(cookie.includes(attribute), `${attribute} in ${cookie}`)
    const secret = /=([^;]+);/.exec(cookie)?.[1] ?? ''
    const [grant] = await fx.engine.store.access.listGrants('sessions', 'admin')
    assert.equal(grant?.secretHash, secretHash(secret))
    const audit = await fx.engine.store.listAudit({ limit: 5, kind: 'user' })
    assert.deepEqual(
      audit.map((e) => [e.type, e.actor]),
      [
        ['user.login', 'admin'],
        ['user.login-failed', 'admin'],
      ],
    )
  })

  test('after five failed logins the sixth is refused even with the right password, until the window passes', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await login('operator', `wrong password ${i}`)).status, 401)
    const refused = await login('operator')
    assert.equal(refused.status, 429)
    assert.ok(Number(refused.headers.get('retry-after')) > 0)
    fx.clock.today = '2026-11-25'
    assert.equal((await login('operator')).status, 303)
  })

  test('failed logins for other user names from the same address (a reverse proxy) do not lock everyone out', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await login(`someone${i}`, 'wrong password!')).status, 401)
    assert.equal((await login('operator')).status, 303)
    // but one address guessing many names is stopped at 50 failures
    for (let i = 10; i < 50; i++)
      assert.equal((await login(`someone${i}`, 'wrong password!')).status, 401)
    assert.equal((await login('admin')).status, 429)
  })

  test('a page without a session sends the browser to the login form; an open redirect through next= is refused', async () => {
    const r = await app.request('/plans/x', { headers: { accept: 'text/html' } })
    assert.equal(r.status, 303)
    assert.equal(r.headers.get('location'), '/login?next=%2Fplans%2Fx')
    const evil = await app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ name: 'admin', password: PASSWORD, next: '//evil.example/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    })
    assert.equal(evil.headers.get('location'), '/')
  })
})

describe('logout', () => {
  test('ends the session in the store: the old cookie no longer opens a page; it needs the CSRF token', async () => {
    const s = await session('viewer')
    const post = (csrf: string) =>
      app.request('/logout', {
        method: 'POST',
        body: new URLSearchParams({ _csrf: csrf }),
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
        },
      })
    assert.equal((await post('forged')).status, 403)
    assert.equal((await app.request('/api/status', { headers: { cookie: s.cookie } })).status, 200)
    const out = await post(s.csrf)
    assert.equal(out.status, 303)
    assert.match(out.headers.get('set-cookie') ?? '', /^koppel_session_default=;/)
    assert.deepEqual(await fx.engine.store.access.listGrants('sessions', 'viewer'), [])
    assert.equal((await app.request('/api/status', { headers: { cookie: s.cookie } })).status, 401)
  })
})

describe('two tenants on ports of one host', () => {
  test("each tenant's session has a cookie of its own: a login to one leaves the other's session alone", async () => {
    const other = await openStore({ kind: 'sqlite', path: fx.storePath }, { tenant: OTHER })
    try {
      assert.ok(await fx.engine.store.access.grantTenant('admin', OTHER, 'viewer', fx.engine.now()))
      const otherApp = new Hono()
      mountDashboard(otherApp, {
        engine: { ...fx.engine, store: other },
        config: { ...config, tenant: OTHER },
      })
      // a browser keeps cookies per host, not per port: one jar for both dashboards, by cookie name
      const jar = new Map<string, string>()
      const keep = (r: Response) => {
        for (const c of r.headers.getSetCookie()) {
          const [pair = ''] = c.split(';')
          const at = pair.indexOf('=')
          jar.set(pair.slice(0, at), pair.slice(at + 1))
        }
      }
      const cookies = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const logIn = (to: Hono) =>
        to.request('/login', {
          method: 'POST',
          body: new URLSearchParams({ name: 'admin', password: PASSWORD, next: '/' }),
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
        })
      keep(await logIn(app))
      keep(await logIn(otherApp))
      assert.equal(jar.size, 2, [...jar.keys()].join(', '))
      const home = async (to: Hono) => {
        const r = await to.request('/', { headers: { cookie: cookies() } })
        return `${r.status} ${/Log out \(([^)]*)\)/.exec(await r.text())?.[1] ?? ''}`
      }
      assert.equal(await home(app), '200 admin, admin')
      assert.equal(await home(otherApp), '200 admin, viewer')
    } finally {
      await other.close()
    }
  })
})

describe('the route matrix', () => {
  test('every documented API route: 401 without credentials, 403 below its role, not 401/403 at its role', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      openapi: string
      paths: Record<string, Record<string, unknown>>
    }
    assert.equal(doc.openapi, '3.1.0')
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
    assert.deepEqual(
      documented.sort(),
      Object.keys(API_ROUTES).sort(),
      'every route names its role and is documented',
    )
    const tokens = {
      viewer: await token('viewer', 'viewer'),
      operator: await token('operator', 'operator'),
      admin: await token('admin', 'admin'),
    }
    const below = { viewer: undefined, operator: tokens.viewer, admin: tokens.operator } as const
    for (const [route, role] of Object.entries(API_ROUTES)) {
      const [method, template] = route.split(' ') as [string, string]
      const url = `/api${template.replace('{id}', blocked.id).replace('{query}', 'p00')}`
      const init = (auth?: string): RequestInit => ({
        method,
        headers: {
          'content-type': 'application/json',
          ...(auth === undefined ? {} : { authorization: `Bearer ${auth}` }),
        },
        ...(method === 'POST'
          ? { body: JSON.stringify({ reason: 'x', label: 'x', role: 'viewer', days: 1 }) }
          : {}),
      })
      assert.equal((await app.request(url, init())).status, 401, `${route} without credentials`)
      const lower = below[role]
      if (lower !== undefined)
        assert.equal(
          (await app.request(url, init(lower))).status,
          403,
          `${route} with a role below ${role}`,
        )
      if (method === 'GET')
        assert.equal(
          (await app.request(url, init(tokens[role]))).status,
          200,
          `${route} as ${role}`,
        )
    }
  })

  test("every documented API route: another tenant's token or session → 404, and nothing changes", async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => [m.toUpperCase(), path] as const),
    )
    assert.ok(routes.length >= 15, `the OpenAPI document lists the routes (${routes.length})`)
    const auditBefore = (await fx.engine.store.listAudit({ limit: 1 }))[0]?.seq
    for (const [who, headers] of Object.entries(await otherTenantCredentials())) {
      for (const [method, template] of routes) {
        const url = `/api${template.replace('{id}', blocked.id).replace('{query}', 'p00')}`
        const r = await app.request(url, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          ...(method === 'POST'
            ? { body: JSON.stringify({ reason: 'x', label: 'x', role: 'viewer', days: 1 }) }
            : {}),
        })
        assert.equal(r.status, 404, `${method} ${template} with ${who}`)
        assert.deepEqual(await r.json(), { error: 'not found' }, `${method} ${template}`)
      }
    }
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'blocked')
    assert.equal((await fx.engine.store.listAudit({ limit: 1 }))[0]?.seq, auditBefore)
  })

  test("every dashboard page: another tenant's session or token → 404 (the routes as the app lists them)", async () => {
    const open = new Set(['/login', '/login/*', '/static/koppel.css', '/api/openapi.json'])
    const pages = [
      ...new Set(
        app.routes
          .filter((r) => (r.method === 'GET' || r.method === 'POST') && !r.path.startsWith('/api/'))
          .filter((r) => !r.path.includes('*') && !open.has(r.path))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ]
    for (const page of ['GET /', 'GET /plans/:id', 'POST /plans/:id/decide', 'GET /admin/users'])
      assert.ok(pages.includes(page), `${page} is among the app's routes`)
    for (const [who, headers] of Object.entries(await otherTenantCredentials())) {
      for (const page of pages) {
        const [method, path] = page.split(' ') as [string, string]
        const r = await app.request(path.replace(':id', blocked.id).replace(':query', 'p00'), {
          method,
          headers: { ...headers, accept: 'text/html' },
          ...(method === 'POST'
            ? {
                body: new URLSearchParams({ decision: 'approve', reason: 'x', q: 'p00' }),
                headers: {
                  ...headers,
                  'content-type': 'application/x-www-form-urlencoded',
                  origin: ORIGIN,
                },
              }
            : {}),
        })
        assert.equal(r.status, 404, `${page} with ${who}`)
      }
    }
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'blocked')
  })

  test('a user granted two tenants logs in to this one with one password; revoked, their session here ends', async () => {
    await otherTenantCredentials()
    // bestuur holds a role only in the other tenant: to this one it is an unknown name
    assert.equal((await login('bestuur')).status, 401)
    const s = await session('admin')
    const overview = await (await app.request('/', { headers: { cookie: s.cookie } })).text()
    assert.match(overview, /<p class="brand">[^<]*<span class="tenant">default<\/span><\/p>/)
    const me = await app.request('/api/me', { headers: { cookie: s.cookie } })
    assert.deepEqual(await me.json(), {
      user: 'admin',
      role: 'admin',
      via: 'session',
      tenant: 'default',
      tenants: [
        { tenant: 'default', role: 'admin' },
        { tenant: OTHER, role: 'admin' },
      ],
    })
    assert.ok(await fx.engine.store.access.revokeTenant('admin', 'default'))
    assert.equal((await app.request('/api/status', { headers: { cookie: s.cookie } })).status, 401)
    assert.equal((await login('admin')).status, 401)
  })

  test('pages: an operator cannot reach the admin pages, a viewer cannot approve', async () => {
    const operator = await session('operator')
    assert.equal(
      (await app.request('/admin/users', { headers: { cookie: operator.cookie } })).status,
      403,
    )
    const admin = await session('admin')
    assert.equal(
      (await app.request('/admin/users', { headers: { cookie: admin.cookie } })).status,
      200,
    )
    const viewer = await session('viewer')
    const form = new URLSearchParams({
      _csrf: viewer.csrf,
      decision: 'approve',
      reason: 'looks fine',
    })
    const r = await app.request(`/plans/${blocked.id}/decide`, {
      method: 'POST',
      body: form,
      headers: {
        cookie: viewer.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        origin: ORIGIN,
      },
    })
    assert.equal(r.status, 403)
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'blocked')
  })
})

describe('state changes', () => {
  test('a session must send its CSRF token: without it the approve is refused, with it the plan is approved', async () => {
    const s = await session('operator')
    const headers = { cookie: s.cookie, 'content-type': 'application/json' }
    const body = JSON.stringify({ reason: 'the export was half on purpose' })
    assert.equal(
      (await app.request(`/api/plans/${blocked.id}/approve`, { method: 'POST', headers, body }))
        .status,
      403,
    )
    assert.equal(
      (
        await app.request(`/api/plans/${blocked.id}/approve`, {
          method: 'POST',
          headers: { ...headers, 'x-csrf-token': 'forged' },
          body,
        })
      ).status,
      403,
    )
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'blocked')
    const ok = await app.request(`/api/plans/${blocked.id}/approve`, {
      method: 'POST',
      headers: { ...headers, 'x-csrf-token': s.csrf },
      body,
    })
    assert.equal(ok.status, 200)
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'approved')
  })

  test('a form posted from another origin is refused before the CSRF token is looked at', async () => {
    const s = await session('operator')
    const form = new URLSearchParams({ _csrf: s.csrf, decision: 'approve', reason: 'x' })
    const r = await app.request(`http://localhost/plans/${blocked.id}/decide`, {
      method: 'POST',
      body: form,
      headers: {
        cookie: s.cookie,
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
    })
    assert.equal(r.status, 403)
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'blocked')
  })

  test('approve through the dashboard form goes through approvePlan and is audited with the user, twice refused', async () => {
    const s = await session('operator')
    const form = () =>
      new URLSearchParams({
        _csrf: s.csrf,
        decision: 'approve',
        reason: 'half the school left on purpose',
      })
    const post = () =>
      app.request(`/plans/${blocked.id}/decide`, {
        method: 'POST',
        body: form(),
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
        },
      })
    const r = await post()
    assert.equal(r.status, 303)
    assert.equal(await fx.engine.store.planStatus(blocked.id), 'approved')
    const [approved] = await fx.engine.store.listAudit({ limit: 1, kind: 'plan.approved' })
    assert.equal(approved?.actor, 'operator')
    assert.equal(approved?.data?.['reason'], 'half the school left on purpose')
    const [request] = await fx.engine.store.listAudit({ limit: 1, kind: 'http.request' })
    assert.deepEqual(
      [request?.actor, request?.data?.['path'], request?.data?.['status']],
      ['operator', `/plans/${blocked.id}/decide`, 303],
    )
    const again = await post()
    assert.equal(again.status, 409)
    assert.match(await again.text(), /is approved and cannot become approved/)
  })

  test('an API token is stored hashed, scoped to no more than the user has, and stops working when it expires', async () => {
    await assert.rejects(
      createApiToken(fx.engine.store.access, {
        user: 'viewer',
        role: 'admin',
        label: 'x',
        days: 1,
        now: fx.engine.now(),
      }),
      /viewer is viewer and cannot make a token with the admin role/,
    )
    const t = await token('operator', 'operator', 1)
    const [grant] = await fx.engine.store.access.listGrants('api_tokens', 'operator')
    assert.equal(grant?.secretHash, secretHash(t))
    const get = () => app.request('/api/status', { headers: { authorization: `Bearer ${t}` } })
    assert.equal((await get()).status, 200)
    fx.clock.today = '2026-11-26'
    assert.equal((await get()).status, 401)
  })

  test('a token made through the API works at its scope, and its creation is an audited state change', async () => {
    const admin = await token('admin', 'admin')
    const r = await app.request('/api/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'monitoring', role: 'viewer', days: 7 }),
    })
    assert.equal(r.status, 200)
    const made = (await r.json()) as { token: string }
    assert.equal(
      (await app.request('/api/users', { headers: { authorization: `Bearer ${made.token}` } }))
        .status,
      403,
    )
    assert.equal(
      (await app.request('/api/status', { headers: { authorization: `Bearer ${made.token}` } }))
        .status,
      200,
    )
    const [event] = await fx.engine.store.listAudit({ limit: 1, kind: 'http.request' })
    assert.deepEqual(
      [event?.actor, event?.data?.['path'], event?.data?.['via']],
      ['admin', '/api/tokens', 'token'],
    )
  })
})

describe('API and pages', () => {
  test('runs page by key (started, id), ties included: every run once, each page read on its own', async () => {
    for (let i = 0; i < 25; i++)
      await fx.engine.store.saveRun(
        run(`r${String(i).padStart(2, '0')}`, `2026-11-2${i % 5}T05:30:00.000Z`),
      )
    const all = (await fx.engine.store.listRuns(1000)).map((r) => r.runId)
    const store = fx.engine.store as unknown as {
      listRuns: (limit: number, before?: unknown) => Promise<unknown>
    }
    const listRuns = store.listRuns.bind(fx.engine.store)
    const limits: number[] = []
    store.listRuns = (limit, before) => {
      limits.push(limit)
      return listRuns(limit, before)
    }
    const viewer = await token('viewer', 'viewer')
    const ids: string[] = []
    let query = '?limit=7'
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, 'the pages end')
      const r = await app.request(`/api/runs${query}`, {
        headers: { authorization: `Bearer ${viewer}` },
      })
      assert.equal(r.status, 200)
      const body = (await r.json()) as { items: { runId: string }[]; next?: string }
      ids.push(...body.items.map((x) => x.runId))
      if (body.next === undefined) break
      query = `?limit=7&cursor=${body.next}`
    }
    assert.ok(all.length >= 25)
    assert.deepEqual(ids, all)
    assert.ok(
      limits.every((l) => l === 8),
      `each page reads one page and one run: ${limits.join(', ')}`,
    )
  })

  test('the audit log pages by key: every event once, newest first, each page read on its own', async () => {
    await fx.engine.store.appendAudit(
      Array.from({ length: 250 }, (_, i) => ({ type: 'test.event', actor: 'test', data: { i } })),
    )
    const store = fx.engine.store as unknown as {
      listAudit: (f: { limit: number }) => Promise<unknown>
    }
    const listAudit = store.listAudit.bind(fx.engine.store)
    const limits: number[] = []
    store.listAudit = (f) => {
      limits.push(f.limit)
      return listAudit(f)
    }
    const viewer = await token('viewer', 'viewer')
    const seqs: number[] = []
    let query = '?kind=test&limit=100'
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 4, 'the pages end')
      const r = await app.request(`/api/audit${query}`, {
        headers: { authorization: `Bearer ${viewer}` },
      })
      assert.equal(r.status, 200)
      const body = (await r.json()) as { items: { seq: number }[]; next?: string }
      seqs.push(...body.items.map((e) => e.seq))
      if (body.next === undefined) break
      query = `?kind=test&limit=100&cursor=${body.next}`
    }
    assert.equal(seqs.length, 250)
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    )
    assert.equal(new Set(seqs).size, 250)
    assert.deepEqual(limits, [101, 101, 101], 'no page reads more than one page and one event')
  })

  test('the plan page and the plan API never decompress a whole stored plan across reloads; its status stays current', async () => {
    const s = await session('operator')
    const store = fx.engine.store as unknown as { getPlan: (id: string) => Promise<unknown> }
    const getPlan = store.getPlan.bind(fx.engine.store)
    let reads = 0
    store.getPlan = (id) => {
      reads++
      return getPlan(id)
    }
    const get = (path: string) => app.request(path, { headers: { cookie: s.cookie } })
    for (let i = 0; i < 3; i++) assert.equal((await get(`/plans/${blocked.id}`)).status, 200)
    assert.equal((await get(`/plans/${blocked.id}?kind=delete`)).status, 200)
    assert.equal((await get(`/api/plans/${blocked.id}`)).status, 200)
    assert.equal((await get(`/api/plans/${blocked.id}/actions?limit=5`)).status, 200)
    assert.equal(reads, 0, 'no read of the whole stored plan for six requests')
    const approved = await app.request(`/api/plans/${blocked.id}/approve`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'the export was half on purpose' }),
    })
    assert.equal(approved.status, 200)
    const after = (await (await get(`/api/plans/${blocked.id}`)).json()) as { status: string }
    assert.equal(after.status, 'approved')
  })

  test("the plan page reads the plan's action index once per load: the filter choices come with the page", async () => {
    const s = await session('viewer')
    const store = fx.engine.store
    const facets = store.planActionFacets.bind(store)
    const page = store.pagePlanActions.bind(store)
    let indexReads = 0
    store.planActionFacets = (id) => {
      indexReads++
      return facets(id)
    }
    store.pagePlanActions = (id, q) => {
      indexReads++
      return page(id, q)
    }
    try {
      const r = await app.request(`/plans/${blocked.id}?kind=disable`, {
        headers: { cookie: s.cookie },
      })
      assert.equal(r.status, 200)
      const html = await r.text()
      // the kind filter's choices are the plan's facets
      assert.match(html, /<option[^>]*value="disable"/)
      assert.equal(indexReads, 1, 'one store call that reads the index, not two')
      const missing = await app.request('/plans/no-such-plan', { headers: { cookie: s.cookie } })
      assert.equal(missing.status, 404)
    } finally {
      store.planActionFacets = facets
      store.pagePlanActions = page
    }
  })

  test("the overview, the status and the sources API read plan heads, never a plan's actions", async () => {
    const s = await session('viewer')
    const store = fx.engine.store
    const getPlan = store.getPlan.bind(store)
    let reads = 0
    store.getPlan = (id) => {
      reads++
      return getPlan(id)
    }
    try {
      const get = (path: string) => app.request(path, { headers: { cookie: s.cookie } })
      const overview = await get('/')
      assert.equal(overview.status, 200)
      assert.match(await overview.text(), new RegExp(blocked.id), 'the blocked plan is shown')
      const status = (await (await get('/api/status')).json()) as { blocked: { id: string }[] }
      assert.deepEqual(
        status.blocked.map((b) => b.id),
        [blocked.id],
      )
      assert.equal((await get('/api/sources-targets')).status, 200)
      assert.equal((await get(`/api/plans/${blocked.id}`)).status, 200)
      assert.equal(reads, 0, 'no getPlan (decompressing every action) on these pages')
    } finally {
      store.getPlan = getPlan
    }
  })

  test('the persons of the ledger, paged by key: every person once, in order, with their accounts', async () => {
    const viewer = await token('viewer', 'viewer')
    const get = async (query: string) => {
      const r = await app.request(`/api/persons${query}`, {
        headers: { authorization: `Bearer ${viewer}` },
      })
      return { status: r.status, body: (await r.json()) as Record<string, unknown> }
    }
    const seen: string[] = []
    let query = '?limit=15'
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 5, 'the pages end')
      const { status, body } = await get(query)
      assert.equal(status, 200)
      const items = body['items'] as {
        person: string
        accounts: { target: string; state: string }[]
      }[]
      assert.ok(items.length <= 15)
      for (const i of items) {
        seen.push(i.person)
        assert.deepEqual(
          i.accounts.map((a) => [a.target, a.state]),
          [['dir', 'active']],
        )
      }
      if (body['next'] === undefined) break
      query = `?limit=15&cursor=${String(body['next'])}`
    }
    const expected = Array.from({ length: 40 }, (_, i) => `p${String(i).padStart(2, '0')}`)
    assert.deepEqual(seen, expected)
    const foreign = Buffer.from(JSON.stringify({ at: 15 })).toString('base64url')
    const refused = await get(`?cursor=${foreign}`)
    assert.equal(refused.status, 400)
    assert.match(String(refused.body['error']), /is not one this API gave out/)
  })

  test("a plan's actions page with a cursor and filter; a foreign cursor is a 400 naming it", async () => {
    const viewer = await token('viewer', 'viewer')
    let reads = 0
    const getPlan = fx.engine.store.getPlan.bind(fx.engine.store)
    fx.engine.store.getPlan = async (id) => {
      reads++
      return getPlan(id)
    }
    const get = async (q: string) =>
      app.request(`/api/plans/${blocked.id}/actions?${q}`, {
        headers: { authorization: `Bearer ${viewer}` },
      })
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = (await (
        await get(`limit=7&kind=disable${cursor === undefined ? '' : `&cursor=${cursor}`}`)
      ).json()) as { items: { id: string; kind: string }[]; next?: string }
      assert.ok(page.items.every((a) => a.kind === 'disable'))
      seen.push(...page.items.map((a) => a.id))
      cursor = page.next
    } while (cursor !== undefined)
    assert.deepEqual(
      seen,
      blocked.actions.filter((a) => a.kind === 'disable').map((a) => a.id),
    )
    assert.equal(seen.length, 20)
    assert.equal(reads, 0, "the plan's actions are paged from the store, never read whole")
    const bad = await get('cursor=nonsense')
    assert.equal(bad.status, 400)
    assert.match(
      ((await bad.json()) as { error: string }).error,
      /cursor "nonsense" is not one this API gave out/,
    )
  })

  test('pages carry a CSP without inline script, frame-ancestors none; person data is escaped', async () => {
    const s = await session('operator')
    const r = await app.request(`/plans/${blocked.id}?kind=disable`, {
      headers: { cookie: s.cookie },
    })
    assert.equal(r.status, 200)
    const csp = r.headers.get('content-security-policy') ?? ''
    assert.match(csp, /frame-ancestors 'none'/)
    assert.match(csp, /script-src 'self'/)
    assert.ok(!csp.includes('unsafe-inline'))
    assert.equal(r.headers.get('x-frame-options'), 'DENY')
    const body = await r.text()
    assert.ok(!body.includes('<script>alert(1)</script>'), 'the hostile name is not markup')
    assert.ok(
      body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'),
      'the hostile name is shown as text',
    )
    assert.ok(!/<script|style=/.test(body), 'no inline script or style')
    assert.match(body, /name="decision" value="approve"/)
    const nl = await (await app.request('/?lang=nl', { headers: { cookie: s.cookie } })).text()
    assert.match(nl, /Geblokkeerde plannen/)
    assert.match(nl, /<h2 id="chart-title">Acties per dag \(laatste 14 dagen\)<\/h2>/)
    // the first plan's 40 creates and 40 group grants were applied on the 23rd; the chart's days are Amsterdam's
    assert.match(nl, /<tr><th scope="row">2026-11-23<\/th><td>80<\/td><td>0<\/td><\/tr>/)
    assert.match(nl, /<title>2026-11-24: 0 uitgevoerd, 0 fouten<\/title>/)
    assert.ok(nl.includes(`/plans/${blocked.id}`))
  })

  test("a plan's actions filtered by school (code, any case) on the page and in the API, as koppel plan --school", async () => {
    fx.persons.push(
      pupil('p70', 'Anna', 'Elders', '2B', { organisationCode: '99ZZ00' }),
      pupil('p71', 'Bram', 'Hier', '2B'),
    )
    const made = await makePlan(fx.engine, { actor: 'test' })
    assert.ok(made.ok)
    const s = await session('viewer')
    const page = await (
      await app.request(`/plans/${made.plan.id}?school=99zz00`, { headers: { cookie: s.cookie } })
    ).text()
    const rows = [
      ...page.matchAll(/<tr><td>dir<\/td><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g),
    ].map((m) => [m[1], m[2]])
    assert.deepEqual(
      rows,
      [
        ['Anna Elders (p70)', '99ZZ00'],
        ['Anna Elders (p70)', '99ZZ00'],
      ],
      'the create and the group grant of the one pupil there',
    )
    assert.match(page, /<option value="99ZZ00">99ZZ00<\/option>/)
    const api = (await (
      await app.request(`/api/plans/${made.plan.id}/actions?school=99ZZ00`, {
        headers: { authorization: `Bearer ${await token('viewer', 'viewer')}` },
      })
    ).json()) as { items: { person: string }[] }
    assert.deepEqual(
      api.items.map((a) => a.person),
      ['p70', 'p70'],
    )
  })

  test('the chart reads more runs while the oldest read is still inside its 14 days', async () => {
    for (let i = 0; i < 150; i++) {
      const at = new Date(Date.parse('2026-11-22T06:00:00Z') + i * 60_000).toISOString()
      await fx.engine.store.saveRun({
        kind: 'run-report',
        runId: `run-x${i}`,
        state: 'done',
        startedAt: at,
        finishedAt: at,
        counts: { dir: { update: { applied: 1 } } },
        failures: [],
        messages: [],
      })
    }
    const s = await session('viewer')
    const body = await (await app.request('/', { headers: { cookie: s.cookie } })).text()
    assert.match(body, /<tr><th scope="row">2026-11-22<\/th><td>150<\/td><td>0<\/td><\/tr>/)
    assert.match(body, /<tr><th scope="row">2026-11-23<\/th><td>80<\/td><td>0<\/td><\/tr>/)
  })

  test('the person page finds a pupil by number and shows the rule that gave the account, through explainPerson', async () => {
    const s = await session('viewer')
    const r = await app.request('/persons?q=p05', { headers: { cookie: s.cookie } })
    assert.equal(r.status, 200)
    const body = await r.text()
    assert.match(body, /Kind5 Mulder/)
    assert.match(body, /<h4>dir: active /)
    assert.match(body, /Rule pupils \(/, 'the rule that grants the account')
    assert.match(
      body,
      /group cn=1A,ou=groups<\/td><td>pupils/,
      'the rule that grants the class group',
    )
    const many = await (
      await app.request('/persons?q=Mulder', { headers: { cookie: s.cookie } })
    ).text()
    assert.match(many, /Several persons; pick one:/)
    assert.match(many, /href="\/persons\?q=p05"/)
    const none = await (
      await app.request('/persons?q=nobody-like-this', { headers: { cookie: s.cookie } })
    ).text()
    assert.match(none, /Nobody found\./)
  })
})

describe('apply this person now', () => {
  // a store whose last plan was applied, so a person's plan is not blocked by the shrunken source of beforeEach
  beforeEach(async () => {
    await fx.cleanup()
    fx = await engineFixture()
    for (let i = 0; i < 20; i++)
      fx.persons.push(pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Mulder', '1A'))
    const first = await makePlan(fx.engine, { actor: 'test' })
    assert.ok(first.ok && (await applyStoredPlan(fx.engine, first.plan.id, { actor: 'test' })).ok)
    for (const role of ['viewer', 'operator'])
      await addUser(fx.engine.store.access, {
        name: role,
        role,
        password: PASSWORD,
        now: fx.engine.now(),
      })
    app = new Hono()
    mountDashboard(app, { engine: fx.engine })
  })
  const form = (s: { cookie: string; csrf: string }, fields: Record<string, string>) =>
    app.request('/persons/apply', {
      method: 'POST',
      body: new URLSearchParams({ _csrf: s.csrf, ...fields }),
      headers: {
        cookie: s.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        origin: ORIGIN,
      },
    })

  test('an operator sees the form on the person page, a viewer does not; the apply runs runPerson with the user and reason', async () => {
    fx.persons.push(pupil('p50', 'Nieuw', 'Leerling', '1B'))
    const viewer = await session('viewer')
    assert.ok(
      !(
        await (await app.request('/persons?q=p50', { headers: { cookie: viewer.cookie } })).text()
      ).includes('action="/persons/apply"'),
    )
    const s = await session('operator')
    const personPage = await (
      await app.request('/persons?q=p50', { headers: { cookie: s.cookie } })
    ).text()
    assert.match(personPage, /<form method="post" action="\/persons\/apply"/)
    assert.match(personPage, /name="person" value="p50"/)
    const r = await form(s, { person: 'p50', reason: 'starts today, needs the account now' })
    assert.equal(r.status, 200)
    const body = await r.text()
    assert.match(body, /<h1>Applied<\/h1>/)
    assert.match(body, /<td>dir<\/td><td>create<\/td><td>applied<\/td><td>1<\/td>/)
    assert.equal((await fx.engine.store.getAccount('dir', 'p50'))?.state, 'active')
    const [created] = await fx.engine.store.listAudit({ limit: 1, kind: 'plan.created' })
    assert.deepEqual(
      [created?.actor, created?.person, created?.data?.['scope'], created?.data?.['reason']],
      ['operator', 'p50', 'person', 'starts today, needs the account now'],
    )
    const plan = await fx.engine.store.getPlan(created?.planId ?? '')
    assert.deepEqual(
      plan?.actions.map((a) => [a.kind, a.person]),
      [
        ['create', 'p50'],
        ['grant', 'p50'],
      ],
      'only this person is applied',
    )
    const [request] = await fx.engine.store.listAudit({ limit: 1, kind: 'http.request' })
    assert.deepEqual([request?.actor, request?.data?.['path']], ['operator', '/persons/apply'])
  })

  test('while a scheduled run holds the apply lease: 409 with Retry-After and when to try again; nothing applied', async () => {
    fx.persons.push(pupil('p50', 'Nieuw', 'Leerling', '1B'))
    const run = await acquireApplyLease(fx.engine.store)
    assert.ok(run !== undefined)
    try {
      const s = await session('operator')
      const page = await form(s, { person: 'p50', reason: 'starts today' })
      assert.equal(page.status, 409)
      const wait = Number(page.headers.get('retry-after'))
      assert.ok(wait >= 5 && wait <= 60, `Retry-After ${String(wait)}`)
      assert.match(
        await page.text(),
        new RegExp(
          `another apply is running for this tenant \\(.*\\): nothing was applied\\. Try again when it has finished \\(in ${wait} s at the earliest\\)`,
        ),
      )
      const api = await app.request('/api/persons/p50/apply', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token('operator', 'operator')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reason: 'starts today' }),
      })
      assert.equal(api.status, 409)
      assert.ok(Number(api.headers.get('retry-after')) >= 5)
      const body = (await api.json()) as { error: string }
      assert.match(body.error, /nothing was applied\. Try again when it has finished/)
      assert.equal(await fx.engine.store.getAccount('dir', 'p50'), undefined)
    } finally {
      await run.release()
    }
    // once the run is over, the same request applies
    const s = await session('operator')
    assert.equal((await form(s, { person: 'p50', reason: 'starts today' })).status, 200)
  })

  test('a reason is required, the viewer role and a missing CSRF token are refused: nothing is planned', async () => {
    fx.persons.push(pupil('p50', 'Nieuw', 'Leerling', '1B'))
    const plansBefore = (await fx.engine.store.listPlanStatuses(100)).length
    const s = await session('operator')
    const noReason = await form(s, { person: 'p50', reason: '  ' })
    assert.equal(noReason.status, 400)
    assert.match(await noReason.text(), /person p50: reason: a reason is required/)
    const viewer = await session('viewer')
    assert.equal((await form(viewer, { person: 'p50', reason: 'x' })).status, 403)
    assert.equal(
      (await form({ cookie: s.cookie, csrf: 'forged' }, { person: 'p50', reason: 'x' })).status,
      403,
    )
    assert.equal((await fx.engine.store.listPlanStatuses(100)).length, plansBefore)
    assert.equal(await fx.engine.store.getAccount('dir', 'p50'), undefined)
  })

  test('a name matching several persons lists them, escaped, and applies nobody', async () => {
    fx.persons.push(pupil('p50', '<img src=x onerror=alert(1)>', 'Mulder', '1B'))
    const s = await session('operator')
    const r = await form(s, { person: 'Mulder', reason: 'x' })
    assert.equal(r.status, 400)
    const body = await r.text()
    assert.match(body, /21 persons match &quot;Mulder&quot;; name one by key or number/)
    assert.ok(!body.includes('<img src=x'), 'the hostile name is not markup')
    assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;'))
    assert.equal(await fx.engine.store.getAccount('dir', 'p50'), undefined)
  })

  test('through the API as an operator token: applied; a viewer token is 403', async () => {
    fx.persons.push(pupil('p50', 'Nieuw', 'Leerling', '1B'))
    const call = async (tk: string) =>
      app.request('/api/persons/p50/apply', {
        method: 'POST',
        headers: { authorization: `Bearer ${tk}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'needed now' }),
      })
    assert.equal((await call(await token('viewer', 'viewer'))).status, 403)
    const r = await call(await token('operator', 'operator'))
    assert.equal(r.status, 200)
    const body = (await r.json()) as { outcome: string; plan: { status: string; actions: number } }
    assert.deepEqual([body.outcome, body.plan.status, body.plan.actions], ['applied', 'applied', 2])
    assert.equal((await fx.engine.store.getAccount('dir', 'p50'))?.state, 'active')
  })
})

describe('apply this person now, when the guard blocks it', () => {
  test('the plan waits for approval and the page says so; nothing is written', async () => {
    const strict = await engineFixture({ guard: { create: { maxCount: 0 } } })
    try {
      await addUser(strict.engine.store.access, {
        name: 'operator',
        role: 'operator',
        password: PASSWORD,
        now: strict.engine.now(),
      })
      strict.persons.push(pupil('p01', 'Een', 'Leerling', '1A'))
      app = new Hono()
      mountDashboard(app, { engine: strict.engine })
      const s = await session('operator')
      const r = await app.request('/persons/apply', {
        method: 'POST',
        body: new URLSearchParams({ _csrf: s.csrf, person: 'p01', reason: 'new pupil' }),
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
          'accept-language': 'nl',
        },
      })
      assert.equal(r.status, 200)
      const body = await r.text()
      assert.match(
        body,
        /het wacht op goedkeuring\. Keur het goed op de planpagina en verwerk deze persoon daarna opnieuw/,
      )
      const [blockedEvent] = await strict.engine.store.listAudit({ limit: 1, kind: 'plan.blocked' })
      assert.ok(body.includes(`/plans/${blockedEvent?.planId ?? '?'}`), 'links the plan to approve')
      assert.equal(await strict.engine.store.planStatus(blockedEvent?.planId ?? ''), 'blocked')
      assert.equal(strict.target.entries.size, 0)
      // approved on its page, the same work is applied when the person is applied again (the approval carries)
      const decide = await app.request(`/plans/${blockedEvent?.planId ?? ''}/decide`, {
        method: 'POST',
        body: new URLSearchParams({
          _csrf: s.csrf,
          decision: 'approve',
          reason: 'one new pupil is fine',
        }),
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
        },
      })
      assert.equal(decide.status, 303)
      const again = await app.request('/persons/apply', {
        method: 'POST',
        body: new URLSearchParams({ _csrf: s.csrf, person: 'p01', reason: 'approved now' }),
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
        },
      })
      assert.match(await again.text(), /<h1>Applied<\/h1>/)
      assert.equal(strict.target.entries.size, 1)
    } finally {
      await strict.cleanup()
    }
  })
})

describe('sources, targets and drift', () => {
  test('the sources and targets page and API: snapshot last used, ledger counts by state, the newest run per target', async () => {
    const s = await session('viewer')
    const r = await app.request('/sources', { headers: { cookie: s.cookie } })
    assert.equal(r.status, 200)
    const body = await r.text()
    assert.match(
      body,
      /<tr><th scope="row">school<\/th><td>test<\/td><td>2026-11-23T00:00:00Z<\/td><td>40<\/td><td>0<\/td>/,
    )
    assert.match(
      body,
      /<tr><th scope="row">dir<\/th><td>memory<\/td><td>40<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>done \([^)]*\): applied 80/,
    )
    assert.ok(
      body.includes(`href="/plans/${blocked.id}"`),
      "the newest plan's issues are the blocked plan's",
    )
    assert.match(
      await (await app.request('/sources?lang=nl', { headers: { cookie: s.cookie } })).text(),
      /<h1>Bronnen en doelsystemen<\/h1>/,
    )
    const api = (await (
      await app.request('/api/sources-targets', {
        headers: { authorization: `Bearer ${await token('viewer', 'viewer')}` },
      })
    ).json()) as {
      planId: string
      sources: { name: string; lastRead: { persons: number } }[]
      targets: {
        name: string
        accounts: Record<string, number>
        lastRun: { state: string; outcomes: Record<string, number> }
      }[]
    }
    assert.equal(api.planId, blocked.id)
    assert.deepEqual(
      api.sources.map((x) => [x.name, x.lastRead.persons]),
      [['school', 40]],
    )
    assert.deepEqual(
      api.targets.map((x) => [x.name, x.accounts, x.lastRun.state, x.lastRun.outcomes]),
      [['dir', { active: 40, disabled: 0, deleted: 0 }, 'done', { applied: 80 }]],
    )
  })

  test('a read refused since the newest plan (control characters in a name) shows on the source, escaped', async () => {
    fx.persons.push(pupil('p60', 'Bel\u0007<i>', 'Mulder', '1A'))
    const refused = await makePlan(fx.engine, { actor: 'serve <nightly>' })
    assert.ok(!refused.ok)
    const s = await session('viewer')
    const body = await (await app.request('/sources', { headers: { cookie: s.cookie } })).text()
    assert.match(
      body,
      /<p class="error">Read refused at 2026-11-24T10:00:00\.\d{3}Z \(serve &lt;nightly&gt;\): 1 errors \(control_character\)<\/p>/,
    )
    const api = (await (
      await app.request('/api/sources-targets', {
        headers: { authorization: `Bearer ${await token('viewer', 'viewer')}` },
      })
    ).json()) as { sources: { refused?: { code: string } }[] }
    assert.equal(api.sources[0]?.refused?.code, 'control_character')
  })

  test('provisioned groups through the API, filtered by target and state, paged', async () => {
    const g = {
      kind: 'provisioned-group',
      target: 'dir',
      key: '2026/wi-3b',
      set: 'lesgroepen',
      targetId: 'uuid-1',
      locator: 'cn=Wiskunde 3B,ou=groups',
      state: 'active',
      attributes: { title: 'Wiskunde 3B' },
      createdAt: '2026-11-23T00:00:00.000Z',
      updatedAt: '2026-11-23T00:00:00.000Z',
    } as const
    await fx.engine.store.upsertGroups([
      g,
      {
        ...g,
        key: '2026/ne-3b',
        targetId: 'uuid-2',
        state: 'archived',
        archivedAt: '2026-11-24T00:00:00.000Z',
      },
      { ...g, target: 'lms', targetId: 'x' },
    ])
    const get = async (q: string) =>
      (await (
        await app.request(`/api/groups?${q}`, {
          headers: { authorization: `Bearer ${await token('viewer', 'viewer')}` },
        })
      ).json()) as { items: { key: string; target: string }[]; next?: string }
    assert.deepEqual(
      (await get('target=dir&state=active')).items.map((x) => [x.target, x.key]),
      [['dir', '2026/wi-3b']],
    )
    const first = await get('limit=2')
    assert.equal(first.items.length, 2)
    assert.equal((await get(`limit=2&cursor=${first.next ?? ''}`)).items.length, 1)
  })

  test('groups and plans page in the store by key: no page reads the whole list', async () => {
    const store = fx.engine.store
    const listGroups = store.listGroups.bind(store)
    const listPlanStatuses = store.listPlanStatuses.bind(store)
    const whole: string[] = []
    store.listGroups = (t) => (whole.push('listGroups'), listGroups(t))
    store.listPlanStatuses = (n) => (whole.push(`listPlanStatuses ${n}`), listPlanStatuses(n))
    try {
      const viewer = await token('viewer', 'viewer')
      const pageAll = async (path: string, key: (x: Record<string, string>) => string) => {
        const seen: string[] = []
        let cursor: string | undefined
        do {
          const r = await app.request(`${path}?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
            headers: { authorization: `Bearer ${viewer}` },
          })
          assert.equal(r.status, 200)
          const page = (await r.json()) as { items: Record<string, string>[]; next?: string }
          assert.ok(page.items.length <= 1)
          seen.push(...page.items.map(key))
          cursor = page.next
        } while (cursor !== undefined)
        return seen
      }
      const groups = await pageAll('/api/groups', (g) => `${g['target']} ${g['key']}`)
      assert.deepEqual(
        groups,
        (await listGroups()).map((g) => `${g.target} ${g.key}`),
      )
      const plans = await pageAll('/api/plans', (p) => String(p['id']))
      assert.deepEqual(
        plans,
        (await listPlanStatuses(1000)).map((p) => p.id),
      )
      assert.ok(plans.length >= 2)
      assert.deepEqual(whole, [], 'no whole list read for a page')
    } finally {
      store.listGroups = listGroups
      store.listPlanStatuses = listPlanStatuses
    }
  })

  test('drift runs only on the button (operator, CSRF) through driftReport, and shows hostile values as text', async () => {
    fx.target.entries.set('x1', {
      id: 'x1',
      attributes: { dn: 'uid=<b>evil</b>,ou=people', employeeNumber: 'zz' },
      enabled: true,
      permissions: new Set(),
    })
    const viewer = await session('viewer')
    const page = await (await app.request('/drift', { headers: { cookie: viewer.cookie } })).text()
    assert.ok(!page.includes('action="/drift"'), 'a viewer gets no button')
    const post = (s: { cookie: string; csrf: string }, target = '') =>
      app.request('/drift', {
        method: 'POST',
        body: new URLSearchParams({ _csrf: s.csrf, target }),
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
        },
      })
    assert.equal((await post(viewer)).status, 403)
    const operator = await session('operator')
    assert.equal((await post({ cookie: operator.cookie, csrf: 'forged' })).status, 403)
    const r = await post(operator)
    assert.equal(r.status, 200)
    const body = await r.text()
    assert.match(
      body,
      /<td>unmanaged<\/td><td>uid=&lt;b&gt;evil&lt;\/b&gt;,ou=people<\/td><td>-<\/td><td>not managed by Koppel<\/td><td>no person matches its anchor; Koppel leaves it alone<\/td>/,
    )
    assert.ok(!body.includes('<b>evil'))
    const unknown = await post(operator, 'nope')
    assert.equal(unknown.status, 400)
    assert.match(await unknown.text(), /no target &quot;nope&quot; \(targets: dir\)/)
    const api = (tk: string, body: string) =>
      app.request('/api/drift', {
        method: 'POST',
        headers: { authorization: `Bearer ${tk}`, 'content-type': 'application/json' },
        body,
      })
    const op = await token('operator', 'operator')
    const json = (await (await api(op, '{}')).json()) as {
      targets: { target: string; items: { kind: string; account: { id: string } }[] }[]
    }
    assert.deepEqual(
      json.targets[0]?.items.filter((i) => i.kind === 'unmanaged').map((i) => i.account.id),
      ['x1'],
    )
    assert.equal((await api(op, JSON.stringify({ target: 'nope' }))).status, 404)
  })
})

describe('schedules and configuration', () => {
  test("the schedules page shows each schedule's next time by its cron expression, in the school's time zone", async () => {
    const s = await session('viewer')
    // the engine's clock after beforeEach: Tuesday 2026-11-24, 10:00 UTC (11:00 in Amsterdam)
    const body = await (await app.request('/schedules', { headers: { cookie: s.cookie } })).text()
    assert.match(
      body,
      /<th scope="row">nightly<\/th><td><code>30 5 \* \* 1-5<\/code><\/td><td>Europe\/Amsterdam<\/td><td><time datetime="2026-11-25T04:30:00.000Z">2026-11-25 05:30<\/time>/,
    )
    assert.match(
      body,
      /<th scope="row">hourly<\/th>.*<time datetime="2026-11-24T11:00:00.000Z">2026-11-24 12:00<\/time>/,
    )
    const api = (await (
      await app.request('/api/schedules', {
        headers: { authorization: `Bearer ${await token('viewer', 'viewer')}` },
      })
    ).json()) as { items: { name: string; next: string }[] }
    assert.deepEqual(
      api.items.map((i) => i.name),
      ['nightly', 'hourly'],
    )
    assert.equal(api.items[0]?.next, '2026-11-25T04:30:00.000Z')
  })

  test('the scheduler state under koppel serve: the last outcome and a running schedule are shown', async () => {
    app = new Hono()
    mountDashboard(app, {
      engine: fx.engine,
      config,
      schedules: () => [
        {
          name: 'nightly',
          cron: '30 5 * * 1-5',
          timezone: 'Europe/Amsterdam',
          next: undefined,
          last: { at: '2026-11-23T04:30:00.000Z', outcome: 'applied' },
          running: false,
        },
        {
          name: 'hourly',
          cron: '0 7-17 * * 1-5',
          timezone: 'Europe/Amsterdam',
          next: undefined,
          running: true,
        },
      ],
    })
    const s = await session('viewer')
    const body = await (
      await app.request('/schedules?lang=nl', { headers: { cookie: s.cookie } })
    ).text()
    assert.match(body, /<td>2026-11-23T04:30:00.000Z: applied<\/td>/)
    assert.match(body, /<td>loopt nu<\/td>/)
  })

  test('the configuration page is for admins, shows the config with secrets as *** and escapes it', async () => {
    const operator = await session('operator')
    assert.equal(
      (await app.request('/admin/config', { headers: { cookie: operator.cookie } })).status,
      403,
    )
    const admin = await session('admin')
    const page = await app.request('/admin/config', { headers: { cookie: admin.cookie } })
    assert.equal(page.status, 200)
    const body = await page.text()
    assert.ok(!body.includes('s3cret'), 'no resolved secret on the page')
    assert.ok(body.includes('postgres://koppel:***@db.test/&lt;b&gt;koppel&lt;/b&gt;'))
    assert.match(body, /&quot;key&quot;: &quot;\*\*\*&quot;/)
    assert.match(
      body,
      /<a href="\/admin\/config">Configuration<\/a>/,
      'an admin has it in the menu',
    )
    assert.ok(
      !(await (await app.request('/', { headers: { cookie: operator.cookie } })).text()).includes(
        'href="/admin/config"',
      ),
      'an operator does not',
    )
    const api = await app.request('/api/config', {
      headers: { authorization: `Bearer ${await token('admin', 'admin')}` },
    })
    assert.equal(api.status, 200)
    const json = await api.text()
    assert.ok(!json.includes('s3cret'))
    assert.equal((JSON.parse(json) as { audit: { key: string } }).audit.key, '***')
  })
})
