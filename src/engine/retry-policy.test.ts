import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConnectorError } from '../contract/index.ts'
import { retryDelay, unreachable } from './retry-policy.ts'

const settings = { concurrency: 1, retries: 3, backoffMs: 100, maxBackoffMs: 1000 }
const mid = () => 0.5

describe('retryDelay', () => {
  test('transient errors back off exponentially up to the limit, then give up', () => {
    const e = new ConnectorError('transient', 'reset')
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelay(e, n, settings, mid)),
      [100, 200, 400],
    )
    assert.equal(retryDelay(e, 4, settings, mid), undefined)
  })
  test('the backoff never exceeds maxBackoffMs (apart from jitter)', () => {
    const e = new ConnectorError('transient', 'x')
    assert.equal(retryDelay(e, 3, { ...settings, maxBackoffMs: 150 }, mid), 150)
  })
  test('rate limiting honours Retry-After when it is longer than the backoff', () => {
    const e = new ConnectorError('rate-limited', '429', { retryAfterMs: 5000 })
    assert.equal(retryDelay(e, 1, settings, mid), 5000)
  })
  test('conflicts, invalid data, auth and programming errors are never retried', () => {
    for (const kind of [
      'conflict',
      'invalid',
      'auth',
      'config',
      'not-found',
      'unsupported',
    ] as const) {
      assert.equal(retryDelay(new ConnectorError(kind, 'x'), 1, settings, mid), undefined, kind)
    }
    assert.equal(retryDelay(new TypeError('bug'), 1, settings, mid), undefined)
  })
})

describe('unreachable', () => {
  const errno = (code: string, extra: object = {}) =>
    Object.assign(new Error(`connect ${code} 10.0.0.5:636`), { code, ...extra })
  test('a refused connection, wrapped as connectors wrap it, is unreachable with its address', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: errno('ECONNREFUSED', { address: '10.0.0.5', port: 636 }),
    })
    assert.deepEqual(
      unreachable(new ConnectorError('transient', 'POST /users failed', { cause: fetchFailed })),
      { address: '10.0.0.5:636' },
    )
    assert.deepEqual(
      unreachable(new ConnectorError('transient', 'x', { cause: errno('EHOSTUNREACH') })),
      {},
    )
  })
  test('a failure of one request is not', () => {
    assert.equal(unreachable(new ConnectorError('transient', 'LDAP result 51 busy')), undefined)
    assert.equal(
      unreachable(new ConnectorError('transient', 'x', { cause: errno('ECONNRESET') })),
      undefined,
    )
    assert.equal(unreachable(new ConnectorError('invalid', 'bad value')), undefined)
  })
})
