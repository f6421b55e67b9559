import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { HARD_NAMES } from '../../test/conformance/target-conformance.ts'
import { dnKey, escapeDnValue, formatDn, parseDn } from './ldap-escape.ts'

describe('DN escaping and parsing (RFC 4514)', () => {
  test('every hard name survives escape → parse unchanged, also with a trailing space', () => {
    for (const name of [...HARD_NAMES, 'trailing space ', 'nul\0byte', 'x=y', '  two leading']) {
      const dn = `cn=${escapeDnValue(name)},ou=people,dc=school,dc=test`
      const [first] = parseDn(dn)
      assert.deepEqual(first, [{ type: 'cn', value: name }], dn)
      assert.equal(parseDn(dn).length, 4)
    }
  })

  test('escapes the way slapd prints: hex for specials, UTF-8 kept, inner spaces and quotes-free', () => {
    assert.equal(escapeDnValue("O'Brien, Jr."), "O'Brien\\2C Jr.")
    assert.equal(escapeDnValue(' leading'), '\\20leading')
    assert.equal(escapeDnValue('#hash#'), '\\23hash#')
    assert.equal(escapeDnValue('back\\slash'), 'back\\5Cslash')
    assert.equal(escapeDnValue('Ødegård'), 'Ødegård')
    assert.equal(escapeDnValue('*)(uid=*'), '*)(uid\\3D*')
    assert.equal(escapeDnValue('"a";<b>+c'), '\\22a\\22\\3B\\3Cb\\3E\\2Bc')
  })

  test('parses backslash-character escapes, hex UTF-8 sequences and multi-valued RDNs', () => {
    assert.deepEqual(parseDn('cn=O\\,Brien\\ ,ou=x'), [
      [{ type: 'cn', value: 'O,Brien ' }],
      [{ type: 'ou', value: 'x' }],
    ])
    assert.deepEqual(parseDn('cn=\\C3\\98degard'), [[{ type: 'cn', value: 'Ødegard' }]])
    assert.deepEqual(parseDn('cn=a+uid=b, ou=c'), [
      [
        { type: 'cn', value: 'a' },
        { type: 'uid', value: 'b' },
      ],
      [{ type: 'ou', value: 'c' }],
    ])
    assert.deepEqual(parseDn(''), [])
  })

  test('rejects malformed DNs with a message that quotes the DN', () => {
    for (const bad of ['cn', 'cn=a,', 'cn=a\\', 'cn=a"b', '1x=a', 'cn=#04024869']) {
      assert.throws(
        () => parseDn(bad),
        (e: Error) => e.message.includes(JSON.stringify(bad)),
        bad,
      )
    }
  })

  test('format is canonical and the key ignores case and escape style', () => {
    assert.equal(formatDn(parseDn('CN=O\\,Brien,OU=People')), 'CN=O\\2CBrien,OU=People')
    assert.equal(
      dnKey(parseDn('CN=O\\,Brien, OU=People')),
      dnKey(parseDn('cn=o\\2cbrien,ou=people')),
    )
    assert.notEqual(dnKey(parseDn('cn=a,ou=b')), dnKey(parseDn('cn=a\\,ou\\3Db')))
    assert.equal(dnKey(parseDn('uid=b+cn=a')), dnKey(parseDn('cn=a+uid=b')))
  })
})

test('escape and parse round-trip any value, plain or not (fast paths agree with the byte-wise ones)', () => {
  const alphabet = [
    'a',
    'Z',
    ' ',
    '#',
    ',',
    '+',
    ';',
    '"',
    '\\',
    '<',
    '>',
    '=',
    '\0',
    '\t',
    'é',
    'Ø',
    '😀',
    "'",
    '*',
    '(',
    ')',
  ]
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
  for (let n = 0; n < 2000; n++) {
    const value = Array.from({ length: next() % 9 }, () => alphabet[next() % alphabet.length]).join(
      '',
    )
    const dn = `cn=${escapeDnValue(value)},ou=Groep ${n},dc=school,dc=test`
    const [first, second] = parseDn(dn)
    assert.equal(first?.[0]?.value, value, `${JSON.stringify(value)} via ${JSON.stringify(dn)}`)
    assert.equal(second?.[0]?.value, `Groep ${n}`)
  }
})
