/**
 * Dashboard sign-in through the school's own OpenID provider (Entra ID, Google) with openid-client: the
 * authorization code flow with PKCE, state and nonce. The signed-in name (the configured claim, e.g. the e-mail
 * address) must be a local user (`koppel user add`): the provider says who someone is, the store what they may.
 */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Context, Hono } from 'hono'
import * as oidc from 'openid-client'
import type { OidcConfig } from '../../config/index.ts'
import { html } from '../../notify/html.ts'
import { startSession, type AuthEnv, type AuthOptions } from './auth.ts'

/** Per tenant, as the session cookie (auth.ts): two tenants' sign-ins on one host must not share a flow. */
const flowCookie = (tenant: string) => `koppel_oidc_${tenant}`
const FLOW_PATH = '/login/oidc'

export interface OidcLoginOptions {
  readonly oidc: OidcConfig
  readonly auth: AuthOptions
  readonly secure: boolean
  /** The page shown when the sign-in cannot go on (status, message). */
  readonly refusal: (
    c: Context,
    status: 400 | 401 | 403 | 502,
    message: string,
  ) => Response | Promise<Response>
}

export function mountOidcLogin(app: Hono<AuthEnv>, o: OidcLoginOptions): void {
  const { store } = o.auth
  let discovered: Promise<oidc.Configuration> | undefined
  // discovered on first use, not at start: a provider that is down must not stop `serve`; a failure is retried
  const configuration = (): Promise<oidc.Configuration> =>
    (discovered ??= oidc
      .discovery(
        new URL(o.oidc.issuer),
        o.oidc.clientId,
        o.oidc.clientSecret,
        undefined,
        insecureOnLoopback(o.oidc.issuer),
      )
      .catch((e: unknown) => {
        discovered = undefined
        throw e
      }))

  app.get(FLOW_PATH, async (c) => {
    let config
    try {
      config = await configuration()
    } catch (e) {
      return o.refusal(
        c,
        502,
        `the OpenID provider ${o.oidc.issuer} could not be reached: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
    const verifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: o.oidc.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, which carries no Strict cookie
    setCookie(c, flowCookie(store.tenant), [verifier, state, nonce].join('.'), {
      httpOnly: true,
      secure: o.secure,
      sameSite: 'Lax',
      path: FLOW_PATH,
      maxAge: 600,
    })
    return c.redirect(url.href, 302)
  })

  app.get(`${FLOW_PATH}/callback`, async (c) => {
    const flow = getCookie(c, flowCookie(store.tenant))?.split('.')
    deleteCookie(c, flowCookie(store.tenant), { path: FLOW_PATH, secure: o.secure })
    const [verifier, state, nonce] = flow ?? []
    if (verifier === undefined || state === undefined || nonce === undefined)
      return o.refusal(c, 400, 'the sign-in took too long or was started elsewhere; start it again')
    let claims
    try {
      // the URL the provider redirected the browser to, whatever a reverse proxy made of the host
      const current = new URL(o.oidc.redirectUri)
      current.search = new URL(c.req.url).search
      const config = await configuration()
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      const id = tokens.claims()
      // a provider may keep the scope's claims (email) out of the ID token and give them at its userinfo endpoint
      claims =
        id === undefined || id[o.oidc.userClaim] !== undefined
          ? id
          : { ...(await oidc.fetchUserInfo(config, tokens.access_token, id.sub)), ...id }
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e)
      await store.appendAudit([
        {
          type: 'user.login-failed',
          actor: '(oidc)',
          data: { via: 'oidc', reason: reason.slice(0, 200) },
        },
      ])
      return o.refusal(c, 401, `the OpenID provider's answer was not accepted: ${reason}`)
    }
    const claimed = claims?.[o.oidc.userClaim]
    const unverified = o.oidc.userClaim === 'email' && claims?.['email_verified'] === false
    if (typeof claimed !== 'string' || claimed.trim() === '' || unverified) {
      await store.appendAudit([
        {
          type: 'user.login-refused',
          actor: '(oidc)',
          data: { via: 'oidc', reason: `no verified ${o.oidc.userClaim} claim` },
        },
      ])
      return o.refusal(
        c,
        403,
        `the OpenID provider gave no verified ${o.oidc.userClaim} for this account`,
      )
    }
    const name = claimed.trim().toLowerCase()
    const user = await store.access.getUser(name)
    if (user === undefined) {
      await store.appendAudit([
        {
          type: 'user.login-refused',
          actor: name,
          data: { via: 'oidc', reason: 'not a local user' },
        },
      ])
      return o.refusal(
        c,
        403,
        `${name} is not a user of this dashboard; an admin adds it with: koppel user add ${name} --role viewer`,
      )
    }
    await startSession(c, { ...o.auth, user: user.name, role: user.role, secure: o.secure })
    await store.appendAudit([
      { type: 'user.login', actor: user.name, data: { role: user.role, via: 'oidc' } },
    ])
    // a refresh, not a redirect: a browser sends no SameSite=Strict cookie (the session) on a redirect chain that
    // the provider's cross-site navigation started; a refresh is a navigation of this site's own page
    return c.html(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/">
<title>Koppel</title><link rel="stylesheet" href="/static/koppel.css"></head><body><main><p><a href="/">Koppel</a></p></main></body></html>`
        .value,
    )
  })
}

/** A provider on plain HTTP is accepted only on loopback (tests, a provider next to the dashboard). */
function insecureOnLoopback(issuer: string): oidc.DiscoveryRequestOptions | undefined {
  const u = new URL(issuer)
  const loopback =
    u.hostname === 'localhost' || u.hostname === '[::1]' || u.hostname.startsWith('127.')
  return u.protocol === 'http:' && loopback ? { execute: [oidc.allowInsecureRequests] } : undefined
}
