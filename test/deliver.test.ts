// Targets that take their state in one piece (TargetConnector.deliver): called after the actions of every
// apply, a failure fails the run, and a plan without actions still retries a failed delivery.
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { ConnectorError, type DeliveryResult } from '../src/contract/index.ts'
import { applyStoredPlan, deliverPending, makePlan } from '../src/engine/index.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

describe('delivering targets', () => {
  test('deliver runs after the actions; its failure fails the run and is retried by a plan with no actions', async () => {
    fx = await engineFixture()
    const calls: number[] = []
    let fail = true
    Object.assign(fx.target, {
      deliver: async (): Promise<DeliveryResult> => {
        calls.push(fx?.target.entries.size ?? -1)
        if (fail)
          throw new ConnectorError('invalid', 'refused: 60% of the persons would be deleted')
        return { outcome: 'delivered', message: 'delivered koppel.xml' }
      },
    })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    const p = await makePlan(fx.engine, { actor: 't', today: '2026-11-23' })
    assert.ok(p.ok)
    const r = await applyStoredPlan(fx.engine, p.plan.id, { actor: 't' })
    assert.ok(r.ok)
    assert.deepEqual(calls, [1], 'deliver is called once, after the create')
    assert.equal(r.report.state, 'failed')
    assert.ok(r.report.messages.some((m) => /dir: delivery failed \(invalid: refused: 60%/.test(m)))
    fail = false
    const quiet = await makePlan(fx.engine, { actor: 't', today: '2026-11-23' })
    assert.ok(quiet.ok && quiet.plan.actions.length === 0)
    const d = await deliverPending(fx.engine, { actor: 't' })
    assert.deepEqual(d, { ok: true, messages: ['dir: delivered koppel.xml'] })
    const events = await fx.engine.store.listAudit({ limit: 5 })
    assert.ok(events.some((e) => e.type === 'delivery.done'))
  })

  test('without delivering targets nothing is delivered', async () => {
    fx = await engineFixture()
    assert.equal(await deliverPending(fx.engine, { actor: 't' }), undefined)
  })
})
