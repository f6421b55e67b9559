// The SCIM simulator's look-up index (issue 18): equality filters on userName, externalId and id answer the
// same with the index as by scanning every record, for hostile values and after renames and deletes, and a
// look-up or a create examines the matches only, not the whole list (counted, not timed).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startScimSim, type ScimSim } from './scim-server.ts'

const H = { authorization: 'Bearer test-token', 'content-type': 'application/scim+json' }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

interface ListResponse {
  totalResults: number
  Resources?: Array<{ id: string; userName: string; externalId?: string }>
}

async function call(sim: ScimSim, method: string, path: string, body?: unknown) {
  const r = await fetch(`${sim.url}${path}`, {
    method,
    headers: H,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await r.text()
  return { status: r.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) }
}

const create = async (sim: ScimSim, userName: string, externalId: string) => {
  const r = await call(sim, 'POST', '/Users', { schemas: [USER], userName, externalId })
  return { status: r.status, id: (r.json as { id?: string } | undefined)?.id ?? '' }
}

/** `attr eq "value"` as Koppel's connector writes it (a JSON string literal). */
const eq = (attr: string, value: string) => `${attr} eq ${JSON.stringify(value)}`

async function search(sim: ScimSim, filter: string, paging = '') {
  const r = await call(sim, 'GET', `/Users?filter=${encodeURIComponent(filter)}${paging}`)
  assert.equal(r.status, 200, `${filter}: ${JSON.stringify(r.json)}`)
  const body = r.json as ListResponse
  return {
    total: body.totalResults,
    found: (body.Resources ?? []).map((u) => `${u.userName} | ${u.externalId ?? ''}`),
  }
}

// quotes, backslashes, filter syntax and Unicode whose case folding is not one-to-one
const HOSTILE = [
  'plain@school.test',
  'a"b@school.test',
  'back\\slash@school.test',
  '\\"both\\\\',
  ') or userName pr',
  'ÉMILE@école.test',
  'İnci@school.test',
  'STRASSE',
  'Straße',
  'ΟΔΟΣ',
  'ǅemal',
  '',
]

describe('scim simulator: equality look-ups from the index', () => {
  test('the same answers indexed and scanning, for hostile values, in other cases, after renames and deletes', async () => {
    const indexed = await startScimSim()
    const scanning = await startScimSim({ index: false })
    try {
      const ids = new Map<ScimSim, string[]>()
      for (const sim of [indexed, scanning]) {
        const made: string[] = []
        for (const [i, name] of HOSTILE.entries()) {
          if (name === '') continue
          const r = await create(sim, name, `ext ${name}`)
          assert.equal(r.status, 201, name)
          made[i] = r.id
        }
        // externalId is not unique: two holders, returned in the store's order and paged
        assert.equal((await create(sim, 'twin1', 'ext plain@school.test')).status, 201)
        // uniqueness holds case-insensitively for userName, on both paths
        assert.equal((await create(sim, 'PLAIN@SCHOOL.TEST', 'x')).status, 409)
        // a rename by PUT, one by PATCH, a delete
        const put = await call(sim, 'PUT', `/Users/${made[1]}`, {
          schemas: [USER],
          userName: 'renamed "put"',
          externalId: 'ext renamed',
        })
        assert.equal(put.status, 200)
        const patch = await call(sim, 'PATCH', `/Users/${made[2]}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'userName', value: 'Renamed\\Patch' }],
        })
        assert.equal(patch.status, 200, JSON.stringify(patch.json))
        assert.equal((await call(sim, 'DELETE', `/Users/${made[5]}`)).status, 204)
        // the freed and the old names can be taken again
        assert.equal((await create(sim, 'back\\slash@school.test', 'ext again')).status, 201)
        ids.set(sim, made)
      }
      const values = [
        ...HOSTILE,
        ...HOSTILE.map((v) => v.toUpperCase()),
        ...HOSTILE.map((v) => v.toLowerCase()),
        'renamed "put"',
        'RENAMED "PUT"',
        'renamed\\patch',
        'ext renamed',
        'ext again',
        'twin1',
      ]
      for (const value of values) {
        for (const filter of [
          eq('userName', value),
          eq('USERNAME', value),
          eq('externalId', `ext ${value}`),
          eq('externalId', value),
          `${eq('userName', value)} and ${eq('externalId', `ext ${value}`)}`,
        ]) {
          assert.deepEqual(await search(indexed, filter), await search(scanning, filter), filter)
        }
      }
      // by id: each sim's own ids, so compare what they find
      for (const sim of [indexed, scanning]) {
        const made = ids.get(sim) as string[]
        assert.deepEqual((await search(sim, eq('id', made[0] as string))).found, [
          'plain@school.test | ext plain@school.test',
        ])
        assert.equal((await search(sim, eq('id', made[5] as string))).total, 0)
      }
      // spot checks of the answers themselves (RFC 7643 §4.1.1: userName caseExact false)
      assert.deepEqual((await search(indexed, eq('userName', 'plain@SCHOOL.test'))).found, [
        'plain@school.test | ext plain@school.test',
      ])
      assert.deepEqual((await search(indexed, eq('userName', 'STRASSE'.toLowerCase()))).found, [
        'STRASSE | ext STRASSE',
      ])
      assert.deepEqual((await search(indexed, eq('userName', 'a"b@school.test'))).found, [])
      assert.deepEqual((await search(indexed, eq('userName', 'RENAMED\\PATCH'))).found, [
        'Renamed\\Patch | ext back\\slash@school.test',
      ])
      assert.deepEqual((await search(indexed, eq('userName', 'émile@école.test'))).found, [])
      // externalId is caseExact: another case finds nothing
      assert.equal((await search(indexed, eq('externalId', 'EXT STRASSE'))).total, 0)
      const twins = eq('externalId', 'ext plain@school.test')
      assert.deepEqual(await search(indexed, twins), {
        total: 2,
        found: ['plain@school.test | ext plain@school.test', 'twin1 | ext plain@school.test'],
      })
      assert.deepEqual(await search(indexed, twins, '&startIndex=2&count=1'), {
        total: 2,
        found: ['twin1 | ext plain@school.test'],
      })
      // other filters still go to scimmy unchanged
      assert.deepEqual(
        await search(indexed, 'userName sw "twin"'),
        await search(scanning, 'userName sw "twin"'),
      )
    } finally {
      await Promise.all([indexed.close(), scanning.close()])
    }
  })

  test('a look-up or a create examines the matching records only, not every user', async () => {
    const n = 300
    const indexed = await startScimSim()
    const scanning = await startScimSim({ index: false })
    try {
      for (const sim of [indexed, scanning]) {
        for (let i = 0; i < n; i++)
          assert.equal((await create(sim, `u${i}@school.test`, `p${i}`)).status, 201)
      }
      // n creates: a uniqueness check each, against the matches (none) or against every user so far
      assert.equal(indexed.recordsExamined(), 0)
      assert.equal(scanning.recordsExamined(), (n * (n - 1)) / 2)
      for (const sim of [indexed, scanning]) {
        const before = sim.recordsExamined()
        for (let i = 0; i < n; i += 10) {
          assert.equal((await search(sim, eq('externalId', `p${i}`))).total, 1)
          assert.equal((await search(sim, eq('userName', `U${i}@school.test`))).total, 1)
        }
        const lookups = (2 * n) / 10
        const each = (sim.recordsExamined() - before) / lookups
        assert.equal(each, sim === indexed ? 1 : n, `records examined per look-up`)
      }
    } finally {
      await Promise.all([indexed.close(), scanning.close()])
    }
  })
})
