// The shared token cache and token request (src/protocol/oauth2-token.ts) behind clientCredentials and the
// Google service-account grant: cache with a 60 s expiry margin, one request for concurrent callers,
// invalidate, and the token endpoint's error mapping.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ConnectorError } from '../src/contract/index.ts'
import { cachedBearerToken, requestToken } from '../src/protocol/oauth2-token.ts'
import { startSimHttpServer, type SimHttpServer } from '@koppel/sim/http'

describe('oauth2 token cache and request', () => {
  let server: SimHttpServer
  let issued = 0
  before(async () => {
    server = await startSimHttpServer((req) => {
      if (req.url.pathname !== '/token') return { status: 404, text: 'no' }
      const form = new URLSearchParams(req.body)
      if (form.get('grant_type') !== 'test-grant')
        return { status: 400, json: { error: 'unsupported_grant_type' } }
      return { status: 200, json: { access_token: `t${++issued}`, expires_in: 120 } }
    })
  })
  after(() => server.close())

  const request = (authStatuses: readonly number[] = [400, 401]) => ({
    tokenUrl: `${server.url}/token`,
    form: new URLSearchParams({ grant_type: 'test-grant', client_secret: 'top-secret' }),
    label: 'test token',
    authStatuses,
  })
  const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
    try {
      await p
    } catch (e) {
      if (ConnectorError.isInstance(e)) return e
      throw e
    }
    assert.fail('expected a ConnectorError')
  }

  it('keeps a token until 60 s before it expires, shares one request among concurrent callers, and drops it on invalidate', async () => {
    let clock = 1_000_000
    let fetches = 0
    const auth = cachedBearerToken(
      (signal) => {
        fetches++
        return requestToken(request(), signal)
      },
      () => clock,
    )
    const [a, b] = await Promise.all([auth.header(), auth.header()])
    assert.equal(a, b)
    assert.equal(fetches, 1)
    clock += 59_000 // expires_in 120 s - 60 s margin = 60 s of use
    assert.equal(await auth.header(), a)
    assert.equal(fetches, 1)
    clock += 1_000
    const c = await auth.header()
    assert.notEqual(c, a)
    assert.equal(fetches, 2)
    auth.invalidate()
    assert.notEqual(await auth.header(), c)
    assert.equal(fetches, 3)
  })

  it("maps the listed statuses to auth with the endpoint's error, never the form; others as HTTP errors with Retry-After", async () => {
    server.inject({
      response: {
        status: 403,
        json: { error: 'unauthorized_client', error_description: 'scopes not delegated' },
      },
    })
    const refused = await failure(requestToken(request([400, 401, 403])))
    assert.equal(refused.kind, 'auth')
    assert.match(refused.message, /unauthorized_client: scopes not delegated/)
    assert.doesNotMatch(refused.message, /top-secret/)

    // a 400 the caller did not list as a refusal maps as any 400
    server.inject({ response: { status: 400, json: { error: 'invalid_request' } } })
    assert.equal((await failure(requestToken(request([401])))).kind, 'invalid')
    server.inject({ response: { status: 400, json: { error: 'invalid_grant' } } })
    assert.equal((await failure(requestToken(request([400, 401])))).kind, 'auth')

    server.inject({
      response: { status: 429, headers: { 'retry-after': '7' }, json: { error: 'slow_down' } },
    })
    const limited = await failure(requestToken(request()))
    assert.equal(limited.kind, 'rate-limited')
    assert.equal(limited.retryAfterMs, 7000)

    server.inject({ response: { status: 503, text: 'down' } })
    assert.equal((await failure(requestToken(request()))).kind, 'transient')
  })

  it('a body that is not JSON, or without access_token, is invalid; a failed request is not cached', async () => {
    server.inject({ response: { status: 200, text: '<html>' } })
    assert.equal((await failure(requestToken(request()))).kind, 'invalid')
    server.inject({ response: { status: 200, json: { token_type: 'Bearer' } } })
    assert.equal((await failure(requestToken(request()))).kind, 'invalid')

    const auth = cachedBearerToken((signal) => requestToken(request(), signal))
    server.inject({ response: { status: 500, text: 'oops' } })
    await failure(auth.header())
    assert.match(await auth.header(), /^Bearer t\d+$/)
  })
})
