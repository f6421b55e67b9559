import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import type { SourceConnector } from '../src/contract/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Engine } from '../src/engine/index.ts'
import type { Person, Plan, SourceSnapshot } from '../src/model/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

const TODAY = '2026-11-23'
let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

/** The fixture's engine with a delta-capable source that returns the snapshots queued in `reads`, one per read. */
function deltaEngine(f: Fixture, capable = true): { engine: Engine; reads: SourceSnapshot[] } {
  const reads: SourceSnapshot[] = []
  const connector: SourceConnector = {
    name: 'school',
    type: 'test',
    capabilities: { delta: capable, writeBack: false },
    read: async () => {
      const snapshot = reads.shift()
      assert.ok(snapshot !== undefined, 'the test queued no snapshot for this read')
      return { ok: true, snapshot }
    },
  }
  return {
    engine: {
      ...f.engine,
      sources: [
        { connector, safety: { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false } },
      ],
    },
    reads,
  }
}

const snapshot = (
  mode: 'full' | 'delta',
  persons: Person[],
  removed: string[] = [],
): SourceSnapshot => ({
  kind: 'snapshot',
  source: 'school',
  mode,
  takenAt: mode === 'full' ? '2026-11-22T02:00:00Z' : '2026-11-23T02:00:00Z',
  persons,
  groups: [],
  removed,
  warnings: [],
})

const class1A = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Visser', '1A'),
  )
const actions = (p: Plan) => p.actions.map((a) => `${a.kind} ${a.person}`)

async function planned(engine: Engine): Promise<Plan> {
  const r = await makePlan(engine, { actor: 'test', today: TODAY })
  assert.ok(r.ok, r.ok ? '' : r.issues.map((i) => i.message).join('; '))
  return r.plan
}

describe('engine: a delta export applied to the last full set', () => {
  test('a joiner, a tobedeleted leaver and a changed name give exactly create+grant, disable and update', async () => {
    fx = await engineFixture()
    const { engine, reads } = deltaEngine(fx)
    reads.push(snapshot('full', class1A(20)))
    const first = await planned(engine)
    assert.equal(first.actions.filter((a) => a.kind === 'create').length, 20)
    const applied = await applyStoredPlan(engine, first.id, { actor: 'test' })
    assert.ok(applied.ok)

    // the delta carries only what changed: p05's new family name (without its class: only the user row
    // changed), joiner p20, and p07 as tobedeleted
    const smit = pupil('p05', 'Kind5', 'Smit', '1A')
    const renamed: Person = {
      ...smit,
      contracts: smit.contracts.map(({ classGroup: _, ...c }) => c),
    }
    reads.push(snapshot('delta', [renamed, pupil('p20', 'Nieuw', 'Kind', '1A')], ['p07']))
    const p = await planned(engine)
    assert.equal(p.status, 'planned', 'one leaver of 20 passes the source and disable limits')
    assert.deepEqual(actions(p).sort(), [
      'create p20',
      'disable p07',
      'grant p20',
      'revoke p07',
      'update p05',
    ])
    const update = p.actions.find((a) => a.kind === 'update')
    assert.deepEqual(
      update?.changes.map((c) => [c.field, c.new]),
      [['cn', 'Kind5 Smit']],
    )
    assert.equal(p.actions.find((a) => a.kind === 'disable')?.reason.change, 'leaver')

    // the applied set is the base of the next delta: an empty delta changes nothing
    const done = await applyStoredPlan(engine, p.id, { actor: 'test' })
    assert.ok(done.ok)
    reads.push(snapshot('delta', []))
    assert.deepEqual(actions(await planned(engine)), [])
  })

  test('the same full set and delta give a byte-identical plan', async () => {
    const plans: Plan[] = []
    for (let run = 0; run < 2; run++) {
      const f = await engineFixture()
      try {
        const { engine, reads } = deltaEngine(f)
        reads.push(
          snapshot('full', class1A(12)),
          snapshot(
            'delta',
            [pupil('p12', 'Nieuw', 'Kind', '1B'), pupil('p13', 'Ook', 'Nieuw', '1A')],
            ['p03'],
          ),
        )
        await planned(engine)
        plans.push(await planned(engine))
      } finally {
        await f.cleanup()
      }
    }
    assert.equal(plans[0]?.hash, plans[1]?.hash)
    assert.equal(JSON.stringify(plans[0]?.actions), JSON.stringify(plans[1]?.actions))
  })

  test('a delta without a full export before it makes no plan', async () => {
    fx = await engineFixture()
    const { engine, reads } = deltaEngine(fx)
    reads.push(snapshot('delta', [pupil('p1', 'Jan', 'Bos', '1A')]))
    const r = await makePlan(engine, { actor: 'test', today: TODAY })
    assert.equal(r.ok, false)
    assert.equal(r.ok ? '' : r.issues[0]?.code, 'delta_without_base')
    assert.match(
      r.ok ? '' : (r.issues[0]?.message ?? ''),
      /a delta needs a full export first and no export of it has been planned yet/,
    )
    assert.deepEqual(await fx.engine.store.listPlans(5), [])
    const audit = await fx.engine.store.listAudit({ limit: 5 })
    assert.equal(audit[0]?.type, 'source.rejected')
  })

  test('a delta after a full set whose content was not kept (source without delta capability) makes no plan', async () => {
    fx = await engineFixture()
    const full = deltaEngine(fx, false)
    full.reads.push(snapshot('full', class1A(12)))
    await planned(full.engine)
    const before = await fx.engine.store.listPlans(5)
    full.reads.push(snapshot('delta', [pupil('p12', 'Jan', 'Bos', '1A')]))
    const r = await makePlan(full.engine, { actor: 'test', today: TODAY })
    assert.equal(r.ok ? '' : r.issues[0]?.code, 'delta_without_base')
    assert.match(r.ok ? '' : (r.issues[0]?.message ?? ''), /was not kept/)
    assert.equal((await fx.engine.store.listPlans(5)).length, before.length)
  })
})
