// The Entra ID connector inside the real engine (rules, plan, guard, apply, SQLite ledger) against the Graph
// simulator: joiners get a user, their class group and a licence; a second plan is empty; a leaver is disabled,
// then deleted after the grace period; a returner within Entra's 30 days gets the same object back.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  applyStoredPlan,
  makePlan,
  revertRun,
  type Engine,
  type EngineTarget,
} from '../src/engine/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import { compileMapping, compileRules } from '../src/rules/index.ts'
import { openStore, type Store } from '../src/store/index.ts'
import { startEntraSim, type EntraSim } from '@koppel/sim/entra'
import { pupil } from './support/engine-fixture.ts'
import { testClock } from './support/test-clock.ts'
import { entraTarget, SKU_A1_STUDENT } from '../src/connectors/entra/entra-fixture.ts'

const GROUP_3A = '00000000-0000-4000-8000-0000000003a0'
const GROUP_3B = '00000000-0000-4000-8000-0000000003b0'

describe('engine with the entra-id target', () => {
  let sim: EntraSim
  let store: Store
  let dir: string
  let engine: Engine
  const persons: Person[] = []
  const clock = testClock('2026-11-23')

  before(async () => {
    sim = await startEntraSim({
      skus: { [SKU_A1_STUDENT]: 'STANDARDWOFFPACK_STUDENT' },
      domains: ['school.test'],
    })
    sim.addGroup('Klas 3A', GROUP_3A)
    sim.addGroup('Klas 3B', GROUP_3B)
    dir = mkdtempSync(join(tmpdir(), 'koppel-entra-'))
    store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
    const source: SourceConnector = {
      name: 'school',
      type: 'test',
      capabilities: { delta: false, writeBack: false },
      read: async () => ({
        ok: true,
        snapshot: {
          kind: 'snapshot',
          source: 'school',
          mode: 'full',
          takenAt: '2026-11-23T00:00:00Z',
          persons: [...persons],
          groups: [],
          removed: [],
          warnings: [],
        },
      }),
    }
    const target: EngineTarget = {
      name: 'entra',
      connector: entraTarget(sim, {
        usageLocation: 'NL',
        licences: { 'a1-student': SKU_A1_STUDENT },
      }),
      anchorAttribute: 'employeeId',
      mapping: compileMapping('entra', {
        employeeId: 'person.key',
        userPrincipalName: {
          candidates: ['slug(person.givenName) + "." + slug(familyName(person)) + "@school.test"'],
          unique: true,
          once: true,
          lowercase: true,
        },
        displayName: 'fullName(person)',
        givenName: 'person.givenName',
        surname: 'familyName(person)',
      }),
      anchorMapping: compileMapping('entra', { employeeId: 'person.key' }),
      lifecycle: { provisionDaysBefore: 14, disableAfterDays: 0, deleteAfterDays: 30, holds: [] },
      guard: {},
      apply: { concurrency: 8, retries: 3, backoffMs: 1, maxBackoffMs: 5 },
    }
    const classGroup = `contract.classGroup == "3A" ? "${GROUP_3A}" : "${GROUP_3B}"`
    engine = {
      now: clock.now,
      store,
      sources: [
        { connector: source, safety: { maxShrinkPercent: 100, baselineDays: 7, allowEmpty: true } },
      ],
      setup: {
        targets: [target],
        rules: compileRules([
          {
            name: 'pupils',
            when: 'contract.role == "student"',
            grant: [
              { account: 'entra' },
              { permission: { target: 'entra', type: 'group', id: classGroup } },
              { permission: { target: 'entra', type: 'licence', id: '"a1-student"' } },
            ],
          },
        ]),
        primaryContract: ['employment', 'enrolment'],
        configHash: 'test',
      },
    }
  })
  after(async () => {
    await store?.close()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function plan(today: string): Promise<Plan> {
    clock.today = today
    const r = await makePlan(engine, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues))
    return r.plan
  }
  async function apply(p: Plan) {
    const r = await applyStoredPlan(engine, p.id, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    assert.equal(r.report.state, 'done', JSON.stringify(r.report))
    return r.report
  }
  const live = () => [...sim.users.values()].filter((u) => u.deletedAt === undefined)
  const byKey = (key: string) => [...sim.users.values()].find((u) => u.props.employeeId === key)

  test('joiners, no-op, leaver disabled then deleted, returner restored with the same object', async () => {
    persons.push(
      pupil('p1', 'Jan', 'Vries', '3A', {}, 'de'),
      pupil('p2', 'Özlem', 'Çelik', '3B'),
      pupil('p3', 'Noah', 'Bakker', '3A'),
    )
    const p1 = await plan('2026-11-23')
    assert.deepEqual(p1.actions.map((a) => a.kind).sort(), [
      'create',
      'create',
      'create',
      'grant',
      'grant',
      'grant',
      'grant',
      'grant',
      'grant',
    ])
    await apply(p1)
    assert.equal(live().length, 3)
    const jan = byKey('p1')
    assert.equal(jan?.props.userPrincipalName, 'jan.devries@school.test')
    assert.equal(jan?.props.usageLocation, 'NL')
    assert.deepEqual(
      jan?.licenses.map((l) => l.skuId),
      [SKU_A1_STUDENT],
    )
    assert.deepEqual(
      [...(sim.groups.get(GROUP_3A)?.members ?? [])].sort(),
      [byKey('p1')?.id, byKey('p3')?.id].sort(),
    )

    const again = await plan('2026-11-23')
    assert.equal(
      again.actions.length,
      0,
      JSON.stringify(again.actions.map((a) => [a.kind, a.person, a.changes])),
    )

    persons.splice(
      persons.findIndex((p) => p.key === 'p3'),
      1,
    )
    const leave = await plan('2026-11-24')
    assert.deepEqual(
      leave.actions.map((a) => a.kind),
      ['disable', 'revoke'],
    )
    await apply(leave)
    assert.equal(byKey('p3')?.props.accountEnabled, false)
    assert.equal(
      sim.groups.get(GROUP_3A)?.members.has(String(byKey('p3')?.id)),
      false,
      'a disabled account keeps no groups',
    )
    assert.deepEqual(
      byKey('p3')?.licenses.map((l) => l.skuId),
      [SKU_A1_STUDENT],
      'licences stay until the delete',
    )

    const gone = await plan('2026-12-25')
    assert.deepEqual(
      gone.actions.map((a) => a.kind),
      ['delete'],
    )
    await apply(gone)
    const noah = byKey('p3')
    assert.ok(noah?.deletedAt !== undefined, 'in deleted items')

    persons.push(pupil('p3', 'Noah', 'Bakker', '3B'))
    const back = await plan('2026-12-28')
    assert.ok(
      back.actions.some((a) => a.kind === 'create'),
      JSON.stringify(back.actions.map((a) => a.kind)),
    )
    await apply(back)
    const restored = byKey('p3')
    assert.equal(restored?.id, noah?.id, 'the same Entra object is back')
    assert.equal(restored?.deletedAt, undefined)
    assert.equal(restored?.props.accountEnabled, true)
    assert.equal(sim.groups.get(GROUP_3B)?.members.has(String(restored?.id)), true)
    assert.equal(
      sim.groups.get(GROUP_3A)?.members.has(String(restored?.id)),
      false,
      'the old class group the restore brought back is removed',
    )
    assert.deepEqual(
      restored?.licenses.map((l) => l.skuId),
      [SKU_A1_STUDENT],
    )
    assert.equal((await plan('2026-12-28')).actions.length, 0)
    assert.equal(live().filter((u) => u.props.employeeId === 'p3').length, 1)
  })

  test('revert of a run that deleted a user: the same object comes back from deleted items, disabled as it was', async () => {
    persons.splice(
      persons.findIndex((p) => p.key === 'p2'),
      1,
    )
    await apply(await plan('2026-12-29'))
    const gone = await plan('2027-01-28')
    assert.deepEqual(
      gone.actions.map((a) => [a.person, a.kind]),
      [['p2', 'delete']],
    )
    const run = await apply(gone)
    const ozlem = byKey('p2')
    assert.ok(ozlem?.deletedAt !== undefined)

    const revert = await revertRun(engine, run.runId, {
      actor: 'cli:admin',
      reason: 'deleted too early',
    })
    assert.ok(revert.ok, revert.ok ? '' : revert.message)
    assert.deepEqual(
      revert.plan.actions.map((a) => [a.person, a.kind, a.reason.change]),
      [
        ['p2', 'create', 'revert'],
        ['p2', 'disable', 'revert'],
      ],
    )
    await apply(revert.plan)
    const back = byKey('p2')
    assert.equal(back?.id, ozlem?.id, 'restored from deleted items: the same Entra object')
    assert.equal(back?.deletedAt, undefined)
    assert.equal(back?.props.accountEnabled, false)
    assert.equal(
      [...sim.users.values()].filter((u) => u.props.employeeId === 'p2').length,
      1,
      'not duplicated',
    )
    assert.equal((await store.getAccount('entra', 'p2'))?.state, 'disabled')
  })
})
