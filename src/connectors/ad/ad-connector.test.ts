// AD connector pieces without a server: objectGUID encoding, the password generator and unicodePwd, the
// sAMAccountName check, proxyAddresses after a mail change, uniqueness claims, option checks; and the error
// paths against a server that misbehaves (a TCP port that never answers LDAP: timeout; the AD simulator with a
// wrong password, auth, and a wrong CA are in src/connectors/ad/ad-sim.conformance.test.ts).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { ConnectorError } from '../../contract/index.ts'
import { guidToBytes, guidToString } from './ad-guid.ts'
import { adOptionsSchema } from './ad-options.ts'
import { generatePassword, unicodePwd } from './ad-password.ts'
import { checkSamAccountName, domainRoot, withAlias } from './ad-target.ts'
import { claimsOf } from './ad-uniqueness.ts'
import { createAdTarget } from './ad-connector.ts'
import type { LdapClient } from '../ldap/ldap-client.ts'
import { allValues, isMemberRanged } from '../ldap/ldap-groups.ts'
import { toDn } from '../ldap/ldap-mapping.ts'

const POLICY = {
  length: 16,
  lowercase: true,
  uppercase: true,
  digits: true,
  symbols: true,
  excludeAmbiguous: true,
}

describe('objectGUID', () => {
  test('bytes as Samba sends them ↔ the string AD tools show (first three groups little-endian)', () => {
    const bytes = Buffer.from('8be5289aae967b4194d79183429e483a', 'hex')
    assert.equal(guidToString(bytes), '9a28e58b-96ae-417b-94d7-9183429e483a')
    assert.deepEqual(guidToBytes('9a28e58b-96ae-417b-94d7-9183429e483a'), bytes)
    assert.deepEqual(guidToBytes('9A28E58B-96AE-417B-94D7-9183429E483A'), bytes)
  })
  test('a malformed GUID or byte count is refused', () => {
    assert.throws(() => guidToBytes('not-a-guid'), /expected a GUID/)
    assert.throws(() => guidToString(Buffer.alloc(15)), /15 bytes/)
  })
})

describe('initial passwords', () => {
  test('length and every enabled class; no ambiguous characters', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(POLICY)
      assert.equal(p.length, 16)
      assert.match(p, /[a-z]/)
      assert.match(p, /[A-Z]/)
      assert.match(p, /[0-9]/)
      assert.match(p, /[!#$%&*+\-=?@_]/)
      assert.doesNotMatch(p, /[0Oo1lI]/)
    }
    const digits = generatePassword({
      ...POLICY,
      length: 8,
      lowercase: false,
      uppercase: false,
      symbols: false,
      excludeAmbiguous: false,
    })
    assert.match(digits, /^[0-9]{8}$/)
  })
  test('passwords differ', () => {
    assert.equal(new Set(Array.from({ length: 100 }, () => generatePassword(POLICY))).size, 100)
  })
  test('a policy with no class, or shorter than its classes, is refused', () => {
    assert.throws(
      () =>
        generatePassword({
          ...POLICY,
          lowercase: false,
          uppercase: false,
          digits: false,
          symbols: false,
        }),
      /no character class/,
    )
    assert.throws(() => generatePassword({ ...POLICY, length: 3 }), /shorter than the 4/)
    assert.equal(
      adOptionsSchema.safeParse({ ...base(), passwordPolicy: { length: 4 } }).success,
      false,
    )
  })
  test('unicodePwd is the quoted password in UTF-16LE', () => {
    assert.deepEqual(unicodePwd('ab'), Buffer.from([0x22, 0, 0x61, 0, 0x62, 0, 0x22, 0]))
  })
})

describe('sAMAccountName', () => {
  test('20 characters pass; 21 and illegal characters are refused as invalid, naming the value', () => {
    checkSamAccountName('a'.repeat(20), 'create x')
    checkSamAccountName(undefined, 'create x')
    for (const bad of ['a'.repeat(21), 'jan/piet', 'a*b', 'jan@school', 'ends.', '', 'tab\there']) {
      assert.throws(
        () => checkSamAccountName(bad, 'create x'),
        (e: unknown) => {
          assert.ok(ConnectorError.isInstance(e))
          assert.equal(e.kind, 'invalid')
          assert.match(e.message, /^create x: sAMAccountName /)
          return true
        },
      )
    }
    assert.throws(() => checkSamAccountName(['a', 'b'], 'create x'), /must be one string/)
  })
})

describe('proxyAddresses after a mail change', () => {
  test('new primary SMTP:, old address as smtp:, other aliases kept, no duplicates', () => {
    assert.deepEqual(
      withAlias(['SMTP:old@s.nl', 'smtp:x@s.nl', 'X500:/o=a'], 'old@s.nl', 'new@s.nl'),
      ['SMTP:new@s.nl', 'smtp:old@s.nl', 'smtp:x@s.nl', 'X500:/o=a'],
    )
    assert.deepEqual(withAlias([], 'old@s.nl', 'new@s.nl'), ['SMTP:new@s.nl', 'smtp:old@s.nl'])
    // back to an address that was an alias: it becomes primary and is not listed twice
    assert.deepEqual(withAlias(['SMTP:new@s.nl', 'smtp:old@s.nl'], 'new@s.nl', 'OLD@s.nl'), [
      'SMTP:OLD@s.nl',
      'smtp:new@s.nl',
    ])
  })
})

describe('uniqueness claims and options', () => {
  test('claims take the configured attributes, case-insensitively, single or multi-valued', () => {
    const claims = claimsOf(
      {
        SAMAccountName: 'jan',
        mail: 'j@s.nl',
        proxyAddresses: ['SMTP:j@s.nl', 'smtp:a@s.nl'],
        cn: 'x',
      },
      ['sAMAccountName', 'mail', 'proxyAddresses'],
    )
    assert.deepEqual(
      claims.map((c) => `${c.attribute}=${c.value}`),
      [
        'sAMAccountName=jan',
        'mail=j@s.nl',
        'proxyAddresses=SMTP:j@s.nl',
        'proxyAddresses=smtp:a@s.nl',
      ],
    )
  })
  test('the domain root of a base DN', () => {
    assert.equal(domainRoot('OU=leerlingen,OU=Koppel,DC=school,DC=test'), 'DC=school,DC=test')
  })
  test('a connection without TLS is refused: AD takes passwords only over TLS', () => {
    const options = {
      ...adOptionsSchema.parse({ ...base(), url: 'ldap://dc.school.test' }),
      password: 'x',
    }
    assert.throws(
      () => createAdTarget('ad', options, process.cwd()),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'config' && /only over TLS/.test(e.message),
    )
  })
  test('password must be a secret reference', () => {
    assert.equal(adOptionsSchema.safeParse({ ...base(), password: 'plain' }).success, false)
  })
})

function base() {
  return {
    url: 'ldaps://dc.school.test',
    bindDn: 'CN=svc,DC=school,DC=test',
    password: '${env:AD_PW}',
    baseDn: 'OU=Koppel,DC=school,DC=test',
  }
}

describe('error paths', () => {
  test('a server that accepts TCP but never answers: transient timeout, not a hang', async () => {
    const sockets = new Set<Socket>()
    const server = createServer((s) => sockets.add(s))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const options = {
      ...adOptionsSchema.parse({
        ...base(),
        url: `ldap://127.0.0.1:${port}`,
        startTls: true,
        timeoutMs: 300,
        connectTimeoutMs: 300,
      }),
      password: 'x',
    }
    const ad = createAdTarget('ad', options, process.cwd())
    try {
      await assert.rejects(
        ad.find({ attribute: 'employeeID', value: 'e1' }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'transient',
      )
    } finally {
      await ad.close()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('ranged member reads (allValues)', () => {
  // a stand-in for LdapClient.search that answers ranged reads of one group the way Samba does, including
  // ldapts' empty placeholder for the range that was asked for
  const fake = (members: string[], step: number) =>
    ({
      search: async (_dn: string, o: { attributes?: string[] }) => {
        const asked = o.attributes?.[0] ?? ''
        const m = /;range=(\d+)-/.exec(asked)
        const from = Number(m?.[1] ?? 0)
        const to = Math.min(from + step, members.length)
        const end = to >= members.length ? '*' : String(to - 1)
        return [
          { dn: 'CN=g', [asked]: [], [`member;range=${from}-${end}`]: members.slice(from, to) },
        ]
      },
    }) as unknown as LdapClient

  test('follows ranges to the end, ignoring the empty placeholder of the asked range', async () => {
    const members = Array.from({ length: 3200 }, (_, i) => `CN=m${i}`)
    const first = { dn: 'CN=g', 'member;range=0-1499': members.slice(0, 1500) }
    assert.deepEqual(await allValues(fake(members, 1500), first, 'member'), members)
  })
  test('an empty group, asked for a range, is empty and ends', async () => {
    assert.equal(
      await isMemberRanged(fake([], 1500), 'member', toDn('CN=g,DC=s'), toDn('CN=x,DC=s')),
      false,
    )
  })
  test('membership is found in a later range, compared as DNs', async () => {
    const members = [
      ...Array.from({ length: 2000 }, (_, i) => `CN=m${i},DC=s`),
      'cn=Jan\\2C Piet,DC=s',
    ]
    assert.equal(
      await isMemberRanged(
        fake(members, 1500),
        'member',
        toDn('CN=g,DC=s'),
        toDn('CN=Jan\\, Piet,DC=s'),
      ),
      true,
    )
  })
})
