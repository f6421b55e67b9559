// Property-based tests of the builders through which person data becomes syntax (issue 11, R4): RFC 4514 DNs
// (escapeDnValue, parseDn, the dn mapping's automatic escaping), SCIM filters, OData $filter literals and
// Google users.list queries. Each builder's output is read back by an independent reader (our DN parser, or
// the simulator's parser, written from the published grammar) and must give the same value, whatever the text.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { escapeDnValue, parseDn } from '../../src/protocol/ldap-escape.ts'
import { compileMapping } from '../../src/rules/compile-mapping.ts'
import { contract, memoryOracle, person } from '../../src/rules/test-fixtures.ts'
import { eqFilter } from '../../src/connectors/scim/scim-paths.ts'
import { parseEqFilter } from '@koppel/sim/scim'
import { odataString } from '../../src/connectors/entra/entra-target.ts'
import { parseFilter } from '@koppel/sim/entra'
import { queryValue } from '../../src/connectors/google/google-target.ts'
import { parseUserQuery } from '@koppel/sim/google'
import { hostileCharacter } from '../../src/engine/hostile-text.ts'
import { params } from './fuzz-runs.ts'

// valid Unicode (no lone surrogates: the source boundary refuses those), with DN and filter syntax mixed in
const SYNTAX = [
  ',',
  '+',
  '=',
  '"',
  '\\',
  '<',
  '>',
  ';',
  '#',
  ' ',
  '*',
  '(',
  ')',
  "'",
  '\0',
  '\n',
  '\u202e',
  'é',
  '李',
  '😀',
]
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...SYNTAX, 'a', 'b'), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => s.isWellFormed()),
)

describe('fuzz: DN builders', () => {
  test('escapeDnValue then parseDn gives the value back, as one single-valued RDN', () => {
    fc.assert(
      fc.property(text, (value) => {
        const rdns = parseDn(`cn=${escapeDnValue(value)},ou=people,dc=test`)
        assert.equal(rdns.length, 3)
        assert.deepEqual(rdns[0], [{ type: 'cn', value }])
      }),
      params(),
    )
  })

  test('parseDn on any text either parses or throws an Error naming the DN', () => {
    fc.assert(
      fc.property(
        fc.oneof(text, fc.string({ unit: fc.constantFrom(...SYNTAX, 'cn', 'a'), maxLength: 40 })),
        (dn) => {
          try {
            parseDn(dn)
          } catch (e) {
            assert.ok(e instanceof Error)
            assert.match(e.message, /^invalid DN /)
          }
        },
      ),
      params(),
    )
  })

  test('a concatenated dn mapping keeps every person value inside its RDN (issue 11.1)', () => {
    const mapping = compileMapping('ldap', {
      dn: '"cn=" + person.givenName + " " + person.familyName + ",ou=" + contract.location + ",dc=school,dc=test"',
    })
    fc.assert(
      fc.property(text, text, text, (given, family, location) => {
        const c = contract({ location })
        const r = mapping.evaluate(
          {
            person: person({ givenName: given, familyName: family }),
            contract: c,
            contracts: [c],
            today: '2026-01-05',
          },
          memoryOracle(),
        )
        // the literal " " is the author's syntax: unescaped, it is dropped at either end of the value (RFC 4514)
        const cn = `${given} ${family}`.replace(/^ +| +$/g, '')
        if (location === '') return // an empty OU is the author's to avoid
        if (cn.trim() === '') {
          assert.deepEqual(
            r.issues.map((i) => [i.code, i.field]),
            [['invalid_dn', 'dn']],
          )
          return
        }
        assert.deepEqual(r.issues, [])
        const rdns = parseDn(String(r.attributes.dn))
        const trimmed = rdns.map((rdn, i) =>
          rdn.map((a) => [a.type, i === 0 ? a.value.replace(/^ +| +$/g, '') : a.value]),
        )
        assert.deepEqual(trimmed, [
          [['cn', cn]],
          [['ou', location]],
          [['dc', 'school']],
          [['dc', 'test']],
        ])
      }),
      params(),
    )
  })
})

describe('fuzz: filter and query builders against the simulators’ parsers', () => {
  test('SCIM: eqFilter matches exactly the record holding the value', () => {
    fc.assert(
      fc.property(text, text, (value, other) => {
        const match = parseEqFilter(eqFilter('externalId', value))
        assert.ok(match !== undefined, 'the filter parses')
        assert.equal(match({ externalId: value }), true)
        assert.equal(match({ externalId: other }), other === value)
      }),
      params(),
    )
  })

  test('OData: an odataString literal matches exactly the user holding the value', () => {
    fc.assert(
      fc.property(text, text, (value, other) => {
        const f = parseFilter(`employeeId eq ${odataString(value)}`, new Set(['employeeId']))
        assert.equal(f.test({ employeeId: value }), true)
        assert.equal(f.test({ employeeId: other }), other === value)
      }),
      params(),
    )
  })

  test('Google: a queryValue reads back as the same single clause', () => {
    fc.assert(
      fc.property(text, (value) => {
        assert.deepEqual(parseUserQuery(`externalId=${queryValue(value)}`), [
          { field: 'externalid', op: '=', value },
        ])
      }),
      params(),
    )
  })
})

describe('fuzz: the source boundary', () => {
  // a reference written per code point, not as one regular expression
  const refused = (s: string) =>
    [...s].some((ch) => {
      const c = ch.codePointAt(0) as number
      const lone = ch.length === 1 && c >= 0xd800 && c <= 0xdfff
      return (
        (c < 0x20 && c !== 9) ||
        (c >= 0x7f && c <= 0x9f) ||
        (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069) ||
        lone
      )
    })
  test('hostileCharacter refuses exactly the listed characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          text,
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.string({
            unit: fc.constantFrom('a', '\ud800', '\udc00', '\t', '\x9b', '\u2067'),
            maxLength: 8,
          }),
        ),
        (s) => {
          assert.equal(hostileCharacter(s) !== undefined, refused(s), JSON.stringify(s))
        },
      ),
      params(2),
    )
  })

  test('usernames: a unique attribute either gets a value starting with a letter or an issue for the person (issue 11.6)', () => {
    const m = compileMapping('ldap', {
      uid: { candidates: ['slug(person.givenName) + "." + slug(person.familyName)'], unique: true },
    })
    fc.assert(
      fc.property(text, text, (given, family) => {
        const c = contract()
        const r = m.evaluate(
          {
            person: person({ key: 'p1', givenName: given, familyName: family }),
            contract: c,
            contracts: [c],
            today: '2026-01-05',
          },
          memoryOracle(),
        )
        if (r.attributes.uid !== undefined)
          assert.match(String(r.attributes.uid), /^[a-z][a-z0-9._-]+$/)
        else
          assert.deepEqual(
            r.issues.map((i) => [i.record, i.field]),
            [['p1', 'uid']],
          )
      }),
      params(),
    )
  })
})
