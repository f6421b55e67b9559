// The LDAP target against a real slapd: the shared conformance suite (disable by OU move, and disable by
// attribute), then what is specific to LDAP: escaping, entryUUID across renames, moves by others, the
// disabled OU, groups, TLS and error mapping including a connection that drops mid-way.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Attribute, Change, Client } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { slapdSkipReason, startSlapd, type Slapd } from '../../../test/harness/slapd.ts'
import { freePort } from '../../../test/harness/free-port.ts'
import { escapeDnValue } from '../../protocol/ldap-escape.ts'
import {
  conformanceFixture,
  personAttributes,
  TEST_OUS,
  testOptions,
  testTarget,
  type SlapdLike,
} from './ldap-test-fixture.ts'
import { ldapConnector } from './ldap-connector.ts'
import type { LdapTarget } from './ldap-target.ts'
import { compileMapping } from '../../rules/compile-mapping.ts'
import {
  contract as aContract,
  memoryOracle,
  person as aPerson,
} from '../../rules/test-fixtures.ts'

const skip = slapdSkipReason()

async function withOus(s: SlapdLike) {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    for (const dn of TEST_OUS(s))
      await c.add(dn, { objectClass: 'organizationalUnit', ou: dn.slice(3, dn.indexOf(',')) })
  } finally {
    await c.unbind()
  }
}

function conformance(label: string, disable: (s: SlapdLike) => Record<string, unknown>) {
  if (skip !== undefined) {
    test(`ldap (${label}): target conformance`, { skip }, () => {})
    return
  }
  runTargetConformance({
    name: `ldap (${label})`,
    async setup({ pageSize }) {
      const s = await startSlapd()
      await withOus(s)
      return conformanceFixture(s, pageSize, disable(s), () => s.stop())
    },
  })
}

conformance('disabled OU', (s) => ({
  moveTo: `ou=disabled,${s.baseDn}`,
  originAttribute: 'seeAlso',
}))
conformance('disable attribute', () => ({
  attribute: { name: 'employeeType', disabledValue: 'disabled', enabledValue: 'active' },
}))

describe('ldap target against slapd', { skip }, () => {
  let s: Slapd
  let target: LdapTarget
  let raw: Client
  let n = 0
  const person = (o: Record<string, string> = {}) => personAttributes(s, ++n, o)
  const create = async (spec: ReturnType<typeof person>, enabled = true) => {
    const r = await target.create({ ...spec, enabled })
    return { id: r.id, locator: r.locator }
  }
  const uuidAt = async (dn: string) =>
    (await raw.search(dn, { scope: 'base', attributes: ['entryUUID'] })).searchEntries[0]?.entryUUID
  const exists = async (dn: string) => {
    try {
      return (await raw.search(dn, { scope: 'base' })).searchEntries.length === 1
    } catch {
      return false
    }
  }
  const kindOf = async (p: Promise<unknown>) => {
    try {
      await p
    } catch (e) {
      assert.ok(ConnectorError.isInstance(e), String(e))
      return e.kind
    }
    return 'no error'
  }

  before(async () => {
    s = await startSlapd()
    await withOus(s)
    target = testTarget(s, {
      disable: { moveTo: `ou=disabled,${s.baseDn}`, originAttribute: 'seeAlso' },
    })
    raw = new Client({ url: s.url })
    await raw.bind(s.adminDn, s.adminPassword)
  })
  after(async () => {
    await raw?.unbind()
    await target?.close()
    await s?.stop()
  })

  test('hard names land in the DN escaped and come back verbatim from the server', async () => {
    for (const name of [
      "O'Brien, Jr.",
      ' leading space',
      '#leading hash',
      'back\\slash',
      'a+b',
      '<angle>',
      'semi;colon',
    ]) {
      const spec = person({ sn: name })
      const ref = await create(spec)
      const [entry] = (await raw.search(ref.locator, { scope: 'base', attributes: ['cn', 'sn'] }))
        .searchEntries
      assert.equal(entry?.sn, name)
      assert.equal(entry?.cn, spec.attributes.cn)
      assert.equal(entry?.dn, ref.locator, 'our canonical DN is the one slapd prints')
    }
  })

  test('a family name x+uid=admin in a concatenated DN mapping adds no second uid (issue 11.1)', async () => {
    const mapping = compileMapping('ldap', {
      uid: '"inj" + person.key',
      cn: 'fullName(person)',
      sn: 'familyName(person)',
      dn: `"cn=" + fullName(person) + ",ou=1a,${s.peopleDn}"`,
    })
    const c = aContract()
    const pupil = aPerson({ key: String(++n), givenName: 'Eva', familyName: 'x+uid=admin' })
    const { attributes, issues } = mapping.evaluate(
      { person: pupil, contract: c, contracts: [c], today: '2026-01-05' },
      memoryOracle(),
    )
    assert.deepEqual(issues, [])
    const ref = await target.create({
      attributes,
      anchor: { attribute: 'uid', value: `inj${n}` },
      enabled: true,
    })
    const [entry] = (await raw.search(ref.locator, { scope: 'base', attributes: ['uid', 'cn'] }))
      .searchEntries
    assert.equal(entry?.uid, `inj${n}`, 'exactly one uid, ours')
    assert.equal(entry?.cn, 'Eva x+uid=admin')
    assert.equal((await raw.search(s.peopleDn, { filter: '(uid=admin)' })).searchEntries.length, 0)
    const forged = { ...attributes, uid: 'other', dn: `cn=Eva+uid=admin,ou=1a,${s.peopleDn}` }
    assert.equal(
      await kindOf(
        target.create({
          attributes: forged,
          anchor: { attribute: 'uid', value: 'other' },
          enabled: true,
        }),
      ),
      'invalid',
    )
  })

  test('a filter-special anchor matches literally, never as a wildcard', async () => {
    await create(person())
    assert.equal(await target.find({ attribute: 'uid', value: '*' }), undefined)
    assert.equal(await target.find({ attribute: 'uid', value: 'u*)(uid=*' }), undefined)
    await assert.rejects(
      target.find({ attribute: 'uid)(x', value: 'a' }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'invalid',
    )
  })

  test('rename to another OU keeps entryUUID, and the old DN is gone', async () => {
    const spec = person()
    const ref = await create(spec)
    const before = await uuidAt(ref.locator)
    const r = await target.update(ref, [
      { field: 'dn', new: `cn=${escapeDnValue('Nieuw, Naam')},ou=2b,${s.peopleDn}` },
      { field: 'cn', new: 'Nieuw, Naam' },
    ])
    assert.equal(r.locator, `cn=Nieuw\\2C Naam,ou=2b,${s.peopleDn}`)
    assert.equal(await uuidAt(r.locator), before)
    assert.equal(before, ref.id)
    assert.equal(await exists(ref.locator), false)
  })

  test('a move by someone else is followed by entryUUID; an entry that took the old DN is left alone', async () => {
    const spec = person()
    const ref = await create(spec)
    const movedTo = `cn=Elders,ou=2b,${s.peopleDn}`
    await raw.modifyDN(ref.locator, movedTo)
    const cn = String(spec.attributes.cn)
    await raw.add(ref.locator, {
      objectClass: 'inetOrgPerson',
      uid: `squatter${n}`,
      cn,
      sn: 'Anders',
      title: 'leerling',
    })
    const r = await target.update(ref, [{ field: 'title', new: 'docent' }])
    assert.equal(r.locator, movedTo)
    const [moved] = (await raw.search(movedTo, { scope: 'base', attributes: ['title'] }))
      .searchEntries
    const [other] = (await raw.search(ref.locator, { scope: 'base', attributes: ['title'] }))
      .searchEntries
    assert.equal(moved?.title, 'docent')
    assert.equal(other?.title, 'leerling', 'the entry now at the old DN is untouched')
    assert.equal((await target.delete(ref)).outcome, 'updated')
    assert.equal(await exists(movedTo), false)
    assert.equal(
      await exists(ref.locator),
      true,
      'delete through a stale locator removes the right entry',
    )
  })

  test('disable moves to the disabled OU and remembers the parent; rename while disabled stays there; enable goes back', async () => {
    const spec = person()
    const ref = await create(spec)
    const d = await target.disable(ref)
    assert.match(d.locator, new RegExp(`,ou=disabled,${s.baseDn}$`))
    const [entry] = (await raw.search(d.locator, { scope: 'base', attributes: ['seeAlso'] }))
      .searchEntries
    assert.equal(entry?.seeAlso, `ou=1a,${s.peopleDn}`)
    const found = await target.find(spec.anchor)
    assert.equal(found?.enabled, false)
    assert.equal(
      found?.attributes.dn,
      ref.locator,
      'attributes.dn is where it lives when enabled: no drift',
    )
    const wanted = `cn=Verhuisd,ou=2b,${s.peopleDn}`
    const r = await target.update({ id: d.id, locator: d.locator }, [{ field: 'dn', new: wanted }])
    assert.equal(r.locator, `cn=Verhuisd,ou=disabled,${s.baseDn}`, 'a rename does not enable')
    const e = await target.enable({ id: r.id, locator: r.locator })
    assert.equal(e.locator, wanted)
    assert.equal(await uuidAt(wanted), ref.id)
    const [back] = (await raw.search(wanted, { scope: 'base', attributes: ['seeAlso'] }))
      .searchEntries
    assert.deepEqual([back?.seeAlso ?? []].flat(), [], 'bookkeeping removed on enable')
  })

  test('create disabled goes straight into the disabled OU', async () => {
    const spec = person()
    const ref = await create(spec, false)
    assert.match(ref.locator, new RegExp(`,ou=disabled,${s.baseDn}$`))
    const e = await target.enable(ref)
    assert.equal(e.locator, spec.attributes.dn)
  })

  test('a DN taken by another anchor is a conflict naming the DN, and nothing is overwritten', async () => {
    const first = person()
    await create(first)
    const second = {
      attributes: { ...first.attributes, uid: 'someone-else' },
      anchor: { attribute: 'uid', value: 'someone-else' },
    }
    await assert.rejects(target.create({ ...second, enabled: true }), (e: unknown) => {
      assert.ok(ConnectorError.isInstance(e))
      assert.equal(e.kind, 'conflict')
      assert.ok(e.message.includes(String(first.attributes.dn)), e.message)
      return true
    })
    assert.equal((await target.find(first.anchor))?.attributes.uid, first.attributes.uid)
  })

  test('groups: a missing group is created; revoking the last member leaves the placeholder; list reports groups', async () => {
    const a = await create(person())
    const b = await create(person())
    const group = `cn=Klas 1A,${s.groupsDn}`
    assert.equal((await target.grant(a, { type: 'group', id: group })).outcome, 'updated')
    assert.equal((await target.grant(b, { type: 'group', id: group })).outcome, 'updated')
    const [g] = (
      await raw.search(group, { scope: 'base', attributes: ['objectClass', 'cn', 'member'] })
    ).searchEntries
    assert.equal(g?.cn, 'Klas 1A')
    assert.deepEqual([g?.member].flat().sort(), [a.locator, b.locator].sort())
    const listed = []
    for await (const acc of target.listAccounts()) if (acc.id === a.id) listed.push(acc)
    assert.deepEqual(listed[0]?.permissions, [group])
    await target.revoke(a, { type: 'group', id: group })
    assert.equal((await target.revoke(b, { type: 'group', id: group })).outcome, 'updated')
    const [after] = (await raw.search(group, { scope: 'base', attributes: ['member'] }))
      .searchEntries
    assert.equal(after?.member, group, 'the group names itself as placeholder member')
    assert.equal(await kindOf(target.grant(a, { type: 'role', id: group })), 'unsupported')
  })

  test('without refint, member values follow a disable move, an enable and a rename; the listing keeps the groups', async () => {
    const members = async (group: string) =>
      [
        (await raw.search(group, { scope: 'base', attributes: ['member'] })).searchEntries[0]
          ?.member ?? [],
      ]
        .flat()
        .map(String)
    const a = await create(person())
    const groups = [`cn=Volg A,${s.groupsDn}`, `cn=Volg B,${s.groupsDn}`]
    for (const id of groups) await target.grant(a, { type: 'group', id })
    const d = await target.disable(a)
    assert.notEqual(d.locator, a.locator)
    for (const g of groups)
      assert.deepEqual(await members(g), [d.locator], `${g} names the disabled DN, not the old one`)
    const listed = []
    for await (const acc of target.listAccounts()) if (acc.id === a.id) listed.push(acc)
    assert.deepEqual(listed[0]?.permissions, groups)
    const e = await target.enable({ id: d.id, locator: d.locator })
    for (const g of groups) assert.deepEqual(await members(g), [e.locator])
    const r = await target.update({ id: e.id, locator: e.locator }, [
      { field: 'dn', new: `cn=Volger,ou=2b,${s.peopleDn}` },
    ])
    for (const g of groups) assert.deepEqual(await members(g), [r.locator])
    // a move by someone else, then a Koppel rename from the stale locator: the dead value is rewritten too
    const elsewhere = `cn=Elders Volger,ou=1a,${s.peopleDn}`
    await raw.modifyDN(r.locator, elsewhere)
    const again = await target.update({ id: r.id, locator: r.locator }, [
      { field: 'dn', new: `cn=Volger 2,ou=2b,${s.peopleDn}` },
    ])
    for (const g of groups) assert.deepEqual(await members(g), [again.locator])
  })

  test('revoke through a stale locator removes the current DN and the dead one', async () => {
    const members = async (group: string) =>
      [
        (await raw.search(group, { scope: 'base', attributes: ['member'] })).searchEntries[0]
          ?.member ?? [],
      ]
        .flat()
        .map(String)
    const a = await create(person())
    const b = await create(person())
    const group = `cn=Intrek,${s.groupsDn}`
    await target.grant(a, { type: 'group', id: group })
    await target.grant(b, { type: 'group', id: group })
    const moved = `cn=Verplaatst ${n},ou=2b,${s.peopleDn}`
    await raw.modifyDN(a.locator, moved)
    await raw.modify(
      group,
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'member', values: [moved] }),
      }),
    )
    assert.equal((await target.revoke(a, { type: 'group', id: group })).outcome, 'updated')
    assert.deepEqual(await members(group), [b.locator])
  })

  test('with readAttributes that miss the anchor, the anchor and every mapped attribute are read anyway', async () => {
    const options = testOptions(s, { disable: { moveTo: `ou=disabled,${s.baseDn}` } })
    assert.ok(!options.readAttributes.includes('employeeNumber'))
    const mapped = ['employeeNumber', 'departmentNumber', 'dn', 'cn']
    const reader = ldapConnector.create('mapped', options, {
      baseDir: process.cwd(),
      log: () => {},
      now: () => new Date(0),
      mappedAttributes: mapped,
    }) as LdapTarget
    try {
      const number = `en-${n + 1}`
      const spec = person({ employeeNumber: number, departmentNumber: '12AB-1a' })
      await create(spec)
      const found = await reader.find(spec.anchor)
      assert.equal(found?.attributes['employeeNumber'], number)
      assert.equal(found?.attributes['departmentNumber'], '12AB-1a')
      assert.equal(found?.attributes['title'], 'leerling', 'the configured ones still')
      let listed: Record<string, unknown> | undefined
      for await (const a of reader.listAccounts()) if (a.id === found?.id) listed = a.attributes
      assert.equal(listed?.['employeeNumber'], number)
    } finally {
      await reader.close()
    }
  })

  test('missing OUs of a computed DN are created, also by two creates at once; only ou= levels, only below baseDn', async () => {
    const school = `ou=${escapeDnValue('Nieuw, College')},${s.peopleDn}`
    const year = `ou=2031,${school}`
    const [a, b] = [person(), person()]
    const refs = await Promise.all(
      [a, b].map((p, i) =>
        create({ ...p, attributes: { ...p.attributes, dn: `cn=Nieuw ${n}-${i},${year}` } }),
      ),
    )
    assert.equal(await exists(year), true)
    assert.deepEqual(
      refs.map((r) => r.locator.endsWith(`,${year}`)),
      [true, true],
    )
    const [ou] = (await raw.search(school, { scope: 'base', attributes: ['objectClass', 'ou'] }))
      .searchEntries
    assert.equal(ou?.ou, 'Nieuw, College')
    // a move into a new OU as well
    const moved = await target.update(refs[0] as { id: string; locator: string }, [
      { field: 'dn', new: `cn=Verhuisd ${n},ou=2032,${school}` },
    ])
    assert.equal(moved.locator, `cn=Verhuisd ${n},ou=2032,${school}`)
    // a missing level that is not an OU is never made up
    const c = person()
    await assert.rejects(
      create({
        ...c,
        attributes: { ...c.attributes, dn: `cn=X ${n},ou=2031,o=elders,${s.peopleDn}` },
      }),
      (e: unknown) => {
        assert.ok(ConnectorError.isInstance(e) && e.kind === 'invalid', String(e))
        assert.match(
          e.message,
          /o=elders,ou=people,dc=school,dc=test does not exist, and Koppel creates only ou= containers/,
        )
        return true
      },
    )
    assert.equal(await exists(`o=elders,${s.peopleDn}`), false)
  })

  test('createOus: false: a create below a missing OU fails as invalid naming the parent, and nothing is added', async () => {
    const strict = testTarget(s, { createOus: false })
    try {
      const p = person()
      const dn = `cn=Geen ${n},ou=ontbreekt,${s.peopleDn}`
      await assert.rejects(
        strict.create({ ...p, attributes: { ...p.attributes, dn }, enabled: true }),
        (e: unknown) => {
          assert.ok(ConnectorError.isInstance(e) && e.kind === 'invalid', String(e))
          assert.match(
            e.message,
            /parent ou=ontbreekt,ou=people,dc=school,dc=test does not exist \(createOus is off\)/,
          )
          return true
        },
      )
      assert.equal(await exists(`ou=ontbreekt,${s.peopleDn}`), false)
      assert.equal(strict.capabilities.createsContainers, false)
      assert.equal(target.capabilities.createsContainers, true)
    } finally {
      await strict.close()
    }
  })

  test('without groups.baseDn, list and find leave permissions unknown rather than empty', async () => {
    const a = await create(person())
    await target.grant(a, { type: 'group', id: `cn=Klas 2B,${s.groupsDn}` })
    const blind = testTarget(s, { groups: {} })
    try {
      let seen: unknown = 'not listed'
      for await (const acc of blind.listAccounts()) if (acc.id === a.id) seen = acc.permissions
      assert.equal(seen, undefined, 'an empty list would make the engine grant every group again')
    } finally {
      await blind.close()
    }
  })

  test('grant to a missing group without createMissing is not-found', async () => {
    const strict = testTarget(s, { groups: { createMissing: false } })
    try {
      const a = await create(person())
      assert.equal(
        await kindOf(strict.grant(a, { type: 'group', id: `cn=bestaat niet,${s.groupsDn}` })),
        'not-found',
      )
    } finally {
      await strict.close()
    }
  })

  test('an initial password is stored hashed and binds', async () => {
    const spec = person()
    const ref = await target.create({ ...spec, enabled: true, secrets: { password: 'Welkom 01!' } })
    const [entry] = (await raw.search(ref.locator, { scope: 'base', attributes: ['userPassword'] }))
      .searchEntries
    assert.match(String(entry?.userPassword), /^\{SSHA\}/)
    const user = new Client({ url: s.url })
    try {
      await user.bind(ref.locator, 'Welkom 01!')
    } finally {
      await user.unbind()
    }
  })

  test('error mapping: wrong password is auth, closed port transient, missing base DN config, bad rename parent invalid', async () => {
    const ok = testTarget(s)
    const port = await freePort()
    const closed = testTarget({ ...s, url: `ldap://127.0.0.1:${port}` }, { connectTimeoutMs: 2000 })
    const noBase = testTarget({ ...s, peopleDn: `ou=nergens,${s.baseDn}` })
    try {
      // same options with a wrong password: the loader would hand us this
      const bad = testTarget({ ...s, adminPassword: 'wrong' })
      assert.equal(await kindOf(bad.find({ attribute: 'uid', value: 'x' })), 'auth')
      await bad.close()
      assert.equal(await kindOf(closed.find({ attribute: 'uid', value: 'x' })), 'transient')
      assert.equal(await kindOf(noBase.find({ attribute: 'uid', value: 'x' })), 'config')
      const ref = await create(person())
      assert.equal(
        await kindOf(ok.update(ref, [{ field: 'dn', new: `cn=x,l=geen,${s.peopleDn}` }])),
        'invalid',
      )
      assert.equal(
        await kindOf(ok.update(ref, [{ field: 'noSuchAttribute', new: 'x' }])),
        'invalid',
      )
    } finally {
      await Promise.all([ok.close(), closed.close(), noBase.close()])
    }
  })

  test('a dropped connection is transient, and the next operation reconnects and binds again', async () => {
    const spec = person()
    const ref = await create(spec)
    await raw.unbind()
    await s.halt()
    assert.equal(await kindOf(target.update(ref, [{ field: 'title', new: 'weg' }])), 'transient')
    await s.restart()
    const r = await target.update(ref, [{ field: 'title', new: 'terug' }])
    assert.equal(
      r.outcome,
      'updated',
      'a write after reconnect is bound (anonymous writes would be refused)',
    )
    assert.equal((await target.find(spec.anchor))?.attributes.title, 'terug')
    raw = new Client({ url: s.url })
    await raw.bind(s.adminDn, s.adminPassword)
  })

  test('many operations in flight on one connection', async () => {
    const specs = Array.from({ length: 200 }, () => person())
    const refs = await Promise.all(specs.map((sp) => create(sp)))
    assert.equal(new Set(refs.map((r) => r.id)).size, 200)
    const updated = await Promise.all(
      refs.map((r) => target.update(r, [{ field: 'title', new: 'parallel' }])),
    )
    assert.ok(updated.every((u) => u.outcome === 'updated'))
  })
})

describe('ldap target over TLS', { skip }, () => {
  let s: Slapd
  before(async () => {
    s = await startSlapd({ tls: true })
  })
  after(async () => {
    await s?.stop()
  })

  test('StartTLS and ldaps with the CA file bind; without the CA it is a config error', async () => {
    for (const extra of [{ startTls: true }, { url: s.ldapsUrl }]) {
      const t = testTarget(s, { ...extra, tlsCaFile: s.caFile })
      try {
        assert.equal(await t.find({ attribute: 'uid', value: 'nobody' }), undefined)
      } finally {
        await t.close()
      }
    }
    const untrusted = testTarget(s, { url: s.ldapsUrl })
    try {
      assert.equal(await kindOfAsync(untrusted.find({ attribute: 'uid', value: 'x' })), 'config')
    } finally {
      await untrusted.close()
    }
  })
})

async function kindOfAsync(p: Promise<unknown>) {
  try {
    await p
  } catch (e) {
    return ConnectorError.isInstance(e) ? e.kind : String(e)
  }
  return 'no error'
}

describe(
  'ldap target bound as a least-rights service account (slapd ACLs as docs/connectors/ldap.md lists)',
  { skip },
  () => {
    let s: Slapd
    let target: LdapTarget
    let svc: Client
    before(async () => {
      s = await startSlapd({ serviceAccount: true })
      const service = {
        ...s,
        adminDn: s.serviceDn as string,
        adminPassword: s.servicePassword as string,
      }
      target = testTarget(service, {
        disable: { moveTo: `ou=disabled,${s.baseDn}`, originAttribute: 'seeAlso' },
      })
      svc = new Client({ url: s.url })
      await svc.bind(service.adminDn, service.adminPassword)
    })
    after(async () => {
      await svc?.unbind()
      await target?.close()
      await s?.stop()
    })

    test('the whole lifecycle works without the rootdn: new OU, password, groups, rename, disable, enable, revoke, delete', async () => {
      const spec = personAttributes(s, 1)
      const dn = `cn=Jansen 1,ou=2031,ou=Nieuwe School,${s.peopleDn}`
      const ref = await target.create({
        ...spec,
        attributes: { ...spec.attributes, dn },
        enabled: true,
        secrets: { password: 'Welkom 01!' },
      })
      assert.equal(ref.locator, dn)
      const group = `cn=Klas 1A,${s.groupsDn}`
      assert.equal((await target.grant(ref, { type: 'group', id: group })).outcome, 'updated')
      assert.equal(
        (await target.update(ref, [{ field: 'title', new: 'docent' }])).outcome,
        'updated',
      )
      const renamed = await target.update(ref, [
        { field: 'dn', new: `cn=Jansen 1,ou=2032,ou=Nieuwe School,${s.peopleDn}` },
      ])
      const disabled = await target.disable({ id: ref.id, locator: renamed.locator })
      assert.match(disabled.locator, /,ou=disabled,dc=school,dc=test$/)
      const [g] = (await svc.search(group, { scope: 'base', attributes: ['member'] })).searchEntries
      assert.equal(g?.member, disabled.locator, 'the member value followed the move')
      const enabled = await target.enable({ id: ref.id, locator: disabled.locator })
      assert.equal(enabled.locator, renamed.locator)
      assert.equal((await target.revoke(enabled, { type: 'group', id: group })).outcome, 'updated')
      assert.equal((await target.delete(enabled)).outcome, 'updated')
    })

    test('the service account cannot write outside its OUs, and cannot read passwords', async () => {
      await assert.rejects(
        svc.add(`ou=elders,${s.baseDn}`, { objectClass: 'organizationalUnit', ou: 'elders' }),
        (e: unknown) => (e as { code?: number }).code === 50,
      )
      await assert.rejects(
        svc.modify(
          s.serviceDn as string,
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'cn', values: ['root'] }),
          }),
        ),
        (e: unknown) => (e as { code?: number }).code === 50,
      )
      const spec = personAttributes(s, 2)
      const ref = await target.create({
        ...spec,
        enabled: true,
        secrets: { password: 'Geheim 02!' },
      })
      const [entry] = (
        await svc.search(ref.locator, { scope: 'base', attributes: ['userPassword', 'uid'] })
      ).searchEntries
      assert.equal(entry?.uid, 'u2')
      assert.deepEqual([entry?.userPassword ?? []].flat(), [], 'written, never readable by Koppel')
    })
  },
)
