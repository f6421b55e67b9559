import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Contract, Person, SourceSnapshot } from '../model/index.ts'
import { mergePersons, type MatchRule } from './merge-persons.ts'

function rec(
  source: string,
  key: string,
  attrs: Record<string, string> = {},
  email?: string,
  kind: Contract['kind'] = 'employment',
): Person {
  return {
    kind: 'person',
    key,
    sourceIds: { [source]: key },
    givenName: `${source}-${key}`,
    familyName: 'Jansen',
    ...(email !== undefined ? { email } : {}),
    attributes: attrs,
    contracts: [
      {
        kind,
        id: `${source}-${key}-c`,
        source,
        role: kind === 'employment' ? 'staff' : 'teacher',
        organisation: source,
        attributes: {},
      },
    ],
    memberships: [],
  }
}
const snap = (source: string, persons: Person[]): SourceSnapshot => ({
  kind: 'snapshot',
  source,
  mode: 'full',
  takenAt: '2026-11-23T00:00:00Z',
  persons,
  groups: [],
  removed: [],
  warnings: [],
})
const BY_NUMBER: MatchRule = {
  name: 'employee number',
  value: 'attributes.employeeNumber',
  ignoreLeadingZeros: true,
}
const BY_EMAIL: MatchRule = { name: 'e-mail', value: 'email' }

describe('mergePersons with match rules', () => {
  test('an AFAS employee and a Somtoday medewerker with one employee number become one person', () => {
    const r = mergePersons(
      [
        snap('afas', [rec('afas', 'E00123', { employeeNumber: '00123' })]),
        snap('somtoday', [
          rec('somtoday', 'uuid-1', { employeeNumber: '123' }, undefined, 'enrolment'),
        ]),
      ],
      { primaryOrder: ['employment', 'enrolment'], match: [BY_NUMBER] },
    )
    assert.equal(r.persons.length, 1)
    const p = r.persons[0] as Person
    assert.equal(p.key, 'E00123')
    assert.deepEqual(p.sourceIds, { afas: 'E00123', somtoday: 'uuid-1' })
    assert.deepEqual(
      p.contracts.map((c) => [c.source, c.primary === true]),
      [
        ['afas', true],
        ['somtoday', false],
      ],
    )
    assert.equal(p.givenName, 'afas-E00123')
    assert.deepEqual(r.issues, [])
  })

  test('without ignoreLeadingZeros, padded numbers do not match; e-mail matches case-insensitively; per-source paths', () => {
    const r = mergePersons(
      [
        snap('afas', [rec('afas', 'a1', { nr: '00123' }, 'J.Jansen@School.nl')]),
        snap('som', [rec('som', 's1', { employeeNumber: '123' }, ' j.jansen@school.nl ')]),
      ],
      {
        primaryOrder: ['employment'],
        match: [
          { name: 'nr', value: 'attributes.employeeNumber', sources: { afas: 'attributes.nr' } },
        ],
      },
    )
    assert.equal(r.persons.length, 2)
    const byMail = mergePersons(
      [
        snap('afas', [rec('afas', 'a1', {}, 'J.Jansen@School.nl')]),
        snap('som', [rec('som', 's1', {}, ' j.jansen@school.nl ')]),
      ],
      { primaryOrder: ['employment'], match: [BY_EMAIL] },
    )
    assert.equal(byMail.persons.length, 1)
  })

  test('two records of one source claiming one key match nothing, and the conflict names both', () => {
    const r = mergePersons(
      [
        snap('afas', [rec('afas', 'a1', {}, 'x@s.nl'), rec('afas', 'a2', {}, 'X@s.nl')]),
        snap('som', [rec('som', 's1', {}, 'x@s.nl')]),
      ],
      { primaryOrder: ['employment'], match: [BY_EMAIL] },
    )
    assert.deepEqual(
      r.persons.map((p) => p.key),
      ['a1', 'a2', 's1'],
    )
    assert.equal(r.issues.length, 1)
    assert.equal(r.issues[0]?.code, 'match_conflict')
    assert.match(r.issues[0]?.message ?? '', /records a1 and a2 of afas both claim e-mail x@s\.nl/)
  })

  test('a chain of matches that would join two records of one source keeps the persons apart', () => {
    // a1 ~ s1 by number, s1 ~ a2 by e-mail: joining would make a1 and a2 (two AFAS employees) one person
    const r = mergePersons(
      [
        snap('afas', [rec('afas', 'a1', { employeeNumber: '7' }), rec('afas', 'a2', {}, 'm@s.nl')]),
        snap('som', [rec('som', 's1', { employeeNumber: '7' }, 'm@s.nl')]),
      ],
      { primaryOrder: ['employment'], match: [BY_NUMBER, BY_EMAIL] },
    )
    assert.deepEqual(
      r.persons.map((p) => p.key),
      ['a1', 'a2', 's1'],
    )
    assert.match(r.issues[0]?.message ?? '', /would join records a1 and a2 of afas/)
  })

  test('a merged person keeps the key that holds accounts; two persons with accounts are never joined', () => {
    const snaps = [
      snap('afas', [rec('afas', 'a1', { employeeNumber: '7' })]),
      snap('som', [rec('som', 's1', { employeeNumber: '7' })]),
    ]
    const one = mergePersons(snaps, {
      primaryOrder: ['employment'],
      match: [BY_NUMBER],
      ledgerKeys: new Set(['s1']),
    })
    assert.deepEqual(
      one.persons.map((p) => [p.key, Object.keys(p.sourceIds)]),
      [['s1', ['afas', 'som']]],
    )
    const both = mergePersons(snaps, {
      primaryOrder: ['employment'],
      match: [BY_NUMBER],
      ledgerKeys: new Set(['s1', 'a1']),
    })
    assert.deepEqual(
      both.persons.map((p) => p.key),
      ['a1', 's1'],
    )
    assert.match(
      both.issues[0]?.message ?? '',
      /persons a1 and s1, who each have accounts: kept apart/,
    )
  })

  test('records that join nothing stay as they are, sorted by key, each with one primary contract', () => {
    const two = rec('afas', 'b2', { employeeNumber: '7' })
    const both: Person = {
      ...two,
      contracts: [
        {
          ...(rec('afas', 'x', {}, undefined, 'enrolment').contracts[0] as Contract),
          start: '2020-01-01',
        },
        { ...(two.contracts[0] as Contract), start: '2021-01-01' },
      ],
    }
    const one = rec('afas', 'a1', { employeeNumber: '8' })
    const r = mergePersons([snap('afas', [both, one])], {
      primaryOrder: ['employment', 'enrolment'],
      match: [BY_NUMBER],
    })
    assert.deepEqual(r.issues, [])
    assert.deepEqual(
      r.persons.map((p) => p.key),
      ['a1', 'b2'],
    )
    // a single contract is left unmarked, as before; of two, the employment (first in primaryOrder)
    assert.equal(r.persons[0], one)
    assert.deepEqual(
      r.persons[1]?.contracts.map((c) => [c.kind, c.primary]),
      [
        ['enrolment', undefined],
        ['employment', true],
      ],
    )
  })

  test('records with the same key merge without any rule, as before', () => {
    const r = mergePersons(
      [snap('a', [rec('a', 'k')]), snap('b', [rec('b', 'k', {}, undefined, 'enrolment')])],
      { primaryOrder: ['enrolment', 'employment'] },
    )
    assert.equal(r.persons.length, 1)
    assert.deepEqual(
      r.persons[0]?.contracts.map((c) => c.primary === true),
      [false, true],
    )
  })
})
