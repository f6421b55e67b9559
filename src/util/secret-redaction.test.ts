import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { forgetSecrets, redactSecrets, rememberSecret } from './secret-redaction.ts'

afterEach(forgetSecrets)

describe('secret redaction', () => {
  test('a remembered secret is masked wherever it appears, also percent-encoded', () => {
    rememberSecret('LdapPw-s3cr3t/+x')
    assert.equal(
      redactSecrets('Error: LdapPw-s3cr3t/+x is an invalid LDAP URL'),
      'Error: *** is an invalid LDAP URL',
    )
    assert.equal(
      redactSecrets('postgres://k:LdapPw-s3cr3t%2F%2Bx@db/koppel'),
      'postgres://k:***@db/koppel',
    )
  })
  test('regular-expression characters in a secret are taken literally; a longer secret is masked whole', () => {
    rememberSecret('a.b*c')
    rememberSecret('a.b*c-and-more')
    assert.equal(redactSecrets('x a.b*c-and-more y aXbbc'), 'x *** y aXbbc')
  })
  test('of a URL with a password only the password is masked', () => {
    rememberSecret('postgres://koppel:p%40ss-w0rd@db.school.nl:5432/koppel')
    assert.equal(
      redactSecrets('postgres://koppel:p%40ss-w0rd@db.school.nl:5432/koppel'),
      'postgres://koppel:***@db.school.nl:5432/koppel',
    )
    assert.equal(redactSecrets('password p@ss-w0rd'), 'password ***')
  })
  test('very short values are not treated as secrets', () => {
    rememberSecret('ab')
    assert.equal(redactSecrets('about'), 'about')
  })
})
