// The AD connector against a real Samba AD DC (test/harness/samba-ad.ts), provisioned once for this file:
// the shared conformance suite with the fixture the AD simulator also runs, and the AD-specific lifecycle:
// passwords (given and generated), userAccountControl, pwdLastSet, rename and OU move keeping objectGUID,
// groups beyond 1500 members (ranged retrieval), uniqueness conflicts, sAMAccountName length, bad credentials.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Attribute, Change, Client } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { sambaSkipReason, startSambaAd, type SambaAd } from '../../../test/harness/samba-ad.ts'
import { LdapClient } from '../ldap/ldap-client.ts'
import { allValues, isMemberRanged } from '../ldap/ldap-groups.ts'
import { toDn } from '../ldap/ldap-mapping.ts'
import {
  adConformanceFixture,
  adPerson,
  adTestOptions,
  adTestTarget,
  AD_TEST_OUS,
  groupsDn,
  peopleDn,
  type AdLike,
} from './ad-test-fixture.ts'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { createAdTarget } from './ad-connector.ts'
import { AD_READ_ATTRIBUTES } from './ad-options.ts'
import { unicodePwd } from './ad-password.ts'
import type { AdTarget } from './ad-target.ts'
import { messageOf } from '../../util/message-of.ts'

const skip = sambaSkipReason()
const BIG = 1600 // above AD's MaxValRange of 1500, so member is handed out in ranges

let dc: Promise<SambaAd> | undefined
function sharedDc(): Promise<SambaAd> {
  dc ??= (async () => {
    const s = await startSambaAd()
    const c = await s.admin()
    for (const dn of AD_TEST_OUS(s)) await c.add(dn, { objectClass: 'organizationalUnit' })
    return s
  })()
  return dc
}
after(async () => {
  if (dc !== undefined) await (await dc).stop()
})

const like = (s: SambaAd): AdLike => ({
  url: s.url,
  caFile: s.caFile,
  tlsServerName: s.tlsServerName,
  baseDn: s.baseDn,
  adminDn: s.adminDn,
  adminPassword: s.adminPassword,
})

async function userBinds(s: SambaAd, dn: string, password: string): Promise<string | true> {
  const c = new Client({
    url: s.url,
    timeout: 15_000,
    tlsOptions: { ca: [s.ca], checkServerIdentity: () => undefined },
  })
  try {
    await c.bind(dn, password)
    return true
  } catch (e) {
    // AD puts the reason into the diagnostic message: data 52e bad password, 533 disabled, 773 must change
    return /data ([0-9a-f]+)/.exec(messageOf(e))?.[1] ?? messageOf(e)
  } finally {
    await c.unbind().catch(() => {})
  }
}

async function read(s: SambaAd, dn: string, attributes: string[]) {
  const [e] = (
    await (
      await s.admin()
    ).search(dn, { scope: 'base', attributes, explicitBufferAttributes: ['objectGUID'] })
  ).searchEntries
  assert.ok(e, `${dn} exists`)
  return e
}

const setUac = async (s: SambaAd, dn: string, value: number) =>
  (await s.admin()).modify(dn, [
    new Change({
      operation: 'replace',
      modification: new Attribute({ type: 'userAccountControl', values: [String(value)] }),
    }),
  ])

describe('active-directory on Samba AD', { skip, timeout: 600_000 }, () => {
  let s: SambaAd
  let ad: AdTarget
  before(async () => {
    s = await sharedDc()
    ad = adTestTarget(like(s))
  })
  after(async () => {
    await ad?.close()
  })

  test('lifecycle: create with password, disable/enable keeping other flags, rename, OU move, delete', async () => {
    const spec = adPerson(like(s), 1)
    const created = await ad.create({
      attributes: spec.attributes,
      anchor: spec.anchor,
      enabled: true,
      secrets: { password: 'Init!Passw0rd1' },
    })
    assert.equal(created.outcome, 'created')
    assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.equal(created.oneTimeSecrets, undefined, 'a password the engine gave is not handed back')
    assert.equal(await userBinds(s, created.locator, 'Init!Passw0rd1'), true)
    const e = await read(s, created.locator, [
      'objectGUID',
      'userAccountControl',
      'sAMAccountName',
      'userPrincipalName',
    ])
    assert.equal(e['userAccountControl'], '512')
    assert.equal(e['sAMAccountName'], 'u1')

    // an administrator's extra flag (DONT_EXPIRE_PASSWORD 0x10000) survives disable and enable
    await setUac(s, created.locator, 0x10200)
    const ref = { id: created.id, locator: created.locator }
    assert.equal((await ad.disable(ref)).outcome, 'updated')
    assert.equal(
      (await read(s, created.locator, ['userAccountControl']))['userAccountControl'],
      String(0x10202),
    )
    assert.equal(await userBinds(s, created.locator, 'Init!Passw0rd1'), '533')
    assert.equal((await ad.disable(ref)).outcome, 'unchanged')
    assert.equal((await ad.find(spec.anchor))?.enabled, false)
    assert.equal((await ad.enable(ref)).outcome, 'updated')
    assert.equal(
      (await read(s, created.locator, ['userAccountControl']))['userAccountControl'],
      String(0x10200),
    )
    assert.equal(await userBinds(s, created.locator, 'Init!Passw0rd1'), true)

    // a new cn alone is a rename in place (AD refuses to modify the RDN attribute)
    const renamed = await ad.update(ref, [
      { field: 'cn', old: 'Jansen 1', new: 'Jansen-de Vries 1' },
      { field: 'displayName', new: 'Jan Jansen-de Vries' },
    ])
    assert.equal(renamed.id, created.id)
    assert.equal(toDn(renamed.locator).key, toDn(`CN=Jansen-de Vries 1,OU=1a,${peopleDn(s)}`).key)
    // an OU move through dn (next school year), keeping objectGUID
    const moved = await ad.update({ id: created.id, locator: renamed.locator }, [
      { field: 'dn', new: `CN=Jansen-de Vries 1,OU=2b,${peopleDn(s)}` },
    ])
    assert.equal(moved.id, created.id)
    const found = await ad.find(spec.anchor)
    assert.equal(found?.id, created.id)
    assert.equal(found?.locator, moved.locator)
    assert.equal(found?.attributes['cn'], 'Jansen-de Vries 1')
    assert.equal(found?.attributes['displayName'], 'Jan Jansen-de Vries')

    assert.equal((await ad.delete({ id: created.id, locator: moved.locator })).outcome, 'updated')
    assert.equal(
      (await ad.delete({ id: created.id, locator: moved.locator })).outcome,
      'already-gone',
    )
    assert.equal(await ad.find(spec.anchor), undefined)
  })

  test('a create without a password generates one, returns it once and the user can log on with it', async () => {
    const spec = adPerson(like(s), 2)
    const created = await ad.create({
      attributes: spec.attributes,
      anchor: spec.anchor,
      enabled: true,
    })
    const password = created.oneTimeSecrets?.['password']
    assert.ok(
      password !== undefined && password.length === 16,
      'a 16-character password comes back',
    )
    assert.match(password, /[a-z]/)
    assert.match(password, /[A-Z]/)
    assert.match(password, /[0-9]/)
    assert.equal(await userBinds(s, created.locator, password), true)
    const again = await ad.create({
      attributes: spec.attributes,
      anchor: spec.anchor,
      enabled: true,
    })
    assert.equal(again.outcome, 'unchanged')
    assert.equal(again.oneTimeSecrets, undefined, 'a repeated create makes no new password')
  })

  test('mustChangePassword sets pwdLastSet=0: the first logon must change the password', async () => {
    const must = adTestTarget(like(s), { mustChangePassword: true })
    try {
      const spec = adPerson(like(s), 3)
      const created = await must.create({
        attributes: spec.attributes,
        anchor: spec.anchor,
        enabled: true,
        secrets: { password: 'Init!Passw0rd3' },
      })
      assert.equal((await read(s, created.locator, ['pwdLastSet']))['pwdLastSet'], '0')
      assert.equal(await userBinds(s, created.locator, 'Init!Passw0rd3'), '773')
    } finally {
      await must.close()
    }
  })

  test('create disabled gives userAccountControl 514', async () => {
    const spec = adPerson(like(s), 4)
    const created = await ad.create({
      attributes: spec.attributes,
      anchor: spec.anchor,
      enabled: false,
    })
    assert.equal(
      (await read(s, created.locator, ['userAccountControl']))['userAccountControl'],
      '514',
    )
    assert.equal((await ad.find(spec.anchor))?.enabled, false)
  })

  test('a UPN or mail held by an account Koppel does not manage is a conflict naming attribute and value', async () => {
    const c = await s.admin()
    await c.add(`CN=Handmatig,${peopleDn(s)}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: 'handmatig',
      userPrincipalName: 'taken@school.test',
      mail: 'ander@school.test',
      proxyAddresses: ['SMTP:ander@school.test', 'smtp:alias@school.test'],
    })
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ userPrincipalName: 'taken@school.test' }, 'userPrincipalName', 'taken@school.test'],
      [{ mail: 'alias@school.test' }, 'mail', 'alias@school.test'],
      [{ mail: 'ANDER@school.test' }, 'mail', 'ANDER@school.test'],
      [{ sAMAccountName: 'handmatig' }, 'sAMAccountName', 'handmatig'],
    ]
    for (const [n, [override, attribute, value]] of cases.entries()) {
      const spec = adPerson(like(s), 10 + n, override)
      await assert.rejects(
        ad.create({ attributes: spec.attributes, anchor: spec.anchor, enabled: true }),
        (e: unknown) => {
          assert.ok(ConnectorError.isInstance(e))
          assert.equal(e.kind, 'conflict')
          assert.match(e.message, new RegExp(`${attribute} "${value.replace('.', '\\.')}"`))
          assert.match(e.message, /CN=Handmatig/)
          return true
        },
      )
      assert.equal(await ad.find(spec.anchor), undefined, 'nothing was created')
    }
    // an update to a taken value is refused too, and leaves the account as it was
    const spec = adPerson(like(s), 20)
    const created = await ad.create({
      attributes: spec.attributes,
      anchor: spec.anchor,
      enabled: true,
    })
    await assert.rejects(
      ad.update(created, [{ field: 'userPrincipalName', new: 'taken@school.test' }]),
      { kind: 'conflict' },
    )
    assert.equal((await ad.find(spec.anchor))?.attributes['userPrincipalName'], 'u20@school.test')
    // its own values are no conflict
    assert.equal(
      (await ad.update(created, [{ field: 'mail', new: 'u20@school.test' }])).outcome,
      'updated',
    )
  })

  test('sAMAccountName longer than 20 characters is refused before anything is written', async () => {
    const spec = adPerson(like(s), 30, { sAMAccountName: 'a-very-long-username-x' })
    await assert.rejects(
      ad.create({ attributes: spec.attributes, anchor: spec.anchor, enabled: true }),
      (e: unknown) => {
        assert.ok(ConnectorError.isInstance(e))
        assert.equal(e.kind, 'invalid')
        assert.match(
          e.message,
          /sAMAccountName "a-very-long-username-x" has 22 characters; Active Directory allows 1 to 20/,
        )
        return true
      },
    )
    assert.equal(await ad.find(spec.anchor), undefined)
  })

  test('keepOldMailAsAlias: a new mail keeps the old address as an smtp: alias', async () => {
    const keep = adTestTarget(like(s), { keepOldMailAsAlias: true })
    try {
      const spec = adPerson(like(s), 40)
      const created = await keep.create({
        attributes: { ...spec.attributes, proxyAddresses: 'SMTP:u40@school.test' },
        anchor: spec.anchor,
        enabled: true,
      })
      await keep.update(created, [
        { field: 'mail', old: 'u40@school.test', new: 'jan.jansen@school.test' },
        { field: 'userPrincipalName', new: 'jan.jansen@school.test' },
      ])
      const e = await read(s, created.locator, ['mail', 'proxyAddresses', 'userPrincipalName'])
      assert.equal(e['mail'], 'jan.jansen@school.test')
      assert.equal(e['userPrincipalName'], 'jan.jansen@school.test')
      assert.deepEqual([e['proxyAddresses']].flat().sort(), [
        'SMTP:jan.jansen@school.test',
        'smtp:u40@school.test',
      ])
    } finally {
      await keep.close()
    }
  })

  test(`groups: grant/revoke in a group of ${BIG} members (ranged member reads), twice each`, async () => {
    const bulk = `OU=bulk,${s.baseDn}`
    const group = `CN=groot,${groupsDn(s)}`
    const members = Array.from({ length: BIG }, (_, k) => `CN=c${k},${bulk}`)
    await s.ldbAdd(
      [
        `dn: ${bulk}\nobjectClass: organizationalUnit\n`,
        ...members.map((dn) => `dn: ${dn}\nobjectClass: contact\n`),
        `dn: ${group}\nobjectClass: group\n${members.map((m) => `member: ${m}`).join('\n')}\n`,
      ].join('\n'),
    )

    const spec = adPerson(like(s), 50)
    const created = await ad.create({
      attributes: spec.attributes,
      anchor: spec.anchor,
      enabled: true,
    })
    const permission = { type: 'group', id: group }
    assert.equal((await ad.grant(created, permission)).outcome, 'updated')
    assert.equal(
      (await ad.grant(created, permission)).outcome,
      'unchanged',
      'AD answers 68 for "already a member"',
    )

    const client = new LdapClient({
      url: s.url,
      bindDn: s.adminDn,
      password: s.adminPassword,
      startTls: false,
      ca: s.ca,
      servername: s.tlsServerName,
      timeoutMs: 30_000,
      connectTimeoutMs: 10_000,
    })
    try {
      // a read of the first range ends before the last value, so reading all takes a second ranged read
      const [first] = await client.search(group, {
        scope: 'base',
        attributes: ['member;range=0-1499'],
      })
      assert.ok(
        first && Object.keys(first).some((k) => /^member;range=0-1499$/i.test(k)),
        `ranged: ${Object.keys(first ?? {}).join(',')}`,
      )
      assert.equal((await allValues(client, first, 'member')).length, BIG + 1)
      assert.equal(await isMemberRanged(client, 'member', toDn(group), toDn(created.locator)), true)
    } finally {
      await client.close()
    }
    const listed = []
    for await (const a of ad.listAccounts()) if (a.id === created.id) listed.push(a)
    assert.deepEqual(listed[0]?.permissions, [toDn(group).text])

    assert.equal((await ad.revoke(created, permission)).outcome, 'updated')
    assert.equal(
      (await ad.revoke(created, permission)).outcome,
      'unchanged',
      'AD answers 53 for "not a member"; the ranged read settles it',
    )
    assert.equal((await ad.find(spec.anchor))?.permissions?.length, 0)
  })

  test('StartTLS on 389 works as well as ldaps', async () => {
    const tls = adTestTarget({ ...like(s), url: s.startTlsUrl, startTls: true })
    try {
      assert.equal(await tls.find({ attribute: 'employeeID', value: 'nobody' }), undefined)
    } finally {
      await tls.close()
    }
  })

  test('a wrong bind password fails as auth, without the password in the message', async () => {
    const wrong = adTestTarget({ ...like(s), adminPassword: 'Wr0ng!secret' })
    try {
      await assert.rejects(wrong.find({ attribute: 'employeeID', value: 'x' }), (e: unknown) => {
        assert.ok(ConnectorError.isInstance(e))
        assert.equal(e.kind, 'auth')
        assert.doesNotMatch(e.message, /Wr0ng/)
        return true
      })
    } finally {
      await wrong.close()
    }
  })
})

/** S-1-5-21-… from the bytes of objectSid (MS-DTYP 2.4.2.2). */
function sidString(bytes: Buffer): string {
  const count = bytes.readUInt8(1)
  const authority = bytes.readUIntBE(2, 6)
  const subs = Array.from({ length: count }, (_, i) => bytes.readUInt32LE(8 + 4 * i))
  return `S-${bytes.readUInt8(0)}-${authority}-${subs.join('-')}`
}

// schemaIDGUIDs and the extended right from MS-ADSC / MS-ADTS, as delegation wizards write them
const USER_CLASS = 'bf967aba-0de6-11d0-a285-00aa003049e2'
const GROUP_CLASS = 'bf967a9c-0de6-11d0-a285-00aa003049e2'
const OU_CLASS = 'bf967aa5-0de6-11d0-a285-00aa003049e2'
const MEMBER_ATTRIBUTE = 'bf9679c0-0de6-11d0-a285-00aa003049e2'
const RESET_PASSWORD = '00299570-246d-11d0-a768-00aa006e0529'

/** The delegation docs/connectors/active-directory.md lists, as ACEs for one trustee. */
function koppelDelegation(sid: string): { people: string[]; groups: string[] } {
  return {
    people: [
      `(OA;CI;CCDC;${USER_CLASS};;${sid})`, // create and delete users here and in sub-OUs (also: move in and out)
      `(OA;CI;CC;${OU_CLASS};;${sid})`, // create sub-OUs (createOus)
      `(OA;CIIO;RPWP;;${USER_CLASS};${sid})`, // read and write every property of those users (UAC, rename)
      `(OA;CIIO;CR;${RESET_PASSWORD};${USER_CLASS};${sid})`, // set initial passwords
    ],
    groups: [
      `(OA;CIIO;RPWP;${MEMBER_ATTRIBUTE};${GROUP_CLASS};${sid})`, // read and write member of those groups
      `(OA;CI;CC;${GROUP_CLASS};;${sid})`, // create missing groups (groups.createMissing)
    ],
  }
}

describe(
  'active-directory on Samba AD: OUs, read attributes, the example anchor, a delegated account',
  { skip, timeout: 600_000 },
  () => {
    let s: SambaAd
    let ad: AdTarget
    before(async () => {
      s = await sharedDc()
      ad = adTestTarget(like(s))
    })
    after(async () => {
      await ad?.close()
    })

    test('missing OUs of a computed DN are created, by two creates at once; a missing CN= level is refused', async () => {
      const year = `OU=2031,OU=Nieuw College,${peopleDn(like(s))}`
      const specs = [adPerson(like(s), 60), adPerson(like(s), 61)]
      const refs = await Promise.all(
        specs.map((p, i) =>
          ad.create({
            attributes: { ...p.attributes, dn: `CN=Nieuw ${i},${year}` },
            anchor: p.anchor,
            enabled: true,
          }),
        ),
      )
      assert.deepEqual(
        refs.map((r) => r.outcome),
        ['created', 'created'],
      )
      assert.equal(toDn(refs[0]?.locator ?? '').key, toDn(`CN=Nieuw 0,${year}`).key)
      const moved = await ad.update(refs[1] as { id: string; locator: string }, [
        { field: 'dn', new: `CN=Nieuw 1,OU=2032,OU=Nieuw College,${peopleDn(like(s))}` },
      ])
      assert.equal(moved.id, refs[1]?.id)
      const bad = adPerson(like(s), 62)
      await assert.rejects(
        ad.create({
          attributes: { ...bad.attributes, dn: `CN=X,CN=Geen,${peopleDn(like(s))}` },
          anchor: bad.anchor,
          enabled: true,
        }),
        (e: unknown) => {
          assert.ok(ConnectorError.isInstance(e) && e.kind === 'invalid', String(e))
          assert.match(
            e.message,
            /CN=Geen,OU=people,DC=school,DC=test does not exist, and Koppel creates only ou= containers/i,
          )
          return true
        },
      )
    })

    test("the example's anchor attribute takes a 36-character OneRoster id, and is read back without readAttributes", async () => {
      const example = parseYaml(
        readFileSync(
          resolve(import.meta.dirname, '../../../examples/active-directory.yaml'),
          'utf8',
        ),
      ) as { targets: { anchor: { attribute: string } }[] }
      const attribute = example.targets[0]?.anchor.attribute ?? ''
      const mapped = createAdTarget(
        'mapped',
        adTestOptions(like(s), { readAttributes: AD_READ_ATTRIBUTES }),
        process.cwd(),
        [attribute, 'dn', 'sAMAccountName'],
      )
      try {
        const key = randomUUID()
        const spec = adPerson(like(s), 63)
        const { employeeID: _, ...rest } = spec.attributes
        const r = await mapped.create({
          attributes: { ...rest, [attribute]: key },
          anchor: { attribute, value: key },
          enabled: true,
        })
        assert.equal(r.outcome, 'created')
        const found = await mapped.find({ attribute, value: key })
        assert.equal(
          found?.attributes[attribute],
          key,
          `${attribute} is read although AD_READ_ATTRIBUTES lacks it`,
        )
      } finally {
        await mapped.close()
      }
    })

    test('a delegated service account (no admin) runs the whole lifecycle; it cannot write outside its OUs', async () => {
      const admin = await s.admin()
      const svcDn = `CN=svc-koppel,CN=Users,${s.baseDn}`
      const svcPassword = 'Svc!Koppel-2026'
      await admin.add(svcDn, [
        new Attribute({ type: 'objectClass', values: ['user'] }),
        new Attribute({ type: 'sAMAccountName', values: ['svc-koppel'] }),
        new Attribute({ type: 'unicodePwd', values: [unicodePwd(svcPassword)] }),
        new Attribute({ type: 'userAccountControl', values: ['512'] }),
      ])
      const [svc] = (
        await admin.search(svcDn, {
          scope: 'base',
          attributes: ['objectSid'],
          explicitBufferAttributes: ['objectSid'],
        })
      ).searchEntries
      const sid = sidString(svc?.['objectSid'] as Buffer)
      const aces = koppelDelegation(sid)
      await s.dsacl(peopleDn(like(s)), aces.people.join(''))
      await s.dsacl(groupsDn(like(s)), aces.groups.join(''))

      const delegated = adTestTarget({ ...like(s), adminDn: svcDn, adminPassword: svcPassword })
      try {
        const spec = adPerson(like(s), 70)
        const dn = `CN=Jansen 70,OU=2031,OU=Gedelegeerd,${peopleDn(like(s))}`
        const ref = await delegated.create({
          attributes: { ...spec.attributes, dn },
          anchor: spec.anchor,
          enabled: true,
          secrets: { password: 'Init!Passw0rd70' },
        })
        assert.equal(await userBinds(s, ref.locator, 'Init!Passw0rd70'), true)
        const group = `CN=gedelegeerd,${groupsDn(like(s))}`
        assert.equal((await delegated.grant(ref, { type: 'group', id: group })).outcome, 'updated')
        await delegated.update(ref, [{ field: 'title', new: 'docent' }])
        const moved = await delegated.update(ref, [
          { field: 'dn', new: `CN=Jansen 70,OU=2b,${peopleDn(like(s))}` },
        ])
        assert.equal((await delegated.disable(moved)).outcome, 'updated')
        assert.equal(
          (await read(s, moved.locator, ['userAccountControl']))['userAccountControl'],
          '514',
        )
        assert.equal((await delegated.enable(moved)).outcome, 'updated')
        assert.equal(
          (await delegated.revoke(moved, { type: 'group', id: group })).outcome,
          'updated',
        )
        assert.equal((await delegated.delete(moved)).outcome, 'updated')

        const outside = adPerson(like(s), 71)
        const elsewhere = adTestTarget(
          { ...like(s), adminDn: svcDn, adminPassword: svcPassword },
          { baseDn: s.baseDn },
        )
        try {
          await assert.rejects(
            elsewhere.create({
              attributes: { ...outside.attributes, dn: `CN=Buiten,CN=Users,${s.baseDn}` },
              anchor: outside.anchor,
              enabled: true,
            }),
            (e: unknown) => ConnectorError.isInstance(e) && e.code === 50,
          )
        } finally {
          await elsewhere.close()
        }
      } finally {
        await delegated.close()
      }
    })
  },
)

if (skip === undefined) {
  runTargetConformance({
    name: 'active-directory on Samba AD',
    async setup({ pageSize }) {
      const s = await sharedDc()
      const base = `OU=conformance,${s.baseDn}`
      const c = await s.admin()
      await c.add(base, { objectClass: 'organizationalUnit' })
      const scoped: AdLike = { ...like(s), baseDn: base }
      for (const dn of AD_TEST_OUS(scoped)) await c.add(dn, { objectClass: 'organizationalUnit' })
      return adConformanceFixture(scoped, pageSize, async () => {})
    },
  })
} else {
  test('active-directory on Samba AD: target conformance', { skip }, () => {})
}
