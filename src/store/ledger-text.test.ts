import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ledgerText, ledgerTextFromSql } from './ledger-text.ts'
import type { AccountVersion } from './store.ts'

const v = (person: string, target = 'ad'): AccountVersion => ({
  target,
  person,
  targetId: `guid-${person}`,
  state: 'active',
  updatedAt: '2026-11-23T05:00:00.000Z',
})
/** What the database sends for these rows in (target, person) order, with `field` between fields. */
const joined = (rows: AccountVersion[], field: string) =>
  rows.map((r) => [r.target, r.person, r.targetId, r.state, r.updatedAt].join(field)).join('\n')

describe('ledgerTextFromSql: the text from the database is taken only when it is exactly ledgerText', () => {
  const rows = [v('p1'), v('p10'), v('p2'), v('p1', 'google')]

  test('NUL (SQLite) or chr(1) (PostgreSQL) between fields: the same text as ledgerText', () => {
    assert.equal(ledgerTextFromSql(joined(rows, '\u0000'), 4, '\u0000'), ledgerText(rows))
    assert.equal(ledgerTextFromSql(joined(rows, '\u0001'), 4, '\u0001'), ledgerText(rows))
    assert.equal(ledgerTextFromSql('', 0, '\u0000'), '')
  })

  test('a field holding a separator, a row count that does not match, or another order: undefined', () => {
    const odd = [v('p\u00011'), v('p2')]
    assert.equal(ledgerTextFromSql(joined(odd, '\u0001'), 2, '\u0001'), undefined)
    assert.equal(ledgerTextFromSql(joined([v('a\nb'), v('c')], '\u0000'), 2, '\u0000'), undefined)
    assert.equal(ledgerTextFromSql(joined(rows, '\u0000'), 5, '\u0000'), undefined)
    // UTF-8 byte order puts U+FF5E before U+1F600; sort() (UTF-16 code units) the other way round
    const bytes = [v('z\uFF5E'), v('z\u{1F600}')]
    assert.equal(ledgerTextFromSql(joined(bytes, '\u0000'), 2, '\u0000'), undefined)
    assert.equal(
      ledgerTextFromSql(joined([...bytes].reverse(), '\u0000'), 2, '\u0000'),
      ledgerText(bytes),
    )
  })
})
