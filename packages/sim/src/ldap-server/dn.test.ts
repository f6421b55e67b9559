import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DnSyntaxError, escapeDnValue, parseDn } from './dn.ts'
import { isWithin, toDn, tryDn } from './dn-key.ts'

test('parseDn resolves RFC 4514 escapes, hex escapes as UTF-8, and multi-valued RDNs', () => {
  assert.deepEqual(parseDn("cn=O'Brien\\, Jr.+uid=ob,ou=people"), [
    [
      { type: 'cn', value: "O'Brien, Jr." },
      { type: 'uid', value: 'ob' },
    ],
    [{ type: 'ou', value: 'people' }],
  ])
  assert.equal(parseDn('cn=\\4fdegard\\2c \\c3\\98')[0]?.[0]?.value, 'Odegard, Ø')
  assert.equal(parseDn('cn=\\#lead\\ ,o=x')[0]?.[0]?.value, '#lead ')
  assert.equal(parseDn('cn=\\ lead')[0]?.[0]?.value, ' lead')
  assert.equal(parseDn('cn=a\\\\b\\"c\\<d\\>e\\;f\\+g')[0]?.[0]?.value, 'a\\b"c<d>e;f+g')
  assert.equal(parseDn('cn = Spacey , ou=x')[0]?.[0]?.value, 'Spacey')
  assert.equal(parseDn('cn="Quoted, Name",ou=x')[0]?.[0]?.value, 'Quoted, Name')
  assert.deepEqual(parseDn(''), [])
})

test('parseDn rejects what slapd calls an invalid DN', () => {
  for (const bad of ['junk', 'cn=x,,ou=y', 'cn=#04024869', 'cn=a\\zz', '=x', 'cn=x,', 'cn="open']) {
    assert.throws(() => parseDn(bad), DnSyntaxError, bad)
  }
  assert.throws(() => parseDn('cn=\\ff\\fe'), DnSyntaxError, 'not UTF-8')
})

test('escapeDnValue escapes like OpenLDAP prints DNs and round-trips through parseDn', () => {
  assert.equal(escapeDnValue("O'Brien, Jr."), "O'Brien\\2C Jr.")
  assert.equal(escapeDnValue('#lead '), '\\23lead\\20')
  assert.equal(escapeDnValue('*)(uid=*;<>"\\'), '*)(uid\\3D*\\3B\\3C\\3E\\22\\5C')
  assert.equal(escapeDnValue('Ødegård'), 'Ødegård')
  for (const v of [
    "O'Brien, Jr.",
    'Ødegård',
    "van 't Hof",
    '*)(uid=*',
    ' a+b ',
    '#x',
    'back\\slash',
    '"q"',
    'tab\there',
  ]) {
    assert.equal(parseDn(`cn=${escapeDnValue(v)}`)[0]?.[0]?.value, v)
  }
})

test('DN keys fold case and spaces per attribute type and resolve aliases and OIDs; pretty keeps the value', () => {
  const a = toDn('CN=Jan  Jansen, OU=People,dc=School,dc=test')
  const b = toDn('commonName=jan jansen,2.5.4.11=people,DC=school,DC=TEST')
  assert.equal(a.key, b.key)
  assert.equal(a.pretty, 'cn=Jan  Jansen,ou=People,dc=School,dc=test')
  assert.equal(toDn('cn=ØDEGÅRD,o=x').key, toDn('cn=ødegård,o=x').key)
  assert.equal(toDn('cn=a+uid=b,o=x').key, toDn('uid=B+cn=A,o=x').key)
  assert.notEqual(toDn('cn=a\\,b,o=x').key, toDn('cn=a,cn=b,o=x').key)
  assert.equal(tryDn('fooAttr=x,o=y'), undefined, 'unknown attribute type')
  assert.equal(tryDn('cn=,o=y'), undefined, 'empty value')
  assert.ok(isWithin(toDn('cn=x,ou=People,dc=school,dc=test'), toDn('ou=people,DC=school,dc=test')))
  assert.ok(
    !isWithin(toDn('cn=x,ou=peoplex,dc=school,dc=test'), toDn('ou=people,dc=school,dc=test')),
  )
})
