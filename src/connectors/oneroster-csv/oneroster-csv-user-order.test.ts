// References to users are looked up by expecting users.csv's order first (oneroster-csv-records.ts): the read
// must not depend on it. roles.csv and demographics.csv in reverse and shuffled order give the same snapshot, and
// a reference to an absent user in the middle is still reported.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { readPackage } from './oneroster-csv-test-package.ts'

const TODAY = '2025-10-01'
const dirs: string[] = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function board(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-user-order-'))
  dirs.push(dir)
  await writeOneRosterCsv(dir, generateBoard({ seed: 'user-order', persons: 300, today: TODAY }), {
    version: '1.2',
  })
  return dir
}

/** Rewrites a file's data rows (header kept) in the order `reorder` gives. */
function reorderRows(dir: string, file: string, reorder: (rows: string[]) => string[]): void {
  const path = join(dir, file)
  const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n')
  writeFileSync(path, [header, ...reorder(rows)].join('\n') + '\n')
}

const everyThird = (rows: string[]) => [
  ...rows.filter((_, i) => i % 3 === 0),
  ...rows.filter((_, i) => i % 3 === 1),
  ...rows.filter((_, i) => i % 3 === 2),
]

test('roles and demographics in any order give the same snapshot', async () => {
  const dir = await board()
  const first = await readPackage(dir, { deltas: false }, TODAY)
  assert.ok(first.ok)
  reorderRows(dir, 'roles.csv', (rows) => rows.reverse())
  reorderRows(dir, 'demographics.csv', everyThird)
  const again = await readPackage(dir, { deltas: false }, TODAY)
  assert.ok(again.ok)
  assert.deepEqual(again.snapshot.persons, first.snapshot.persons)
})

test('a role naming an absent user between two present ones is reported', async () => {
  const dir = await board()
  reorderRows(dir, 'roles.csv', (rows) => {
    const ghost = (rows[1] ?? '').split(',')
    ghost[0] = 'rol-ghost'
    ghost[3] = 'ghost-user'
    return [rows[0] ?? '', ghost.join(','), ...rows.slice(1)]
  })
  const r = await readPackage(dir, { deltas: false }, TODAY)
  assert.equal(r.ok, false)
  const issues = r.ok ? [] : r.issues
  assert.deepEqual(
    issues.map((i) => [i.code, i.file, i.line, i.record, i.field]),
    [['unknown_reference', 'roles.csv', 3, 'rol-ghost', 'userSourcedId']],
  )
})
