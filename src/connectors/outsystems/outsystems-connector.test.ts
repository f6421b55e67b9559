// The OutSystems target against its simulator (packages/sim/src/outsystems): the shared conformance suite, then one role
// per user (replacement, order-safe grant+revoke), create-inactive in two steps, auth failure, 429, 404/409/5xx,
// a timeout, a malformed listing, and the configurable field mapping.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type TargetConnector } from '../../contract/index.ts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { createOutSystemsTarget, outSystemsOptionsSchema, type OutSystemsTarget } from './index.ts'
import { startOutSystemsSim, type OutSystemsSim } from '@koppel/sim/outsystems'
import type { Attributes } from '../../model/index.ts'

const TOKEN = 'os-token-9f8e7d'

function target(
  sim: OutSystemsSim,
  extra: Record<string, unknown> = {},
  token = TOKEN,
): OutSystemsTarget {
  const parsed = outSystemsOptionsSchema.parse({
    baseUrl: sim.url,
    token: '${env:OUTSYSTEMS_TOKEN}',
    extraFields: { department: 'Department', manager: 'ManagerUsername' },
    ...extra,
  })
  return createOutSystemsTarget('outsystems', { ...parsed, token }, { readRetryDelayMs: 5 })
}

function user(
  i: number,
  overrides: Record<string, string> = {},
): { attributes: Attributes; anchor: { attribute: string; value: string } } {
  const username = overrides.username ?? `gebruiker${i}@school.test`
  const attributes: Attributes = {
    username,
    name: `Gebruiker ${i}`,
    email: `g${i}@school.test`,
    department: 'Bovenbouw',
    manager: 'rector@school.test',
    ...overrides,
  }
  return { attributes, anchor: { attribute: 'username', value: username } }
}

runTargetConformance({
  name: 'outsystems (simulator)',
  async setup() {
    const sim = await startOutSystemsSim({ token: TOKEN })
    return {
      connector: target(sim),
      makeAttributes: (i, o) => user(i, o),
      updatableField: 'email',
      removableField: 'department',
      nameField: 'name',
      permission: () => ({ type: 'role', id: 'Docent' }),
      invalidAttributes: (i) => ({
        attributes: { username: `zonder-naam${i}` },
        anchor: { attribute: 'username', value: `zonder-naam${i}` },
      }),
      teardown: () => sim.close(),
    }
  },
})

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), `expected a ConnectorError, got ${String(e)}`)
    return e
  }
  assert.fail('expected an error')
}

const on = (method: string, re: RegExp) => (r: { method: string; url: URL }) =>
  r.method === method && re.test(r.url.pathname)

describe('outsystems against the simulator', () => {
  let sim: OutSystemsSim
  let os: OutSystemsTarget
  let n = 0
  const make = async (enabled = true) => {
    const spec = user(++n)
    const r = await os.create({ ...spec, enabled })
    assert.equal(r.outcome, 'created')
    return { spec, ref: { id: r.id, locator: r.locator } }
  }
  const roleOf = (key: string) => sim.roles.find((r) => r.Key === sim.users.get(key)?.RoleKey)?.Name

  before(async () => {
    sim = await startOutSystemsSim({ token: TOKEN })
    os = target(sim)
  })
  after(() => sim.close())

  test('declares roles as the only permission type, enable/disable, no delete', () => {
    assert.deepEqual(os.capabilities.permissionTypes, ['role'])
    assert.equal(os.capabilities.enableDisable, true)
    assert.equal(os.capabilities.delete, false)
    const c: TargetConnector = os
    assert.equal(c.delete, undefined)
  })

  test('a new user gets the default role; a role granted on top replaces it, and a second role replaces the first', async () => {
    const { spec, ref } = await make()
    assert.equal(roleOf(ref.id), 'Default User')
    assert.deepEqual(
      (await os.find(spec.anchor))?.permissions,
      [],
      'the default role is no granted permission',
    )
    assert.equal((await os.grant(ref, { type: 'role', id: 'Docent' })).outcome, 'updated')
    assert.equal((await os.grant(ref, { type: 'role', id: 'Beheerder' })).outcome, 'updated')
    assert.equal(roleOf(ref.id), 'Beheerder')
    assert.deepEqual((await os.find(spec.anchor))?.permissions, ['Beheerder'])
    // the plan's revoke of the replaced role comes after: the user no longer holds it
    assert.equal((await os.revoke(ref, { type: 'role', id: 'Docent' })).outcome, 'unchanged')
    assert.equal(roleOf(ref.id), 'Beheerder')
    assert.equal((await os.revoke(ref, { type: 'role', id: 'Beheerder' })).outcome, 'updated')
    assert.equal(roleOf(ref.id), 'Default User')
    assert.equal((await os.revoke(ref, { type: 'role', id: 'Default User' })).outcome, 'unchanged')
  })

  test('grant of the new role and revoke of the old one in one apply end with the new role, in either order and at once', async () => {
    for (const order of ['grant-first', 'revoke-first', 'together'] as const) {
      const { ref } = await make()
      await os.grant(ref, { type: 'role', id: 'Docent' })
      const grant = () => os.grant(ref, { type: 'role', id: 'Beheerder' })
      const revoke = () => os.revoke(ref, { type: 'role', id: 'Docent' })
      if (order === 'grant-first') {
        await grant()
        await revoke()
      } else if (order === 'revoke-first') {
        await revoke()
        await grant()
      } else await Promise.all([revoke(), grant(), revoke(), grant()])
      assert.equal(roleOf(ref.id), 'Beheerder', order)
    }
  })

  test('an unknown role is refused as invalid; a permission type other than role is unsupported', async () => {
    const { ref } = await make()
    assert.equal(
      (await failure(os.grant(ref, { type: 'role', id: 'Bestaat Niet' }))).kind,
      'invalid',
    )
    assert.equal(
      (await failure(os.grant(ref, { type: 'group', id: 'Docent' }))).kind,
      'unsupported',
    )
    assert.equal((await os.revoke(ref, { type: 'role', id: 'Bestaat Niet' })).outcome, 'unchanged')
  })

  test('create inactive: POST (the API makes it active) then PUT IsActive=false', async () => {
    const before = sim.writes.length
    const { spec, ref } = await make(false)
    const writes = sim.writes.slice(before)
    assert.deepEqual(
      writes.map((w) => [w.method, w.key, w.body.IsActive ?? w.body.isActive]),
      [
        ['POST', ref.id, true],
        ['PUT', ref.id, false],
      ],
    )
    assert.equal(sim.users.get(ref.id)?.IsActive, false)
    assert.equal((await os.find(spec.anchor))?.enabled, false)
  })

  test('create inactive whose PUT fails: the error says the user exists ACTIVE, and the retried create deactivates it', async () => {
    const spec = user(++n)
    sim.http.inject({
      match: on('PUT', /\/users\//),
      response: { status: 503, json: { Errors: ['Service busy'], StatusCode: 503 } },
    })
    const e = await failure(os.create({ ...spec, enabled: false }))
    assert.equal(e.kind, 'transient')
    assert.match(
      e.message,
      /was created but deactivating it failed, so it exists ACTIVE.*Service busy/,
    )
    const found = await os.find(spec.anchor)
    assert.equal(found?.enabled, true)
    const again = await os.create({ ...spec, enabled: false })
    assert.equal(again.outcome, 'unchanged')
    assert.equal(again.id, found?.id)
    assert.equal((await os.find(spec.anchor))?.enabled, false)
  })

  test('a wrong token is an auth error (after one retry) and the token is in no message', async () => {
    const bad = target(sim, {}, 'not-the-token')
    const e = await failure(bad.find({ attribute: 'username', value: 'x' }))
    assert.equal(e.kind, 'auth')
    assert.equal(e.code, 401)
    assert.match(e.message, /Invalid or missing authentication token/)
    assert.ok(!e.message.includes('not-the-token') && !e.message.includes(TOKEN))
    // one 401 mid-run (a gateway hiccup) is retried once with the token and passes
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: { status: 401, json: { Errors: ['expired'], StatusCode: 401 } },
    })
    const listed = []
    for await (const a of os.listAccounts()) listed.push(a)
    assert.ok(listed.length > 0)
  })

  test('429 with Retry-After: a write fails rate-limited with the wait; the listing waits and retries', async () => {
    const { ref } = await make()
    sim.http.inject({
      match: on('PUT', /\/users\//),
      response: {
        status: 429,
        headers: { 'retry-after': '2' },
        json: { Errors: ['Too many requests'], StatusCode: 429 },
      },
    })
    const e = await failure(os.grant(ref, { type: 'role', id: 'Docent' }))
    assert.equal(e.kind, 'rate-limited')
    assert.equal(e.retryAfterMs, 2000)
    assert.equal(roleOf(ref.id), 'Default User')
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: {
        status: 429,
        headers: { 'retry-after': '0' },
        json: { Errors: ['Too many requests'], StatusCode: 429 },
      },
    })
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: { status: 502, text: 'Bad Gateway' },
    })
    const listed = []
    for await (const a of os.listAccounts()) listed.push(a)
    assert.ok(listed.some((a) => a.id === ref.id))
    // the simulator's token bucket: one call in the burst, the next is throttled (refill far beyond the test)
    sim.rateLimit(0.001, 1)
    try {
      await os.find({ attribute: 'username', value: 'x' })
      const throttled = await failure(os.find({ attribute: 'username', value: 'x' }))
      assert.equal(throttled.kind, 'rate-limited')
      assert.equal(throttled.retryAfterMs, 1000 * 1000)
      assert.match(throttled.message, /Too many requests/)
    } finally {
      sim.rateLimit(undefined)
    }
  })

  test('404, 409, 5xx and a timeout map to their kinds', async () => {
    const a = await make()
    const b = await make()
    assert.equal(
      (
        await failure(
          os.update({ id: 'geen-gebruiker', locator: 'geen-gebruiker' }, [
            { field: 'email', new: 'x@y' },
          ]),
        )
      ).kind,
      'not-found',
    )
    assert.equal(
      (await os.disable({ id: 'geen-gebruiker', locator: 'geen-gebruiker' })).outcome,
      'already-gone',
    )
    assert.equal(
      (await failure(os.enable({ id: 'geen-gebruiker', locator: 'geen-gebruiker' }))).kind,
      'not-found',
    )
    const dup = await failure(
      os.update(b.ref, [
        { field: 'username', new: String(a.spec.attributes.username).toUpperCase() },
      ]),
    )
    assert.equal(dup.kind, 'conflict')
    assert.match(dup.message, /already in use/)
    assert.doesNotMatch(
      dup.message,
      /[{}]/,
      'the error text is taken from the body (errors/Errors), not the raw JSON',
    )
    sim.http.inject({
      match: on('GET', /\/users\//),
      response: { status: 500, json: { Errors: ['Internal error'], StatusCode: 500 } },
    })
    assert.equal((await failure(os.disable(a.ref))).kind, 'transient')
    const slow = target(sim, { timeoutMs: 200 })
    sim.http.inject({ match: on('GET', /\/users\//), delayMs: 1500 })
    const t = await failure(slow.disable(a.ref))
    assert.equal(t.kind, 'transient')
    assert.match(t.message, /timed out/)
  })

  test('a malformed listing fails naming the record and the field', async () => {
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: {
        status: 200,
        json: [
          { Key: 'k-1', Username: 'a' },
          { Key: 'k-2', Name: 'Zonder gebruikersnaam' },
        ],
      },
    })
    const e = await failure(os.find({ attribute: 'username', value: 'a' }))
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, /user #2 \(Key k-2\) has no UserName/)
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: { status: 200, json: [{ Key: 'k-3', Username: 'b', IsActive: 'ja' }] },
    })
    assert.match(
      (await failure(os.find({ attribute: 'username', value: 'b' }))).message,
      /user #1 \(Key k-3\) has IsActive="ja"/,
    )
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: { status: 200, text: '<html>login</html>' },
    })
    assert.equal((await failure(os.find({ attribute: 'username', value: 'b' }))).kind, 'invalid')
  })

  test('departments and hierarchy travel through the configured field mapping; update PUTs the whole user with only the change', async () => {
    const { spec, ref } = await make()
    const stored = sim.users.get(ref.id)
    assert.equal(stored?.Department, 'Bovenbouw')
    assert.equal(stored?.ManagerUsername, 'rector@school.test')
    const found = await os.find(spec.anchor)
    assert.equal(found?.attributes.department, 'Bovenbouw')
    assert.equal(found?.attributes.manager, 'rector@school.test')
    const before = sim.writes.length
    assert.equal(
      (
        await os.update(ref, [
          { field: 'department', new: 'Onderbouw' },
          { field: 'name', new: spec.attributes.name as string },
        ])
      ).outcome,
      'updated',
    )
    const put = sim.writes[before]
    assert.equal(put?.method, 'PUT')
    // the whole user as it was read (the simulator's casing), with only the change, and no second copy of a field
    const asRead = Object.fromEntries(
      Object.entries({ ...stored, Department: 'Onderbouw' }).map(([k, v]) => [
        k.charAt(0).toLowerCase() + k.slice(1),
        v,
      ]),
    )
    assert.deepEqual(put?.body, asRead)
    assert.equal(
      (await os.update(ref, [{ field: 'department', new: 'Onderbouw' }])).outcome,
      'unchanged',
    )
    assert.equal(sim.writes.length, before + 1)
    assert.equal(
      (await failure(os.update(ref, [{ field: 'kostenplaats', new: '1' }]))).kind,
      'config',
    )
  })

  test("requests use the reference's field names (UserName); answers are read whatever their casing", async () => {
    const before = sim.writes.length
    const { spec, ref } = await make(false)
    const [post, put] = sim.writes.slice(before)
    assert.deepEqual(Object.keys(post?.body ?? {}).sort(), [
      'Department',
      'Email',
      'IsActive',
      'ManagerUsername',
      'Name',
      'RoleKey',
      'UserName',
    ])
    // the simulator answers in another casing than the request's; the PUT goes back in the casing it was read
    const raw = (await (
      await fetch(`${sim.url}/users/${ref.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as Record<string, unknown>
    assert.deepEqual(Object.keys(raw).sort(), [
      'department',
      'email',
      'isActive',
      'key',
      'managerUsername',
      'name',
      'roleKey',
      'username',
    ])
    assert.deepEqual(Object.keys(put?.body ?? {}).sort(), Object.keys(raw).sort())
    assert.equal(sim.users.get(ref.id)?.IsActive, false)
    const found = await os.find(spec.anchor)
    assert.equal(found?.id, ref.id)
    assert.equal(found?.enabled, false)
    assert.equal(found?.attributes.email, spec.attributes.email)
    // any casing at all, also in the role list
    sim.http.inject({
      match: on('GET', /\/users$/),
      response: {
        status: 200,
        json: [
          { KEY: 'k-9', USERNAME: 'x@school.test', ISACTIVE: false, ROLEKEY: sim.roles[1]?.Key },
        ],
      },
    })
    const shouting = await os.find({ attribute: 'username', value: 'x@school.test' })
    assert.deepEqual(
      [shouting?.id, shouting?.enabled, shouting?.permissions],
      ['k-9', false, ['Docent']],
    )
  })

  test('paths and field names are configuration: the defaults are the documented API', async () => {
    const o = outSystemsOptionsSchema.parse({ baseUrl: 'https://x.test/api', token: '${env:T}' })
    assert.deepEqual(o.paths, { users: '/users', user: '/users/{key}', roles: '/roles' })
    assert.deepEqual(o.listQuery, { IncludeInactive: 'true' })
    assert.equal(o.fields.username, 'UserName')
    assert.equal(o.fields.roleKey, 'RoleKey')
    assert.equal(o.defaultRole, 'Default User')
    assert.equal(
      outSystemsOptionsSchema.safeParse({ baseUrl: 'https://x.test', token: 'plain-secret' })
        .success,
      false,
    )
    // a second API under another prefix with a role list by key
    const other = await startOutSystemsSim({ token: TOKEN, basePath: '/HR_API/rest/Accounts' })
    try {
      const byKey = target(other, { roleId: 'key' })
      const r = await byKey.create({ ...user(1), enabled: true })
      const docent = other.roles.find((x) => x.Name === 'Docent')?.Key as string
      await byKey.grant({ id: r.id, locator: r.locator }, { type: 'role', id: docent })
      assert.deepEqual((await byKey.find(user(1).anchor))?.permissions, [docent])
      const missing = target(other, { defaultRole: 'Gast' })
      assert.equal((await failure(missing.create({ ...user(2), enabled: true }))).kind, 'config')
    } finally {
      await other.close()
    }
  })
})
