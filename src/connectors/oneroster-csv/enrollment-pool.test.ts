// Enrollment rows with equal values share one record, and the persons one membership per record: a generated
// board's equal memberships are one object (the read and the thread's read), values unchanged; the pool never
// returns a record with other values and stays linear when every row has its own dates.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import type { Membership } from '../../model/index.ts'
import { EnrollmentPool } from './enrollment-pool.ts'
import { readPackage } from './oneroster-csv-test-package.ts'

const TODAY = '2025-10-01'
const dirs: string[] = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('EnrollmentPool', () => {
  test('equal values give the same record; any other value a record of its own', () => {
    const pool = new EnrollmentPool()
    const a = pool.record('c1', 's1', 'student', undefined, '2025-08-01', '2026-07-31')
    assert.equal(pool.record('c1', 's1', 'student', undefined, '2025-08-01', '2026-07-31'), a)
    const others = [
      pool.record('c2', 's1', 'student', undefined, '2025-08-01', '2026-07-31'),
      pool.record('c1', 's2', 'student', undefined, '2025-08-01', '2026-07-31'),
      pool.record('c1', 's1', 'teacher', undefined, '2025-08-01', '2026-07-31'),
      pool.record('c1', 's1', 'student', false, '2025-08-01', '2026-07-31'),
      pool.record('c1', 's1', 'student', undefined, '2025-08-02', '2026-07-31'),
      pool.record('c1', 's1', 'student', undefined, '2025-08-01', ''),
    ]
    assert.equal(new Set([a, ...others]).size, 7)
    assert.deepEqual(others[3], {
      cls: 'c1',
      school: 's1',
      role: 'student',
      primary: false,
      begin: '2025-08-01',
      end: '2026-07-31',
    })
  })

  test('a class with more variants than are compared still gets records with its values', () => {
    const pool = new EnrollmentPool()
    for (let d = 1; d <= 60; d++) {
      const begin = `2025-08-${String((d % 28) + 1).padStart(2, '0')}`
      const end = `2026-${String((d % 12) + 1).padStart(2, '0')}-01`
      const e = pool.record('c1', 's1', 'student', undefined, begin, end)
      assert.equal(e.begin, begin)
      assert.equal(e.end, end)
    }
  })
})

describe('memberships of a read are shared among persons', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-enrollment-pool-'))
  dirs.push(dir)
  await writeOneRosterCsv(dir, generateBoard({ seed: 'pool', persons: 400, today: TODAY }), {
    version: '1.2',
  })

  for (const parseThread of ['never', 'always'] as const) {
    test(`equal memberships are one object (parseThread ${parseThread})`, async () => {
      const r = await readPackage(dir, { parseThread, deltas: false }, TODAY)
      assert.ok(r.ok)
      const all = r.snapshot.persons.flatMap((p) => p.memberships)
      const byValue = new Map<string, Membership>()
      let shared = 0
      for (const m of all) {
        const key = JSON.stringify(m)
        const first = byValue.get(key)
        if (first === undefined) byValue.set(key, m)
        else {
          assert.equal(m, first, `two objects for ${key}`)
          shared++
        }
      }
      assert.ok(shared > all.length / 2, `${shared} of ${all.length} memberships shared`)
    })
  }
})
