import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { SourceSnapshot } from '../model/index.ts'
import {
  hostileCharacter,
  hostileTextIssues,
  mayHoldRefused,
  MAX_HOSTILE_ISSUES,
  visible,
} from './hostile-text.ts'
import { snapshotHash, snapshotHashAndSuspects } from './snapshot-hash.ts'
import { pupil } from '../../test/support/engine-fixture.ts'

const snapshot = (
  persons: SourceSnapshot['persons'],
  groups: SourceSnapshot['groups'] = [],
): SourceSnapshot => ({
  kind: 'snapshot',
  source: 'school',
  mode: 'full',
  takenAt: '2026-11-23T00:00:00Z',
  persons,
  groups,
  removed: [],
  warnings: [],
})

describe('hostile text at the source boundary', () => {
  test('NUL, ESC, line breaks, DEL, C1, bidi overrides and isolates and lone surrogates are refused', () => {
    for (const c of [
      '\0',
      '\x1b',
      '\n',
      '\r',
      '\x7f',
      '\x9b',
      '\u202a',
      '\u202e',
      '\u2066',
      '\u2069',
      '\ud800',
      '\udc00',
    ]) {
      assert.notEqual(hostileCharacter(`Jan${c}sen`), undefined, JSON.stringify(c))
    }
    assert.match(hostileCharacter('a\x1b[31m') ?? '', /U\+001B \(ESC\) at position 2/)
  })

  test('names from many scripts, a TAB, diacritics, emoji and paired surrogates pass', () => {
    for (const ok of [
      'Çiğdem Şahin',
      'van \u2019t Hof',
      'a\tb',
      '张伟',
      'Аnna',
      'محمد',
      '👩🏽‍🎓',
      'Ødegård',
      '',
    ]) {
      assert.equal(hostileCharacter(ok), undefined, ok)
    }
  })

  test('an issue names source, record and the field path, in contracts and attributes too', () => {
    const p = pupil('p1', 'Jan', 'Jansen\u202e', '3A')
    const q = { ...pupil('p2', 'Eva', 'Bos', '3B\x1b[2J'), attributes: { 'eck\0Id': 'x' } }
    const issues = hostileTextIssues(
      snapshot(
        [p, q],
        [{ kind: 'group', key: 'g1', type: 'class', name: 'klas\n1', attributes: {} }],
      ),
    )
    assert.deepEqual(
      issues.map((i) => [i.code, i.source, i.record, i.field]),
      [
        ['control_character', 'school', 'p1', 'familyName'],
        ['control_character', 'school', 'p2', 'attributes.eck\\u{0}Id (the key)'],
        ['control_character', 'school', 'p2', 'contracts[0].classGroup'],
        ['control_character', 'school', 'group g1', 'name'],
      ],
    )
    assert.match(
      issues[0]?.message ?? '',
      /familyName holds a bidirectional control U\+202E at position 7/,
    )
  })

  test('a record key that holds one is named visibly; the count is capped', () => {
    const [i] = hostileTextIssues(snapshot([pupil('p\x1b1', 'A', 'B', '1')]))
    assert.equal(i?.record, 'p\\u{1B}1')
    assert.equal(visible('a\u202eb'), 'a\\u{202E}b')
    const many = Array.from({ length: 500 }, (_, n) => pupil(`p${n}`, 'A\0', 'B', '1'))
    assert.equal(hostileTextIssues(snapshot(many)).length, MAX_HOSTILE_ISSUES)
  })

  test('the JSON text of a value flags every refused character, in values and in keys', () => {
    // every UTF-16 code unit, alone and between letters: a refused one must never pass the JSON pre-check
    for (let c = 0; c <= 0xffff; c++) {
      const text = `a${String.fromCharCode(c)}b`
      if (hostileCharacter(text) === undefined) continue
      assert.ok(mayHoldRefused(JSON.stringify({ v: text })), `U+${c.toString(16)} in a value`)
      assert.ok(mayHoldRefused(JSON.stringify({ [text]: 'v' })), `U+${c.toString(16)} in a key`)
    }
    for (const ok of ['Çiğdem Şahin', 'van \u2019t Hof', '张伟', '👩🏽‍🎓', 'O"Neil', 'a/b'])
      assert.equal(mayHoldRefused(JSON.stringify({ v: ok })), false, ok)
  })

  test('with the suspects from the snapshot hash, the same issues, the same hash, and clean records unwalked', () => {
    const clean = pupil('p0', 'Çiğdem', 'Şahin', '3A')
    const persons = [
      clean,
      pupil('p1', 'Jan', 'Jansen\u202e', '3A'),
      // false alarms: checked field by field, and clean after all
      pupil('p2', 'a\tb', 'back\\nslash', '3A'),
      { ...pupil('p3', 'Eva', 'Bos', '3B'), attributes: { 'eck\0Id': 'x' } },
      pupil('p4', 'Lone\ud800', 'Bos', '3B'),
      pupil('p\x1b5', 'A', 'B', '1'),
    ]
    const groups = [
      {
        kind: 'group' as const,
        key: 'g1',
        type: 'class' as const,
        name: 'klas\n1',
        attributes: {},
      },
      { kind: 'group' as const, key: 'g2', type: 'class' as const, name: 'klas 2', attributes: {} },
    ]
    const s = snapshot(persons, groups)
    const scanned = snapshotHashAndSuspects(s)
    assert.equal(scanned.hash, snapshotHash(s))
    assert.deepEqual(hostileTextIssues(s, scanned.suspects), hostileTextIssues(s))
    assert.deepEqual(
      [...new Set(hostileTextIssues(s, scanned.suspects).map((i) => i.record))],
      ['p1', 'p3', 'p4', 'p\\u{1B}5', 'group g1'],
    )
    assert.equal(scanned.suspects.has(clean), false)
    assert.equal(scanned.suspects.has(groups[1] as object), false)
  })
})
