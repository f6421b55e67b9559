// AD group helpers without a server: groupType bits (MS-ADTS 2.2.12) and the sAMAccountName made from a sync key.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConnectorError } from '../../contract/index.ts'
import {
  checkGroupSamAccountName,
  GROUP_SAM_MAX,
  groupSamAccountName,
  groupTypeValue,
} from './ad-groups.ts'

describe('ad groups', () => {
  test('groupType: scope bit, plus 0x80000000 for security, as a signed 32-bit integer', () => {
    assert.equal(groupTypeValue('global', 'security'), '-2147483646')
    assert.equal(groupTypeValue('domain-local', 'security'), '-2147483644')
    assert.equal(groupTypeValue('universal', 'security'), '-2147483640')
    assert.equal(groupTypeValue('global', 'distribution'), '2')
    assert.equal(groupTypeValue('domain-local', 'distribution'), '4')
    assert.equal(groupTypeValue('universal', 'distribution'), '8')
  })

  test('sAMAccountName from the key: as is when AD allows it, else refused characters as - plus a hash', () => {
    assert.equal(groupSamAccountName('wi-3b 2026'), 'wi-3b 2026')
    const a = groupSamAccountName('2026-2027/wi-3b')
    const b = groupSamAccountName('2026-2027:wi-3b')
    assert.match(a, /^2026-2027-wi-3b-g[0-9a-f]{8}$/)
    assert.match(b, /^2026-2027-wi-3b-g[0-9a-f]{8}$/)
    assert.notEqual(a, b, 'keys differing only in a refused character keep two names')
    assert.equal(groupSamAccountName('2026-2027/wi-3b'), a, 'the same key gives the same name')
    assert.match(groupSamAccountName('12.3'), /^12\.3-g[0-9a-f]{8}$/, 'not only digits and dots')
    assert.match(groupSamAccountName('klas.'), /^klas--g[0-9a-f]{8}$/, 'no trailing dot')
    assert.match(groupSamAccountName('a\tb'), /^a-b-g[0-9a-f]{8}$/)
    const long = groupSamAccountName('x'.repeat(300))
    assert.equal(long.length, GROUP_SAM_MAX)
    for (const key of [
      '2026-2027/wi-3b',
      '"a"[b]|c=d,e+f*g?h<i>j@k;l',
      'x'.repeat(300),
      '  ',
      '...',
    ])
      assert.doesNotThrow(() => checkGroupSamAccountName(groupSamAccountName(key), key))
  })

  test('a given sAMAccountName AD would refuse is invalid, naming the group', () => {
    for (const bad of ['', 'a/b', 'x'.repeat(GROUP_SAM_MAX + 1), 'klas.', 42])
      assert.throws(
        () => checkGroupSamAccountName(bad, 'group 2026-2027/wi-3b'),
        (e: unknown) =>
          ConnectorError.isInstance(e) &&
          e.kind === 'invalid' &&
          e.message.startsWith('group 2026-2027/wi-3b: sAMAccountName'),
      )
  })
})
