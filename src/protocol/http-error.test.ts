import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { httpError, kindForStatus } from './http-error.ts'

describe('HTTP status → error kind', () => {
  test('size and syntax refusals are invalid, so they are not retried (issue 11.5)', () => {
    for (const status of [400, 413, 414, 415, 422, 431])
      assert.equal(kindForStatus(status), 'invalid', String(status))
  })

  test('timeouts and server errors are transient, 429 rate-limited, 401/403 auth', () => {
    for (const status of [408, 500, 502, 503, 504])
      assert.equal(kindForStatus(status), 'transient', String(status))
    assert.equal(kindForStatus(429), 'rate-limited')
    assert.equal(kindForStatus(401), 'auth')
    assert.equal(kindForStatus(403), 'auth')
  })

  test('a huge service message is cut in the error', () => {
    const e = httpError(413, 'PATCH /Users/1', 'x'.repeat(100_000))
    assert.equal(e.kind, 'invalid')
    assert.ok(e.message.length < 600, String(e.message.length))
  })
})
