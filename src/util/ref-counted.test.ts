// The shared-resource registry behind the process's pools, worker resources and live-lock sessions: opened by
// the first user, shared by later ones, closed by the last release only, and a broken value forgotten.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { RefCounted } from './ref-counted.ts'

function registry() {
  const closed: string[] = []
  let opened = 0
  const r = new RefCounted<string, { name: string }>((v) => {
    closed.push(v.name)
  })
  const open = (key: string) => () => ({ name: `${key}#${++opened}` })
  return { r, closed, open }
}

describe('RefCounted', () => {
  test('users of one key share a value; it closes with its last user, once', async () => {
    const { r, closed, open } = registry()
    const a = r.acquire('db', open('db'))
    const b = r.acquire('db', open('db'))
    const other = r.acquire('other', open('other'))
    assert.equal(a.value, b.value)
    assert.notEqual(a.value, other.value)
    assert.equal(r.size, 2)
    await a.release()
    // a second release of the same user must not take the other user's share
    await a.release()
    assert.deepEqual(closed, [])
    await b.release()
    assert.deepEqual(closed, ['db#1'])
    assert.equal(r.size, 1)
    // after the close a new user gets a new value
    const again = r.acquire('db', open('db'))
    assert.equal(again.value.name, 'db#3')
    await Promise.all([again.release(), other.release()])
    assert.deepEqual(closed, ['db#1', 'db#3', 'other#2'])
    assert.equal(r.size, 0)
  })

  test('a forgotten value is not handed out again; its last user still closes it, not its successor', async () => {
    const { r, closed, open } = registry()
    const old = r.acquire('db', open('db'))
    r.forget('db', old.value)
    const fresh = r.acquire('db', open('db'))
    assert.notEqual(fresh.value, old.value)
    // forgetting a value that is no longer under the key leaves its successor alone
    r.forget('db', old.value)
    await old.release()
    assert.deepEqual(closed, ['db#1'])
    assert.equal(r.size, 1, 'the successor stays registered')
    const shared = r.acquire('db', open('db'))
    assert.equal(shared.value, fresh.value)
    await Promise.all([fresh.release(), shared.release()])
    assert.deepEqual(closed, ['db#1', 'db#2'])
  })
})
