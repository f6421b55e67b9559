// Provisioned groups in Entra ID against the Graph simulator: what the simulator holds after create, rename,
// archive and delete; owners and members by $ref; the last owner; Microsoft 365 groups; conflicts with groups
// Koppel does not manage; a create whose answer was lost; bad input named by group and field.
import { afterEach, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type GroupRequest } from '../../contract/index.ts'
import { startEntraSim, type EntraSim } from '@koppel/sim/entra'
import { entraTarget, userSpec } from './entra-fixture.ts'

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

describe('entra-id provisioned groups', () => {
  let sim: EntraSim
  beforeEach(async () => {
    sim = await startEntraSim({ domains: ['school.test'] })
  })
  afterEach(() => sim.close())

  test('create makes a security group carrying the sync key in mailNickname; a retry finds it', async () => {
    const t = entraTarget(sim)
    const r = await t.createGroup(
      request('2026-2027/wi-3b', 'Wiskunde 3B', { description: 'Lesgroep wi-3b' }),
    )
    assert.equal(r.outcome, 'created')
    const g = sim.groups.get(r.id)
    assert.equal(g?.displayName, 'Wiskunde 3B')
    assert.equal(g?.props.description, 'Lesgroep wi-3b')
    assert.equal(g?.props.securityEnabled, true)
    assert.equal(g?.props.mailEnabled, false)
    assert.match(String(g?.props.mailNickname), /^koppel-2026-2027-wi-3b-[0-9a-f]{12}$/)
    assert.deepEqual(await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B')), {
      outcome: 'unchanged',
      id: r.id,
      locator: r.id,
    })
    assert.equal(sim.groups.size, 1)
  })

  test('keys that differ only in characters a nickname cannot hold get different nicknames, all within 64', async () => {
    const t = entraTarget(sim)
    const a = await t.createGroup(request('2026-2027/wi 3b', 'A'))
    const b = await t.createGroup(request('2026-2027/wi_3b', 'B'))
    const long = await t.createGroup(request(`2026-2027/${'x'.repeat(200)}é`, 'C'))
    const nick = (id: string) => String(sim.groups.get(id)?.props.mailNickname)
    assert.notEqual(nick(a.id), nick(b.id))
    assert.ok(nick(long.id).length <= 64, nick(long.id))
  })

  test('groupKind microsoft365 makes a Unified, mail-enabled group; its nickname stays unique', async () => {
    const t = entraTarget(sim)
    const r = await t.createGroup(
      request('2026-2027/3b', 'Klas 3B', { groupKind: 'microsoft365', visibility: 'Private' }),
    )
    const g = sim.groups.get(r.id)
    assert.deepEqual(g?.props.groupTypes, ['Unified'])
    assert.equal(g?.props.mailEnabled, true)
    assert.equal(g?.props.securityEnabled, false)
    assert.equal(g?.props.visibility, 'Private')
    const m365 = entraTarget(sim, { groups: { kind: 'microsoft365' } })
    assert.equal((await m365.createGroup(request('2026-2027/3b', 'Klas 3B'))).outcome, 'unchanged')
  })

  test('members and owners by $ref; Entra keeps the last owner until another is granted', async () => {
    const t = entraTarget(sim)
    const g = await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B'))
    const pupil = await t.create({ ...userSpec(1), enabled: true })
    const t1 = await t.create({ ...userSpec(2), enabled: true })
    const t2 = await t.create({ ...userSpec(3), enabled: true })
    const perm = (role: string) => ({ type: 'group', id: g.locator, role })
    assert.equal((await t.grant(pupil, perm('member'))).outcome, 'updated')
    assert.equal((await t.grant(t1, perm('owner'))).outcome, 'updated')
    assert.equal((await t.grant(t1, perm('owner'))).outcome, 'unchanged')
    assert.deepEqual([...(sim.groups.get(g.id)?.members ?? [])], [pupil.id])
    assert.deepEqual([...(sim.groups.get(g.id)?.owners ?? [])], [t1.id])
    const last = await failure(t.revoke(t1, perm('owner')))
    assert.equal(last.kind, 'conflict')
    assert.match(last.message, /last owner of group/)
    await t.grant(t2, perm('owner'))
    assert.equal((await t.revoke(t1, perm('owner'))).outcome, 'updated')
    assert.deepEqual([...(sim.groups.get(g.id)?.owners ?? [])], [t2.id])
    assert.equal((await t.revoke(pupil, perm('member'))).outcome, 'updated')
    assert.equal((await t.revoke(pupil, perm('member'))).outcome, 'unchanged')
    assert.equal((await failure(t.grant(pupil, perm('mentor')))).kind, 'unsupported')
  })

  test('rename keeps id and members; archive with a prefix renames, a restore brings the title back', async () => {
    const t = entraTarget(sim, { groups: { archivePrefix: 'Archief ' } })
    assert.equal(t.capabilities.groups?.archive, 'target')
    const g = await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B'))
    const pupil = await t.create({ ...userSpec(1), enabled: true })
    await t.grant(pupil, { type: 'group', id: g.locator, role: 'member' })
    const renamed = request('2026-2027/wi-3b', 'Wiskunde A 3B', { description: 'nieuw' })
    const r = await t.updateGroup(
      g,
      [
        { field: 'title', old: 'Wiskunde 3B', new: 'Wiskunde A 3B' },
        { field: 'description', old: undefined, new: 'nieuw' },
      ],
      renamed,
    )
    assert.equal(r.id, g.id)
    assert.equal(sim.groups.get(g.id)?.displayName, 'Wiskunde A 3B')
    assert.equal(sim.groups.get(g.id)?.props.description, 'nieuw')
    assert.deepEqual([...(sim.groups.get(g.id)?.members ?? [])], [pupil.id])
    assert.equal((await t.archiveGroup(g)).outcome, 'updated')
    assert.equal(sim.groups.get(g.id)?.displayName, 'Archief Wiskunde A 3B')
    assert.equal((await t.archiveGroup(g)).outcome, 'unchanged')
    assert.deepEqual(
      [...(sim.groups.get(g.id)?.members ?? [])],
      [pupil.id],
      'the archive keeps who was in the group',
    )
    await t.updateGroup(g, [{ field: 'archived', old: 'true', new: undefined }], renamed)
    assert.equal(sim.groups.get(g.id)?.displayName, 'Wiskunde A 3B')
  })

  test('without archivePrefix archiving is the ledger only; delete moves the group to deleted items', async () => {
    const t = entraTarget(sim)
    assert.equal(t.capabilities.groups?.archive, 'ledger')
    const g = await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B'))
    assert.equal((await t.archiveGroup(g)).outcome, 'unchanged')
    assert.equal(sim.groups.get(g.id)?.displayName, 'Wiskunde 3B')
    assert.equal((await t.deleteGroup(g)).outcome, 'updated')
    assert.ok(sim.groups.get(g.id)?.deletedAt !== undefined, 'kept in deleted items')
    assert.equal((await t.deleteGroup(g)).outcome, 'already-gone')
    // a new create of the key makes a new group: the deleted one is not found by $filter on /groups
    const again = await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B'))
    assert.notEqual(again.id, g.id)
  })

  test('a group with the title that Koppel did not make is a conflict naming the nickname to adopt it; it is left alone', async () => {
    const t = entraTarget(sim)
    const theirs = sim.addGroup('Wiskunde 3B')
    const e = await failure(t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B')))
    assert.equal(e.kind, 'conflict')
    const nick = /set its mailNickname to (\S+) to let Koppel adopt it/.exec(e.message)?.[1]
    assert.ok(nick !== undefined, e.message)
    assert.equal(sim.groups.size, 1)
    // adopting: the admin gives it the nickname; the next create finds it
    ;(sim.groups.get(theirs) as { props: Record<string, unknown> }).props.mailNickname = nick
    assert.deepEqual(await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B')), {
      outcome: 'unchanged',
      id: theirs,
      locator: theirs,
    })
  })

  test('a create whose POST timed out but landed is reported created, not made twice, through replication lag', async () => {
    const lagged = await startEntraSim({ domains: ['school.test'], replicationLagMs: 500 })
    try {
      const t = entraTarget(lagged, {
        batchSize: 1,
        timeoutMs: 150,
        lookupDelayMs: 200,
        lookupAttempts: 10,
      })
      lagged.http.inject({
        match: (r) => r.method === 'POST' && r.url.pathname === '/v1.0/groups',
        delayMs: 600,
      })
      const r = await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B'))
      assert.equal(r.outcome, 'created')
      await new Promise((resolve) => setTimeout(resolve, 700))
      assert.equal(lagged.groups.size, 1)
      assert.ok(lagged.groups.has(r.id))
    } finally {
      await lagged.close()
    }
  })

  test('bad input is refused naming the group and the field; nothing is made', async () => {
    const t = entraTarget(sim)
    assert.match(
      (await failure(t.createGroup(request('k1', 'X', { gidNumber: '5' })))).message,
      /group k1: "gidNumber" is not a field an Entra group takes/,
    )
    assert.match(
      (await failure(t.createGroup(request('k2', 'X', { groupKind: 'distribution' })))).message,
      /group k2: groupKind must be security or microsoft365/,
    )
    assert.match(
      (await failure(t.createGroup(request('k3', 'X', { visibility: 'secret' })))).message,
      /group k3: visibility must be/,
    )
    assert.match(
      (await failure(t.createGroup(request('k4', ' ')))).message,
      /group k4: an Entra group needs a title/,
    )
    assert.equal(sim.groups.size, 0)
  })
  test('a throttled group call is rate-limited with its Retry-After, alone and inside a $batch', async () => {
    const t = entraTarget(sim, { batchSize: 1 })
    sim.throttleNext(1, 429, 7)
    const e = await failure(t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B')))
    assert.equal(e.kind, 'rate-limited')
    assert.equal(e.retryAfterMs, 7000)
    const g = await t.createGroup(request('2026-2027/wi-3b', 'Wiskunde 3B'))
    const users = await Promise.all([1, 2].map((i) => t.create({ ...userSpec(i), enabled: true })))
    const batched = entraTarget(sim, { batchSize: 20 })
    sim.throttleNext(1, 429, 4)
    const [a, b] = await Promise.allSettled(
      users.map((u) => batched.grant(u, { type: 'group', id: g.locator, role: 'owner' })),
    )
    assert.equal(a?.status, 'rejected')
    assert.equal(((a as PromiseRejectedResult).reason as ConnectorError).kind, 'rate-limited')
    assert.equal(b?.status, 'fulfilled')
    assert.deepEqual([...(sim.groups.get(g.id)?.owners ?? [])], [users[1]?.id])
  })
})
