import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Action } from '../model/index.ts'
import { ActionIndexBuilder } from './plan-action-index.ts'
import { gunzipActions, gzipActions } from './plan-document.ts'

const action = (i: number, detail = `granted to ${i}`): Action => ({
  id: `directory/p${i}/grant/cn=klas-${i % 50}`,
  target: 'directory',
  kind: 'grant',
  person: `p${i}`,
  label: i % 7 === 0 ? `Zoë Ŧest ${i}` : `Person ${i}`,
  changes: [],
  permission: `cn=klas-${i % 50}`,
  permissionType: 'group',
  reason: { change: 'joiner', detail },
})

test('stored actions span many gzip members and read back as the same JSON lines, in order', async () => {
  // ~35 MB of JSON: dozens of 1 MB blocks, names beyond Latin-1, and one action larger than a block
  const actions = Array.from({ length: 20_000 }, (_, i) =>
    i === 12_345 ? action(i, 'x'.repeat(3 << 20)) : action(i),
  )
  const gz = await gzipActions(actions)
  const text = gunzipSync(gz).toString('utf8')
  assert.equal(text, actions.map((a) => `${JSON.stringify(a)}\n`).join(''))
  assert.deepEqual(await gunzipActions(gz), JSON.parse(JSON.stringify(actions)))
})

test('no actions is one empty gzip member', async () => {
  const gz = await gzipActions([])
  assert.equal(gunzipSync(gz).length, 0)
  assert.deepEqual(await gunzipActions(gz), [])
})

test('each indexed member is exactly gzipSync (level 1) of its lines, as the index places it', async () => {
  // ~5 MB of JSON: more members than are compressed at once
  const actions = Array.from({ length: 20_000 }, (_, i) => action(i))
  const index = new ActionIndexBuilder()
  const gz = await gzipActions(actions, index)
  const { members } = index.build()
  assert.ok(members.length > 3)
  let first = 0
  for (const m of members) {
    const member = gz.subarray(m.at, m.at + m.bytes)
    const lines = actions.slice(first, first + m.count).map((a) => `${JSON.stringify(a)}\n`)
    assert.equal(m.first, first)
    assert.deepEqual(member, gzipSync(Buffer.from(lines.join('')), { level: 1 }))
    first += m.count
  }
  assert.equal(first, actions.length)
  assert.equal(members.at(-1)!.at + members.at(-1)!.bytes, gz.length)
})
