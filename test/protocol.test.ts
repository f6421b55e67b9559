import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ConnectorError } from '../src/contract/index.ts'
import { startSimHttpServer, type SimHttpServer } from '@koppel/sim/http'
import { clientCredentials } from '../src/protocol/oauth2-client-credentials.ts'
import { HttpClient } from '../src/protocol/http-client.ts'
import { jsonErrorDetail } from '../src/protocol/http-error.ts'
import { withReadRetry } from '../src/protocol/read-retry.ts'
import { parseSoapEnvelope, soapCall, soapEnvelope, usernameToken } from '../src/protocol/soap.ts'
import { parseXml, XmlSyntaxError } from '../src/protocol/xml.ts'

describe('protocol', () => {
  let server: SimHttpServer
  let issued = 0
  let valid = new Set<string>()
  before(async () => {
    server = await startSimHttpServer((req) => {
      if (req.url.pathname === '/token') {
        const form = new URLSearchParams(req.body)
        if (form.get('client_secret') !== 's3cret')
          return { status: 401, json: { error: 'invalid_client', error_description: 'bad secret' } }
        const t = `t${++issued}`
        valid.add(t)
        return { status: 200, json: { access_token: t, expires_in: 3600, token_type: 'Bearer' } }
      }
      if (req.url.pathname === '/data') {
        const token = (req.headers.authorization ?? '').replace('Bearer ', '')
        if (!valid.has(token)) return { status: 401, json: { error: 'expired' } }
        return { status: 200, json: { ok: true, token } }
      }
      if (req.url.pathname === '/soap') {
        if (!req.body.includes('<wsse:Password'))
          return { status: 500, contentType: 'text/xml', text: fault }
        return {
          status: 200,
          contentType: 'text/xml',
          text: soapEnvelope({ version: '1.1', body: { echoResponse: { value: 'a&b' } } }),
        }
      }
      return { status: 404, text: 'no' }
    })
  })
  after(() => server.close())

  it('re-authenticates once when a token is refused mid-way', async () => {
    const auth = clientCredentials({
      tokenUrl: `${server.url}/token`,
      clientId: 'c',
      clientSecret: 's3cret',
    })
    const http = new HttpClient({ baseUrl: server.url, auth })
    assert.equal((await http.json<{ token: string }>({ path: '/data' })).body.token, 't1')
    valid = new Set() // the server forgets every token: the next call gets 401, then a fresh token
    assert.equal((await http.json<{ token: string }>({ path: '/data' })).body.token, 't2')
  })

  it('maps a refused client secret to an auth error and 429 to rate-limited with Retry-After', async () => {
    const auth = clientCredentials({
      tokenUrl: `${server.url}/token`,
      clientId: 'c',
      clientSecret: 'wrong',
    })
    await assert.rejects(
      new HttpClient({ baseUrl: server.url, auth }).request({ path: '/data' }),
      (e) => ConnectorError.isInstance(e) && e.kind === 'auth' && /bad secret/.test(e.message),
    )
    server.inject({ response: { status: 429, headers: { 'retry-after': '7' }, json: {} } })
    await assert.rejects(
      new HttpClient({ baseUrl: server.url }).request({ path: '/x' }),
      (e) => ConnectorError.isInstance(e) && e.kind === 'rate-limited' && e.retryAfterMs === 7000,
    )
  })

  it('retries a read after a 503 and a reset, and gives up on a 400', async () => {
    const http = new HttpClient({
      baseUrl: server.url,
      auth: clientCredentials({
        tokenUrl: `${server.url}/token`,
        clientId: 'c',
        clientSecret: 's3cret',
      }),
    })
    server.inject({ match: (r) => r.url.pathname === '/data', response: { status: 503, json: {} } })
    server.inject({ match: (r) => r.url.pathname === '/data', reset: true })
    let retries = 0
    const res = await withReadRetry(() => http.json<{ ok: boolean }>({ path: '/data' }), {
      baseDelayMs: 1,
      onRetry: () => retries++,
    })
    assert.equal(res.body.ok, true)
    assert.equal(retries, 2)
    server.inject({ response: { status: 400, json: {} } })
    await assert.rejects(
      withReadRetry(() => http.request({ path: '/data' }), { baseDelayMs: 1 }),
      (e) => ConnectorError.isInstance(e) && e.kind === 'invalid',
    )
  })

  it('speaks SOAP: escapes values, adds the UsernameToken, turns faults into errors', async () => {
    const http = new HttpClient({ baseUrl: server.url })
    const env = soapEnvelope({
      version: '1.1',
      headers: [usernameToken('u', 'p<&>')],
      body: { echo: { value: '<x>' } },
    })
    assert.match(env, /p&lt;&amp;&gt;/)
    const ok = await soapCall(http, { path: '/soap', version: '1.1', envelope: env, what: 'echo' })
    assert.deepEqual(ok.body, { echoResponse: { value: 'a&b' } })
    const bare = soapEnvelope({ version: '1.1', body: { echo: {} } })
    await assert.rejects(
      soapCall(http, { path: '/soap', version: '1.1', envelope: bare, what: 'echo' }),
      (e) => ConnectorError.isInstance(e) && e.kind === 'auth',
    )
  })

  it('takes the service words from a JSON error body, else the start of the body', () => {
    const pick = (j: Record<string, unknown>) =>
      typeof j.message === 'string' ? j.message : undefined
    assert.equal(jsonErrorDetail('{"message":"quota exceeded"}', pick), 'quota exceeded')
    assert.equal(jsonErrorDetail('{"other":1}', pick), '{"other":1}')
    assert.equal(jsonErrorDetail('null', pick), 'null')
    assert.equal(jsonErrorDetail(`<html>${'x'.repeat(400)}`, pick).length, 300)
  })

  it('refuses a DOCTYPE and keeps leading zeros', () => {
    assert.throws(
      () => parseXml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
      XmlSyntaxError,
    )
    assert.deepEqual(parseXml('<a><n>007</n></a>', { arrays: ['n'] }), { a: { n: ['007'] } })
    const p = parseSoapEnvelope(
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">bad</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>',
    )
    assert.equal(p.version, '1.2')
    assert.deepEqual(p.fault, { code: 's:Sender', reason: 'bad' })
  })
})

const fault =
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>wsse:FailedAuthentication</faultcode><faultstring>The security token could not be authenticated</faultstring></soap:Fault></soap:Body></soap:Envelope>'
