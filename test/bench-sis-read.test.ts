// The P7 rows of `npm run bench` for Magister and Eduarte take the peak RSS of bench/sis-read.bench.ts's process:
// it must be the client's alone, with the simulator (its generated board, the served text) in a process of its own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runChild } from '../bench/goals-table.ts'

for (const system of ['magister', 'eduarte']) {
  test(`the ${system} read bench reads from a simulator in a process of its own`, async () => {
    const f = await runChild('bench/sis-read.bench.ts', ['500', '100', system])
    assert.equal(f.exitCode, 0, f.stdout)
    assert.match(f.stdout, new RegExp(`^${system} .*: \\d+ persons, \\d+ groups in `))
    assert.match(
      f.stdout,
      /client [\d.]+ s CPU, peak RSS \d+ MB; simulator \(own process\) [\d.]+ s CPU, \d+ MB; load /,
    )
    assert.ok(f.peakRssMb > 0, String(f.peakRssMb))
  })
}
