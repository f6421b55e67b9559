// The anchor batcher on its own (a scripted search), the subschema parsing it relies on, and the batched create
// path against a real slapd: many concurrent creates, some of them already there, case-only differences, and a
// batch search that fails for everyone waiting on it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type Entry } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { slapdSkipReason, startSlapd, type Slapd } from '../../../test/harness/slapd.ts'
import { AnchorBatcher, looseKey, sortEntries } from './ldap-anchor-batcher.ts'
import { LdapClient } from './ldap-client.ts'
import { parseAttributeType, ruleIn } from './ldap-schema.ts'
import { personAttributes, TEST_OUS, testTarget } from './ldap-test-fixture.ts'

const entry = (dn: string, uid: string | string[]): Entry => ({ dn, uid })

function scripted(
  directory: Entry[],
  options: { sortable?: boolean; fail?: (values: readonly string[]) => unknown } = {},
) {
  const calls: string[][] = []
  const batcher = new AnchorBatcher({
    // case-insensitive like caseIgnoreMatch
    search: async (_attribute, values) => {
      calls.push([...values])
      await new Promise((r) => setTimeout(r, 1))
      const failure = options.fail?.(values)
      if (failure !== undefined) throw failure
      const wanted = new Set(values.map((v) => v.toLowerCase()))
      return directory.filter((e) =>
        [e.uid].flat().some((v) => typeof v === 'string' && wanted.has(v.toLowerCase())),
      )
    },
    sortable: async () => options.sortable ?? true,
  })
  return { batcher, calls }
}

describe('anchor batcher', () => {
  test('concurrent look-ups share one search, and each gets its own entries', async () => {
    const directory = [
      entry('uid=a', 'a'),
      entry('uid=c', 'c'),
      entry('uid=x1', 'dup'),
      entry('uid=x2', 'dup'),
    ]
    const { batcher, calls } = scripted(directory)
    const values = ['a', 'b', 'c', 'a', 'dup', ...Array.from({ length: 40 }, (_, i) => `n${i}`)]
    const found = await Promise.all(values.map((v) => batcher.find('uid', v)))
    assert.equal(calls.length, 1)
    assert.equal(calls[0]?.length, 44, 'a value asked twice is searched once')
    assert.deepEqual(
      found[0]?.map((e) => e.dn),
      ['uid=a'],
    )
    assert.deepEqual(found[1], [])
    assert.deepEqual(
      found[2]?.map((e) => e.dn),
      ['uid=c'],
    )
    assert.deepEqual(
      found[3]?.map((e) => e.dn),
      ['uid=a'],
    )
    assert.deepEqual(
      found[4]?.map((e) => e.dn),
      ['uid=x1', 'uid=x2'],
      'both holders come back, so the caller sees the conflict',
    )
  })

  test('look-ups arriving while a batch is on the wire join the next batch; batches are capped', async () => {
    const { batcher, calls } = scripted([])
    const first = batcher.find('uid', 'first')
    await new Promise((r) => setImmediate(r))
    const rest = Array.from({ length: 250 }, (_, i) => batcher.find('uid', `v${i}`))
    await Promise.all([first, ...rest])
    assert.deepEqual(
      calls.map((c) => c.length),
      [1, 100, 100, 50],
    )
  })

  test('a failing batch search fails every look-up waiting on it with that error, and the next batch works', async () => {
    const error = new ConnectorError('transient', 'search: connection dropped')
    let failing = true
    const { batcher } = scripted([entry('uid=a', 'a')], {
      fail: () => (failing ? error : undefined),
    })
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => batcher.find('uid', `v${i}`)),
    )
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason === error))
    failing = false
    assert.deepEqual(
      (await batcher.find('uid', 'a')).map((e) => e.dn),
      ['uid=a'],
    )
  })

  test('values the server may have matched loosely are searched on their own', async () => {
    const directory = [entry('uid=upper', 'Jan.Jansen'), entry('uid=plain', 'piet')]
    const { batcher, calls } = scripted(directory)
    const [jan, piet, other] = await Promise.all([
      batcher.find('uid', 'jan.jansen'),
      batcher.find('uid', 'piet'),
      batcher.find('uid', 'kees'),
    ])
    assert.deepEqual(
      jan?.map((e) => e.dn),
      ['uid=upper'],
      'found as a single search of its own finds it',
    )
    assert.deepEqual(
      piet?.map((e) => e.dn),
      ['uid=plain'],
    )
    assert.deepEqual(other, [])
    assert.deepEqual(calls, [['jan.jansen', 'piet', 'kees'], ['jan.jansen']])
  })

  test('an attribute whose matching rule is unknown is searched value by value', async () => {
    const { batcher, calls } = scripted([entry('uid=a', 'a')], { sortable: false })
    await Promise.all(['a', 'b', 'c'].map((v) => batcher.find('uid', v)))
    assert.deepEqual(
      calls.map((c) => c.length),
      [1, 1, 1],
    )
  })

  test('sortEntries gives up when an entry matches none of the values by our reckoning', () => {
    const values = ['007', '8']
    const sorted = sortEntries('uid', values, [entry('uid=seven', '7')]) // integerMatch would match 007 to 7
    assert.equal(sorted.size, 0)
    assert.deepEqual(
      [...sortEntries('uid', values, [entry('uid=eight', '8')])],
      [
        ['007', []],
        ['8', [entry('uid=eight', '8')]],
      ],
    )
  })

  test('looseKey folds case, compatibility forms, diacritics, spaces and punctuation', () => {
    assert.equal(looseKey(' Noël  de\u00A0Vries-Ⅻ '), looseKey('noel DE vries xii'))
    assert.equal(looseKey('Straße'), looseKey('STRASSE'))
    assert.notEqual(looseKey('jan1'), looseKey('jan2'))
  })
})

describe('subschema attribute types', () => {
  const types = [
    "( 2.5.4.41 NAME 'name' DESC 'RFC4519: common supertype (EQUALITY x) of name attributes' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
    "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s) for which the entity is known by' SUP name )",
    "( 2.16.840.1.113730.3.1.3 NAME 'employeeNumber' DESC 'RFC2798: numerically identifies an employee within an organization' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
    "( 1.3.6.1.1.1.1.0 NAME 'uidNumber' DESC 'It''s an integer' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )",
  ].map(parseAttributeType)

  test('finds the EQUALITY rule by name, alias or OID, through SUP, and ignores keywords inside DESC', () => {
    assert.equal(ruleIn(types, 'employeeNumber'), 'caseIgnoreMatch')
    assert.equal(ruleIn(types, 'commonName'), 'caseIgnoreMatch')
    assert.equal(ruleIn(types, '2.5.4.3'), 'caseIgnoreMatch')
    assert.equal(ruleIn(types, 'uidnumber'), 'integerMatch')
    assert.equal(ruleIn(types, 'nope'), undefined)
  })
})

const skip = slapdSkipReason()

describe('batched creates against slapd', { skip }, () => {
  let s: Slapd
  let raw: Client
  before(async () => {
    s = await startSlapd()
    raw = new Client({ url: s.url })
    await raw.bind(s.adminDn, s.adminPassword)
    for (const dn of TEST_OUS(s))
      await raw.add(dn, { objectClass: 'organizationalUnit', ou: dn.slice(3, dn.indexOf(',')) })
  })
  after(async () => {
    await raw?.unbind()
    await s?.stop()
  })

  const uuidAt = async (dn: string) =>
    (await raw.search(dn, { scope: 'base', attributes: ['entryUUID'] })).searchEntries[0]?.entryUUID

  test('120 concurrent creates, 40 of which exist already (one under another case): few searches, right outcomes', async () => {
    const specs = Array.from({ length: 120 }, (_, i) =>
      personAttributes(s, 1000 + i, { uid: `batch${i}` }),
    )
    const existing = new Map<number, string>()
    for (let i = 0; i < 120; i += 3) {
      const { dn, ...rest } = specs[i]?.attributes ?? {}
      // an account made earlier under the anchor: the uid holds it in upper case, which caseIgnoreMatch still finds
      const uid = i === 0 ? 'BATCH0' : String(rest.uid)
      await raw.add(String(dn), {
        objectClass: 'inetOrgPerson',
        ...(rest as Record<string, string>),
        uid,
      })
      existing.set(i, String(await uuidAt(String(dn))))
    }
    const target = testTarget(s)
    const search = LdapClient.prototype.search
    let searches = 0
    LdapClient.prototype.search = function (...args: Parameters<typeof search>) {
      searches++
      return search.apply(this, args)
    }
    try {
      const results = await Promise.all(
        specs.map((spec) => target.create({ ...spec, enabled: true })),
      )
      for (const [i, r] of results.entries()) {
        const dn = String(specs[i]?.attributes.dn)
        if (existing.has(i))
          assert.deepEqual(
            r,
            { outcome: 'unchanged', id: existing.get(i), locator: dn },
            `account ${i}`,
          )
        else
          assert.deepEqual(
            r,
            { outcome: 'created', id: await uuidAt(dn), locator: dn },
            `account ${i}: id from the post-read control`,
          )
      }
      assert.ok(searches < 20, `${searches} searches for 120 creates`)
      const again = await Promise.all(
        specs.map((spec) => target.create({ ...spec, enabled: true })),
      )
      assert.ok(
        again.every((r, i) => r.outcome === 'unchanged' && r.id === results[i]?.id),
        'a retried batch duplicates nothing',
      )
    } finally {
      LdapClient.prototype.search = search
      await target.close()
    }
  })

  test('two entries with one anchor are a conflict for that create only', async () => {
    const a = personAttributes(s, 2001, { uid: 'twice' })
    const b = personAttributes(s, 2002, { uid: 'twice' })
    for (const spec of [a, b]) {
      const { dn, ...rest } = spec.attributes
      await raw.add(String(dn), {
        objectClass: 'inetOrgPerson',
        ...(rest as Record<string, string>),
      })
    }
    const target = testTarget(s)
    try {
      const [dup, fresh] = await Promise.allSettled([
        target.create({ ...personAttributes(s, 2003, { uid: 'twice' }), enabled: true }),
        target.create({ ...personAttributes(s, 2004, { uid: 'once' }), enabled: true }),
      ])
      assert.ok(
        dup.status === 'rejected' &&
          ConnectorError.isInstance(dup.reason) &&
          dup.reason.kind === 'conflict',
      )
      assert.ok(fresh.status === 'fulfilled' && fresh.value.outcome === 'created')
    } finally {
      await target.close()
    }
  })

  test('a batch search that fails (missing base DN) fails every waiting create with the mapped error, none hangs', async () => {
    const target = testTarget({ ...s, peopleDn: `ou=nergens,${s.baseDn}` })
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 25 }, (_, i) =>
          target.create({ ...personAttributes(s, 3000 + i, { uid: `lost${i}` }), enabled: true }),
        ),
      )
      for (const r of results) {
        assert.equal(r.status, 'rejected')
        assert.ok(
          ConnectorError.isInstance(r.reason) && r.reason.kind === 'config',
          String(r.status === 'rejected' ? r.reason : r),
        )
      }
    } finally {
      await target.close()
    }
  })
})
