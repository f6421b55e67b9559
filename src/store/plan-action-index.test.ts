import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ActionIndexBuilder, pageActions, type IndexedMember } from './plan-action-index.ts'
import { gunzipActions, gzipActions } from './plan-document.ts'
import { action } from './store-fixtures.ts'

const actions = Array.from({ length: 6000 }, (_, i) => ({
  ...action(i),
  subject: { school: i >= 5900 ? 'Zoë College' : 'Het Lyceum' },
}))

async function stored() {
  const builder = new ActionIndexBuilder()
  const gz = await gzipActions(actions, builder)
  const index = builder.build()
  const reads: number[] = []
  const read = async (m: IndexedMember) => {
    reads.push(index.members.indexOf(m))
    return gz.subarray(m.at, m.at + m.bytes)
  }
  return { gz, index, reads, read }
}

test('the index covers every member and action in order; the stream stays one gzip', async () => {
  const { gz, index } = await stored()
  assert.ok(index.members.length >= 3, `several members (${index.members.length})`)
  assert.equal(
    index.members.reduce((n, m) => n + m.count, 0),
    actions.length,
  )
  assert.equal(
    index.members.reduce((n, m) => n + m.bytes, 0),
    gz.length,
  )
  assert.equal((await gunzipActions(gz)).length, actions.length)
})

test('a first page reads one member; a filter reads only the members that can match', async () => {
  const first = await stored()
  const page = await pageActions(first.index, first.read, { filter: {}, limit: 100 })
  assert.deepEqual(
    page.items.map((i) => i.action),
    actions.slice(0, 100),
  )
  assert.equal(page.more, true)
  assert.deepEqual(first.reads, [0], 'the first member only')

  const school = await stored()
  const zoe = await pageActions(school.index, school.read, {
    filter: { school: 'ZOE college' },
    limit: 500,
  })
  assert.equal(zoe.items.length, 100)
  assert.equal(zoe.more, false)
  assert.deepEqual(school.reads, [school.index.members.length - 1], 'the last member only')

  const next = await stored()
  const after = first.index.members[1]!.first + 5
  const later = await pageActions(next.index, next.read, { filter: {}, after, limit: 10 })
  assert.deepEqual(
    later.items.map((i) => i.index),
    Array.from({ length: 10 }, (_, i) => after + 1 + i),
  )
  assert.deepEqual(next.reads, [1], 'a later page starts at the member holding it')
})

test('a person filter parses only the lines that name the person (the person is not indexed)', async () => {
  const { index, read, reads } = await stored()
  const parse = JSON.parse
  let parsed = 0
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    parsed++
    return parse(text, reviver) as unknown
  }) as typeof JSON.parse
  let page
  try {
    page = await pageActions(index, read, { filter: { person: 'p004321' }, limit: 10 })
  } finally {
    JSON.parse = parse
  }
  assert.deepEqual(
    page.items.map((i) => i.index),
    [4321],
  )
  assert.equal(reads.length, index.members.length, 'every member is read')
  assert.equal(parsed, 1, 'one line parsed, not 6,000')
  // a key that is a prefix of another's, and one with characters JSON escapes
  const prefix = await stored()
  const none = await pageActions(prefix.index, prefix.read, {
    filter: { person: 'p00432' },
    limit: 10,
  })
  assert.deepEqual(none.items, [])
  const quoted = await stored()
  const q = await pageActions(quoted.index, quoted.read, {
    filter: { person: 'p"004321' },
    limit: 10,
  })
  assert.deepEqual(q.items, [])
})
