import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { applyChurn, boardIntegrityProblems, collectBoard, generateBoard } from './index.ts'

const today = '2026-11-23'
const base = generateBoard({ seed: 'churn', persons: 3000, today })
const before = collectBoard(base)
const next = applyChurn(base, {
  seed: 'day2',
  today: '2026-11-24',
  movers: 40,
  leavers: 0.01,
  joiners: 25,
})
const after = collectBoard(next)
const byId = <T extends { id: string }>(list: readonly T[]) => new Map(list.map((x) => [x.id, x]))

describe('applyChurn', () => {
  test('removes exactly the leavers, with their enrolments and orphaned guardians', () => {
    const now = byId(after.pupils)
    const gone = before.pupils.filter((p) => !now.has(p.id))
    assert.equal(gone.length, Math.round(0.01 * 2400))
    const goneIds = new Set(gone.map((p) => p.id))
    assert.ok(after.enrolments.every((e) => !goneIds.has(e.personId)))
    assert.ok(
      after.guardians.every((g) => g.childIds.length > 0 && g.childIds.every((c) => now.has(c))),
    )
    const orphaned = before.guardians.filter((g) => g.childIds.every((c) => goneIds.has(c)))
    assert.equal(
      after.guardians.filter((g) => byId(before.guardians).has(g.id)).length,
      before.guardians.length - orphaned.length,
    )
  })

  test('adds exactly the joiners, numbered after the last pupil, starting today', () => {
    const old = byId(before.pupils)
    const joined = after.pupils.filter((p) => !old.has(p.id))
    assert.equal(joined.length, 25)
    assert.deepEqual(
      joined.map((p) => Number(p.number)).sort((a, b) => a - b),
      Array.from({ length: 25 }, (_, i) => base.nextPupilNumber + i),
    )
    const ids = new Set(joined.map((p) => p.id))
    const theirs = after.enrolments.filter((e) => ids.has(e.personId))
    assert.ok(theirs.length >= 25 * 5)
    assert.ok(theirs.every((e) => e.beginDate === '2026-11-24' && e.endDate === ''))
    assert.equal(next.nextPupilNumber, base.nextPupilNumber + 25)
  })

  test('moves exactly the movers to another stamgroep, keeping their other data', () => {
    const old = byId(before.pupils)
    const moved = after.pupils.filter(
      (p) => old.has(p.id) && old.get(p.id)?.stamgroepId !== p.stamgroepId,
    )
    assert.equal(moved.length, 40)
    const groups = byId(after.groups)
    for (const p of moved) {
      const was = old.get(p.id)!
      assert.equal(p.number, was.number)
      assert.equal(p.givenName, was.givenName)
      const mine = after.enrolments.filter((e) => e.personId === p.id)
      const stamgroepen = mine.filter((e) => groups.get(e.groupId)?.kind === 'stamgroep')
      assert.deepEqual(
        stamgroepen.map((e) => e.groupId),
        [p.stamgroepId],
      )
      assert.equal(stamgroepen[0]?.beginDate, '2026-11-24')
      assert.ok(mine.every((e) => e.locationId === p.locationId))
    }
    assert.ok(
      moved.some((p) => p.locationId !== old.get(p.id)?.locationId),
      'some movers change location',
    )
  })

  test('leaves everyone else and all staff untouched', () => {
    const now = byId(after.pupils)
    const unchanged = before.pupils.filter(
      (p) => JSON.stringify(now.get(p.id)) === JSON.stringify(p),
    )
    assert.equal(unchanged.length, 2400 - 24 - 40)
    assert.deepEqual(after.staff, before.staff)
    assert.deepEqual(after.groups, before.groups)
    assert.deepEqual(boardIntegrityProblems(after), [])
    assert.equal(next.totals.pupils, after.pupils.length)
  })

  test('is deterministic and can be chained', () => {
    const again = collectBoard(
      applyChurn(base, {
        seed: 'day2',
        today: '2026-11-24',
        movers: 40,
        leavers: 0.01,
        joiners: 25,
      }),
    )
    assert.equal(JSON.stringify(again), JSON.stringify(after))
    const third = collectBoard(applyChurn(next, { seed: 'day3', today: '2026-11-25', leavers: 10 }))
    assert.equal(third.pupils.length, after.pupils.length - 10)
    assert.deepEqual(boardIntegrityProblems(third), [])
  })

  test('rejects impossible requests with a clear error', () => {
    assert.throws(() => applyChurn(base, { seed: 1, today: '2026-11-01' }), /before the board's/)
    assert.throws(
      () => applyChurn(base, { seed: 1, today: '2027-08-01' }),
      /past school year 2026-2027/,
    )
    assert.throws(
      () => applyChurn(base, { seed: 1, today, leavers: 2000, movers: 1000 }),
      /exceed the 2400 pupils/,
    )
    assert.throws(() => applyChurn(base, { seed: 1, today, joiners: 1.5 }), /churn joiners must be/)
  })
})
