// serve.poll's interval: from 1 s (the REST change-latency goal of 5 s needs polls faster than the old 5 s
// minimum), refused below, naming the field.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { serveSchema } from './serve-schema.ts'

const poll = (everySeconds?: number) =>
  serveSchema.safeParse({
    poll: [{ source: 'school', ...(everySeconds === undefined ? {} : { everySeconds }) }],
  })

test('serve.poll.everySeconds: 1 to 3600, default 30; 0 and fractions refused naming the field', () => {
  const one = poll(1)
  assert.ok(one.success, JSON.stringify(one.error?.issues))
  assert.equal(one.data.poll[0]?.everySeconds, 1)
  const dflt = poll()
  assert.ok(dflt.success)
  assert.equal(dflt.data.poll[0]?.everySeconds, 30)
  for (const bad of [0, 0.5, 3601]) {
    const r = poll(bad)
    assert.equal(r.success, false, String(bad))
    assert.deepEqual(r.error?.issues[0]?.path, ['poll', 0, 'everySeconds'])
  }
})
