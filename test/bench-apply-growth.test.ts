// The flatness figure of the P4 rows (bench/apply-growth.ts): the last tenth's rate against the first's, from
// the creates' completion times, with the connector's other methods still its own.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { growthOf, timedCreates } from '../bench/apply-growth.ts'
import type { EngineTarget } from '../src/engine/index.ts'

test('growth: a steady apply is 1, one that halves its pace in the last tenth is 0.5', () => {
  const steady = Array.from({ length: 100 }, (_, i) => (i + 1) * 10)
  assert.equal(growthOf(steady).flatness, 1)
  // 90 creates at 10 ms each, the last 10 at 20 ms each
  const slowing = [
    ...Array.from({ length: 90 }, (_, i) => (i + 1) * 10),
    ...Array.from({ length: 10 }, (_, i) => 900 + (i + 1) * 20),
  ]
  const g = growthOf(slowing)
  assert.equal(g.first, 100)
  assert.equal(g.last, 50)
  assert.equal(g.flatness, 0.5)
  assert.throws(() => growthOf([1, 2, 3]), /too few/)
})

test('timedCreates times the creates and leaves the connector its own methods', async () => {
  class Connector {
    readonly #made: string[] = []
    async create(r: { attributes: { uid: string } }) {
      this.#made.push(r.attributes.uid)
      return { outcome: 'created' }
    }
    made() {
      return this.#made
    }
  }
  const connector = new Connector()
  const timed = timedCreates({ name: 'dir', connector } as unknown as EngineTarget)
  const c = timed.target.connector as unknown as Connector
  for (let i = 0; i < 20; i++) await c.create({ attributes: { uid: `u${i}` } })
  assert.equal(c.made().length, 20, 'a method reading #private fields works through the wrapper')
  const g = timed.growth()
  assert.ok(g.first > 0 && g.last > 0 && Number.isFinite(g.flatness), JSON.stringify(g))
})
