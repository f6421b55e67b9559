// Groups and courses (issue 14) from the engine into a real OpenLDAP: rules per membership, plan, guard and
// apply; every pupil in exactly her lesson groups, a dropped subject, a renamed group, the school-year turnover
// archiving last year's groups with their members.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client } from 'ldapts'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import { READ_ATTRIBUTES, testTarget } from '../src/connectors/ldap/ldap-test-fixture.ts'
import type { LdapTarget } from '../src/connectors/ldap/ldap-target.ts'
import { applyStoredPlan, approvePlan, makePlan } from '../src/engine/index.ts'
import type { Action, Group, Membership, Person, Plan } from '../src/model/index.ts'
import type { GroupSetSpec, RuleSpec } from '../src/rules/index.ts'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'
import { assertTurnoverAwaitsApproval } from './support/group-plans.ts'

const perm = (a: Action): string | undefined => ('permission' in a ? a.permission : undefined)

const skip = slapdSkipReason()

describe('engine: provisioned groups into a real slapd', { skip }, () => {
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

  test('the engine: lesson groups into slapd with exactly their pupils; a dropped subject, a rename, the turnover', async () => {
    const sets: GroupSetSpec[] = [
      {
        name: 'lesgroepen',
        when: 'group.type == "teaching-group"',
        id: DEFAULT_GROUP_ID,
        title: 'group.attributes.subject + " " + group.code',
        description: 'group.attributes.subject',
        type: 'group.type',
        attributes: {},
        deleteAfterDays: null,
      },
    ]
    const rules: RuleSpec[] = [
      { name: 'pupils', when: 'contract.role == "student"', grant: [{ account: 'dir' }] },
      {
        name: 'learners',
        for: 'membership',
        when: 'membership.role == "student"',
        grant: [{ member: { target: 'dir', groups: 'lesgroepen', role: 'member' } }],
      },
    ]
    const groupsBase = `ou=lesgroepen,${s.baseDn}`
    await admin.add(groupsBase, { objectClass: ['organizationalUnit'], ou: ['lesgroepen'] })
    // the engine compares what the mapping writes with what the listing reads: read employeeNumber too
    const target = testTarget(s, {
      groups: { baseDn: groupsBase, archiveDn },
      readAttributes: [...READ_ATTRIBUTES, 'employeeNumber'],
    })
    const fx: Fixture<LdapTarget> = await engineFixture({
      target,
      rules,
      provisionGroups: sets,
      guard: { 'group-archive': { maxCount: 50, maxPercent: 10 } },
      mapping: {
        uid: 'person.key',
        cn: 'fullName(person)',
        sn: 'person.familyName',
        employeeNumber: 'person.key',
        dn: '"uid=" + account.uid + ",' + s.peopleDn + '"',
      },
    })
    const lesgroep = (
      key: string,
      subject: string,
      code: string,
      schoolYear = '2026-2027',
    ): Group => ({
      kind: 'group',
      key,
      type: 'teaching-group',
      name: key,
      code,
      schoolYear,
      attributes: { subject },
    })
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
      return [e?.['member'] ?? []]
        .flat()
        .map(String)
        .filter((d) => d.startsWith('uid='))
        .map((d) => d.slice(4, d.indexOf(',')))
        .sort()
    }
    try {
      fx.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'), lesgroep('en-3b', 'Engels', '3B'))
      const people: Person[] = []
      for (let i = 1; i <= 6; i++)
        people.push({
          ...pupil(`p${i}`, `Kind${i}`, `Achternaam${i}`, '3B'),
          memberships: i % 2 === 0 ? [m('wi-3b'), m('en-3b')] : [m('wi-3b')],
        })
      fx.persons.push(...people)
      await apply(await plan('2026-11-23'))
      assert.deepEqual(await membersOf('Wiskunde 3B'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.deepEqual(await membersOf('Engels 3B'), ['p2', 'p4', 'p6'])
      assert.deepEqual(
        (await plan('2026-11-23')).actions.map(
          (a) => `${a.kind} ${a.person} ${perm(a) ?? ''} ${JSON.stringify(a.changes)}`,
        ),
        [],
        'a second plan against the listing is empty',
      )

      // p4 drops Engels; Wiskunde 3B is renamed
      fx.persons[3] = { ...(fx.persons[3] as Person), memberships: [m('wi-3b')] }
      fx.groups[0] = lesgroep('wi-3b', 'Wiskunde A', '3B')
      const changed = await plan('2026-12-01')
      assert.deepEqual(
        changed.actions.map((a) => `${a.kind} ${a.person}`),
        ['group-update group:2026-2027/wi-3b', 'revoke p4'],
      )
      await apply(changed)
      assert.deepEqual(await membersOf('Engels 3B'), ['p2', 'p6'])
      assert.deepEqual(await membersOf('Wiskunde A 3B'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.equal((await plan('2026-12-01')).actions.length, 0)

      // the turnover
      fx.groups.splice(0, fx.groups.length, lesgroep('wi-4b', 'Wiskunde', '4B', '2027-2028'))
      for (let i = 0; i < fx.persons.length; i++)
        fx.persons[i] = { ...(fx.persons[i] as Person), memberships: [m('wi-4b')] }
      const turnover = await plan('2027-08-01')
      assertTurnoverAwaitsApproval(turnover)
      assert.ok((await approvePlan(fx.engine, turnover.id, 'test')).ok)
      await apply(turnover)
      assert.deepEqual(await membersOf('Wiskunde 4B'), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
      assert.deepEqual(await membersOf('Wiskunde A 3B', archiveDn), [
        'p1',
        'p2',
        'p3',
        'p4',
        'p5',
        'p6',
      ])
      assert.deepEqual(await membersOf('Engels 3B', archiveDn), ['p2', 'p6'])
      assert.equal((await plan('2027-08-01')).actions.length, 0)
    } finally {
      await target.close()
      await fx.cleanup()
    }
  })
})
