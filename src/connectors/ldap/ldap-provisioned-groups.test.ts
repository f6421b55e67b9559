// Provisioned groups (issue 14) on a real OpenLDAP: the connector's createGroup/updateGroup/archiveGroup/
// deleteGroup and member/owner roles, then the whole engine (rules per membership, plan, apply) into slapd:
// every pupil in exactly her lesson groups, a dropped subject, a renamed group, the turnover.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { DEFAULT_GROUP_ID } from '../../config/group-schema.ts'
import { applyStoredPlan, approvePlan, makePlan } from '../../engine/index.ts'
import type { Group, Membership, Person, Plan } from '../../model/index.ts'
import type { GroupSetSpec, RuleSpec } from '../../rules/index.ts'
import { slapdSkipReason, startSlapd, type Slapd } from '../../../test/harness/slapd.ts'
import { engineFixture, pupil, type Fixture } from '../../../test/support/engine-fixture.ts'
import { READ_ATTRIBUTES, testTarget } from './ldap-test-fixture.ts'
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
  const groupsNamed = async (cn: string) => (await admin.search(s.baseDn, { scope: 'sub', filter: `(cn=${cn})`, attributes: ['entryUUID'] })).searchEntries

  test('create (idempotent by sync key), rename, roles, archive, restore, delete; a same-named unmanaged group is a conflict', async () => {
    const t: LdapTarget = testTarget(s, { groups: { baseDn: s.groupsDn, archiveDn } })
    try {
      const request = { key: '2026-2027/wi-3b', title: 'Wiskunde 3B', attributes: { title: 'Wiskunde 3B', description: 'wiskunde, 3 havo', type: 'teaching-group' } }
      const created = await t.createGroup(request)
      assert.equal(created.outcome, 'created')
      assert.equal(created.locator, `cn=Wiskunde 3B,${s.groupsDn}`)
      const entry = await read(created.locator, ['entryUUID', 'businessCategory', 'description', 'member'])
      assert.equal(entry?.['entryUUID'], created.id)
      assert.equal(entry?.['businessCategory'], '2026-2027/wi-3b')
      assert.equal(entry?.['description'], 'wiskunde, 3 havo')
      // a retried create finds the group by its key
      assert.deepEqual(await t.createGroup(request), { outcome: 'unchanged', id: created.id, locator: created.locator })

      // someone else's group with the same name is never taken over
      await admin.add(`cn=Frans 3B,${s.groupsDn}`, { objectClass: ['groupOfNames'], cn: ['Frans 3B'], member: [s.adminDn] })
      await assert.rejects(
        t.createGroup({ key: '2026-2027/fa-3b', title: 'Frans 3B', attributes: { title: 'Frans 3B' } }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'conflict' && /not Koppel's/.test(e.message),
      )
      assert.deepEqual((await read(`cn=Frans 3B,${s.groupsDn}`, ['member']))?.['member'], s.adminDn)

      // a person data title is escaped in the DN
      const hostile = await t.createGroup({ key: '2026-2027/x', title: 'x,ou=evil+cn=y', attributes: { title: 'x,ou=evil+cn=y' } })
      assert.equal(hostile.locator, `cn=x\\2Cou\\3Devil\\2Bcn\\3Dy,${s.groupsDn}`)
      await t.deleteGroup({ id: hostile.id, locator: hostile.locator })

      // members and owners
      const pupilDn = `uid=anna,${s.peopleDn}`
      await admin.add(pupilDn, { objectClass: ['inetOrgPerson'], uid: ['anna'], cn: ['Anna'], sn: ['Bakker'] })
      const ref = { id: 'anna', locator: pupilDn }
      await t.grant(ref, { type: 'group', id: created.locator, role: 'member' })
      await t.grant(ref, { type: 'group', id: created.locator, role: 'owner' })
      let g = await read(created.locator, ['member', 'owner'])
      assert.deepEqual([g?.['member']].flat().includes(pupilDn), true)
      assert.equal(g?.['owner'], pupilDn)
      await t.revoke(ref, { type: 'group', id: created.locator, role: 'owner' })
      assert.deepEqual([(await read(created.locator, ['owner']))?.['owner'] ?? []].flat(), [])
      await assert.rejects(t.grant(ref, { type: 'group', id: created.locator, role: 'instructor' }), /members and owners only/)

      // rename: same entryUUID, new DN, members kept
      const renamed = await t.updateGroup({ id: created.id, locator: created.locator }, [{ field: 'title', old: 'Wiskunde 3B', new: 'Wiskunde A 3B' }], { ...request, title: 'Wiskunde A 3B' })
      assert.equal(renamed.locator, `cn=Wiskunde A 3B,${s.groupsDn}`)
      g = await read(renamed.locator, ['entryUUID', 'member', 'cn'])
      assert.equal(g?.['entryUUID'], created.id)
      assert.equal(g?.['cn'], 'Wiskunde A 3B')
      assert.ok([g?.['member']].flat().includes(pupilDn))

      // archive moves it with its members; restore moves it back; the plan's stale locator does not matter
      const archived = await t.archiveGroup({ id: created.id, locator: renamed.locator })
      assert.equal(archived.locator, `cn=Wiskunde A 3B,${archiveDn}`)
      assert.ok([(await read(archived.locator, ['member']))?.['member']].flat().includes(pupilDn))
      const restored = await t.updateGroup({ id: created.id, locator: renamed.locator }, [{ field: 'archived', old: 'true' }], { ...request, title: 'Wiskunde A 3B' })
      assert.equal(restored.locator, renamed.locator)

      const deleted = await t.deleteGroup({ id: created.id, locator: restored.locator })
      assert.equal(deleted.outcome, 'updated')
      assert.equal((await groupsNamed('Wiskunde A 3B')).length, 0)
      assert.equal((await t.deleteGroup({ id: created.id, locator: restored.locator })).outcome, 'already-gone')
    } finally {
      await t.close()
    }
  })

  test('the engine: lesson groups into slapd with exactly their pupils; a dropped subject, a rename, the turnover', async () => {
    const sets: GroupSetSpec[] = [
      { name: 'lesgroepen', when: 'group.type == "teaching-group"', id: DEFAULT_GROUP_ID, title: 'group.attributes.subject + " " + group.code', description: 'group.attributes.subject', type: 'group.type', attributes: {}, deleteAfterDays: null },
    ]
    const rules: RuleSpec[] = [
      { name: 'pupils', when: 'contract.role == "student"', grant: [{ account: 'dir' }] },
      { name: 'learners', for: 'membership', when: 'membership.role == "student"', grant: [{ member: { target: 'dir', groups: 'lesgroepen', role: 'member' } }] },
    ]
    const groupsBase = `ou=lesgroepen,${s.baseDn}`
    await admin.add(groupsBase, { objectClass: ['organizationalUnit'], ou: ['lesgroepen'] })
    // the engine compares what the mapping writes with what the listing reads: read employeeNumber too
    const target = testTarget(s, { groups: { baseDn: groupsBase, archiveDn }, readAttributes: [...READ_ATTRIBUTES, 'employeeNumber'] })
    const fx: Fixture<LdapTarget> = await engineFixture({
      target,
      rules,
      provisionGroups: sets,
      guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
      mapping: { uid: 'person.key', cn: 'fullName(person)', sn: 'person.familyName', employeeNumber: 'person.key', dn: '"uid=" + account.uid + ",' + s.peopleDn + '"' },
    })
    const lesgroep = (key: string, subject: string, code: string, schoolYear = '2026-2027'): Group => ({ kind: 'group', key, type: 'teaching-group', name: key, code, schoolYear, attributes: { subject } })
    const m = (group: string): Membership => ({ group, role: 'student' })
    const plan = async (today: string): Promise<Plan> => {
      fx.clock.today = today
      const r = await makePlan(fx.engine, { actor: 'test' })
      assert.ok(r.ok)
      return r.plan
    }
    const apply = async (p: Plan) => {
      const r = await applyStoredPlan(fx.engine, p.id, { actor: 'test' })
      assert.ok(r.ok, r.ok ? '' : r.message)
      assert.deepEqual(r.report.failures, [])
    }
    const membersOf = async (cn: string, base = groupsBase) => {
      const e = await read(`cn=${cn},${base}`, ['member'])
      return [e?.['member'] ?? []].flat().map(String).filter((d) => d.startsWith('uid=')).map((d) => d.slice(4, d.indexOf(','))).sort()
    }
    try {
      fx.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
      const people: Person[] = []
      for (let i = 1; i <= 6; i++) people.push({ ...pupil(`p${i}`, `Kind${i}`, `Achternaam${i}`, '3B'), memberships: i % 2 === 0 ? [m('wi-3b'), m('en-3b')] : [m('wi-3b')] })
      fx.persons.push(...people)
      await apply(await plan('2026-11-23'))
      assert.deepEqual(await membersOf('Wiskunde 3B'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.deepEqual(await membersOf('Engels 3B'), ['p2', 'p4', 'p6'])
      assert.deepEqual((await plan('2026-11-23')).actions.map((a) => `${a.kind} ${a.person} ${a.permission ?? ''} ${JSON.stringify(a.changes)}`), [], 'a second plan against the listing is empty')

      // p4 drops Engels; Wiskunde 3B is renamed
      fx.persons[3] = { ...(fx.persons[3] as Person), memberships: [m('wi-3b')] }
      fx.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
      const changed = await plan('2026-12-01')
      assert.deepEqual(changed.actions.map((a) => `${a.kind} ${a.person}`), ['group-update group:2026-2027/wi-3b', 'revoke p4'])
      await apply(changed)
      assert.deepEqual(await membersOf('Engels 3B'), ['p2', 'p6'])
      assert.deepEqual(await membersOf('Wiskunde A 3B'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.equal((await plan('2026-12-01')).actions.length, 0)

      // the turnover
      fx.groups.splice(0, fx.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
      for (let i = 0; i < fx.persons.length; i++) fx.persons[i] = { ...(fx.persons[i] as Person), memberships: [m('wi-4b')] }
      const turnover = await plan('2027-08-01')
      assert.equal(turnover.status, 'blocked')
      assert.deepEqual(turnover.actions.filter((a) => a.kind.startsWith('group-')).map((a) => `${a.kind} ${a.group?.key}`), ['group-archive 2026-2027/en-3b', 'group-archive 2026-2027/wi-3b', 'group-create 2027-2028/wi-4b'])
      assert.ok((await approvePlan(fx.engine, turnover.id, 'test')).ok)
      await apply(turnover)
      assert.deepEqual(await membersOf('Wiskunde 4B'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.deepEqual(await membersOf('Wiskunde A 3B', archiveDn), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.deepEqual(await membersOf('Engels 3B', archiveDn), ['p2', 'p6'])
      assert.equal((await plan('2027-08-01')).actions.length, 0)
    } finally {
      await target.close()
      await fx.cleanup()
    }
  })
})
