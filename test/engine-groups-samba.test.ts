// Groups (issue 14) from the engine into a real Samba AD DC: rules per membership, plan, guard and apply; a
// group per lesgroep in its school's OU with exactly its pupils as members and its teacher in managedBy, a
// dropped subject, a renamed group (modifyDN, same objectGUID), the school-year turnover archiving last year's
// groups with their members.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import {
  adTestTarget,
  AD_TEST_OUS,
  groupsDn,
  peopleDn,
} from '../src/connectors/ad/ad-test-fixture.ts'
import type { AdTarget } from '../src/connectors/ad/ad-target.ts'
import { applyStoredPlan, approvePlan, makePlan } from '../src/engine/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import type { GroupSetSpec } from '../src/rules/index.ts'
import { sambaSkipReason, startSambaAd, type SambaAd } from './harness/samba-ad.ts'
import { firstRdnValue } from './support/ad-group-readback.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'
import { assertTurnoverAwaitsApproval } from './support/group-plans.ts'
import { lesgroep, member, membershipRules, teacher } from './support/lesson-groups.ts'

const skip = sambaSkipReason()

describe('engine: provisioned groups into a real Samba AD', { skip, timeout: 300_000 }, () => {
  let s: SambaAd
  let archiveDn: string
  before(async () => {
    s = await startSambaAd()
    const c = await s.admin()
    archiveDn = `OU=archief,${s.baseDn}`
    for (const dn of [...AD_TEST_OUS(s), archiveDn])
      await c.add(dn, { objectClass: 'organizationalUnit' })
  })
  after(async () => {
    await s?.stop()
  })

  const read = async (dn: string, attributes: string[]) => {
    const { searchEntries } = await (
      await s.admin()
    ).search(dn, { scope: 'base', attributes, explicitBufferAttributes: ['objectGUID'] })
    return searchEntries[0]
  }
  /** The sAMAccountNames of a group's members (the accounts' CN is their key). */
  const membersOf = async (dn: string) =>
    [(await read(dn, ['member']))?.['member'] ?? []]
      .flat()
      .map((d) => firstRdnValue(String(d)))
      .sort()
  const ownerOf = async (dn: string) => {
    const v = (await read(dn, ['managedBy']))?.['managedBy']
    return typeof v === 'string' && v !== '' ? firstRdnValue(v) : undefined
  }

  test('lesson groups in the school OU with exactly their pupils, the teacher as owner; a dropped subject, a rename, the turnover', async () => {
    const sets: GroupSetSpec[] = [
      {
        name: 'lesgroepen',
        when: 'group.type == "teaching-group"',
        id: DEFAULT_GROUP_ID,
        title: 'group.attributes.subject + " " + group.code',
        description: 'group.attributes.subject',
        type: 'group.type',
        attributes: { ou: '"99XX00"' },
        deleteAfterDays: null,
      },
    ]
    const target: AdTarget = adTestTarget(
      {
        url: s.url,
        caFile: s.caFile,
        tlsServerName: s.tlsServerName,
        baseDn: s.baseDn,
        adminDn: s.adminDn,
        adminPassword: s.adminPassword,
      },
      { groups: { baseDn: groupsDn(s), archiveDn } },
    )
    const fx: Fixture<AdTarget> = await engineFixture({
      target,
      rules: membershipRules(
        'lesgroepen',
        { rule: 'learners', role: 'member' },
        { rule: 'owners', role: 'owner' },
      ),
      provisionGroups: sets,
      anchorAttribute: 'employeeID',
      guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
      mapping: {
        employeeID: 'person.key',
        sAMAccountName: 'person.key',
        sn: 'person.familyName',
        givenName: 'person.givenName',
        // the key is a slug (p1, t1): nothing in it needs DN escaping
        dn: `"CN=" + person.key + ",${peopleDn(s)}"`,
      },
    })
    const at = (title: string, base = `OU=99XX00,${groupsDn(s)}`) => `CN=${title},${base}`
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
    try {
      fx.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
      for (let i = 1; i <= 4; i++)
        fx.persons.push({
          ...pupil(`p${i}`, `Kind${i}`, `Achternaam${i}`, '3B'),
          memberships: i % 2 === 0 ? [member('wi-3b'), member('en-3b')] : [member('wi-3b')],
        })
      fx.persons.push(teacher('t1', 'Docent', 'Een', [member('wi-3b', 'teacher')]))
      await apply(await plan('2026-11-23'))
      assert.deepEqual(await membersOf(at('Wiskunde 3B')), ['p1', 'p2', 'p3', 'p4'])
      assert.deepEqual(await membersOf(at('Engels 3B')), ['p2', 'p4'])
      assert.equal(await ownerOf(at('Wiskunde 3B')), 't1')
      const wi = await read(at('Wiskunde 3B'), ['objectGUID', 'groupType', 'adminDescription'])
      assert.equal(wi?.['groupType'], '-2147483646')
      assert.equal(wi?.['adminDescription'], '2026-2027/wi-3b')
      assert.equal((await plan('2026-11-23')).actions.length, 0, 'a second plan is empty')

      // p4 drops Engels; Wiskunde 3B is renamed
      fx.persons[3] = { ...(fx.persons[3] as Person), memberships: [member('wi-3b')] }
      fx.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
      const changed = await plan('2026-12-01')
      assert.deepEqual(
        changed.actions.map((a) => `${a.kind} ${a.person}`),
        ['group-update group:2026-2027/wi-3b', 'revoke p4'],
      )
      await apply(changed)
      assert.deepEqual(await membersOf(at('Engels 3B')), ['p2'])
      assert.deepEqual(await membersOf(at('Wiskunde A 3B')), ['p1', 'p2', 'p3', 'p4'])
      assert.equal(await ownerOf(at('Wiskunde A 3B')), 't1')
      const renamed = await read(at('Wiskunde A 3B'), ['objectGUID', 'displayName'])
      assert.deepEqual(renamed?.['objectGUID'], wi?.['objectGUID'], 'a rename keeps the objectGUID')
      assert.equal(renamed?.['displayName'], 'Wiskunde A 3B')
      assert.equal((await plan('2026-12-01')).actions.length, 0)

      // the turnover
      fx.groups.splice(0, fx.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
      for (let i = 0; i < fx.persons.length; i++) {
        const p = fx.persons[i] as Person
        const role = p.key === 't1' ? 'teacher' : 'student'
        fx.persons[i] = { ...p, memberships: [member('wi-4b', role)] }
      }
      const turnover = await plan('2027-08-01')
      assertTurnoverAwaitsApproval(turnover)
      assert.ok((await approvePlan(fx.engine, turnover.id, 'test')).ok)
      await apply(turnover)
      assert.deepEqual(await membersOf(at('Wiskunde 4B')), ['p1', 'p2', 'p3', 'p4'])
      assert.equal(await ownerOf(at('Wiskunde 4B')), 't1')
      assert.deepEqual(await membersOf(at('Wiskunde A 3B', archiveDn)), ['p1', 'p2', 'p3', 'p4'])
      assert.deepEqual(await membersOf(at('Engels 3B', archiveDn)), ['p2'])
      assert.equal((await plan('2027-08-01')).actions.length, 0)
    } finally {
      await target.close()
      await fx.cleanup()
    }
  })
})
