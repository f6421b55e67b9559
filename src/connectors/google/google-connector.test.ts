// What is specific to the Google Workspace target, against the Directory API simulator: service-account auth
// failures, Google's 403 rateLimitExceeded and 429 mapping, 5xx and timeouts, a 401 mid-paging, duplicate
// primary e-mails, rename keeping the old address as alias, query escaping, groups.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError } from '../../contract/index.ts'
import { googleConnector, queryValue } from './index.ts'
import {
  googlePerson,
  googleTestTarget,
  makeServiceAccount,
  type TestServiceAccount,
} from './google-test-fixture.ts'
import type { GoogleTarget } from './google-target.ts'
import {
  DIRECTORY_SCOPES,
  googleError,
  rateLimitExceeded,
  startGoogleSim,
  userRateLimitExceeded,
  type GoogleSim,
} from '@koppel/sim/google'
import { matchesQuery, parseUserQuery } from '@koppel/sim/google'

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), String(e))
    return e
  }
  assert.fail('expected a ConnectorError')
}

const api = (r: { url: URL }) => r.url.pathname.startsWith('/admin/directory/v1/')
const isListUsers = (r: { method: string; url: URL }) =>
  r.method === 'GET' && r.url.pathname.endsWith('/users')

describe('google-workspace target against the simulator', () => {
  let sa: TestServiceAccount
  let sim: GoogleSim
  let target: GoogleTarget
  let n = 0
  const person = (o: Record<string, string> = {}) => googlePerson(++n, o)

  before(async () => {
    sa = makeServiceAccount()
    sim = await startGoogleSim({
      serviceAccount: sa,
      delegatedScopes: Object.values(DIRECTORY_SCOPES),
    })
    target = googleTestTarget(sim, sa.keyJson, { timeoutMs: 300 })
  })
  after(() => sim.close())

  test('a JWT signed with another key is refused: auth, and the message holds no key material', async () => {
    const other = makeServiceAccount(sa.clientEmail)
    const t = googleTestTarget(sim, other.keyJson)
    const e = await failure(t.find({ attribute: 'externalId', value: 'x' }))
    assert.equal(e.kind, 'auth')
    assert.match(e.message, /invalid_grant: Invalid JWT Signature/)
    assert.doesNotMatch(e.message, /PRIVATE KEY|MII/)
  })

  test('a subject that is not an admin, and scopes that were not delegated, are auth errors', async () => {
    const notAdmin = googleTestTarget(sim, sa.keyJson, { subject: 'pupil@school.test' })
    assert.match(
      (await failure(notAdmin.find({ attribute: 'externalId', value: 'x' }))).message,
      /invalid_grant: Invalid email or User ID/,
    )
    const tooMuch = googleTestTarget(sim, sa.keyJson, {
      scopes: ['https://www.googleapis.com/auth/admin.directory.domain'],
    })
    const e = await failure(tooMuch.find({ attribute: 'externalId', value: 'x' }))
    assert.equal(e.kind, 'auth')
    assert.match(e.message, /unauthorized_client/)
  })

  test('a key file that is not a service-account key is a config error that does not echo it', () => {
    assert.throws(
      () =>
        googleConnector.create(
          'g',
          {
            ...googleConnector.schema.parse({
              serviceAccountKey: '${file:sa.json}',
              subject: 'admin@school.test',
            }),
            serviceAccountKey: '{"private_key":"SECRET-PEM"}',
          },
          { baseDir: '.', log: () => undefined, now: () => new Date() },
        ),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'config' && !e.message.includes('SECRET-PEM'),
    )
    assert.equal(
      googleConnector.schema.safeParse({
        serviceAccountKey: '{"type":"service_account"}',
        subject: 'admin@school.test',
      }).success,
      false,
      'the key itself is refused in config',
    )
  })

  test('403 rateLimitExceeded and userRateLimitExceeded are rate-limited (engine backoff); 429 carries Retry-After', async () => {
    sim.http.inject({ match: api, response: rateLimitExceeded() })
    let e = await failure(target.find({ attribute: 'externalId', value: 'x' }))
    assert.equal(e.kind, 'rate-limited')
    assert.equal(e.retryAfterMs, undefined)
    sim.http.inject({ match: api, response: userRateLimitExceeded() })
    assert.equal(
      (await failure(target.find({ attribute: 'externalId', value: 'x' }))).kind,
      'rate-limited',
    )
    sim.http.inject({
      match: api,
      response: {
        ...googleError(429, 'rateLimitExceeded', 'Too Many Requests'),
        headers: { 'retry-after': '4' },
      },
    })
    e = await failure(target.find({ attribute: 'externalId', value: 'x' }))
    assert.equal(e.kind, 'rate-limited')
    assert.equal(e.retryAfterMs, 4000)
    // a 403 for another reason stays an auth error
    sim.http.inject({
      match: api,
      response: googleError(403, 'forbidden', 'Not Authorized to access this resource/api'),
    })
    assert.equal((await failure(target.find({ attribute: 'externalId', value: 'x' }))).kind, 'auth')
  })

  test('503 is transient; a call that does not answer in time is transient and its create left nothing', async () => {
    sim.http.inject({ match: api, response: googleError(503, 'backendError', 'Backend Error') })
    assert.equal(
      (await failure(target.find({ attribute: 'externalId', value: 'x' }))).kind,
      'transient',
    )
    const spec = person()
    sim.http.inject({
      match: (r) => r.method === 'POST' && r.url.pathname.endsWith('/users'),
      delayMs: 1000,
      response: googleError(500, 'backendError', 'late'),
    })
    const e = await failure(target.create({ ...spec, enabled: true }))
    assert.equal(e.kind, 'transient')
    assert.match(e.message, /timed out/)
    assert.equal(await target.find(spec.anchor), undefined)
  })

  test('a body that is not JSON is invalid', async () => {
    sim.http.inject({
      match: api,
      response: { status: 200, text: '<html>proxy</html>', contentType: 'text/html' },
    })
    assert.equal(
      (await failure(target.find({ attribute: 'externalId', value: 'x' }))).kind,
      'invalid',
    )
  })

  test('a token revoked mid-paging is renewed once and the listing completes; a rate-limited page is retried', async () => {
    for (let i = 0; i < 6; i++) await target.create({ ...person(), enabled: true })
    const t = googleTestTarget(sim, sa.keyJson, { pageSize: 2 })
    sim.http.inject({ match: isListUsers, after: 2, response: rateLimitExceeded() })
    const ids: string[] = []
    let first = true
    for await (const a of t.listAccounts()) {
      if (first) sim.revokeTokens() // the next page's call gets 401
      first = false
      ids.push(a.id)
    }
    assert.equal(new Set(ids).size, sim.users.size)
    assert.ok((sim.http.requests.get('POST /token') ?? 0) >= 2, 'a second token was fetched')
  })

  test('a primary e-mail held by an account Koppel does not manage is a conflict; nothing is created', async () => {
    const theirs = person()
    await target.create({ ...theirs, enabled: true })
    const mine = person({ primaryEmail: String(theirs.attributes.primaryEmail).toUpperCase() })
    const before = sim.users.size
    const e = await failure(target.create({ ...mine, enabled: true }))
    assert.equal(e.kind, 'conflict')
    assert.match(e.message, /already used by an account Koppel does not manage/)
    assert.equal(sim.users.size, before)
  })

  test('a 409 for our own earlier create (not yet in the search index) is unchanged', async () => {
    const spec = person()
    const first = await target.create({ ...spec, enabled: true })
    // the search does not show it yet (Google's index lags behind writes)
    sim.http.inject({
      match: isListUsers,
      response: { status: 200, json: { kind: 'admin#directory#users' } },
    })
    const again = await target.create({ ...spec, enabled: true })
    assert.equal(again.outcome, 'unchanged')
    assert.equal(again.id, first.id)
  })

  test('a rename keeps the old primary address as an alias; the primaryEmail anchor follows the new one', async () => {
    const spec = person()
    const ref = await target.create({ ...spec, enabled: true })
    const old = String(spec.attributes.primaryEmail)
    const r = await target.update(ref, [
      { field: 'primaryEmail', old, new: `nieuw${n}@school.test` },
    ])
    assert.equal(r.locator, `nieuw${n}@school.test`)
    const found = await target.find(spec.anchor)
    assert.deepEqual(found?.attributes.aliases, [old])
    assert.equal(
      await target.find({ attribute: 'primaryEmail', value: old }),
      undefined,
      'the alias is not the primary address',
    )
    assert.equal(
      (await target.find({ attribute: 'primaryEmail', value: `nieuw${n}@school.test` }))?.id,
      ref.id,
    )
    // the old address is taken now (as an alias): a new account cannot have it
    assert.equal(
      (await failure(target.create({ ...person({ primaryEmail: old }), enabled: true }))).kind,
      'conflict',
    )
  })

  test('create puts the anchor in externalIds with the configured type, suspended and orgUnitPath from the mapping', async () => {
    const spec = person({ orgUnitPath: '/Leerlingen/2b' })
    const ref = await target.create({ ...spec, enabled: false })
    const u = sim.users.get(ref.id)
    assert.deepEqual(u?.externalIds, [{ value: spec.anchor.value, type: 'organization' }])
    assert.equal(u?.suspended, true)
    assert.equal(u?.orgUnitPath, '/Leerlingen/2b')
    assert.ok(
      typeof u?.password === 'string' && u.password.length >= 8,
      'a random password when the plan gives none',
    )
  })

  test('a grant to a group that does not exist is not-found unless groups.createMissing', async () => {
    const ref = await target.create({ ...person(), enabled: true })
    const e = await failure(target.grant(ref, { type: 'group', id: 'bestaat-niet@school.test' }))
    assert.equal(e.kind, 'not-found')
    assert.equal((await failure(target.grant(ref, { type: 'role', id: 'x' }))).kind, 'unsupported')
  })

  test('an attribute Google does not have is refused before any call', async () => {
    const e = await failure(target.create({ ...person({ title: 'docent' }), enabled: true }))
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, /"title" is not supported/)
  })
})

describe('google query values', () => {
  test('quotes and backslashes are escaped, and the simulator reads them back to the same value', () => {
    for (const v of [
      "O'Brien, Jr.",
      'back\\slash',
      "van 't Hof",
      ' leading space',
      '*)(uid=*',
      'a b',
    ]) {
      const q = `externalId=${queryValue(v)}`
      const [clause] = parseUserQuery(q)
      assert.equal(clause?.value, v, q)
      assert.ok(
        matchesQuery(
          {
            externalIds: [{ value: v, type: 'organization' }],
            name: {},
            primaryEmail: 'x@y',
            id: '1',
            suspended: false,
            orgUnitPath: '/',
            creationTime: '',
          },
          [clause!],
        ),
      )
    }
    assert.equal(queryValue("a'b\\c"), "'a\\'b\\\\c'")
    assert.throws(() => parseUserQuery("externalId='open"))
  })
})
