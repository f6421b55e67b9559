// `koppel revert` of a run that deleted a pupil in itslearning (IMS Enterprise Services, against the simulator):
// itslearning has no disabled state, its delete moves the user to the trash can, and a create with the same sync
// key restores that user (developer.itslearning.com Deleting_Users.html) — the revert's create does exactly that.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  startItslearningEsSimulator,
  type ItslearningEsSimulator,
} from '@koppel/sim/itslearning-es'
import { imsEsOptionsSchema, ImsEsTarget } from '../src/connectors/itslearning/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import { applyStoredPlan, makePlan, revertRun, type Engine } from '../src/engine/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import { compileMapping, compileRules } from '../src/rules/index.ts'
import { openStore, type Store } from '../src/store/index.ts'
import { pupil } from './support/engine-fixture.ts'
import { testClock } from './support/test-clock.ts'

describe('revert of an itslearning delete: restored from the trash can', () => {
  let sim: ItslearningEsSimulator
  let store: Store
  let dir: string
  let engine: Engine
  const persons: Person[] = []
  const clock = testClock('2026-11-23')

  before(async () => {
    sim = await startItslearningEsSimulator({ username: 'koppel-school', password: 'pw-es' })
    dir = mkdtempSync(join(tmpdir(), 'koppel-es-revert-'))
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
    const options = imsEsOptionsSchema.parse({
      url: sim.url,
      username: 'koppel-school',
      password: '${env:KOPPEL_TEST_ES}',
      batchWaitMs: 5,
    })
    const connector = new ImsEsTarget(
      'itslearning',
      { ...options, password: 'pw-es' },
      { baseDir: dir, log: () => {}, now: clock.now },
    )
    engine = {
      now: clock.now,
      store,
      sources: [
        { connector: source, safety: { maxShrinkPercent: 100, baselineDays: 7, allowEmpty: true } },
      ],
      setup: {
        targets: [
          {
            name: 'itslearning',
            connector,
            anchorAttribute: 'syncPersonKey',
            mapping: compileMapping('itslearning', {
              syncPersonKey: 'person.key',
              userId: {
                candidates: ['slug(person.givenName) + "." + slug(familyName(person))'],
                unique: true,
                once: true,
              },
              givenName: 'person.givenName',
              familyName: 'familyName(person)',
              institutionRole: 'contract.role',
            }),
            anchorMapping: compileMapping('itslearning', { syncPersonKey: 'person.key' }),
            // IMS ES cannot disable: a leaver is deleted (to the trash can) at once
            lifecycle: {
              provisionDaysBefore: 14,
              disableAfterDays: 0,
              deleteAfterDays: 0,
              holds: [],
            },
            guard: {},
            apply: { concurrency: 4, retries: 2, backoffMs: 1, maxBackoffMs: 5 },
          },
        ],
        rules: compileRules([
          {
            name: 'pupils',
            when: 'contract.role == "student"',
            grant: [{ account: 'itslearning' }],
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

  async function planAndApply(): Promise<{ plan: Plan; runId: string }> {
    const r = await makePlan(engine, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues))
    const applied = await applyStoredPlan(engine, r.plan.id, { actor: 'test' })
    assert.ok(applied.ok && applied.report.state === 'done', JSON.stringify(applied))
    return { plan: r.plan, runId: applied.report.runId }
  }

  test('the revert plan creates the user again with the same sync key; itslearning restores it from the trash can', async () => {
    persons.push(pupil('p1', 'Anna', 'Wit', 'H2a'), pupil('p2', 'Bram', 'Visser', 'H3b'))
    await planAndApply()
    persons.splice(0, 1)
    clock.today = '2026-11-24'
    const gone = await planAndApply()
    assert.deepEqual(
      gone.plan.actions.map((a) => [a.person, a.kind]),
      [['p1', 'delete']],
    )
    assert.equal(sim.persons.get('p1')?.deleted, true, 'in the trash can')

    const revert = await revertRun(engine, gone.runId, {
      actor: 'cli:admin',
      reason: 'export was wrong',
    })
    assert.ok(revert.ok, revert.ok ? '' : revert.message)
    assert.deepEqual(
      revert.plan.actions.map((a) => [a.person, a.kind]),
      [['p1', 'create']],
      'no disable: itslearning has no disabled state',
    )
    const applied = await applyStoredPlan(engine, revert.plan.id, { actor: 'cli:admin' })
    assert.ok(applied.ok && applied.report.state === 'done', JSON.stringify(applied))
    const anna = sim.persons.get('p1')
    assert.equal(anna?.deleted, false)
    assert.equal(anna?.restored, 1, 'restored from the trash can, not made anew')
    assert.equal(anna?.fields['userId'], 'anna.wit')
    assert.equal((await store.getAccount('itslearning', 'p1'))?.state, 'active')
  })
})
