// `runPerson` (`koppel run --person`) on a real engine (SQLite store, memory target, injected clock): the plan
// holds only the named person's actions, the guard still judges it, and the audit names person, actor and reason.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { applyStoredPlan, makePlan, runPerson } from '../src/engine/index.ts'
import { isPermissionAction } from '../src/model/index.ts'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'
import { lesgroep, member, membershipRules } from './support/lesson-groups.ts'
import { MemoryGroupTarget } from './support/memory-group-target.ts'

let f: Fixture | undefined
afterEach(async () => {
  await f?.cleanup()
  f = undefined
})

async function planAndApply(fx: Fixture): Promise<void> {
  const r = await makePlan(fx.engine, { actor: 'test' })
  assert.ok(r.ok)
  const applied = await applyStoredPlan(fx.engine, r.plan.id, { actor: 'test' })
  assert.ok(applied.ok, applied.ok ? '' : applied.message)
}

describe('runPerson', () => {
  test('applies only that person: a class change for one pupil, the other two joiners wait for the full run', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Zoë', 'Jansen', 'H3a'))
    await planAndApply(f)
    f.persons[0] = pupil('p1', 'Zoë', 'Jansen', 'H3b')
    f.persons.push(pupil('p2', 'Bram', 'Visser', 'H3a'), pupil('p3', 'Noor', 'Smit', 'H3a'))

    const r = await runPerson(f.engine, 'zoe jansen', { actor: 'cli:admin', reason: 'ticket 4711' })
    assert.equal(r.kind, 'applied', JSON.stringify(r))
    const { plan, report } = r as Extract<typeof r, { kind: 'applied' }>
    assert.deepEqual(
      plan.actions.map((a) => [a.person, a.kind, isPermissionAction(a) ? a.permission : undefined]),
      [
        ['p1', 'grant', 'cn=H3b,ou=groups'],
        ['p1', 'revoke', 'cn=H3a,ou=groups'],
      ],
    )
    assert.equal(plan.inputs['scope'], 'person:p1')
    assert.equal(report.state, 'done')
    assert.equal(f.target.entries.size, 1, 'the joiners were not created')
    const [zoe] = [...f.target.entries.values()]
    assert.deepEqual([...(zoe?.permissions ?? [])], ['cn=H3b,ou=groups'])

    const [event] = await f.engine.store.listAudit({
      planId: plan.id,
      kind: 'plan.created',
      limit: 1,
    })
    assert.equal(event?.actor, 'cli:admin')
    assert.equal(event?.person, 'p1')
    assert.equal(event?.data?.['reason'], 'ticket 4711')
    assert.equal(event?.data?.['scope'], 'person')

    // the full run afterwards creates the two joiners and has nothing left for Zoë
    const full = await makePlan(f.engine, { actor: 'test' })
    assert.ok(full.ok)
    assert.deepEqual([...new Set(full.plan.actions.map((a) => a.person))], ['p2', 'p3'])
  })

  test('the guard still applies: a leaver disable over the limit blocks the one-person plan, nothing is applied', async () => {
    f = await engineFixture({ guard: { disable: { maxCount: 0 } } })
    f.persons.push(
      pupil('p1', 'Anna', 'de Wit', 'H2a', { end: '2026-12-01' }),
      pupil('p2', 'Bram', 'Visser', 'H3a'),
    )
    await planAndApply(f)
    f.clock.today = '2026-12-02'
    const r = await runPerson(f.engine, 'p1', { actor: 'cli:admin' })
    assert.equal(r.kind, 'blocked')
    const plan = (r as Extract<typeof r, { kind: 'blocked' }>).plan
    assert.deepEqual(
      plan.actions.map((a) => [a.person, a.kind]),
      [
        ['p1', 'disable'],
        ['p1', 'revoke'],
      ],
    )
    assert.equal(plan.status, 'blocked')
    assert.ok(
      [...f.target.entries.values()].every((e) => e.enabled),
      'nothing was disabled',
    )
  })

  test('a name that matches two persons or nobody plans nothing and names the candidates', async () => {
    f = await engineFixture()
    f.persons.push(pupil('p1', 'Jan', 'de Vries', 'H3a'), pupil('p2', 'Jan', 'Vries', 'H3b'))
    const two = await runPerson(f.engine, 'jan', { actor: 'cli:admin' })
    assert.equal(two.kind, 'not-planned')
    const t = two as Extract<typeof two, { kind: 'not-planned' }>
    assert.deepEqual(
      t.candidates.map((c) => c.key),
      ['p1', 'p2'],
    )
    assert.equal(t.issues[0]?.code, 'person_ambiguous')
    const none = await runPerson(f.engine, 'nobody', { actor: 'cli:admin' })
    assert.equal(none.kind, 'not-planned')
    assert.equal(
      (none as Extract<typeof none, { kind: 'not-planned' }>).issues[0]?.code,
      'person_not_found',
    )
    assert.equal(f.target.calls.filter((c) => c.op === 'create').length, 0)
    assert.deepEqual(await f.engine.store.listPlans(5), [], 'no plan stored')
  })

  test('a person who joins a brand-new group: the scoped plan creates that group (and no other) before the grant', async () => {
    const target = new MemoryGroupTarget('dir')
    const fx = await engineFixture({
      target,
      rules: membershipRules(
        'lesgroepen',
        { rule: 'learners', role: 'member' },
        { rule: 'instructors', role: 'owner' },
      ),
      provisionGroups: [
        {
          name: 'lesgroepen',
          when: 'group.type == "teaching-group"',
          id: DEFAULT_GROUP_ID,
          title: 'group.attributes.subject + " " + group.code',
          type: 'group.type',
          attributes: {},
          deleteAfterDays: null,
        },
      ],
    })
    f = fx as unknown as Fixture
    fx.groups.push(lesgroep('wi-3b', 'Wiskunde', '3B'))
    fx.persons.push(
      { ...pupil('p1', 'Zoë', 'Jansen', '3B'), memberships: [member('wi-3b')] },
      { ...pupil('p2', 'Bram', 'Visser', '3B'), memberships: [member('wi-3b')] },
    )
    const first = await makePlan(fx.engine, { actor: 'test' })
    assert.ok(first.ok)
    assert.ok((await applyStoredPlan(fx.engine, first.plan.id, { actor: 'test' })).ok)

    // two new groups: Zoë joins Frans, Bram joins Duits; only Zoë is run now
    fx.groups.push(lesgroep('fa-3b', 'Frans', '3B'), lesgroep('du-3b', 'Duits', '3B'))
    fx.persons[0] = {
      ...pupil('p1', 'Zoë', 'Jansen', '3B'),
      memberships: [member('wi-3b'), member('fa-3b')],
    }
    fx.persons[1] = {
      ...pupil('p2', 'Bram', 'Visser', '3B'),
      memberships: [member('wi-3b'), member('du-3b')],
    }
    const r = await runPerson(fx.engine, 'p1', { actor: 'cli:admin' })
    assert.equal(r.kind, 'applied', JSON.stringify(r))
    const { plan, report } = r as Extract<typeof r, { kind: 'applied' }>
    assert.deepEqual(
      plan.actions.map((a) => `${a.kind} ${'group' in a ? a.group.key : a.person}`),
      ['group-create 2026-2027/fa-3b', 'grant p1'],
    )
    assert.equal(report.state, 'done', JSON.stringify(report.failures))
    const frans = target.byTitle('Frans 3B')
    assert.ok(frans !== undefined, 'the group was made in the target')
    assert.deepEqual(target.membersOf(frans), ['p1'])
    assert.equal(target.byTitle('Duits 3B'), undefined, "Bram's new group waits for the full run")
  })
})
