// `npm run bench` ends with one table of the goals P1–P7 (issue 17); the table and the child runner it uses.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatGoalTable, runChild } from '../bench/goals-table.ts'
import { planActionCount } from '../bench/plan.bench.ts'

test('the goal table: one row per figure with met, missed or skipped and the load average', () => {
  const text = formatGoalTable([
    {
      id: 'P1',
      measure: 'plan, 100000 persons',
      goal: '≤ 5 s, ≤ 1 GB',
      figure: '7.2 s, 930 MB',
      met: false,
      load: 0.31,
    },
    { id: 'P2', measure: 'no-op run', goal: '≤ 2 s', figure: '1.40 s', met: true, load: 0.2 },
    {
      id: 'P4',
      measure: 'apply into Samba AD',
      goal: '≥ 0.8',
      note: 'samba-tool is not installed',
    },
  ])
  assert.equal(
    text,
    [
      '| # | measure | goal | figure | | load |',
      '| --- | --- | --- | --- | --- | --- |',
      '| P1 | plan, 100000 persons | ≤ 5 s, ≤ 1 GB | 7.2 s, 930 MB | missed | 0.3 |',
      '| P2 | no-op run | ≤ 2 s | 1.40 s | met | 0.2 |',
      '| P4 | apply into Samba AD | ≥ 0.8 | samba-tool is not installed | skipped |  |',
    ].join('\n'),
  )
})

test("runChild reports the child's output, exit code and its own peak RSS", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-goals-'))
  try {
    const script = join(dir, 'big.mjs')
    // holds ~200 MB so that its peak is clearly its own, not the parent's
    writeFileSync(
      script,
      'const b = Buffer.alloc(200 * 1024 * 1024, 1); console.log("held", b.length)\n',
    )
    const f = await runChild(script, [])
    assert.equal(f.exitCode, 0)
    assert.match(f.stdout, /held 209715200/)
    assert.ok(f.peakRssMb > 200 && f.peakRssMb < 1000, String(f.peakRssMb))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("the plan-only bench reads the action count from the plan's first line", () => {
  const out = 'Plan plan-dd5bb0382448 (23429 actions, hash dd5bb03824484e86…)\ntarget  create\n'
  assert.equal(planActionCount(out), 23429)
  assert.equal(planActionCount('Plan plan-0a1b (1 action, hash 0a1b…)'), 1)
  assert.equal(planActionCount('koppel: no such option'), undefined)
})
