import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDn } from '../protocol/ldap-escape.ts'
import { compileMapping } from './compile-mapping.ts'
import { escapeDnValues } from './dn-mapping.ts'
import { contract, memoryOracle, person } from './test-fixtures.ts'

const c = contract({ location: 'L3' })
const run = (spec: Record<string, string>, familyName: string) =>
  compileMapping('ldap', spec).evaluate(
    {
      person: person({ key: 'p7', givenName: 'Anna', familyName }),
      contract: c,
      contracts: [c],
      today: '2025-10-01',
    },
    memoryOracle(),
  )

describe('dn mappings: person data reaches a DN only escaped', () => {
  test('a concatenated family name x+uid=admin stays one cn value, not a second RDN attribute', () => {
    const r = run(
      { cn: 'fullName(person)', dn: '"cn=" + fullName(person) + ",ou=people,dc=school,dc=test"' },
      'x+uid=admin',
    )
    assert.deepEqual(r.issues, [])
    assert.equal(r.attributes.dn, 'cn=Anna x\\2Buid\\3Dadmin,ou=people,dc=school,dc=test')
    const [first, ...rest] = parseDn(String(r.attributes.dn))
    assert.deepEqual(first, [{ type: 'cn', value: 'Anna x+uid=admin' }])
    assert.equal(rest.length, 3)
  })

  test('commas in a name cannot add or move to another OU', () => {
    const r = run(
      { dn: '"cn=" + person.familyName + ",ou=" + contract.location + ",dc=test"' },
      'a,ou=admins',
    )
    assert.deepEqual(
      parseDn(String(r.attributes.dn)).map((rdn) => rdn.map((a) => a.value)),
      [['a,ou=admins'], ['L3'], ['test']],
    )
  })

  test('ternaries keep literal branches as syntax; dnEscape and rdn are not escaped twice', () => {
    assert.equal(
      escapeDnValues(
        'rdn("uid", account.uid) + (contract.role == "staff" ? ",ou=staff" : ",ou=" + contract.location) + dnEscape(x)',
      ),
      'rdn("uid", account.uid) + (contract.role == "staff" ? ",ou=staff" : ",ou=" + dnEscape(contract.location)) + dnEscape(x)',
    )
    const r = run({ dn: '"cn=" + person.familyName.dnEscape() + ",ou=p"' }, 'a+b')
    assert.equal(r.attributes.dn, 'cn=a\\2Bb,ou=p')
  })

  test('rdn() escapes its value and refuses a non-attribute type', () => {
    const r = run({ uid: '"a,b"', dn: 'rdn("uid", account.uid) + ",ou=p"' }, 'z')
    assert.equal(r.attributes.dn, 'uid=a\\2Cb,ou=p')
    const bad = run({ dn: 'rdn("uid=x,cn", "a") + ",ou=p"' }, 'z')
    assert.deepEqual(
      bad.issues.map((i) => [i.record, i.field]),
      [['p7', 'dn']],
    )
  })

  test('a multi-valued RDN written by the mapping itself is refused, naming person and field', () => {
    const r = run(
      { uid: '"anna"', dn: '"uid=" + account.uid + "+cn=" + person.familyName + ",ou=p"' },
      'z',
    )
    assert.equal('dn' in r.attributes, false)
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.record, i.field]),
      [['invalid_dn', 'p7', 'dn']],
    )
    assert.match(r.issues[0]?.message ?? '', /multi-valued RDN \(uid\+cn\)/)
  })

  test('an RDN value that differs from the mapped attribute of that name is refused', () => {
    const r = run({ uid: '"anna"', dn: '"uid=admin,ou=p"' }, 'z')
    assert.equal('dn' in r.attributes, false)
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.record, i.field]),
      [['invalid_dn', 'p7', 'dn']],
    )
    assert.match(r.issues[0]?.message ?? '', /differs from the mapped uid "anna"/)
    // matching case-insensitively, as the naming attributes do
    assert.deepEqual(run({ uid: '"Anna"', dn: '"uid=anna,ou=p"' }, 'z').issues, [])
  })

  test('an empty naming value (a person with empty names) is refused rather than sent as cn= (found by fuzzing)', () => {
    const r = compileMapping('ldap', {
      dn: '"cn=" + person.givenName + " " + person.familyName + ",ou=p"',
    }).evaluate(
      {
        person: person({ key: 'p8', givenName: '', familyName: '' }),
        contract: c,
        contracts: [c],
        today: '2025-10-01',
      },
      memoryOracle(),
    )
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.record, i.field]),
      [['invalid_dn', 'p8', 'dn']],
    )
  })

  test('a refusal quotes a huge DN by its ends only', () => {
    const r = run(
      { uid: '"anna"', dn: '"uid=" + person.familyName + "+cn=x,ou=p"' },
      'y'.repeat(100_000),
    )
    assert.equal(r.issues[0]?.code, 'invalid_dn')
    assert.ok((r.issues[0]?.message.length ?? 0) < 400, String(r.issues[0]?.message.length))
  })
})
