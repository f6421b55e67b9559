import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  AlreadyExistsError,
  BusyError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  ObjectClassViolationError,
  UnavailableError,
  UnknownStatusCodeError,
  UnwillingToPerformError,
} from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { toConnectorError } from './ldap-errors.ts'

const errno = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code })

describe('LDAP error mapping', () => {
  test('result codes map to kinds and keep the code and context', () => {
    const cases: Array<[Error, string, number]> = [
      [new BusyError(), 'transient', 51],
      [new UnavailableError(), 'transient', 52],
      [new AlreadyExistsError(), 'conflict', 68],
      [new NoSuchObjectError(), 'not-found', 32],
      [new InvalidCredentialsError(), 'auth', 49],
      [new InsufficientAccessError(), 'auth', 50],
      [new ConstraintViolationError(), 'invalid', 19],
      [new ObjectClassViolationError(), 'invalid', 65],
      [new UnwillingToPerformError(), 'invalid', 53],
      [new UnknownStatusCodeError(122, 'assertion failed'), 'not-found', 122],
    ]
    for (const [error, kind, code] of cases) {
      const mapped = toConnectorError(error, 'modify cn=x')
      assert.equal(mapped.kind, kind, `${code}`)
      assert.equal(mapped.code, code)
      assert.ok(mapped.message.startsWith('modify cn=x: LDAP result'), mapped.message)
      assert.equal(mapped.cause, error)
    }
  })

  test('socket errors are transient, an unknown host or a bad certificate is config', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])
      assert.equal(toConnectorError(errno(code), 'x').kind, 'transient')
    assert.equal(toConnectorError(errno('ENOTFOUND'), 'x').kind, 'config')
    assert.equal(toConnectorError(errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'x').kind, 'config')
    assert.equal(toConnectorError(errno('DEPTH_ZERO_SELF_SIGNED_CERT'), 'x').kind, 'config')
    assert.equal(
      toConnectorError(new Error('Connection closed before message response was received.'), 'x')
        .kind,
      'transient',
    )
    assert.equal(
      toConnectorError(new Error('SearchRequest: Operation timed out'), 'x').kind,
      'transient',
    )
  })

  test('a ConnectorError passes through untouched', () => {
    const original = new ConnectorError('config', 'already mapped')
    assert.equal(toConnectorError(original, 'x'), original)
  })

  test('a request that cannot be BER-encoded (a value over 16 MB) is invalid, not retried; a long DN is shortened (issue 11.5)', () => {
    const tooLong = Object.assign(new Error('Length too long (> 4 bytes)'), {
      name: 'InvalidAsn1Error',
    })
    const dn = `cn=${'y'.repeat(5_000_000)},ou=people,dc=school,dc=test`
    const mapped = toConnectorError(tooLong, `add ${dn}`)
    assert.equal(mapped.kind, 'invalid')
    assert.ok(mapped.message.length < 500, `${mapped.message.length} characters`)
    assert.match(
      mapped.message,
      /^add cn=y+… \(4999\d{3} characters left out\) …y+,ou=people,dc=school,dc=test: the LDAP message cannot be encoded/,
    )
  })
})
