import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { diffAttributes } from './diff-attributes.ts'

describe('diffAttributes', () => {
  test('reports only mapped fields that differ, with old and new', () => {
    const d = diffAttributes(
      { cn: 'Jan de Vries', mail: 'j@x', sn: 'Vries' },
      { cn: 'Jan Vries', mail: 'j@x', title: 'not mapped' },
      ['cn', 'mail', 'sn', 'title'],
    )
    assert.deepEqual(d, [
      { field: 'cn', old: 'Jan Vries', new: 'Jan de Vries' },
      { field: 'sn', new: 'Vries' },
      { field: 'title', old: 'not mapped' },
    ])
  })
  test('multi-valued attributes compare as sets', () => {
    assert.deepEqual(diffAttributes({ mail: ['a', 'b'] }, { mail: ['b', 'a'] }, ['mail']), [])
    assert.equal(diffAttributes({ mail: ['a', 'b'] }, { mail: ['a'] }, ['mail']).length, 1)
  })
  test('dn compares case-insensitively; other values do not', () => {
    assert.deepEqual(
      diffAttributes({ dn: 'uid=a,OU=People,dc=x' }, { dn: 'uid=a,ou=people,dc=x' }, ['dn']),
      [],
    )
    assert.equal(diffAttributes({ cn: 'Anna' }, { cn: 'anna' }, ['cn']).length, 1)
  })
  test('attribute names from the target match case-insensitively', () => {
    assert.deepEqual(
      diffAttributes({ employeeNumber: '42' }, { employeenumber: '42' }, ['employeeNumber']),
      [],
    )
  })
  test('an empty string counts as absent', () => {
    assert.deepEqual(diffAttributes({ title: '' }, {}, ['title']), [])
  })
})
