import assert from 'node:assert/strict'
import { test } from 'node:test'
import { selfTimes } from '../bench/cpuprofile-summary.ts'

test('self time per function: samples weighted by their time deltas, largest first, named with file and line', () => {
  const frame = (functionName: string, url: string, lineNumber: number) => ({
    functionName,
    url,
    lineNumber,
  })
  const { spanMs, rows } = selfTimes({
    nodes: [
      { id: 1, callFrame: frame('(root)', '', -1) },
      { id: 2, callFrame: frame('tokenize', 'file:///k/src/csv.ts', 9) },
      { id: 3, callFrame: frame('(garbage collector)', '', -1) },
      { id: 4, callFrame: frame('', 'file:///k/src/plan.ts', 0) },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 3, 2, 4, 2],
    timeDeltas: [1000, 2000, 3000, 500, 1000],
  })
  assert.equal(spanMs, 10)
  assert.deepEqual(rows, [
    ['tokenize · csv.ts:10', 5],
    ['(garbage collector)', 2],
    ['(anonymous) · plan.ts:1', 0.5],
  ])
})
