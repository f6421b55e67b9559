// Provisioned groups in Google Workspace against the Directory API simulator: the address made from the sync key,
// rename and description by groups.patch, archive by prefix, delete; members and owners with their roles; a group
// with the title that Koppel did not make; an address held by a user; a lost insert answer; bad input.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type GroupRequest } from '../../contract/index.ts'
import { rateLimitExceeded, startGoogleSim, type GoogleSim } from '@koppel/sim/google'
import {
  googlePerson,
  googleTestTarget,
  makeServiceAccount,
  type TestServiceAccount,
} from './google-test-fixture.ts'
import type { GoogleTarget } from './google-target.ts'

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), `expected a ConnectorError, got ${String(e)}`)
    return e
  }
  assert.fail('expected a failure')
}

const request = (
  key: string,
  title: string,
  attributes: Record<string, string> = {},
): GroupRequest => ({
  key,
  title,
  attributes: { title, type: 'teaching-group', ...attributes },
})

describe('google-workspace provisioned groups', () => {
  let sim: GoogleSim
  let sa: TestServiceAccount
  let n = 0
  const target = (
    groups: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ): GoogleTarget => googleTestTarget(sim, sa.keyJson, { domain: 'school.test', groups, ...extra })
  const key = (name: string) => `2026-2027/${name}-${++n}`
  before(async () => {
    sa = makeServiceAccount()
    sim = await startGoogleSim({ serviceAccount: sa })
  })
  after(() => sim.close())

  test('create makes a group at an address made from the sync key, with name and description; a retry finds it', async () => {
    const t = target()
    const k = key('wi-3b')
    const r = await t.createGroup(request(k, 'Wiskunde 3B', { description: 'Lesgroep wi-3b' }))
    assert.equal(r.outcome, 'created')
    assert.match(r.locator, new RegExp(`^koppel-2026-2027-wi-3b-${n}-[0-9a-f]{12}@school\\.test$`))
    const g = sim.groups.get(r.id)
    assert.equal(g?.name, 'Wiskunde 3B')
    assert.equal(g?.description, 'Lesgroep wi-3b')
    assert.deepEqual(await t.createGroup(request(k, 'Wiskunde 3B')), {
      outcome: 'unchanged',
      id: r.id,
      locator: r.locator,
    })
    // keys that differ only where an address cannot hold them still get their own address
    const a = await t.createGroup(request('2026-2027/Wi 3B', 'A'))
    const b = await t.createGroup(request('2026-2027/wi_3b', 'B'))
    assert.notEqual(a.locator, b.locator)
    const long = await t.createGroup(request(`2026-2027/${'x'.repeat(200)}`, 'C'))
    assert.ok(long.locator.split('@')[0]!.length <= 64, long.locator)
  })

  test('rename and description by groups.patch keep id, address and members; archive by prefix; delete', async () => {
    const t = target({ archivePrefix: 'Archief ' })
    assert.equal(t.capabilities.groups?.archive, 'target')
    const g = await t.createGroup(request(key('en-3b'), 'Engels 3B'))
    const pupil = await t.create({ ...googlePerson(100 + n), enabled: true })
    await t.grant(pupil, { type: 'group', id: g.locator, role: 'member' })
    const renamed = request('x', 'Engels A 3B', { description: 'nieuw' })
    const r = await t.updateGroup(
      g,
      [
        { field: 'title', old: 'Engels 3B', new: 'Engels A 3B' },
        { field: 'description', old: undefined, new: 'nieuw' },
      ],
      renamed,
    )
    assert.deepEqual([r.id, r.locator], [g.id, g.locator])
    assert.equal(sim.groups.get(g.id)?.name, 'Engels A 3B')
    assert.equal(sim.groups.get(g.id)?.description, 'nieuw')
    assert.deepEqual([...(sim.groups.get(g.id)?.members ?? [])], [pupil.id])
    assert.equal((await t.archiveGroup(g)).outcome, 'updated')
    assert.equal(sim.groups.get(g.id)?.name, 'Archief Engels A 3B')
    assert.equal((await t.archiveGroup(g)).outcome, 'unchanged')
    assert.deepEqual(
      [...(sim.groups.get(g.id)?.members ?? [])],
      [pupil.id],
      'the archive keeps who was in the group',
    )
    await t.updateGroup(g, [{ field: 'archived', old: 'true', new: undefined }], renamed)
    assert.equal(sim.groups.get(g.id)?.name, 'Engels A 3B')
    assert.equal((await t.deleteGroup(g)).outcome, 'updated')
    assert.equal(sim.groups.has(g.id), false)
    assert.equal((await t.deleteGroup(g)).outcome, 'already-gone')
    assert.equal(target().capabilities.groups?.archive, 'ledger')
  })

  test('members and owners with their roles: owner raises a member, a revoke removes only the role held', async () => {
    const t = target()
    const g = await t.createGroup(request(key('ak-3b'), 'Aardrijkskunde 3B'))
    const pupil = await t.create({ ...googlePerson(200 + n), enabled: true })
    const teacher = await t.create({ ...googlePerson(300 + n), enabled: true })
    const perm = (role: string) => ({ type: 'group', id: g.locator, role })
    const roles = () =>
      Object.fromEntries(
        [...(sim.groups.get(g.id)?.members ?? [])].map((id) => [
          id,
          sim.groups.get(g.id)?.roles.get(id) ?? 'MEMBER',
        ]),
      )
    assert.equal((await t.grant(pupil, perm('member'))).outcome, 'updated')
    assert.equal((await t.grant(teacher, perm('owner'))).outcome, 'updated')
    assert.equal((await t.grant(teacher, perm('owner'))).outcome, 'unchanged')
    assert.deepEqual(roles(), { [pupil.id]: 'MEMBER', [teacher.id]: 'OWNER' })
    assert.equal(
      (await t.grant(teacher, perm('member'))).outcome,
      'unchanged',
      'an owner is a member already',
    )
    assert.equal(
      (await t.revoke(teacher, perm('member'))).outcome,
      'unchanged',
      'revoking member leaves the owner',
    )
    assert.equal((await t.grant(pupil, perm('owner'))).outcome, 'updated')
    assert.equal(roles()[pupil.id], 'OWNER')
    assert.equal((await t.revoke(pupil, perm('owner'))).outcome, 'updated')
    assert.deepEqual(roles(), { [teacher.id]: 'OWNER' })
    assert.equal((await t.revoke(pupil, perm('owner'))).outcome, 'unchanged')
    assert.equal((await failure(t.grant(pupil, perm('manager')))).kind, 'unsupported')
  })

  test('a group with the title that Koppel did not make is a conflict naming the address that adopts it; it is left alone', async () => {
    const t = target()
    const k = key('bi-3b')
    // made outside Koppel, as an admin would, with the title Koppel's group would get
    sim.addGroup('biologie@school.test', 'Biologie 3B', 'outside1')
    const e = await failure(t.createGroup(request(k, 'Biologie 3B')))
    assert.equal(e.kind, 'conflict')
    const address = /change its address to (\S+) to let Koppel adopt it/.exec(e.message)?.[1]
    assert.ok(address !== undefined, e.message)
    assert.equal(
      sim.groups.get('outside1')?.email,
      'biologie@school.test',
      'the unmanaged group is left alone',
    )
    ;(sim.groups.get('outside1') as { email: string }).email = address
    assert.deepEqual(await t.createGroup(request(k, 'Biologie 3B')), {
      outcome: 'unchanged',
      id: 'outside1',
      locator: address,
    })
  })

  test('an address held by a user is a conflict; a lost insert answer is reported created, not made twice', async () => {
    const t = target()
    const k = key('x')
    const made = await t.createGroup(request(k, 'Tijdelijk'))
    sim.groups.delete(made.id)
    await t.create({ ...googlePerson(600 + n, { primaryEmail: made.locator }), enabled: true })
    const e = await failure(t.createGroup(request(k, 'Tijdelijk')))
    assert.equal(e.kind, 'conflict')
    assert.match(e.message, /a user or an alias already exists and is not Koppel's/)

    const lost = target({}, { timeoutMs: 150 })
    sim.http.inject({
      match: (r) => r.method === 'POST' && r.url.pathname.endsWith('/groups'),
      delayMs: 400,
    })
    const k2 = key('lost')
    const before = sim.groups.size
    const r = await lost.createGroup(request(k2, 'Verloren')).catch(async (err: unknown) => {
      // the insert landed after the look-up: the engine's retry then finds it
      assert.ok(ConnectorError.isInstance(err) && err.kind === 'transient', String(err))
      await new Promise((resolve) => setTimeout(resolve, 500))
      return lost.createGroup(request(k2, 'Verloren'))
    })
    assert.ok(r.outcome === 'created' || r.outcome === 'unchanged')
    assert.equal(sim.groups.size, before + 1)
  })

  test('bad input is refused naming the group and the field; no domain is a config error', async () => {
    const t = target()
    const before = sim.groups.size
    assert.match(
      (await failure(t.createGroup(request('k1', 'X', { gidNumber: '5' })))).message,
      /group k1: "gidNumber" is not a field a Google group takes/,
    )
    assert.match(
      (await failure(t.createGroup(request('k2', 'x'.repeat(80))))).message,
      /group k2: a Google group needs a title of 1 to 73 characters/,
    )
    assert.match(
      (await failure(t.createGroup(request('k3', 'X', { description: 'd'.repeat(5000) })))).message,
      /group k3: description is longer/,
    )
    assert.equal(
      (await failure(googleTestTarget(sim, sa.keyJson).createGroup(request('k4', 'X')))).kind,
      'config',
    )
    assert.equal(sim.groups.size, before)
  })
  test("Google's 403 rateLimitExceeded on a group call is rate-limited, so the engine backs off; nothing half-made", async () => {
    const t = target()
    const before = sim.groups.size
    sim.http.inject({
      match: (r) => r.method === 'POST' && r.url.pathname.endsWith('/groups'),
      response: rateLimitExceeded(),
    })
    const e = await failure(t.createGroup(request(key('rl'), 'Te vaak')))
    assert.equal(e.kind, 'rate-limited')
    assert.equal(sim.groups.size, before)
  })
})
