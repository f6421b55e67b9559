// The OpenID sign-in in Debian's Chromium: the dashboard's button, the provider's (oidc-provider on loopback) own
// sign-in form, and back, signed in. It proves what a test over HTTP cannot: the browser keeps the Lax flow
// cookie across the provider's cross-site redirect, and sends the SameSite=Strict session cookie after the
// callback's refresh (a redirect there would leave the user on the login form).
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import Provider from 'oidc-provider'
import { chromium, type Browser } from 'playwright-core'
import type { KoppelConfig } from '../config/index.ts'
import { engineFixture, type Fixture } from '../../test/support/engine-fixture.ts'
import { CHROMIUM, chromiumSkipReason } from '../../test/harness/chromium.ts'
import { addUser } from './access/users.ts'
import { mountDashboard } from './dashboard-http.ts'

describe('OpenID sign-in in Chromium', { skip: chromiumSkipReason() }, () => {
  let fx: Fixture
  let idp: Server
  let dashboard: ServerType
  let browser: Browser
  let base = ''

  before(async () => {
    fx = await engineFixture()
    await addUser(fx.engine.store.access, {
      name: 'jan@school.test',
      role: 'operator',
      password: 'correct horse battery',
      now: fx.engine.now(),
    })
    // listening first: the redirect URI the provider registers names the dashboard's port; routes come after
    const app = new Hono()
    const port = await new Promise<number>((resolve) => {
      dashboard = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve(info.port),
      )
    })
    base = `http://localhost:${port}`
    idp = createServer()
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve))
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'koppel',
          client_secret: 'client-secret-for-tests',
          redirect_uris: [`${base}/login/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: id, email: `${id}@school.test`, email_verified: true }),
      }),
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
    idp.on('request', provider.callback())
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
          redirectUri: `${base}/login/oidc/callback`,
          userClaim: 'email',
          label: 'Entra ID',
        },
      },
    } as const satisfies KoppelConfig
    mountDashboard(app, { engine: fx.engine, config })
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] =>
          e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME'),
      ),
    )
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], env })
  })
  after(async () => {
    await browser?.close()
    await new Promise<void>((resolve) =>
      dashboard === undefined ? resolve() : dashboard.close(() => resolve()),
    )
    await new Promise<void>((resolve) =>
      idp === undefined ? resolve() : idp.close(() => resolve()),
    )
    await fx?.cleanup()
  })

  test('the button, the provider form, and back on the overview signed in as the local user', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}/`)
    await page.getByRole('link', { name: 'Sign in with Entra ID' }).click()
    await page.locator('input[name="login"]').fill('jan')
    await page.locator('input[name="password"]').fill('anything')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/`)
    assert.match(
      (await page.getByRole('button', { name: /Log out/ }).textContent()) ?? '',
      /jan@school\.test, operator/,
    )
    await page.close()
  })
})
