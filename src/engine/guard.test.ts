import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Account, Action } from '../model/index.ts'
import type { EngineTarget } from './engine-types.ts'
import { DEFAULT_GUARD } from '../config/guard-schema.ts'
import { guard } from './guard.ts'

const target = (g: EngineTarget['guard']): EngineTarget =>
  ({ name: 'dir', guard: g }) as unknown as EngineTarget
const actions = (kind: Action['kind'], n: number): Action[] =>
  Array.from(
    { length: n },
    (_, i) =>
      ({
        kind,
        id: `dir/p${i}/${kind}`,
        target: 'dir',
        person: `p${i}`,
        label: `P ${i}`,
        changes: [],
        reason: { change: 'leaver', detail: 'x' },
      }) as Action,
  )
const ledger = (n: number): Map<string, Account[]> =>
  new Map([
    [
      'dir',
      Array.from(
        { length: n },
        (_, i) =>
          ({
            kind: 'account',
            target: 'dir',
            person: `p${i}`,
            targetId: `${i}`,
            locator: `${i}`,
            state: 'active',
            attributes: {},
            permissions: [],
            createdAt: '',
            updatedAt: '',
          }) as Account,
      ),
    ],
  ])

describe('guard', () => {
  test('blocks more than maxPercent of the managed accounts', () => {
    const f = guard(
      actions('disable', 11),
      [target({ disable: { maxCount: 50, maxPercent: 10 } })],
      ledger(100),
    )
    assert.equal(f.length, 1)
    assert.equal(f[0]?.kind, 'disable')
    assert.match(f[0]?.message ?? '', /11 disable actions are 11\.0% of the 100 accounts/)
  })
  test('lets exactly the limit through', () => {
    assert.deepEqual(
      guard(
        actions('disable', 10),
        [target({ disable: { maxCount: 50, maxPercent: 10 } })],
        ledger(100),
      ),
      [],
    )
  })
  test('blocks more than maxCount even when the percentage is low', () => {
    const f = guard(
      actions('delete', 51),
      [target({ delete: { maxCount: 50, maxPercent: 10 } })],
      ledger(10_000),
    )
    assert.equal(f[0]?.limit, 'maxCount 50')
  })
  test('a kind without a limit, or with off, is not guarded', () => {
    assert.deepEqual(
      guard(actions('create', 1000), [target({ create: { off: true, maxCount: 1 } })], ledger(0)),
      [],
    )
    assert.deepEqual(guard(actions('create', 1000), [target({})], ledger(0)), [])
  })
  test('percentages need a base: a first run with an empty ledger is judged by count only', () => {
    assert.deepEqual(
      guard(actions('update', 5), [target({ update: { maxPercent: 1 } })], ledger(0)),
      [],
    )
  })
  test('by default, re-creating every account of a filled ledger is blocked; the first load is not', () => {
    // a changed baseDn: every account looks missing and would be created again beside the old ones
    const f = guard(actions('create', 2200), [target(DEFAULT_GUARD)], ledger(2200))
    assert.equal(f[0]?.kind, 'create')
    assert.match(f[0]?.message ?? '', /2200 create actions are 100\.0% of the 2200 accounts/)
    assert.deepEqual(guard(actions('create', 2200), [target(DEFAULT_GUARD)], ledger(0)), [])
    assert.deepEqual(
      guard(actions('create', 20), [target(DEFAULT_GUARD)], ledger(2200)),
      [],
      'a normal intake passes',
    )
    // percentages of a small ledger: a class of 30 joining a board of 40, or the rest of a first load cut short
    assert.deepEqual(
      guard(actions('create', 30), [target(DEFAULT_GUARD)], ledger(40)),
      [],
      'below 50 creates no percentage',
    )
    assert.deepEqual(guard(actions('create', 20), [target(DEFAULT_GUARD)], ledger(4)), [])
    assert.equal(
      guard(actions('create', 60), [target(DEFAULT_GUARD)], ledger(100))[0]?.limit,
      'maxPercent 25',
    )
  })
})
