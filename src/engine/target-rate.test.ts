// apply.operationsPerSecond in one process: the apply starts a target's operations no faster than the limit.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Action, Plan } from '../model/index.ts'
import { openStore } from '../store/index.ts'
import { plan as storedPlan } from '../store/store-fixtures.ts'
import { MemoryTarget } from '../../test/support/memory-target.ts'
import { applyPlan } from './apply-plan.ts'
import type { EngineTarget } from './engine-types.ts'

const create = (person: string): Action => ({
  id: `dir/${person}/create`,
  target: 'dir',
  person,
  label: person,
  reason: { change: 'joiner', detail: 'test' },
  kind: 'create',
  changes: [{ field: 'employeeNumber', new: person }],
})

test('a target with operationsPerSecond: 10 creates at 20 per second take about half a second', async () => {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' })
  try {
    const connector = new MemoryTarget('dir')
    const starts: number[] = []
    connector.beforeWrite = async () => {
      starts.push(performance.now())
    }
    const target = {
      name: 'dir',
      connector,
      anchorAttribute: 'employeeNumber',
      apply: { concurrency: 8, retries: 0, backoffMs: 1, maxBackoffMs: 1, operationsPerSecond: 20 },
    } as Partial<EngineTarget> as EngineTarget
    const persons = Array.from({ length: 10 }, (_, i) => `p${i}`)
    const plan: Plan = {
      ...storedPlan('plan-rate', '2026-11-23T05:00:00Z', 0),
      actions: persons.map(create),
    }
    await store.savePlan(plan)
    const applied = await applyPlan(plan, {
      store,
      targets: [target],
      runId: 'run-1',
      actor: 'test',
      now: () => new Date('2026-11-23T06:00:00Z'),
    })
    assert.ok(applied.every((r) => r.outcome === 'applied'))
    starts.sort((a, b) => a - b)
    const span = (starts.at(-1) ?? 0) - (starts[0] ?? 0)
    // eight in flight would start all ten at once without the limit
    assert.ok(span >= (9 * 1000) / 20 - 20, `10 operations started within ${span.toFixed(0)} ms`)
  } finally {
    await store.close()
  }
})
