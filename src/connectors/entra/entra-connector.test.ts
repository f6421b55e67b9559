// What is specific to the Entra ID connector, against the Graph simulator: auth failures, throttling and
// timeouts, $batch chunking, no duplicate under replication delay, restore of a returning leaver, conflicts
// with accounts Koppel does not manage, licences and the usage location, malformed answers.
import { after, afterEach, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError } from '../../contract/index.ts'
import { startEntraSim, type EntraSim, type EntraSimOptions } from '@koppel/sim/entra'
import type { EntraTarget } from './index.ts'
import { entraTarget, SKU_A1_STUDENT, userSpec, type LogLine } from './entra-fixture.ts'

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), `expected a ConnectorError, got ${String(e)}`)
    return e
  }
  assert.fail('expected a failure')
}

const usersWith = (sim: EntraSim, employeeId: string) =>
  [...sim.users.values()].filter(
    (u) => u.deletedAt === undefined && u.props.employeeId === employeeId,
  )

describe('entra-id connector', () => {
  let sim: EntraSim
  const sims: EntraSim[] = []
  let n = 0
  const spec = (o: Record<string, string> = {}) => userSpec(++n, o)
  const start = async (o: EntraSimOptions = {}) => {
    const s = await startEntraSim({ skus: { [SKU_A1_STUDENT]: 'STANDARDWOFFPACK_STUDENT' }, ...o })
    sims.push(s)
    return s
  }
  beforeEach(async () => {
    sim = await start()
  })
  afterEach(async () => {
    while (sims.length > 0) await sims.pop()?.close()
  })
  after(() => undefined)

  test('a generated initial password is returned once for delivery; a given one is not echoed', async () => {
    const t = entraTarget(sim)
    const one = spec()
    const made = await t.create({ ...one, enabled: true })
    assert.equal(made.outcome, 'created')
    assert.match(made.oneTimeSecrets?.password ?? '', /.{12,}/)
    const repeated = await t.create({ ...one, enabled: true })
    assert.deepEqual(
      [repeated.outcome, repeated.oneTimeSecrets],
      ['unchanged', undefined],
      'a repeated create makes no new password',
    )
    const given = await t.create({
      ...spec(),
      enabled: true,
      secrets: { password: 'Given-Pw-123!' },
    })
    assert.equal(given.oneTimeSecrets, undefined)
  })

  test('a refused client secret is an auth error that does not carry the secret', async () => {
    const t = entraTarget(sim, { secret: 'wrong-secret-value' })
    const e = await failure(t.find({ attribute: 'employeeId', value: 'E1' }))
    assert.equal(e.kind, 'auth')
    assert.match(e.message, /invalid_client/)
    assert.ok(!e.message.includes('wrong-secret-value'))
  })

  test('a token revoked mid-listing is renewed once and the listing completes', async () => {
    const t = entraTarget(sim, { pageSize: 3 })
    for (let i = 0; i < 10; i++) await t.create({ ...spec(), enabled: true })
    const before = sim.tokensIssued()
    const ids: string[] = []
    for await (const a of t.listAccounts()) {
      if (ids.length === 0) sim.revokeTokens()
      ids.push(a.id)
    }
    assert.equal(ids.length, 10)
    assert.equal(new Set(ids).size, 10)
    assert.equal(sim.tokensIssued(), before + 1)
  })

  test('429 and 503 become rate-limited / transient with their Retry-After, alone and inside a $batch', async () => {
    const single = entraTarget(sim, { batchSize: 1 })
    sim.http.inject({
      match: (r) => r.url.pathname === '/v1.0/users',
      response: {
        status: 429,
        headers: { 'retry-after': '7' },
        json: { error: { code: 'TooManyRequests', message: 'Too many requests' } },
      },
    })
    const e429 = await failure(single.find({ attribute: 'employeeId', value: 'E1' }))
    assert.equal(e429.kind, 'rate-limited')
    assert.equal(e429.retryAfterMs, 7000)
    assert.match(e429.message, /TooManyRequests/)
    sim.throttleNext(1, 503, 3)
    const e503 = await failure(single.find({ attribute: 'employeeId', value: 'E1' }))
    assert.equal(e503.kind, 'transient')
    assert.equal(e503.retryAfterMs, 3000)

    const batched = entraTarget(sim, { batchSize: 20 })
    sim.throttleNext(1, 429, 4)
    const [a, b] = await Promise.allSettled([
      batched.find({ attribute: 'employeeId', value: 'E1' }),
      batched.find({ attribute: 'employeeId', value: 'E2' }),
    ])
    assert.equal(a.status, 'rejected')
    const err = (a as PromiseRejectedResult).reason as ConnectorError
    assert.equal(err.kind, 'rate-limited')
    assert.equal(err.retryAfterMs, 4000)
    assert.deepEqual(b, { status: 'fulfilled', value: undefined })
    assert.deepEqual(sim.batchSizes, [2])
  })

  test("the simulator's rate limit answers 429 with Retry-After in Graph's error shape; the connector reports it as rate-limited", async () => {
    const t = entraTarget(sim, { batchSize: 1 })
    await t.find({ attribute: 'employeeId', value: 'warm-up' }) // the token request is not rate limited
    sim.rateLimit({ perSecond: 1, burst: 2 })
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((i) => t.find({ attribute: 'employeeId', value: `E${i}` })),
    )
    sim.rateLimit(undefined)
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as ConnectorError)
    assert.ok(refused.length >= 3, `${refused.length} refused`)
    for (const e of refused) {
      assert.equal(e.kind, 'rate-limited')
      assert.equal(e.retryAfterMs, 1000)
      assert.match(e.message, /TooManyRequests/)
    }
  })

  test('a whole $batch answered 429 fails every call in it as rate-limited', async () => {
    const t = entraTarget(sim)
    sim.http.inject({
      match: (r) => r.url.pathname === '/v1.0/$batch',
      response: {
        status: 429,
        headers: { 'retry-after': '2' },
        json: { error: { code: 'TooManyRequests', message: 'slow down' } },
      },
    })
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) => t.find({ attribute: 'employeeId', value: `E${i}` })),
    )
    for (const r of results) {
      assert.equal(r.status, 'rejected')
      assert.equal(((r as PromiseRejectedResult).reason as ConnectorError).retryAfterMs, 2000)
    }
  })

  test('a listing page that gets 429 or 5xx is retried; the listing is complete', async () => {
    const t = entraTarget(sim, { pageSize: 2 })
    for (let i = 0; i < 5; i++) await t.create({ ...spec(), enabled: true })
    sim.http.inject({
      match: (r) => r.url.pathname === '/v1.0/users' && r.method === 'GET',
      after: 1,
      response: { status: 429, headers: { 'retry-after': '0' }, json: {} },
    })
    sim.http.inject({
      match: (r) => r.url.pathname === '/v1.0/users' && r.method === 'GET',
      after: 1,
      response: { status: 502, headers: { 'retry-after': '0' }, json: {} },
    })
    let count = 0
    for await (const _ of t.listAccounts()) count++
    assert.equal(count, 5)
  })

  test('a request that times out is a transient error', async () => {
    const t = entraTarget(sim, { batchSize: 1, timeoutMs: 150 })
    sim.http.inject({
      match: (r) => r.method === 'GET' && r.url.pathname === '/v1.0/users',
      delayMs: 600,
    })
    const e = await failure(t.find({ attribute: 'employeeId', value: 'E1' }))
    assert.equal(e.kind, 'transient')
    assert.match(e.message, /timed out/)
  })

  test('a create whose POST timed out but landed is found by its UPN and reported created, not made twice', async () => {
    const t = entraTarget(sim, {
      batchSize: 1,
      timeoutMs: 150,
      lookupDelayMs: 200,
      lookupAttempts: 10,
    })
    sim.http.inject({
      match: (r) => r.method === 'POST' && r.url.pathname === '/v1.0/users',
      delayMs: 600,
    })
    const s = spec()
    const r = await t.create({ ...s, enabled: true })
    assert.equal(r.outcome, 'created')
    const held = usersWith(sim, s.anchor.value)
    assert.equal(held.length, 1)
    assert.equal(held[0]?.id, r.id)
  })

  test('$batch: concurrent calls are sent in batches of at most batchSize; the simulator refuses more than 20', async () => {
    const t = entraTarget(sim, { batchSize: 20 })
    const found = await Promise.all(
      Array.from({ length: 45 }, (_, i) => t.find({ attribute: 'employeeId', value: `X${i}` })),
    )
    assert.equal(found.filter((f) => f !== undefined).length, 0)
    assert.deepEqual(sim.batchSizes, [20, 20, 5])
    const seven = entraTarget(sim, { batchSize: 7 })
    sim.batchSizes.length = 0
    const created = await Promise.all(
      Array.from({ length: 15 }, () => seven.create({ ...spec(), enabled: true })),
    )
    assert.equal(new Set(created.map((c) => c.id)).size, 15)
    assert.ok(
      sim.batchSizes.every((size) => size <= 7),
      String(sim.batchSizes),
    )
    const res = await fetch(`${sim.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(sim)}` },
      body: JSON.stringify({
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: String(i),
          method: 'GET',
          url: '/users',
        })),
      }),
    })
    assert.equal(res.status, 400)
  })

  test('replication delay: a repeated create that cannot see the new user by $filter does not make a second one', async () => {
    const lagged = await start({ replicationLagMs: 60_000 })
    const t = entraTarget(lagged)
    const s = spec()
    const first = await t.create({ ...s, enabled: true })
    assert.equal(first.outcome, 'created')
    assert.equal(await t.find(s.anchor), undefined, 'not visible to $filter yet')
    const again = await t.create({ ...s, enabled: true })
    assert.equal(again.outcome, 'unchanged')
    assert.equal(again.id, first.id)
    assert.equal(usersWith(lagged, s.anchor.value).length, 1)
  })

  test('replication delay that also hides GET by UPN: the connector keeps looking and still makes one user', async () => {
    const lagged = await start({ replicationLagMs: 400, lagHidesGetById: true })
    const t = entraTarget(lagged, { lookupDelayMs: 100, lookupAttempts: 20 })
    const s = spec()
    const first = await t.create({ ...s, enabled: true })
    const again = await t.create({ ...s, enabled: true })
    assert.equal(again.outcome, 'unchanged')
    assert.equal(again.id, first.id)
    assert.equal(usersWith(lagged, s.anchor.value).length, 1)
  })

  test('a group grant right after a create that the group service cannot see yet is transient, and works later', async () => {
    const lagged = await start({ replicationLagMs: 300, lagHidesGetById: true })
    const t = entraTarget(lagged)
    const gid = lagged.addGroup('Klas 1B')
    const ref = await t.create({ ...spec(), enabled: true })
    const e = await failure(t.grant(ref, { type: 'group', id: gid }))
    assert.equal(e.kind, 'transient')
    await new Promise((r) => setTimeout(r, 400))
    assert.equal((await t.grant(ref, { type: 'group', id: gid })).outcome, 'updated')
    assert.equal(lagged.groups.get(gid)?.members.has(ref.id), true)
  })

  test('a leaver who returns within 30 days is restored from deleted items with the same id and the asked state', async () => {
    const log: LogLine[] = []
    const t = entraTarget(sim, {}, log)
    const gid = sim.addGroup('Klas 2B')
    const s = spec()
    const ref = await t.create({ ...s, enabled: true })
    await t.grant(ref, { type: 'group', id: gid })
    await t.disable(ref)
    assert.equal((await t.delete(ref)).outcome, 'updated')
    assert.equal(await t.find(s.anchor), undefined)
    const back = await t.create({
      attributes: { ...s.attributes, department: 'Klas 3B' },
      anchor: s.anchor,
      enabled: true,
    })
    assert.equal(back.outcome, 'created')
    assert.equal(back.id, ref.id, 'the same Entra object, not a new one')
    const found = await t.find(s.anchor)
    assert.equal(found?.enabled, true)
    assert.equal(found?.attributes.department, 'Klas 3B')
    assert.equal(
      sim.groups.get(gid)?.members.has(ref.id),
      false,
      'the memberships the restore brought back are removed',
    )
    assert.ok(
      log.some((l) => /restored deleted user/.test(l.message)),
      JSON.stringify(log),
    )
    const keeping = entraTarget(sim, { restoreKeepsAccess: true })
    await keeping.grant(back, { type: 'group', id: gid })
    await keeping.delete(back)
    assert.equal((await keeping.create({ ...s, enabled: true })).id, ref.id)
    assert.equal(
      sim.groups.get(gid)?.members.has(ref.id),
      true,
      'restoreKeepsAccess: memberships come back with the restore',
    )
    const fresh = entraTarget(sim, { restoreDeleted: false })
    await fresh.delete(back)
    const made = await fresh.create({ ...s, enabled: true })
    assert.notEqual(made.id, ref.id, 'restoreDeleted: false creates a new user')
  })

  test('a UPN held by a user Koppel does not manage is a conflict, and that user is left alone', async () => {
    const t = entraTarget(sim)
    const other = sim.seedUser({
      userPrincipalName: 'beheer@school.test',
      displayName: 'Beheerder',
      mailNickname: 'beheer',
    })
    const s = spec({ userPrincipalName: 'beheer@school.test' })
    const e = await failure(t.create({ ...s, enabled: true }))
    assert.equal(e.kind, 'conflict')
    assert.match(e.message, /beheer@school\.test/)
    assert.equal(other.props.displayName, 'Beheerder')
    assert.equal(usersWith(sim, s.anchor.value).length, 0)
    sim.seedUser({
      userPrincipalName: 'ander@school.test',
      displayName: 'Ander',
      mailNickname: 'ander',
      employeeId: 'SOMEONE-ELSE',
    })
    assert.equal(
      (
        await failure(
          t.create({ ...spec({ userPrincipalName: 'ander@school.test' }), enabled: true }),
        )
      ).kind,
      'conflict',
    )
    const mine = await t.create({ ...spec(), enabled: true })
    const renamed = await failure(
      t.update(mine, [{ field: 'userPrincipalName', new: 'beheer@school.test' }]),
    )
    assert.equal(renamed.kind, 'conflict', 'a rename onto a taken UPN is a conflict')
    assert.equal(
      (await failure(t.update(mine, [{ field: 'shoeSize', new: '42' }]))).kind,
      'invalid',
    )
    sim.seedUser({
      userPrincipalName: 'post@school.test',
      mail: 'info@school.test',
      displayName: 'Info',
      mailNickname: 'post',
    })
    assert.equal(
      (await failure(t.create({ ...spec({ mail: 'info@school.test' }), enabled: true }))).kind,
      'conflict',
    )
  })

  test('licences: without a usage location Graph refuses; with the option set it is filled in and the grant is idempotent', async () => {
    const plain = entraTarget(sim, { licences: { 'A1 leerling': SKU_A1_STUDENT } })
    const ref = await plain.create({ ...spec(), enabled: true })
    const e = await failure(plain.grant(ref, { type: 'licence', id: 'A1 leerling' }))
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, /usage location/)
    assert.deepEqual(sim.users.get(ref.id)?.licenses, [])

    const nl = entraTarget(sim, {
      usageLocation: 'NL',
      licences: { 'A1 leerling': SKU_A1_STUDENT },
    })
    assert.equal((await nl.grant(ref, { type: 'licence', id: 'A1 leerling' })).outcome, 'updated')
    assert.equal(sim.users.get(ref.id)?.props.usageLocation, 'NL')
    assert.equal(
      (await nl.grant(ref, { type: 'licence', id: SKU_A1_STUDENT })).outcome,
      'unchanged',
      'a raw skuId names the same licence',
    )
    assert.equal((await nl.revoke(ref, { type: 'licence', id: 'A1 leerling' })).outcome, 'updated')
    assert.equal(
      (await nl.revoke(ref, { type: 'licence', id: 'A1 leerling' })).outcome,
      'unchanged',
    )
    assert.equal((await failure(nl.grant(ref, { type: 'licence', id: 'E5' }))).kind, 'config')
    const withLocation = await nl.create({ ...spec(), enabled: true })
    assert.equal(
      sim.users.get(withLocation.id)?.props.usageLocation,
      'NL',
      'create sets the default usage location',
    )
  })

  test('errors: unknown group is not-found naming the group, unknown permission type unsupported, unusable anchor config', async () => {
    const t = entraTarget(sim)
    const ref = await t.create({ ...spec(), enabled: true })
    const e = await failure(t.grant(ref, { type: 'group', id: 'no-such-group' }))
    assert.equal(e.kind, 'not-found')
    assert.match(e.message, /group "no-such-group" does not exist/)
    assert.equal((await failure(t.grant(ref, { type: 'role', id: 'x' }))).kind, 'unsupported')
    assert.equal((await failure(t.find({ attribute: 'jobTitle)', value: 'x' }))).kind, 'config')
    assert.equal(
      (
        await failure(
          t.update({ id: 'gone', locator: 'gone' }, [{ field: 'department', new: 'x' }]),
        )
      ).kind,
      'not-found',
    )
    assert.equal((await failure(t.disable({ id: 'gone', locator: 'gone' }))).kind, 'not-found')
  })

  test('malformed answers name the record and field', async () => {
    const t = entraTarget(sim, { batchSize: 1 })
    sim.http.inject({
      match: (r) => r.method === 'GET' && r.url.pathname === '/v1.0/users',
      response: {
        status: 200,
        json: { value: [{ id: 'a1', accountEnabled: true }, { displayName: 'Zonder Id' }] },
      },
    })
    const e = await failure(
      (async () => {
        for await (const _ of t.listAccounts()) void _
      })(),
    )
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, /page 1, user 2: field id/)
    sim.http.inject({
      match: (r) => r.method === 'GET' && r.url.pathname === '/v1.0/users',
      response: { status: 200, json: { value: [{ id: 'a1', accountEnabled: 'yes' }] } },
    })
    assert.match(
      (await failure(t.find({ attribute: 'employeeId', value: 'E1' }))).message,
      /id a1\): field accountEnabled/,
    )
    const batched = entraTarget(sim)
    sim.http.inject({
      match: (r) => r.url.pathname === '/v1.0/$batch',
      response: { status: 200, json: { responses: [{ status: 200 }] } },
    })
    const b = await failure(
      Promise.all([
        batched.find({ attribute: 'employeeId', value: 'E1' }),
        batched.find({ attribute: 'employeeId', value: 'E2' }),
      ]),
    )
    assert.equal(b.kind, 'invalid')
    assert.match(b.message, /response 0 has no id/)
  })
})

async function token(sim: EntraSim): Promise<string> {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'koppel-client',
      client_secret: 'koppel-secret',
      scope: 'https://graph.microsoft.com/.default',
    }),
  })
  return String(((await res.json()) as { access_token: string }).access_token)
}

export type { EntraTarget }
