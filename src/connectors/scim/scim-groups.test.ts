// Provisioned groups (issue 14) through the SCIM connector into the scimmy-based simulator: /Groups with the
// sync key in externalId, displayName as the title, members by PATCH, member role only; and what the simulator
// refuses per RFC 7643/7644 (schemas, unknown members).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startScimSim, type ScimSim } from '@koppel/sim/scim'
import { ConnectorError } from '../../contract/index.ts'
import { CORE_GROUP } from './scim-paths.ts'
import { scimPerson, scimTestOptions } from './scim-test-fixture.ts'
import { ScimTarget } from './scim-target.ts'

describe('scim: provisioned groups', () => {
  let sim: ScimSim
  let scim: ScimTarget
  before(async () => {
    sim = await startScimSim({ token: 'groups-token' })
    scim = new ScimTarget('test-scim', scimTestOptions(sim.url, 'groups-token'))
  })
  after(async () => {
    await scim?.close()
    await sim?.close()
  })

  const stored = (id: string) => sim.groups.get(id) as Record<string, unknown> | undefined
  const memberIds = (id: string) =>
    ((stored(id)?.['members'] as Array<{ value: string }> | undefined) ?? []).map((m) => m.value)

  test('create with externalId (again: unchanged), rename keeps id and members, delete (again: already-gone)', async () => {
    const request = {
      key: '2026-2027/wi-3b',
      title: 'Wiskunde 3B',
      attributes: { title: 'Wiskunde 3B', description: 'not in RFC 7643 Group', type: 'class' },
    }
    const created = await scim.createGroup(request)
    assert.equal(created.outcome, 'created')
    assert.equal(created.locator, `Groups/${created.id}`)
    const g = stored(created.id)
    assert.equal(g?.['externalId'], '2026-2027/wi-3b')
    assert.equal(g?.['displayName'], 'Wiskunde 3B')
    assert.deepEqual(g?.['schemas'], [CORE_GROUP])
    assert.equal(
      g?.['description'],
      undefined,
      'Koppel fields that a SCIM Group lacks are not sent',
    )
    assert.deepEqual(await scim.createGroup(request), { ...created, outcome: 'unchanged' })

    const p = scimPerson(1)
    const user = await scim.create({ attributes: p.attributes, anchor: p.anchor, enabled: true })
    const member = { type: 'group', id: created.locator, role: 'member' }
    assert.equal((await scim.grant(user, member)).outcome, 'updated')
    assert.equal((await scim.grant(user, member)).outcome, 'unchanged')
    assert.deepEqual(memberIds(created.id), [user.id])
    await assert.rejects(
      scim.grant(user, { ...member, role: 'owner' }),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'unsupported' && /members only/.test(e.message),
    )

    const renamed = await scim.updateGroup(
      { id: created.id, locator: created.locator },
      [{ field: 'title', old: 'Wiskunde 3B', new: 'Wiskunde B 3B' }],
      { ...request, title: 'Wiskunde B 3B' },
    )
    assert.deepEqual(renamed, { outcome: 'updated', id: created.id, locator: created.locator })
    assert.equal(stored(created.id)?.['displayName'], 'Wiskunde B 3B')
    assert.equal(stored(created.id)?.['externalId'], '2026-2027/wi-3b')
    assert.deepEqual(memberIds(created.id), [user.id])
    assert.equal((await scim.revoke(user, member)).outcome, 'updated')
    assert.deepEqual(memberIds(created.id), [])

    assert.equal((await scim.deleteGroup(created)).outcome, 'updated')
    assert.equal(stored(created.id), undefined)
    assert.equal((await scim.deleteGroup(created)).outcome, 'already-gone')
  })

  test('a same-named group without our externalId is a conflict and is left as it was', async () => {
    const res = await fetch(`${sim.url}/Groups`, {
      method: 'POST',
      headers: { authorization: 'Bearer groups-token', 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [CORE_GROUP], displayName: 'Handmatig', members: [] }),
    })
    assert.equal(res.status, 201)
    const foreign = (await res.json()) as { id: string }
    await assert.rejects(
      scim.createGroup({ key: 'k/1', title: 'Handmatig', attributes: { title: 'Handmatig' } }),
      (e: unknown) =>
        ConnectorError.isInstance(e) &&
        e.kind === 'conflict' &&
        /externalId "k\/1"/.test(e.message),
    )
    assert.equal(stored(foreign.id)?.['externalId'], undefined)
    assert.equal(stored(foreign.id)?.['displayName'], 'Handmatig')
  })

  test('the simulator refuses a resource without schemas and a member it does not know', async () => {
    const post = (body: unknown) =>
      fetch(`${sim.url}/Groups`, {
        method: 'POST',
        headers: { authorization: 'Bearer groups-token', 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      })
    const noSchemas = await post({ displayName: 'x' })
    assert.equal(noSchemas.status, 400)
    assert.match(await noSchemas.text(), /invalidSyntax/)
    const ghost = await post({
      schemas: [CORE_GROUP],
      displayName: 'y',
      members: [{ value: 'ghost' }],
    })
    assert.equal(ghost.status, 400)
    assert.match(await ghost.text(), /no User or Group has id \\"ghost\\"/)
  })
})
