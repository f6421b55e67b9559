// What is specific to the SCIM target: RFC example payloads (fixtures), discovery, filter escaping, error
// mapping (auth, 429 with Retry-After, 5xx, timeout, 409 uniqueness, 412), PATCH vs PUT, and the simulator's
// handling of Entra's mixed-case ops.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ConnectorError } from '../../contract/index.ts'
import { startSimHttpServer, type SimHttpServer, type SimRequest } from '@koppel/sim/http'
import { startScimSim, type ScimSim } from '@koppel/sim/scim'
import { scimConnector } from './index.ts'
import { eqFilter, getPath, parsePath, patchOperation } from './scim-paths.ts'
import { scimErrorDetail, ScimTarget } from './scim-target.ts'
import { scimPerson, scimTestOptions } from './scim-test-fixture.ts'

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/scim/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>

async function kindOf(
  p: Promise<unknown>,
): Promise<{ kind: string; message: string; retryAfterMs?: number | undefined }> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), String(e))
    return { kind: e.kind, message: e.message, retryAfterMs: e.retryAfterMs }
  }
  return { kind: 'no error', message: '' }
}

describe('scim paths and RFC example payloads', () => {
  test('attribute paths read the RFC 7643 full user and enterprise user', () => {
    const user = fixture('rfc7643-8.2-user-full.json')
    assert.equal(getPath(user, parsePath('userName')), 'bjensen@example.com')
    assert.equal(getPath(user, parsePath('name.familyName')), 'Jensen')
    assert.equal(getPath(user, parsePath('emails[type eq "work"].value')), 'bjensen@example.com')
    assert.equal(getPath(user, parsePath('emails[type eq "home"].value')), 'babs@jensen.org')
    assert.equal(getPath(user, parsePath('emails[type eq "other"].value')), undefined)
    const ent = fixture('rfc7643-8.3-enterprise_user.json')
    assert.equal(
      getPath(
        ent,
        parsePath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber'),
      ),
      '701984',
    )
  })

  test('member PATCH operations have the shape of RFC 7644 §3.5.2.1/§3.5.2.2', () => {
    const add = fixture('rfc7644-3.5.2.1-patch_op-add_members.json') as {
      Operations: Array<{ op: string; path: string; value: Array<{ value: string }> }>
    }
    const remove = fixture('rfc7644-3.5.2.2-patch_op-remove_one_member.json') as {
      Operations: Array<{ op: string; path: string }>
    }
    const id = '2819c223-7f76-...413861904646'
    const group = { members: [{ value: id }] }
    assert.deepEqual(
      patchOperation(group, parsePath(`members[value eq ${JSON.stringify(id)}].value`), undefined),
      remove.Operations[0],
    )
    assert.equal(add.Operations[0]?.op, 'add')
    assert.equal(add.Operations[0]?.path, 'members')
  })

  test('filter values are JSON strings: quotes and backslashes escaped, attribute names checked', () => {
    assert.equal(eqFilter('userName', 'a"b\\c'), 'userName eq "a\\"b\\\\c"')
    assert.equal(eqFilter('externalId', '*)(uid=*'), 'externalId eq "*)(uid=*"')
    assert.throws(
      () => eqFilter('userName eq "x" or userName', 'y'),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'config',
    )
  })

  test('SCIM error bodies (RFC 7644 §3.12) give scimType and detail', () => {
    assert.equal(
      scimErrorDetail(JSON.stringify(fixture('rfc7644-3.12-error-bad_request.json'))),
      "mutability: Attribute 'id' is readOnly",
    )
    assert.equal(
      scimErrorDetail(JSON.stringify(fixture('rfc7644-3.6-error-not_found.json'))),
      'Resource 2819c223-7f76-453a-919d-413861904646 not found',
    )
  })

  test('the option schema refuses a literal token and accepts a reference', () => {
    assert.equal(
      scimConnector.schema.safeParse({ baseUrl: 'https://x.test/scim/v2', token: 'abc' }).success,
      false,
    )
    assert.equal(
      scimConnector.schema.safeParse({
        baseUrl: 'https://x.test/scim/v2',
        token: '${env:SCIM_TOKEN}',
      }).success,
      true,
    )
  })
})

describe('scim target against a scripted server', () => {
  let server: SimHttpServer
  let handler: (req: SimRequest) => {
    status: number
    json?: unknown
    headers?: Record<string, string>
  } = () => ({ status: 404 })
  const seen: SimRequest[] = []
  before(async () => {
    server = await startSimHttpServer((req) => {
      seen.push(req)
      return handler(req)
    })
  })
  after(() => server.close())

  test('ServiceProviderConfig of RFC 7643 §8.5 turns on PATCH, Bulk and ETag', async () => {
    handler = (req) =>
      req.url.pathname.endsWith('/ServiceProviderConfig')
        ? { status: 200, json: fixture('rfc7643-8.5-service_provider_configuration.json') }
        : { status: 404 }
    const t = new ScimTarget('t', scimTestOptions(`${server.url}/v2`, 'tok'))
    assert.deepEqual(await t.features(), {
      patch: true,
      bulk: true,
      bulkMaxOperations: 1000,
      etag: true,
      filter: true,
    })
    const never = new ScimTarget(
      't',
      scimTestOptions(`${server.url}/v2`, 'tok', { patch: 'never', etag: 'never', bulk: 'never' }),
    )
    assert.deepEqual(await never.features(), {
      patch: false,
      bulk: false,
      bulkMaxOperations: 1000,
      etag: false,
      filter: true,
    })
  })

  test('listAccounts follows totalResults with startIndex/count (RFC 7644 §3.4.2.4 list response)', async () => {
    const page = fixture('rfc7644-3.4.3-list_response-post_query.json') as {
      Resources: Array<Record<string, unknown>>
    }
    handler = (req) => {
      const start = Number(req.url.searchParams.get('startIndex'))
      const resources =
        start === 1
          ? page.Resources
          : start === 3
            ? [{ id: 'third', userName: 'x', active: false }]
            : []
      return {
        status: 200,
        json: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: 3,
          startIndex: start,
          itemsPerPage: resources.length,
          Resources: resources,
        },
      }
    }
    const t = new ScimTarget('t', scimTestOptions(`${server.url}/v2`, 'tok', { pageSize: 2 }))
    const all = []
    for await (const a of t.listAccounts()) all.push(a)
    assert.deepEqual(
      all.map((a) => [a.id, a.enabled]),
      [
        ['2819c223-7f76-413861904646', true],
        ['c8596b90-7539-4f20968d1908', true],
        ['third', false],
      ],
    )
  })

  test('PATCH advertised but answered 501 falls back to PUT with If-Match', async () => {
    seen.length = 0
    let version = 1
    handler = (req) => {
      if (req.url.pathname.endsWith('/ServiceProviderConfig'))
        return { status: 200, json: { patch: { supported: true }, etag: { supported: true } } }
      if (req.method === 'GET')
        return {
          status: 200,
          headers: { etag: `W/"${version}"` },
          json: { id: 'u1', userName: 'a', title: 'x', meta: { version: `W/"${version}"` } },
        }
      if (req.method === 'PATCH')
        return {
          status: 501,
          json: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: '501',
            detail: 'no patch',
          },
        }
      if (req.method === 'PUT')
        return req.headers['if-match'] === `W/"${version}"`
          ? { status: 200, json: { id: 'u1', ...JSON.parse(req.body) } }
          : { status: 412, json: {} }
      return { status: 404 }
    }
    const t = new ScimTarget('t', scimTestOptions(`${server.url}/v2`, 'tok'))
    const r = await t.update({ id: 'u1', locator: 'u1' }, [{ field: 'title', new: 'y' }])
    assert.equal(r.outcome, 'updated')
    const put = seen.find((q) => q.method === 'PUT')
    assert.ok(put)
    assert.equal(JSON.parse(put.body).title, 'y')
    assert.equal(JSON.parse(put.body).meta, undefined, 'meta is not sent back')
    // the next update goes straight to PUT
    seen.length = 0
    version = 2
    await t.update({ id: 'u1', locator: 'u1' }, [{ field: 'title', new: 'z' }])
    assert.equal(seen.filter((q) => q.method === 'PATCH').length, 0)
  })

  test('a 412 re-reads and retries once; a second 412 is a conflict', async () => {
    let gets = 0
    let patches = 0
    handler = (req) => {
      if (req.url.pathname.endsWith('/ServiceProviderConfig'))
        return { status: 200, json: { patch: { supported: true }, etag: { supported: true } } }
      if (req.method === 'GET')
        return {
          status: 200,
          headers: { etag: `W/"${++gets}"` },
          json: { id: 'u1', userName: 'a', title: 'x' },
        }
      if (req.method === 'PATCH') {
        patches++
        return req.headers['if-match'] === 'W/"2"'
          ? { status: 204 }
          : { status: 412, json: { status: '412', scimType: 'invalidVers', detail: 'stale' } }
      }
      return { status: 404 }
    }
    const t = new ScimTarget('t', scimTestOptions(`${server.url}/v2`, 'tok'))
    assert.equal(
      (await t.update({ id: 'u1', locator: 'u1' }, [{ field: 'title', new: 'y' }])).outcome,
      'updated',
    )
    assert.equal(patches, 2)
    gets = 10
    const e = await kindOf(t.update({ id: 'u1', locator: 'u1' }, [{ field: 'title', new: 'y' }]))
    assert.equal(e.kind, 'conflict')
    assert.match(e.message, /412: invalidVers: stale/)
  })

  test('a server without ServiceProviderConfig gets PUT and no If-Match', async () => {
    seen.length = 0
    handler = (req) => {
      if (req.method === 'GET' && req.url.pathname.endsWith('/Users/u1'))
        return {
          status: 200,
          headers: { etag: 'W/"1"' },
          json: { id: 'u1', userName: 'a', active: true },
        }
      if (req.method === 'PUT') return { status: 200, json: JSON.parse(req.body) }
      return { status: 404, json: { status: '404', detail: 'no such endpoint' } }
    }
    const t = new ScimTarget('t', scimTestOptions(`${server.url}/v2`, 'tok'))
    assert.equal((await t.disable({ id: 'u1', locator: 'u1' })).outcome, 'updated')
    const put = seen.find((q) => q.method === 'PUT')
    assert.equal(put?.headers['if-match'], undefined)
    assert.equal(JSON.parse(put?.body ?? '{}').active, false)
  })

  test('a user that answers a filter loosely is not taken for the anchor', async () => {
    handler = () => ({
      status: 200,
      json: { totalResults: 1, Resources: [{ id: 'other', externalId: 'p10' }] },
    })
    const t = new ScimTarget('t', scimTestOptions(`${server.url}/v2`, 'tok'))
    assert.equal(await t.find({ attribute: 'externalId', value: 'p1' }), undefined)
  })
})

describe('scim target against the scimmy simulator: errors', () => {
  let sim: ScimSim
  let target: ScimTarget
  before(async () => {
    sim = await startScimSim({ token: 'right' })
    target = new ScimTarget('t', scimTestOptions(sim.url, 'right', { timeoutMs: 300 }))
  })
  after(() => sim.close())

  test('a wrong bearer token is an auth error (after one retry) and names no secret', async () => {
    const bad = new ScimTarget('t', scimTestOptions(sim.url, 'wrong-token-value'))
    const e = await kindOf(bad.find({ attribute: 'externalId', value: 'x' }))
    assert.equal(e.kind, 'auth')
    assert.doesNotMatch(e.message, /wrong-token-value/)
  })

  test('429 with Retry-After is rate-limited with the wait; 503 is transient', async () => {
    sim.http.inject({
      response: {
        status: 429,
        headers: { 'retry-after': '3' },
        json: { status: '429', detail: 'slow down' },
      },
    })
    const e = await kindOf(target.find({ attribute: 'externalId', value: 'x' }))
    assert.equal(e.kind, 'rate-limited')
    assert.equal(e.retryAfterMs, 3000)
    sim.http.inject({ response: { status: 503, json: { status: '503', detail: 'maintenance' } } })
    assert.equal(
      (await kindOf(target.find({ attribute: 'externalId', value: 'x' }))).kind,
      'transient',
    )
  })

  test('a request that does not answer in time is transient, and create left nothing', async () => {
    const spec = scimPerson(9001)
    sim.http.inject({
      match: (r) => r.method === 'POST',
      delayMs: 1000,
      response: { status: 500, json: {} },
    })
    const e = await kindOf(target.create({ ...spec, enabled: true }))
    assert.equal(e.kind, 'transient')
    assert.match(e.message, /timed out/)
    assert.equal(await target.find(spec.anchor), undefined)
  })

  test('a duplicate userName (409 uniqueness) is a conflict', async () => {
    await target.create({ ...scimPerson(9002), enabled: true })
    const dup = scimPerson(9003, { userName: 'U9002@school.test' })
    const e = await kindOf(target.create({ ...dup, enabled: true }))
    assert.equal(e.kind, 'conflict')
    assert.match(e.message, /409: uniqueness/)
  })

  test('listing retries a 429 page and a 503 page, then completes', async () => {
    for (let i = 0; i < 5; i++) await target.create({ ...scimPerson(9100 + i), enabled: true })
    const t = new ScimTarget('t', scimTestOptions(sim.url, 'right', { pageSize: 2 }))
    sim.http.inject({
      match: (r) => r.url.pathname.endsWith('/Users') && r.method === 'GET',
      after: 1,
      response: { status: 429, headers: { 'retry-after': '0' }, json: {} },
    })
    sim.http.inject({
      match: (r) => r.url.pathname.endsWith('/Users') && r.method === 'GET',
      after: 2,
      response: { status: 503, json: {} },
    })
    const ids = []
    for await (const a of t.listAccounts()) ids.push(a.id)
    assert.equal(new Set(ids).size, sim.users.size)
  })

  test('a 401 on a later page is tried once more with the token and the listing completes; two 401s fail as auth', async () => {
    const t = new ScimTarget('t', scimTestOptions(sim.url, 'right', { pageSize: 2 }))
    const listing = (r: { method: string; url: URL }) =>
      r.method === 'GET' &&
      r.url.pathname.endsWith('/Users') &&
      r.url.searchParams.has('startIndex') &&
      !r.url.searchParams.has('filter')
    sim.http.inject({
      match: listing,
      after: 1,
      response: { status: 401, json: { status: '401', detail: 'token expired' } },
    })
    const ids = []
    for await (const a of t.listAccounts()) ids.push(a.id)
    assert.equal(new Set(ids).size, sim.users.size)
    sim.http.inject({
      match: listing,
      after: 1,
      times: 2,
      response: { status: 401, json: { status: '401', detail: 'token revoked' } },
    })
    await assert.rejects(
      async () => {
        for await (const _ of t.listAccounts()) void _
      },
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'auth' && /token revoked/.test(e.message),
    )
  })

  test('the simulator takes Entra\'s "Replace" (Azure reference fixture) and stores values as sent', async () => {
    const ref = await target.create({ ...scimPerson(9200), enabled: true })
    const body = fixture('azuread-patch_omalley_active.json')
    const res = await fetch(`${sim.url}/Users/${ref.id}`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer right', 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    })
    assert.equal(res.status, 200)
    assert.equal((await target.find(scimPerson(9200).anchor))?.enabled, false)
  })
})

describe('scim creates through Bulk', () => {
  test('concurrent creates travel in Bulk requests; a duplicate in the batch fails alone as a conflict', async () => {
    const sim = await startScimSim()
    try {
      const t = new ScimTarget('t', scimTestOptions(sim.url, 'test-token'))
      const specs = Array.from({ length: 12 }, (_, i) => scimPerson(i + 1))
      specs.push(scimPerson(99, { userName: 'u1@school.test' })) // same userName as person 1
      const results = await Promise.allSettled(specs.map((s) => t.create({ ...s, enabled: true })))
      const created = results.filter((r) => r.status === 'fulfilled')
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      assert.equal(created.length, 12)
      assert.equal(failed.length, 1)
      assert.ok(
        ConnectorError.isInstance(failed[0]?.reason) && failed[0].reason.kind === 'conflict',
        String(failed[0]?.reason),
      )
      assert.equal(sim.users.size, 12)
      const bulks = sim.http.requests.get('POST /scim/v2/Bulk') ?? 0
      assert.ok(bulks >= 1 && bulks < 13, `${bulks} Bulk requests for 13 creates`)
      assert.equal(sim.http.requests.get('POST /scim/v2/Users') ?? 0, 0, 'no single POSTs')
      for (const s of specs.slice(0, 12))
        assert.ok(await t.find(s.anchor), `${s.anchor.value} is there`)
    } finally {
      await sim.close()
    }
  })

  test('concurrent grants to one group with ETags all succeed (the connector does not race itself into 412s)', async () => {
    const sim = await startScimSim({ etag: true })
    try {
      const t = new ScimTarget(
        't',
        scimTestOptions(sim.url, 'test-token', { groups: { createMissing: true } }),
      )
      const made = await Promise.all(
        Array.from({ length: 8 }, (_, i) => t.create({ ...scimPerson(i + 1), enabled: true })),
      )
      const results = await Promise.allSettled(
        made.map((m) =>
          t.grant({ id: m.id, locator: m.locator }, { type: 'group', id: 'klas 2B' }),
        ),
      )
      assert.deepEqual(
        results
          .filter((r) => r.status === 'rejected')
          .map((r) => String((r as PromiseRejectedResult).reason)),
        [],
      )
      const group = [...sim.groups.values()].find((g) => g.displayName === 'klas 2B') as
        { members?: unknown[] } | undefined
      assert.equal(group?.members?.length, 8)
    } finally {
      await sim.close()
    }
  })

  test('Bulk advertised but answered 501 falls back to one POST per create', async () => {
    const sim = await startScimSim()
    try {
      sim.http.inject({
        match: (r) => r.url.pathname.endsWith('/Bulk'),
        response: { status: 501, json: { status: '501', detail: 'not here' } },
      })
      const t = new ScimTarget('t', scimTestOptions(sim.url, 'test-token'))
      const refs = await Promise.all(
        [1, 2, 3].map((i) => t.create({ ...scimPerson(i), enabled: true })),
      )
      assert.deepEqual(
        refs.map((r) => r.outcome),
        ['created', 'created', 'created'],
      )
      assert.equal(sim.http.requests.get('POST /scim/v2/Users'), 3)
    } finally {
      await sim.close()
    }
  })

  test('a Bulk request that gets 429 fails each create in it as rate-limited, and a retry is idempotent', async () => {
    const sim = await startScimSim()
    try {
      const t = new ScimTarget('t', scimTestOptions(sim.url, 'test-token'))
      sim.http.inject({
        match: (r) => r.url.pathname.endsWith('/Bulk'),
        response: { status: 429, headers: { 'retry-after': '2' }, json: { status: '429' } },
      })
      const spec = scimPerson(1)
      const e = await t.create({ ...spec, enabled: true }).then(
        () => undefined,
        (x: unknown) => x,
      )
      assert.ok(
        ConnectorError.isInstance(e) && e.kind === 'rate-limited' && e.retryAfterMs === 2000,
        String(e),
      )
      assert.equal((await t.create({ ...spec, enabled: true })).outcome, 'created')
      assert.equal((await t.create({ ...spec, enabled: true })).outcome, 'unchanged')
    } finally {
      await sim.close()
    }
  })
})

describe('scim simulator paging', () => {
  test('every startIndex/count gives the right page and totalResults (the simulator pages ahead of scimmy)', async () => {
    const sim = await startScimSim()
    try {
      const h = { authorization: 'Bearer test-token', 'content-type': 'application/scim+json' }
      const n = 11
      for (let i = 0; i < n; i++) {
        await fetch(`${sim.url}/Users`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: `u${i}`,
          }),
        })
      }
      const names = Array.from({ length: n }, (_, i) => `u${i}`)
      for (let count = 1; count <= n + 1; count++) {
        for (let start = 1; start <= n + 2; start++) {
          const r = (await (
            await fetch(`${sim.url}/Users?startIndex=${start}&count=${count}`, { headers: h })
          ).json()) as {
            totalResults: number
            startIndex: number
            Resources?: Array<{ userName: string }>
          }
          assert.deepEqual(
            (r.Resources ?? []).map((u) => u.userName),
            names.slice(start - 1, start - 1 + count),
            `startIndex=${start} count=${count}`,
          )
          assert.equal(r.totalResults, n)
          assert.equal(r.startIndex, start)
        }
      }
    } finally {
      await sim.close()
    }
  })
})

describe('mixed-case PATCH ops (Entra)', () => {
  test('scimmy itself accepts "Add", "Replace" and "Remove" (it lower-cases op), so the simulator needs no middleware', async () => {
    const sim = await startScimSim()
    try {
      const t = new ScimTarget('t', scimTestOptions(sim.url, 'test-token'))
      const spec = scimPerson(1)
      const ref = await t.create({ ...spec, enabled: true })
      const patch = async (op: string, path: string, value?: unknown) => {
        const body = {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op, path, ...(value !== undefined ? { value } : {}) }],
        }
        const r = await fetch(`${sim.url}/Users/${ref.id}`, {
          method: 'PATCH',
          headers: { authorization: 'Bearer test-token', 'content-type': 'application/scim+json' },
          body: JSON.stringify(body),
        })
        assert.ok(
          r.status === 200 || r.status === 204,
          `${op} ${path}: ${r.status} ${await r.text()}`,
        )
      }
      await patch('Replace', 'title', 'docent')
      await patch('Add', 'nickName', 'JJ')
      await patch('Remove', 'name.givenName')
      const found = sim.users.get(ref.id) as Record<string, unknown>
      assert.equal(found.title, 'docent')
      assert.equal(found.nickName, 'JJ')
      assert.equal((found.name as Record<string, unknown>).givenName, undefined)
    } finally {
      await sim.close()
    }
  })
})
