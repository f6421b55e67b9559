import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Rng, weightedTable } from './prng.ts'
import { addDays, dateBetween, schoolYearFor } from './school-dates.ts'
import { asciiSlug } from './dutch-names.ts'
import { allocate } from './board-plan.ts'

describe('Rng', () => {
  test('repeats a stream for the same seed parts and differs otherwise', () => {
    const draw = (r: Rng) => Array.from({ length: 5 }, () => r.uint32())
    assert.deepEqual(draw(new Rng('a', 1)), draw(new Rng('a', 1)))
    assert.notDeepEqual(draw(new Rng('a', 1)), draw(new Rng('a', 2)))
    assert.notDeepEqual(draw(new Rng('a1')), draw(new Rng('a', 1)))
  })

  test('stays in range and follows weights', () => {
    const r = new Rng('range')
    const counts = [0, 0, 0]
    const table = weightedTable([
      [0, 1],
      [1, 2],
      [2, 7],
    ] as const)
    for (let i = 0; i < 20_000; i++) {
      const x = r.next()
      assert.ok(x >= 0 && x < 1)
      counts[r.weighted(table)]!++
    }
    assert.ok(Math.abs(counts[2]! / 20_000 - 0.7) < 0.02, `weights ${counts.join('/')}`)
    assert.ok(Math.abs(counts[0]! / 20_000 - 0.1) < 0.02, `weights ${counts.join('/')}`)
    assert.throws(() => weightedTable([['x', 0]]), /weight must be positive/)
  })

  test('makes version-4-shaped UUIDs and samples without repeats', () => {
    const r = new Rng('uuid')
    const ids = Array.from({ length: 1000 }, () => r.uuid())
    assert.ok(
      ids.every((id) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id),
      ),
      ids[0],
    )
    assert.equal(new Set(ids).size, 1000)
    const s = r.sample([1, 2, 3, 4, 5, 6], 4)
    assert.equal(new Set(s).size, 4)
  })
})

describe('helpers', () => {
  test('school years run 1 August to 1 August (exclusive)', () => {
    assert.equal(schoolYearFor('2026-08-01').title, '2026-2027')
    assert.equal(schoolYearFor('2027-07-31').title, '2026-2027')
    const y = schoolYearFor('2027-01-15')
    assert.equal(y.terms[0]?.startDate, y.startDate)
    assert.equal(y.terms.at(-1)?.endDate, y.endDate)
    assert.equal(addDays('2024-02-28', 1), '2024-02-29')
    const r = new Rng('dates')
    for (let i = 0; i < 100; i++) {
      const d = dateBetween(r, '2026-08-01', '2026-08-05')
      assert.ok(d >= '2026-08-01' && d < '2026-08-05')
    }
  })

  test('e-mail slugs drop diacritics and punctuation', () => {
    assert.equal(asciiSlug("van 't Özdemir-Çelik"), 'vantozdemircelik')
    assert.equal(asciiSlug('Ødegård Yılmaz'), 'odegardyilmaz')
  })

  test('allocate splits exactly', () => {
    assert.deepEqual(allocate(10, [1, 1, 1]), [4, 3, 3])
    assert.equal(
      allocate(1001, [0.3, 1.7, 2.2, 0.9]).reduce((a, b) => a + b),
      1001,
    )
  })
})
