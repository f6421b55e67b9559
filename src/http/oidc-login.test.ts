// Dashboard sign-in through a real OpenID provider on loopback (the `oidc-provider` package, its development
// sign-in form driven over HTTP): the code flow with PKCE through openid-client, the signed-in e-mail address
// mapped to a local user and role, and the refusals (not a local user, a forged state) audited.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { Hono } from 'hono'
import Provider from 'oidc-provider'
import type { KoppelConfig } from '../config/index.ts'
import { engineFixture, type Fixture } from '../../test/support/engine-fixture.ts'
import { addUser } from './access/users.ts'
import { mountDashboard } from './dashboard-http.ts'

const REDIRECT = 'http://localhost/login/oidc/callback'
let server: Server
let issuer = ''

before(async () => {
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'koppel',
        client_secret: 'client-secret-for-tests',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@school.test`, email_verified: id !== 'unverified' }),
    }),
    // a first-party client: no consent screen
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client?.clientId ?? '',
        accountId: ctx.oidc.session?.accountId ?? '',
      })
      grant.addOIDCScope('openid email profile')
      await grant.save()
      return grant
    },
    cookies: { keys: ['test-cookie-key-0123456789'] },
  })
  server.on('request', provider.callback())
})
after(async () => new Promise<void>((resolve) => server.close(() => resolve())))

let fx: Fixture
let app: Hono

beforeEach(async () => {
  fx = await engineFixture()
  await addUser(fx.engine.store.access, {
    name: 'jan@school.test',
    role: 'operator',
    password: 'correct horse battery',
    now: fx.engine.now(),
  })
  const config = {
    version: 1,
    tenant: 'default',
    store: { kind: 'sqlite', path: 'x.db' },
    audit: {},
    sources: [],
    merge: { match: [], primaryContract: ['employment', 'enrolment'] },
    targets: [],
    rules: [],
    serve: {
      listen: { host: '127.0.0.1', port: 0 },
      hooks: [],
      watch: [],
      poll: [],
      oidc: {
        issuer,
        clientId: 'koppel',
        clientSecret: 'client-secret-for-tests',
        redirectUri: REDIRECT,
        userClaim: 'email',
        label: 'Entra ID',
      },
    },
  } as const satisfies KoppelConfig
  app = new Hono()
  mountDashboard(app, { engine: fx.engine, config, secureCookies: false })
})
afterEach(async () => fx.cleanup())

const cookiesOf = (r: Response): string[] =>
  r.headers.getSetCookie().map((c) => c.split(';')[0] ?? '')

/** Signs in at the provider as `account` through its development form; returns the callback URL it sends back to. */
async function atProvider(authorize: string, account: string): Promise<URL> {
  const jar: string[] = []
  const get = async (url: string) => {
    const r = await fetch(url, { redirect: 'manual', headers: { cookie: jar.join('; ') } })
    jar.push(...cookiesOf(r))
    return r
  }
  const interaction = await get(authorize)
  assert.equal(interaction.status, 303)
  const uid = new URL(interaction.headers.get('location') ?? '', issuer).pathname
  const login = await fetch(new URL(uid, issuer), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ prompt: 'login', login: account, password: 'any' }),
  })
  jar.push(...cookiesOf(login))
  let next = new URL(login.headers.get('location') ?? '', issuer).href
  for (let i = 0; i < 5 && !next.startsWith(REDIRECT); i++)
    next = new URL((await get(next)).headers.get('location') ?? '', issuer).href
  assert.ok(
    next.startsWith(REDIRECT),
    `the provider sends the browser back to the dashboard, not ${next}`,
  )
  return new URL(next)
}

async function start(): Promise<{ authorize: string; flow: string }> {
  const r = await app.request('/login/oidc')
  assert.equal(r.status, 302)
  const flow = r.headers.getSetCookie().find((c) => c.startsWith('koppel_oidc_default=')) ?? ''
  assert.match(flow, /HttpOnly/)
  assert.match(flow, /SameSite=Lax/)
  return { authorize: r.headers.get('location') ?? '', flow: flow.split(';')[0] ?? '' }
}

describe('sign-in through the OpenID provider', () => {
  test('the login page offers it; the code flow with PKCE signs in the local user with their role', async () => {
    assert.match(
      await (await app.request('/login')).text(),
      /<a class="sso" href="\/login\/oidc">Sign in with Entra ID<\/a>/,
    )
    const { authorize, flow } = await start()
    const params = new URL(authorize).searchParams
    assert.equal(new URL(authorize).origin, issuer)
    assert.deepEqual(
      [params.get('code_challenge_method'), params.get('redirect_uri'), params.get('client_id')],
      ['S256', REDIRECT, 'koppel'],
    )
    const back = await atProvider(authorize, 'jan')
    const done = await app.request(`${back.pathname}${back.search}`, { headers: { cookie: flow } })
    assert.equal(done.status, 200)
    assert.match(await done.text(), /<meta http-equiv="refresh" content="0;url=\/">/)
    const session =
      cookiesOf(done).find(
        (c) =>
          c.startsWith('koppel_session_default=') && c.length > 'koppel_session_default='.length,
      ) ?? ''
    assert.ok(session !== '', 'a session cookie')
    const home = await app.request('/', { headers: { cookie: session } })
    assert.equal(home.status, 200)
    assert.match(await home.text(), /Log out \(jan@school\.test, operator\)/)
    const [event] = await fx.engine.store.listAudit({ limit: 1, kind: 'user.login' })
    assert.deepEqual(
      [event?.actor, event?.data?.['via'], event?.data?.['role']],
      ['jan@school.test', 'oidc', 'operator'],
    )
  })

  test('someone the provider knows but who is no local user is refused and audited; no session', async () => {
    const { authorize, flow } = await start()
    const back = await atProvider(authorize, 'piet')
    const r = await app.request(`${back.pathname}${back.search}`, { headers: { cookie: flow } })
    assert.equal(r.status, 403)
    assert.match(
      await r.text(),
      /piet@school\.test is not a user of this dashboard; an admin adds it with: koppel user add piet@school\.test --role viewer/,
    )
    assert.ok(
      !cookiesOf(r).some(
        (c) =>
          c.startsWith('koppel_session_default=') && c.length > 'koppel_session_default='.length,
      ),
    )
    const [event] = await fx.engine.store.listAudit({ limit: 1, kind: 'user.login-refused' })
    assert.deepEqual(
      [event?.actor, event?.data?.['reason']],
      ['piet@school.test', 'not a local user'],
    )
  })

  test('an unverified e-mail address is refused', async () => {
    await addUser(fx.engine.store.access, {
      name: 'unverified@school.test',
      role: 'admin',
      password: 'correct horse battery',
      now: fx.engine.now(),
    })
    const { authorize, flow } = await start()
    const back = await atProvider(authorize, 'unverified')
    const r = await app.request(`${back.pathname}${back.search}`, { headers: { cookie: flow } })
    assert.equal(r.status, 403)
    assert.match(await r.text(), /gave no verified email for this account/)
  })

  test('a callback whose state is not the one this browser started with is refused, as is one without the flow cookie', async () => {
    const first = await start()
    const second = await start()
    const back = await atProvider(first.authorize, 'jan')
    const crossed = await app.request(`${back.pathname}${back.search}`, {
      headers: { cookie: second.flow },
    })
    assert.equal(crossed.status, 401)
    assert.match(await crossed.text(), /answer was not accepted/)
    const [failed] = await fx.engine.store.listAudit({ limit: 1, kind: 'user.login-failed' })
    assert.equal(failed?.data?.['via'], 'oidc')
    assert.equal((await app.request(`${back.pathname}${back.search}`)).status, 400)
  })
})
