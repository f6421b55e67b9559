// Provisioned groups (issue 14) on a real OpenLDAP: the connector's createGroup/updateGroup/archiveGroup/
// deleteGroup and member/owner roles. The engine into slapd: test/engine-groups-slapd.test.ts.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { slapdSkipReason, startSlapd, type Slapd } from '../../../test/harness/slapd.ts'
import { testTarget } from './ldap-test-fixture.ts'
import type { LdapTarget } from './ldap-target.ts'

const skip = slapdSkipReason()

describe('ldap: provisioned groups on a real slapd', { skip }, () => {
  let s: Slapd
  let admin: Client
  let archiveDn: string
  before(async () => {
    s = await startSlapd()
    admin = new Client({ url: s.url })
    await admin.bind(s.adminDn, s.adminPassword)
    archiveDn = `ou=archive,${s.baseDn}`
    await admin.add(archiveDn, { objectClass: ['organizationalUnit'], ou: ['archive'] })
  })
  after(async () => {
    await admin?.unbind()
    await s?.stop()
  })

  const read = async (dn: string, attributes: string[]) => {
    const { searchEntries } = await admin.search(dn, { scope: 'base', attributes })
    return searchEntries[0]
  }
  const groupsNamed = async (cn: string) =>
    (
      await admin.search(s.baseDn, {
        scope: 'sub',
        filter: `(cn=${cn})`,
        attributes: ['entryUUID'],
      })
    ).searchEntries

  test('create (idempotent by sync key), rename, roles, archive, restore, delete; a same-named unmanaged group is a conflict', async () => {
    const t: LdapTarget = testTarget(s, { groups: { baseDn: s.groupsDn, archiveDn } })
    try {
      const request = {
        key: '2026-2027/wi-3b',
        title: 'Wiskunde 3B',
        attributes: {
          title: 'Wiskunde 3B',
          description: 'wiskunde, 3 havo',
          type: 'teaching-group',
        },
      }
      const created = await t.createGroup(request)
      assert.equal(created.outcome, 'created')
      assert.equal(created.locator, `cn=Wiskunde 3B,${s.groupsDn}`)
      const entry = await read(created.locator, [
        'entryUUID',
        'businessCategory',
        'description',
        'member',
      ])
      assert.equal(entry?.['entryUUID'], created.id)
      assert.equal(entry?.['businessCategory'], '2026-2027/wi-3b')
      assert.equal(entry?.['description'], 'wiskunde, 3 havo')
      // a retried create finds the group by its key
      assert.deepEqual(await t.createGroup(request), {
        outcome: 'unchanged',
        id: created.id,
        locator: created.locator,
      })

      // someone else's group with the same name is never taken over
      await admin.add(`cn=Frans 3B,${s.groupsDn}`, {
        objectClass: ['groupOfNames'],
        cn: ['Frans 3B'],
        member: [s.adminDn],
      })
      await assert.rejects(
        t.createGroup({
          key: '2026-2027/fa-3b',
          title: 'Frans 3B',
          attributes: { title: 'Frans 3B' },
        }),
        (e: unknown) =>
          ConnectorError.isInstance(e) && e.kind === 'conflict' && /not Koppel's/.test(e.message),
      )
      assert.deepEqual((await read(`cn=Frans 3B,${s.groupsDn}`, ['member']))?.['member'], s.adminDn)

      // a person data title is escaped in the DN
      const hostile = await t.createGroup({
        key: '2026-2027/x',
        title: 'x,ou=evil+cn=y',
        attributes: { title: 'x,ou=evil+cn=y' },
      })
      assert.equal(hostile.locator, `cn=x\\2Cou\\3Devil\\2Bcn\\3Dy,${s.groupsDn}`)
      await t.deleteGroup({ id: hostile.id, locator: hostile.locator })

      // members and owners
      const pupilDn = `uid=anna,${s.peopleDn}`
      await admin.add(pupilDn, {
        objectClass: ['inetOrgPerson'],
        uid: ['anna'],
        cn: ['Anna'],
        sn: ['Bakker'],
      })
      const ref = { id: 'anna', locator: pupilDn }
      await t.grant(ref, { type: 'group', id: created.locator, role: 'member' })
      await t.grant(ref, { type: 'group', id: created.locator, role: 'owner' })
      let g = await read(created.locator, ['member', 'owner'])
      assert.deepEqual([g?.['member']].flat().includes(pupilDn), true)
      assert.equal(g?.['owner'], pupilDn)
      await t.revoke(ref, { type: 'group', id: created.locator, role: 'owner' })
      assert.deepEqual([(await read(created.locator, ['owner']))?.['owner'] ?? []].flat(), [])
      await assert.rejects(
        t.grant(ref, { type: 'group', id: created.locator, role: 'instructor' }),
        /members and owners only/,
      )

      // rename: same entryUUID, new DN, members kept
      const renamed = await t.updateGroup(
        { id: created.id, locator: created.locator },
        [{ field: 'title', old: 'Wiskunde 3B', new: 'Wiskunde A 3B' }],
        { ...request, title: 'Wiskunde A 3B' },
      )
      assert.equal(renamed.locator, `cn=Wiskunde A 3B,${s.groupsDn}`)
      g = await read(renamed.locator, ['entryUUID', 'member', 'cn'])
      assert.equal(g?.['entryUUID'], created.id)
      assert.equal(g?.['cn'], 'Wiskunde A 3B')
      assert.ok([g?.['member']].flat().includes(pupilDn))

      // archive moves it with its members; restore moves it back; the plan's stale locator does not matter
      const archived = await t.archiveGroup({ id: created.id, locator: renamed.locator })
      assert.equal(archived.locator, `cn=Wiskunde A 3B,${archiveDn}`)
      assert.ok([(await read(archived.locator, ['member']))?.['member']].flat().includes(pupilDn))
      const restored = await t.updateGroup(
        { id: created.id, locator: renamed.locator },
        [{ field: 'archived', old: 'true' }],
        { ...request, title: 'Wiskunde A 3B' },
      )
      assert.equal(restored.locator, renamed.locator)

      const deleted = await t.deleteGroup({ id: created.id, locator: restored.locator })
      assert.equal(deleted.outcome, 'updated')
      assert.equal((await groupsNamed('Wiskunde A 3B')).length, 0)
      assert.equal(
        (await t.deleteGroup({ id: created.id, locator: restored.locator })).outcome,
        'already-gone',
      )
    } finally {
      await t.close()
    }
  })
})
