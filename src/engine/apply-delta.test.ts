import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { describe, test } from 'node:test'
import type { Group, Membership, Person, SourceSnapshot } from '../model/index.ts'
import { applyDelta, decodeSnapshot, encodeSnapshot } from './apply-delta.ts'

const person = (
  key: string,
  given: string,
  memberships: Membership[] = [],
  contractIds: string[] = [`${key}/org/student`],
): Person => ({
  kind: 'person',
  key,
  sourceIds: { school: key },
  givenName: given,
  familyName: 'Bakker',
  attributes: {},
  contracts: contractIds.map((id) => ({
    kind: 'enrolment',
    id,
    source: 'school',
    role: 'student',
    organisation: 'org/1',
    attributes: {},
  })),
  memberships,
})
const group = (key: string, name: string): Group => ({
  kind: 'group',
  key,
  type: 'class',
  name,
  attributes: {},
})
const snap = (
  mode: 'full' | 'delta',
  persons: Person[],
  o: { groups?: Group[]; removed?: string[]; takenAt?: string } = {},
): SourceSnapshot => ({
  kind: 'snapshot',
  source: 'school',
  mode,
  takenAt: o.takenAt ?? '2026-11-23T02:00:00.000Z',
  persons,
  groups: o.groups ?? [],
  removed: o.removed ?? [],
  warnings: [],
})
const keys = (s: SourceSnapshot) => s.persons.map((p) => p.key)

const BASE = snap(
  'full',
  [
    person('p2', 'Bram', [{ group: 'class/2A', role: 'student' }]),
    person('p1', 'Anna'),
    person('p3', 'Cas'),
  ],
  {
    groups: [group('class/2A', '2A'), group('class/1A', '1A')],
  },
)

describe('applyDelta', () => {
  test('a new key is added, a known key is replaced; the result is a full snapshot taken at the delta', () => {
    const r = applyDelta(
      BASE,
      snap('delta', [person('p4', 'Daan'), person('p1', 'Anouk')], {
        takenAt: '2026-11-24T02:00:00.000Z',
      }),
    )
    assert.equal(r.snapshot.mode, 'full')
    assert.equal(r.snapshot.takenAt, '2026-11-24T02:00:00.000Z')
    assert.deepEqual(r.snapshot.removed, [])
    assert.deepEqual(keys(r.snapshot), ['p1', 'p2', 'p3', 'p4'])
    assert.equal(r.snapshot.persons[0]?.givenName, 'Anouk')
    assert.deepEqual([r.added, r.changed, r.removed, r.unknownRemovals], [1, 1, 0, 0])
  })

  test('removed keys are dropped', () => {
    const r = applyDelta(BASE, snap('delta', [], { removed: ['p2', 'p3'] }))
    assert.deepEqual(keys(r.snapshot), ['p1'])
    assert.equal(r.removed, 2)
  })

  test('removing a key the base does not have changes nothing and is counted', () => {
    const r = applyDelta(BASE, snap('delta', [], { removed: ['nobody'] }))
    assert.deepEqual(keys(r.snapshot), ['p1', 'p2', 'p3'])
    assert.deepEqual([r.removed, r.unknownRemovals], [0, 1])
  })

  test('a key both removed and present stays, with the delta record', () => {
    const r = applyDelta(BASE, snap('delta', [person('p3', 'Cees')], { removed: ['p3'] }))
    assert.deepEqual(keys(r.snapshot), ['p1', 'p2', 'p3'])
    assert.equal(r.snapshot.persons[2]?.givenName, 'Cees')
  })

  test('groups are upserted by key; memberships and contracts the delta carries are upserted into the person', () => {
    const base = snap(
      'full',
      [
        person(
          'p1',
          'Anna',
          [
            { group: 'class/1A', role: 'student' },
            { group: 'class/team', role: 'member', end: '2027-08-01' },
          ],
          ['p1/org/student', 'p1/org2/student'],
        ),
      ],
      {
        groups: [group('class/1A', '1A'), group('class/team', 'Team')],
      },
    )
    const delta = snap(
      'delta',
      [
        person(
          'p1',
          'Anna',
          [
            { group: 'class/team', role: 'member', end: '2026-12-01' },
            { group: 'class/2B', role: 'student' },
          ],
          ['p1/org2/student'],
        ),
      ],
      {
        groups: [group('class/team', 'Team Oost'), group('class/2B', '2B')],
      },
    )
    const r = applyDelta(base, delta)
    assert.deepEqual(
      r.snapshot.groups.map((g) => [g.key, g.name]),
      [
        ['class/1A', '1A'],
        ['class/2B', '2B'],
        ['class/team', 'Team Oost'],
      ],
    )
    const p = r.snapshot.persons[0]
    assert.deepEqual(p?.memberships, [
      { group: 'class/1A', role: 'student' },
      { group: 'class/team', role: 'member', end: '2026-12-01' },
      { group: 'class/2B', role: 'student' },
    ])
    assert.deepEqual(
      p?.contracts.map((c) => c.id),
      ['p1/org/student', 'p1/org2/student'],
    )
  })

  test('a contract in the delta keeps the fields it lacks and takes the ones it has', () => {
    const before = person('p1', 'Anna')
    const c0 = before.contracts[0]
    assert.ok(c0 !== undefined)
    const base = snap('full', [
      {
        ...before,
        contracts: [
          {
            ...c0,
            classGroup: '2A',
            schoolYear: '2026-2027',
            end: '2027-08-01',
            attributes: { a: 1, b: 2 },
          },
        ],
      },
    ])
    const delta = snap('delta', [
      { ...before, contracts: [{ ...c0, end: '2026-12-01', attributes: { b: 3 } }] },
    ])
    const c = applyDelta(base, delta).snapshot.persons[0]?.contracts
    assert.deepEqual(c, [
      {
        ...c0,
        classGroup: '2A',
        schoolYear: '2026-2027',
        end: '2026-12-01',
        attributes: { a: 1, b: 3 },
      },
    ])
  })

  test('a person the delta carries without memberships keeps the ones it had', () => {
    const r = applyDelta(BASE, snap('delta', [person('p2', 'Bram', [])]))
    assert.deepEqual(r.snapshot.persons.find((p) => p.key === 'p2')?.memberships, [
      { group: 'class/2A', role: 'student' },
    ])
  })

  test('the same inputs give the same snapshot whatever order the records come in', () => {
    const delta = snap('delta', [person('p5', 'Eva'), person('p4', 'Daan')], {
      removed: ['p1'],
      groups: [group('class/3C', '3C'), group('class/0Z', '0Z')],
    })
    const shuffled = {
      ...BASE,
      persons: [...BASE.persons].reverse(),
      groups: [...BASE.groups].reverse(),
    }
    const a = applyDelta(BASE, delta).snapshot
    const b = applyDelta(shuffled, {
      ...delta,
      persons: [...delta.persons].reverse(),
      groups: [...delta.groups].reverse(),
    }).snapshot
    assert.equal(JSON.stringify(a), JSON.stringify(b))
    assert.deepEqual(keys(a), ['p2', 'p3', 'p4', 'p5'])
    // applying the same delta again changes nothing
    assert.equal(JSON.stringify(applyDelta(a, delta).snapshot), JSON.stringify(a))
  })

  test('refuses a delta as the base, a full set as the delta and snapshots of two sources', () => {
    assert.throws(() => applyDelta(snap('delta', []), snap('delta', [])), /must be a full snapshot/)
    assert.throws(() => applyDelta(BASE, BASE), /is not a delta/)
    assert.throws(
      () => applyDelta(BASE, { ...snap('delta', []), source: 'hr' }),
      /base is from school, delta from hr/,
    )
  })
})

describe('encodeSnapshot / decodeSnapshot', () => {
  test('round trip of a full snapshot', async () => {
    const bytes = await encodeSnapshot(BASE)
    assert.equal(bytes[0], 0x1f, 'gzip magic')
    assert.deepEqual(await decodeSnapshot(bytes), BASE)
  })
  test('a delta is not kept; bytes that are not an encoded snapshot are refused', async () => {
    await assert.rejects(encodeSnapshot(snap('delta', [])), /only a full snapshot/)
    await assert.rejects(
      decodeSnapshot(gzipSync(JSON.stringify(BASE))),
      /is not a koppel-snapshot\/1 full snapshot/,
    )
    await assert.rejects(decodeSnapshot(new Uint8Array([1, 2, 3])))
  })
})
