// The IMS Enterprise 1.1 structure (standards.md §1.2): the validator accepts the vendored Moodle examples and
// Koppel's own files, and rejects each kind of broken document; the same reader parses all of them. Plus the
// permission-id convention both itslearning connectors share.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConnectorError } from '../../contract/index.ts'
import {
  formatMembership,
  MAX_SYNC_KEY,
  membershipSyncKey,
  parseMembership,
  syncKeyFor,
} from './itslearning-conventions.ts'
import { modelToXml } from './ims-file-xml.ts'
import { readImsXml } from './ims-file-xml.ts'
import { checkImsStructure } from './ims-structure-check.ts'

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/ims-enterprise')
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8')

describe('IMS Enterprise 1.1 structure', () => {
  for (const name of ['example.xml', 'example-grouped.xml', 'example-oneline.xml']) {
    test(`the Moodle fixture ${name} passes the structural check and reads with trimmed ids`, () => {
      const text = fixture(name)
      assert.deepEqual(checkImsStructure(text), [])
      const doc = readImsXml(text)
      assert.ok(doc.persons.length >= 1)
      assert.ok(doc.memberships.length >= 1)
      const members = doc.memberships.flatMap((m) => m.members)
      assert.ok(members.length >= 1)
      for (const m of members) {
        assert.equal(m.id, m.id.trim(), 'member ids are trimmed')
        assert.equal(m.idtype, '1', 'idtype read from the attribute form')
        assert.ok(['01', '02'].includes(m.roletype ?? ''), `roletype ${m.roletype}`)
      }
    })
  }

  test('example.xml: members refer to persons of the file once trimmed', () => {
    const doc = readImsXml(fixture('example.xml'))
    const ids = new Set(doc.persons.map((p) => p.id))
    assert.ok(doc.memberships[0]?.members.some((m) => ids.has(m.id)))
  })

  const model = {
    persons: [
      {
        syncKey: 'p1',
        givenName: 'Anna',
        familyName: 'Berg',
        prefix: 'van den',
        institutionRole: 'Student',
        upn: 'anna@school.test',
        eckId: 'https://ketenid.nl/201703/abc',
      },
    ],
    groups: [
      { kind: 'School' as const, syncKey: '12AB', title: '12AB' },
      {
        kind: 'SchoolYear' as const,
        syncKey: '12AB/2026-2027',
        parent: '12AB',
        title: '2026-2027',
      },
      {
        kind: 'Course' as const,
        syncKey: '12AB/2026-2027/ne',
        parent: '12AB/2026-2027',
        title: 'ne',
        code: 'ne',
      },
    ],
    memberships: [{ group: '12AB/2026-2027/ne', member: 'p1', role: 'learner' as const }],
  }
  const good = modelToXml(model, { source: 'koppel', datetime: '2026-11-23T10:00:00.000Z' })

  test('a file Koppel writes passes the strict (itslearning) check and carries the SSO extension fields', () => {
    assert.deepEqual(checkImsStructure(good, { itslearning: true }), [])
    const p = readImsXml(good).persons[0]
    assert.deepEqual(p?.raw.extension as Record<string, unknown>, {
      upn: 'anna@school.test',
      eckid: 'https://ketenid.nl/201703/abc',
    })
  })

  const broken: Array<[string, (x: string) => string, RegExp]> = [
    ['wrong root', (x) => x.replace(/enterprise>/g, 'entreprise>'), /root element/],
    [
      'group before person',
      (x) => x.replace(/(<person>[\s\S]*<\/person>)\s*(<group>[\s\S]*<\/group>)/, '$2$1'),
      /comes after/,
    ],
    [
      'person without sourcedid',
      (x) => x.replace(/<person>\s*<sourcedid>[\s\S]*?<\/sourcedid>/, '<person>'),
      /sourcedid is missing/,
    ],
    ['bad roletype', (x) => x.replace('roletype="01"', 'roletype="09"'), /roletype 09/],
    [
      'member not a person',
      (x) =>
        x.replace(/<id>p1<\/id>\s*<\/sourcedid>\s*<idtype>/, '<id>p2</id></sourcedid><idtype>'),
      /member p2 is not a person/,
    ],
    [
      'parent missing',
      (x) =>
        x.replace(
          /<group>\s*<sourcedid>\s*<source>koppel<\/source>\s*<id>12AB<\/id>[\s\S]*?<\/group>/,
          '',
        ),
      /parent 12AB is not in the file/,
    ],
    ['group without short', (x) => x.replace('<short>ne</short>', ''), /description\/short/],
    [
      'group timeframe not a date',
      (x) =>
        x.replace(
          '</description>',
          '</description><timeframe><end restrict="1">soon</end></timeframe>',
        ),
      /timeframe\/end "soon" is not a date/,
    ],
    [
      'group timeframe restrict',
      (x) =>
        x.replace(
          '</description>',
          '</description><timeframe><end restrict="2">2027-08-01</end></timeframe>',
        ),
      /timeframe\/end@restrict must be 0 or 1/,
    ],
    [
      'institution role',
      (x) => x.replace('institutionroletype="Student"', 'institutionroletype="Pupil"'),
      /Pupil is not in the IMS Enterprise 1\.1 binding's enumeration/,
    ],
    [
      "itslearning's non-standard Carer",
      (x) => x.replace('institutionroletype="Student"', 'institutionroletype="Carer"'),
      /Carer is not in the IMS Enterprise 1\.1 binding's enumeration/,
    ],
    [
      'recstatus',
      (x) => x.replace('<person>', '<person recstatus="4">'),
      /recstatus 4 is not 1, 2 or 3/,
    ],
    [
      'unknown element',
      (x) => x.replace('</enterprise>', '<course/></enterprise>'),
      /<course> is not allowed/,
    ],
  ]
  for (const [name, mutate, expected] of broken) {
    test(`the check rejects: ${name}`, () => {
      const text = mutate(good)
      assert.notEqual(text, good, 'the mutation applied')
      const problems = checkImsStructure(text, { itslearning: true })
      assert.ok(
        problems.some((p) => expected.test(p)),
        problems.join('\n'),
      )
    })
  }

  test("carers: the file writes the binding's Other by default, itslearning's Carer only when configured (and then only the itslearning-extended check passes)", () => {
    const carer = {
      ...model,
      persons: [{ syncKey: 'c1', givenName: 'Cor', familyName: 'Vos', institutionRole: 'Carer' }],
      memberships: [],
    }
    const standard = modelToXml(carer, { source: 'koppel', datetime: '2026-11-23T10:00:00.000Z' })
    assert.match(standard, /institutionroletype="Other"/)
    assert.deepEqual(checkImsStructure(standard, { itslearning: true }), [])
    const extended = modelToXml(carer, {
      source: 'koppel',
      datetime: '2026-11-23T10:00:00.000Z',
      carerInstitutionRole: 'Carer',
    })
    assert.match(extended, /institutionroletype="Carer"/)
    assert.match(
      checkImsStructure(extended, { itslearning: true }).join('\n'),
      /Carer is not in the IMS Enterprise 1\.1 binding/,
    )
    assert.deepEqual(
      checkImsStructure(extended, { itslearning: true, institutionRoleExtensions: ['Carer'] }),
      [],
    )
  })

  test('a DOCTYPE is refused by the reader', () => {
    assert.throws(
      () => readImsXml('<!DOCTYPE enterprise SYSTEM "http://x/ims_epv1p1.dtd"><enterprise/>'),
      /DOCTYPE/,
    )
  })
})

describe('membership permission ids', () => {
  test('parse the hierarchy, keys and role', () => {
    const g = parseMembership('12AB/2026-2027/wiskunde-3/3a#learner')
    assert.equal(g.role, 'learner')
    assert.deepEqual(
      g.chain.map((c) => [c.kind, c.syncKey, c.parent]),
      [
        ['School', '12AB', undefined],
        ['SchoolYear', '12AB/2026-2027', '12AB'],
        ['Course', '12AB/2026-2027/wiskunde-3', '12AB/2026-2027'],
        ['CourseGroup', '12AB/2026-2027/wiskunde-3/3a', '12AB/2026-2027/wiskunde-3'],
      ],
    )
    assert.equal(parseMembership('12AB/2026-2027/ne#instructor').group.kind, 'Course')
  })

  test('codes with / and # round-trip through %-escapes', () => {
    const id = formatMembership(['12AB', '2026-2027', 'ckv/muziek', 'h#1'], 'mentor')
    assert.equal(id, '12AB/2026-2027/ckv%2Fmuziek/h%231#mentor')
    const g = parseMembership(id)
    assert.equal(g.chain[2]?.title, 'ckv/muziek')
    assert.equal(g.group.title, 'h#1')
  })

  test('long paths get deterministic keys of at most 64 characters, distinct per school year', () => {
    const long = 'x'.repeat(50)
    const a = parseMembership(`12AB/2026-2027/${long}#learner`).group.syncKey
    const b = parseMembership(`12AB/2027-2028/${long}#learner`).group.syncKey
    assert.ok(a.length <= MAX_SYNC_KEY && b.length <= MAX_SYNC_KEY)
    assert.notEqual(a, b)
    assert.equal(a, syncKeyFor(`12AB/2026-2027/${long}`))
    assert.ok(
      membershipSyncKey('p'.repeat(64), parseMembership(`12AB/2026-2027/${long}#learner`)).length <=
        MAX_SYNC_KEY,
    )
  })

  for (const bad of [
    '12AB/2026-2027#learner',
    '12AB/2026-2027/ne',
    '12AB/2026-2027/ne#pupil',
    '12AB//ne#learner',
    '12AB/2026-2027/ne/a/b#learner',
    '12AB/2026-2027/%E0#learner',
  ]) {
    test(`refuses ${JSON.stringify(bad)} as invalid, naming it`, () => {
      assert.throws(
        () => parseMembership(bad),
        (e: unknown) =>
          ConnectorError.isInstance(e) && e.kind === 'invalid' && e.message.includes(bad),
      )
    })
  }
})
