// Provisioned groups (issue 14) on a real Samba AD DC: createGroup/updateGroup/archiveGroup/deleteGroup with
// AD's groupType, sAMAccountName, displayName, adminDescription as the sync key, an OU per school, members and
// managedBy as the owner. The shared conformance cases run in ad-connector.samba.test.ts.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Attribute } from 'ldapts'
import { sambaSkipReason, startSambaAd, type SambaAd } from '../../../test/harness/samba-ad.ts'
import { ConnectorError } from '../../contract/index.ts'
import { isMemberRanged } from '../ldap/ldap-groups.ts'
import { LdapClient } from '../ldap/ldap-client.ts'
import { toDn } from '../ldap/ldap-mapping.ts'
import { escapeDnValue } from '../../protocol/ldap-escape.ts'
import { groupSamAccountName } from './ad-groups.ts'
import { unicodePwd } from './ad-password.ts'
import { adPerson, adTestTarget, AD_TEST_OUS, groupsDn, type AdLike } from './ad-test-fixture.ts'
import type { AdTarget } from './ad-target.ts'

const skip = sambaSkipReason()

function sidString(bytes: Buffer): string {
  const count = bytes.readUInt8(1)
  const authority = bytes.readUIntBE(2, 6)
  const subs = Array.from({ length: count }, (_, i) => bytes.readUInt32LE(8 + 4 * i))
  return `S-${bytes.readUInt8(0)}-${authority}-${subs.join('-')}`
}

// schemaIDGUIDs from MS-ADSC: the group and organizationalUnit classes
const GROUP_CLASS = 'bf967a9c-0de6-11d0-a285-00aa003049e2'
const OU_CLASS = 'bf967aa5-0de6-11d0-a285-00aa003049e2'

/** The ACEs docs/connectors/active-directory.md lists for provisioned groups, on groups.baseDn and archiveDn. */
function provisionedGroupAces(sid: string): string {
  return [
    `(OA;CI;CCDC;${GROUP_CLASS};;${sid})`, // create and delete groups here and below (also: move in and out)
    `(OA;CI;CC;${OU_CLASS};;${sid})`, // the OU per school
    `(OA;CIIO;RPWP;;${GROUP_CLASS};${sid})`, // every property of those groups: member, managedBy, rename
  ].join('')
}

describe('active-directory: provisioned groups on Samba AD', { skip, timeout: 300_000 }, () => {
  let s: SambaAd
  let like: AdLike
  let archiveDn: string
  let ad: AdTarget
  before(async () => {
    s = await startSambaAd()
    const c = await s.admin()
    archiveDn = `OU=archief,${s.baseDn}`
    for (const dn of [...AD_TEST_OUS(s), archiveDn])
      await c.add(dn, { objectClass: 'organizationalUnit' })
    like = {
      url: s.url,
      caFile: s.caFile,
      tlsServerName: s.tlsServerName,
      baseDn: s.baseDn,
      adminDn: s.adminDn,
      adminPassword: s.adminPassword,
    }
    ad = adTestTarget(like, { groups: { baseDn: groupsDn(s), archiveDn } })
  })
  after(async () => {
    await ad?.close()
    await s?.stop()
  })

  const absent = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0)
  const read = async (dn: string, attributes: string[]) => {
    const { searchEntries } = await (
      await s.admin()
    ).search(dn, { scope: 'base', attributes, explicitBufferAttributes: ['objectGUID'] })
    return searchEntries[0]
  }
  const isMember = async (group: string, account: string) => {
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
      return await isMemberRanged(client, 'member', toDn(group), toDn(account))
    } finally {
      await client.close()
    }
  }

  test('create in the school OU with groupType, sAMAccountName and the key; rename, members, owner, archive, delete', async () => {
    const request = {
      key: '2026-2027/wi-3b',
      title: 'Wiskunde 3B',
      attributes: {
        title: 'Wiskunde 3B',
        description: 'wiskunde, 3 havo',
        type: 'teaching-group',
        ou: '99XX00',
      },
    }
    const created = await ad.createGroup(request)
    assert.equal(created.outcome, 'created')
    assert.equal(toDn(created.locator).key, toDn(`CN=Wiskunde 3B,OU=99XX00,${groupsDn(s)}`).key)
    const entry = await read(created.locator, [
      'groupType',
      'sAMAccountName',
      'adminDescription',
      'displayName',
      'description',
      'objectGUID',
    ])
    assert.ok(entry)
    // MS-ADTS 2.2.12: ACCOUNT_GROUP (0x2) | SECURITY_ENABLED (0x80000000), as a signed 32-bit integer
    assert.equal(entry['groupType'], '-2147483646')
    assert.equal(entry['sAMAccountName'], groupSamAccountName('2026-2027/wi-3b'))
    assert.match(String(entry['sAMAccountName']), /^2026-2027-wi-3b-g[0-9a-f]{8}$/)
    assert.equal(entry['adminDescription'], '2026-2027/wi-3b')
    assert.equal(entry['displayName'], 'Wiskunde 3B')
    assert.equal(entry['description'], 'wiskunde, 3 havo')
    assert.equal((await ad.createGroup(request)).outcome, 'unchanged', 'found by its key')

    const pupil = adPerson(like, 1)
    const teacher = adPerson(like, 2)
    const other = adPerson(like, 3)
    const refs = []
    for (const p of [pupil, teacher, other])
      refs.push(await ad.create({ attributes: p.attributes, anchor: p.anchor, enabled: true }))
    const [pupilRef, teacherRef, otherRef] = refs as [
      (typeof refs)[0],
      (typeof refs)[0],
      (typeof refs)[0],
    ]
    const member = { type: 'group', id: created.locator, role: 'member' }
    const owner = { type: 'group', id: created.locator, role: 'owner' }
    assert.equal((await ad.grant(pupilRef, member)).outcome, 'updated')
    assert.equal((await ad.grant(teacherRef, owner)).outcome, 'updated')
    assert.equal((await ad.grant(teacherRef, owner)).outcome, 'unchanged')
    // managedBy holds one DN: a second owner does not replace the first
    assert.equal((await ad.grant(otherRef, owner)).outcome, 'unchanged')
    const managed = await read(created.locator, ['managedBy'])
    assert.equal(toDn(String(managed?.['managedBy'])).key, toDn(teacherRef.locator).key)
    assert.equal(
      await isMember(created.locator, teacherRef.locator),
      false,
      'an owner is no member',
    )

    const renamed = await ad.updateGroup(
      { id: created.id, locator: created.locator },
      [
        { field: 'title', old: 'Wiskunde 3B', new: 'Wiskunde B 3B' },
        { field: 'description', old: 'wiskunde, 3 havo', new: 'wiskunde B' },
      ],
      {
        ...request,
        title: 'Wiskunde B 3B',
        attributes: { ...request.attributes, title: 'Wiskunde B 3B', description: 'wiskunde B' },
      },
    )
    assert.equal(renamed.outcome, 'updated')
    assert.equal(renamed.id, created.id)
    assert.equal(toDn(renamed.locator).key, toDn(`CN=Wiskunde B 3B,OU=99XX00,${groupsDn(s)}`).key)
    const after = await read(renamed.locator, [
      'displayName',
      'description',
      'sAMAccountName',
      'managedBy',
    ])
    assert.equal(after?.['displayName'], 'Wiskunde B 3B')
    assert.equal(after?.['description'], 'wiskunde B')
    assert.equal(after?.['sAMAccountName'], entry['sAMAccountName'], 'the name from the key stays')
    assert.equal(await isMember(renamed.locator, pupilRef.locator), true, 'members move along')
    const moved = { ...owner, id: renamed.locator }
    assert.equal((await ad.revoke(otherRef, moved)).outcome, 'unchanged')
    assert.equal((await ad.revoke(teacherRef, moved)).outcome, 'updated')
    assert.ok(absent((await read(renamed.locator, ['managedBy']))?.['managedBy']))

    // another school's group goes to its own OU, created on the way
    const elsewhere = await ad.createGroup({
      key: '2026-2027/ne-1a',
      title: 'Nederlands 1A',
      attributes: { title: 'Nederlands 1A', ou: '88YY00' },
    })
    assert.equal(toDn(elsewhere.locator).key, toDn(`CN=Nederlands 1A,OU=88YY00,${groupsDn(s)}`).key)

    const archived = await ad.archiveGroup({ id: renamed.id, locator: renamed.locator })
    assert.equal(toDn(archived.locator).key, toDn(`CN=Wiskunde B 3B,${archiveDn}`).key)
    assert.equal(await isMember(archived.locator, pupilRef.locator), true)
    assert.equal((await ad.createGroup(request)).outcome, 'unchanged', 'its key is found archived')
    const restored = await ad.updateGroup(
      { id: archived.id, locator: archived.locator },
      [{ field: 'archived', old: 'true' }],
      { ...request, title: 'Wiskunde B 3B' },
    )
    assert.equal(toDn(restored.locator).key, toDn(`CN=Wiskunde B 3B,OU=99XX00,${groupsDn(s)}`).key)
    assert.equal((await ad.deleteGroup(restored)).outcome, 'updated')
    assert.equal((await ad.deleteGroup(restored)).outcome, 'already-gone')
    assert.equal((await ad.deleteGroup(elsewhere)).outcome, 'updated')
  })

  test('scope and type from the options: a universal distribution group; a bad groupType is refused', async () => {
    const universal = adTestTarget(like, {
      groups: { baseDn: groupsDn(s), scope: 'universal', type: 'distribution' },
    })
    try {
      const g = await universal.createGroup({
        key: 'mail/ouders-1a',
        title: 'Ouders 1A',
        attributes: { title: 'Ouders 1A' },
      })
      assert.equal((await read(g.locator, ['groupType']))?.['groupType'], '8')
      await assert.rejects(
        universal.createGroup({
          key: 'bad/type',
          title: 'Bad type',
          attributes: { title: 'Bad type', groupType: '3' },
        }),
        (e: unknown) =>
          ConnectorError.isInstance(e) &&
          e.kind === 'invalid' &&
          /bad\/type.*groupType/.test(e.message),
      )
      await universal.deleteGroup(g)
    } finally {
      await universal.close()
    }
  })

  test('the DC itself refuses what the AD simulator refuses: a groupType of no one scope, a long adminDescription', async () => {
    const c = await s.admin()
    await assert.rejects(
      c.add(`CN=bad type,${groupsDn(s)}`, { objectClass: 'group', groupType: '3' }),
      { code: 53 },
    )
    await assert.rejects(
      c.add(`CN=long key,${groupsDn(s)}`, {
        objectClass: 'group',
        adminDescription: 'x'.repeat(1025),
      }),
      { code: 21 },
    )
    await c.add(`CN=default type,${groupsDn(s)}`, { objectClass: 'group' })
    const e = await read(`CN=default type,${groupsDn(s)}`, ['groupType'])
    assert.equal(
      e?.['groupType'],
      '-2147483646',
      'a group added without groupType is global security',
    )
  })

  test('a delegated service account with the documented group ACEs runs the group lifecycle', async () => {
    const admin = await s.admin()
    const svcDn = `CN=svc-groepen,CN=Users,${s.baseDn}`
    const svcPassword = 'Svc!Groepen-2026'
    await admin.add(svcDn, [
      new Attribute({ type: 'objectClass', values: ['user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['svc-groepen'] }),
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
    const aces = provisionedGroupAces(sid)
    await s.dsacl(groupsDn(s), aces)
    await s.dsacl(archiveDn, aces)
    const p = adPerson(like, 40)
    const pupilRef = await ad.create({ attributes: p.attributes, anchor: p.anchor, enabled: true })

    const delegated = adTestTarget(
      { ...like, adminDn: svcDn, adminPassword: svcPassword },
      { groups: { baseDn: groupsDn(s), archiveDn } },
    )
    try {
      const request = {
        key: 'gedelegeerd/ne-2a',
        title: 'Nederlands 2A',
        attributes: { title: 'Nederlands 2A', ou: '77ZZ00' },
      }
      const created = await delegated.createGroup(request)
      assert.equal(created.outcome, 'created')
      const member = { type: 'group', id: created.locator, role: 'member' }
      assert.equal((await delegated.grant(pupilRef, member)).outcome, 'updated')
      assert.equal(
        (await delegated.grant(pupilRef, { ...member, role: 'owner' })).outcome,
        'updated',
      )
      const renamed = await delegated.updateGroup(
        created,
        [{ field: 'title', old: 'Nederlands 2A', new: 'Nederlands 2A+' }],
        { ...request, title: 'Nederlands 2A+' },
      )
      const archived = await delegated.archiveGroup(renamed)
      assert.equal(
        toDn(archived.locator).key,
        toDn(`CN=${escapeDnValue('Nederlands 2A+')},${archiveDn}`).key,
      )
      assert.equal((await delegated.deleteGroup(archived)).outcome, 'updated')
    } finally {
      await delegated.close()
    }
  })

  test('a same-named group or a taken sAMAccountName Koppel does not manage is a conflict, left as it was', async () => {
    const c = await s.admin()
    const foreign = `CN=Handmatig,${groupsDn(s)}`
    await c.add(foreign, { objectClass: 'group', sAMAccountName: 'handmatig' })
    await assert.rejects(
      ad.createGroup({ key: 'k/1', title: 'Handmatig', attributes: { title: 'Handmatig' } }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'conflict',
    )
    await assert.rejects(
      ad.createGroup({
        key: 'handmatig',
        title: 'Iets anders',
        attributes: { title: 'Iets anders' },
      }),
      (e: unknown) =>
        ConnectorError.isInstance(e) &&
        e.kind === 'conflict' &&
        e.message.includes('sAMAccountName "handmatig"') &&
        e.message.includes(foreign),
    )
    const left = await read(foreign, ['adminDescription', 'displayName'])
    assert.ok(absent(left?.['adminDescription']))
    assert.ok(absent(left?.['displayName']))
  })
})
