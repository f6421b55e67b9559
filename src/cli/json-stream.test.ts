import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import type { Plan, RunReport } from '../model/index.ts'
import { action, plan } from '../store/store-fixtures.ts'
import { indentedJsonPieces, writeJson, writePieces } from './json-stream.ts'
import { planJson, planJsonElement, planJsonEnvelope } from './plan-json.ts'

/** A slow sink with a tiny buffer, so writeJson has to wait for 'drain'. */
function slowSink(): { sink: Writable; text: () => string; drains: () => number } {
  const chunks: Buffer[] = []
  let drains = 0
  const sink = new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk)
      setImmediate(done)
    },
  })
  sink.on('drain', () => drains++)
  return { sink, text: () => Buffer.concat(chunks).toString('utf8'), drains: () => drains }
}

function samplePlan(): Plan {
  const base = plan('plan-abc', '2026-09-01T02:00:00.000Z', 4)
  const [a0, a1, a2, a3] = base.actions as [
    Plan['actions'][number],
    Plan['actions'][number],
    Plan['actions'][number],
    Plan['actions'][number],
  ]
  return {
    ...base,
    actions: [
      a0,
      {
        ...a1,
        kind: 'update',
        account: { targetId: 'g-1', locator: 'uid=x,ou=people' },
        changes: [{ field: 'cn', old: 'Jan', new: 'Jan "J" \n de Vriës' }],
      },
      {
        ...a2,
        kind: 'grant',
        permission: 'cn=H3a',
        permissionType: 'group',
        after: a0.id,
        changes: [],
      },
      { ...a3, label: 'tab\there ✓ \u2028 \u0000' },
      action(9, 'directory'),
    ],
    findings: [
      { target: 'ad', kind: 'delete', count: 9, base: 10, limit: 0.1, message: 'too many' },
    ] as unknown as Plan['findings'],
    issues: [
      { severity: 'error', code: 'mapping', message: 'no "name"\nhere', record: 'p1', field: 'cn' },
    ] as unknown as Plan['issues'],
    notes: [],
    inputs: {},
  }
}

describe('json-stream', () => {
  test('plan --json: streamed bytes are those of JSON.stringify(planJson(plan), null, 2) and a newline', async () => {
    for (const p of [
      samplePlan(),
      plan('plan-empty', '2026-09-01T02:00:00.000Z', 0),
      plan('plan-1', '2026-09-01T02:00:00.000Z', 1),
    ]) {
      const expected = `${JSON.stringify(planJson(p), null, 2)}\n`
      assert.equal([...indentedJsonPieces(planJsonEnvelope(p), planJsonElement)].join(''), expected)
      const { sink, text, drains } = slowSink()
      await writeJson(sink, planJsonEnvelope(p), planJsonElement)
      assert.equal(text(), expected)
      if (p.actions.length > 1) assert.ok(drains() > 0, 'waited for drain')
      const small = slowSink()
      await writePieces(small.sink, indentedJsonPieces(planJsonEnvelope(p), planJsonElement), 100)
      assert.equal(small.text(), expected, 'in chunks of ~100 characters')
    }
  })

  test('any object: nested values, undefined fields, empty object, arrays of scalars and nulls', () => {
    const report: RunReport = {
      kind: 'run-report',
      runId: 'run-1',
      state: 'done',
      startedAt: 'T',
      counts: { ad: { create: { applied: 3, failed: 1 } } },
      failures: [{ action: 'ad/p1/create', target: 'ad', message: 'invalid: "uid"' }],
      messages: ['one', 'two'],
    }
    const values: object[] = [
      report,
      {},
      { a: undefined, b: () => 1 },
      {
        a: undefined,
        b: [1, null, 'x', undefined, [], {}, [[1, 2]]],
        c: { d: [] },
        e: null,
        f: 'ü',
      },
      { list: [{ deep: { deeper: [1, { x: 2 }] } }], n: 0 },
    ]
    for (const v of values)
      assert.equal([...indentedJsonPieces(v)].join(''), `${JSON.stringify(v, null, 2)}\n`)
  })
})
