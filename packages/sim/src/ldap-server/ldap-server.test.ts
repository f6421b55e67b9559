// Drives the simulated directory through ldapts, the client Koppel's LDAP connector uses. Expected result
// codes are the ones a Debian slapd 2.5 gave for the same requests (checked by hand, see README.md).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Attribute, Change, Client } from 'ldapts'
import { escapeDnValue } from './dn.ts'
import { startLdapServer, type RunningLdapServer } from './ldap-server.ts'
import { sshaHash } from './password.ts'

const BASE = 'dc=school,dc=test'
const PEOPLE = `ou=people,${BASE}`
const GROUPS = `ou=groups,${BASE}`
const ADMIN = `cn=admin,${BASE}`
const PASSWORD = 'admin-secret'

async function code(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
    return 0
  } catch (e) {
    const c = (e as { code?: unknown }).code
    if (typeof c !== 'number') throw e
    return c
  }
}

const change = (operation: 'add' | 'delete' | 'replace', type: string, values: string[]) =>
  new Change({ operation, modification: new Attribute({ type, values }) })

const person = (cn: string, extra: Record<string, string | string[]> = {}) => ({
  objectClass: ['inetOrgPerson'],
  cn,
  sn: cn.split(' ').at(-1) ?? cn,
  ...extra,
})

describe('simulated LDAP directory', () => {
  let server: RunningLdapServer
  let admin: Client
  let anon: Client
  const dns = async (
    base: string,
    filter = '(objectClass=*)',
    scope: 'base' | 'one' | 'sub' = 'sub',
  ) =>
    (await admin.search(base, { scope, filter, attributes: ['1.1'] })).searchEntries.map(
      (e) => e.dn,
    )
  const read = async (dn: string, attributes: string[] = []) =>
    (await admin.search(dn, { scope: 'base', attributes })).searchEntries[0]

  before(async () => {
    server = await startLdapServer({ adminPassword: PASSWORD })
    admin = new Client({ url: server.url })
    anon = new Client({ url: server.url })
    await admin.bind(ADMIN, PASSWORD)
  })
  after(async () => {
    await admin.unbind()
    await anon.unbind()
    await server.stop()
  })

  test('listens on loopback with the initial tree', async () => {
    assert.match(server.url, /^ldap:\/\/127\.0\.0\.1:\d+$/)
    assert.deepEqual(await dns(BASE, '(objectClass=*)', 'one'), [
      PEOPLE,
      GROUPS,
      `ou=disabled,${BASE}`,
    ])
    const base = await read(BASE)
    assert.deepEqual(base?.objectClass, ['dcObject', 'organization'])
    assert.equal(base?.dc, 'school')
  })

  test('bind: admin, wrong password, unknown DN, DN without password, anonymous, user entry', async () => {
    const c = new Client({ url: server.url })
    try {
      assert.equal(await code(c.bind(ADMIN, 'wrong')), 49)
      assert.equal(await code(c.bind(`cn=nobody,${BASE}`, 'x')), 49)
      assert.equal(await code(c.bind(ADMIN, '')), 53)
      assert.equal(await code(c.bind('', 'x')), 49)
      assert.equal(await code(c.bind('not a dn', 'x')), 34)
      assert.equal(await code(c.bind('', '')), 0)
      await admin.add(
        `uid=plain,${PEOPLE}`,
        person('Plain User', { uid: 'plain', userPassword: 'pw-plain' }),
      )
      await admin.add(
        `uid=hashed,${PEOPLE}`,
        person('Hashed User', { uid: 'hashed', userPassword: sshaHash('pw-hashed') }),
      )
      assert.equal(await code(c.bind(`UID=Plain,ou=People,${BASE}`, 'pw-plain')), 0)
      assert.equal((await c.exop('1.3.6.1.4.1.4203.1.11.3')).value, `dn:uid=plain,${PEOPLE}`)
      assert.equal(await code(c.bind(`uid=hashed,${PEOPLE}`, 'pw-hashed')), 0)
      assert.equal(await code(c.bind(`uid=hashed,${PEOPLE}`, 'pw-plain')), 49)
      // a user may read but not write
      assert.equal(
        (await c.search(`uid=plain,${PEOPLE}`, { scope: 'base' })).searchEntries.length,
        1,
      )
      assert.equal(await code(c.bind(`uid=plain,${PEOPLE}`, 'pw-plain')), 0)
      assert.equal(
        await code(c.modify(`uid=plain,${PEOPLE}`, [change('replace', 'sn', ['X'])])),
        50,
      )
      assert.equal(await code(c.add(`cn=x,${PEOPLE}`, person('x'))), 50)
      assert.equal(await code(c.del(`uid=plain,${PEOPLE}`)), 50)
    } finally {
      await c.unbind()
    }
  })

  test('anonymous may search but every write needs authentication (8), as slapd answers', async () => {
    assert.equal((await anon.search(BASE, { scope: 'base' })).searchEntries.length, 1)
    assert.equal(await code(anon.add(`cn=anon,${PEOPLE}`, person('anon'))), 8)
    assert.equal(await code(anon.modify(PEOPLE, [change('replace', 'description', ['x'])])), 8)
    assert.equal(await code(anon.del(`ou=disabled,${BASE}`)), 8)
    assert.equal(await code(anon.modifyDN(`ou=disabled,${BASE}`, 'ou=gone')), 8)
    assert.deepEqual(await dns(BASE, '(cn=anon)'), [])
  })

  test('add: parent, duplicates, schema checks and result codes', async () => {
    await admin.add(
      `cn=Jan Jansen,${PEOPLE}`,
      person('Jan Jansen', { uid: 'jjansen', mail: 'Jan@School.test', employeeNumber: '123' }),
    )
    assert.equal(await code(admin.add(`CN=jan  jansen,ou=People,${BASE}`, person('x'))), 68)
    assert.equal(await code(admin.add(`cn=x,ou=nope,${PEOPLE}`, person('x'))), 32)
    assert.equal(await code(admin.add('cn=x,dc=other', person('x'))), 53)
    assert.equal(
      await code(admin.add(`cn=u1,${PEOPLE}`, { ...person('u1'), objectClass: ['fooBar'] })),
      21,
    )
    assert.equal(await code(admin.add(`cn=u1,${PEOPLE}`, { cn: 'u1', sn: 'y' })), 65)
    assert.equal(
      await code(admin.add(`cn=u1,${PEOPLE}`, { objectClass: 'inetOrgPerson', cn: 'u1' })),
      65,
    )
    assert.equal(
      await code(
        admin.add(`cn=u1,${PEOPLE}`, { objectClass: 'person', cn: 'u1', sn: 's', mail: 'x@y' }),
      ),
      65,
    )
    assert.equal(
      await code(
        admin.add(`cn=u1,${PEOPLE}`, {
          objectClass: ['person', 'organizationalUnit'],
          cn: 'u1',
          sn: 's',
          ou: 'x',
        }),
      ),
      65,
    )
    assert.equal(await code(admin.add(`cn=u1,${PEOPLE}`, { objectClass: 'top', cn: 'u1' })), 65)
    assert.equal(await code(admin.add(`cn=u1,${PEOPLE}`, { ...person('u1'), fooAttr: 'z' })), 17)
    assert.equal(
      await code(admin.add(`cn=u1,${PEOPLE}`, { ...person('u1'), displayName: ['a', 'b'] })),
      19,
    )
    assert.equal(await code(admin.add(`cn=u1,${PEOPLE}`, { ...person('u1'), sn: ['y', 'Y'] })), 20)
    assert.equal(await code(admin.add(`cn=u1,${PEOPLE}`, { ...person('u1'), sn: '' })), 21)
    assert.equal(
      await code(
        admin.add(`cn=u1,${PEOPLE}`, {
          ...person('u1'),
          entryUUID: '11111111-1111-4111-8111-111111111111',
        }),
      ),
      19,
    )
    assert.equal(await code(admin.add(`cn=u1,${PEOPLE}`, { ...person('u1'), mail: 'ø@x' })), 21)
    assert.equal(
      await code(admin.add(`cn=g0,${GROUPS}`, { objectClass: 'groupOfNames', cn: 'g0' })),
      65,
    )
    assert.equal(
      await code(
        admin.add(`cn=g0,${GROUPS}`, { objectClass: 'groupOfNames', cn: 'g0', member: 'not a dn' }),
      ),
      21,
    )
    assert.equal(
      await code(admin.add(`ou=x,${PEOPLE}`, { objectClass: 'organizationalUnit' })),
      0,
      'RDN value supplies ou',
    )
    assert.equal(
      await code(
        admin.add(`cn=x,${PEOPLE}`, {
          objectClass: ['inetOrgPerson', 'posixAccount'],
          cn: 'x',
          sn: 'x',
        }),
      ),
      65,
    )
    assert.deepEqual(await dns(PEOPLE, '(cn=u1)'), [])
  })

  test('add puts a missing RDN value into the entry, as slapd does', async () => {
    await admin.add(`cn=Rdn Only,${PEOPLE}`, person('other'))
    assert.deepEqual((await read(`cn=rdn only,${PEOPLE}`, ['cn']))?.cn, ['other', 'Rdn Only'])
  })

  test('operational attributes only on request, by name or +', async () => {
    const dn = `cn=Jan Jansen,${PEOPLE}`
    const all = await read(dn)
    assert.equal(all?.entryUUID, undefined)
    assert.equal(all?.mail, 'Jan@School.test')
    const op = await read(dn, ['+'])
    assert.match(
      String(op?.entryUUID),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    assert.match(String(op?.createTimestamp), /^\d{14}Z$/)
    assert.equal(op?.entryDN, dn)
    assert.equal(op?.structuralObjectClass, 'inetOrgPerson')
    assert.equal(op?.creatorsName, ADMIN)
    assert.equal(op?.hasSubordinates, 'FALSE')
    assert.equal(op?.mail, undefined)
    const named = await read(dn, ['entryUUID', 'CN', 'surname'])
    assert.equal(named?.cn, 'Jan Jansen', 'canonical names come back, as from slapd')
    assert.equal(named?.sn, 'Jansen')
    assert.equal(named?.entryUUID, op?.entryUUID)
    assert.equal(named?.mail, undefined)
    const typesOnly = (
      await admin.search(dn, { scope: 'base', attributes: ['cn'], returnAttributeValues: false })
    ).searchEntries[0]
    assert.deepEqual(typesOnly?.cn, [])
  })

  test('modify: add/delete/replace codes, schema after, naming attribute, atomicity', async () => {
    const dn = `cn=Jan Jansen,${PEOPLE}`
    assert.equal(await code(admin.modify(dn, [change('add', 'mail', ['JAN@school.test'])])), 20)
    assert.equal(await code(admin.modify(dn, [change('add', 'mail', ['j2@school.test'])])), 0)
    assert.equal(await code(admin.modify(dn, [change('add', 'mail', ['j3@x', 'J3@x'])])), 20)
    assert.equal(await code(admin.modify(dn, [change('delete', 'mail', ['nope@x'])])), 16)
    assert.equal(await code(admin.modify(dn, [change('delete', 'title', [])])), 16)
    assert.equal(await code(admin.modify(dn, [change('delete', 'mail', ['J2@SCHOOL.test'])])), 0)
    assert.equal(await code(admin.modify(dn, [change('delete', 'sn', [])])), 65)
    assert.equal(await code(admin.modify(dn, [change('replace', 'sn', [])])), 65)
    assert.equal(await code(admin.modify(dn, [change('replace', 'title', [])])), 0)
    assert.equal(await code(admin.modify(dn, [change('delete', 'cn', ['Jan Jansen'])])), 64)
    assert.equal(await code(admin.modify(dn, [change('replace', 'cn', ['Other'])])), 64)
    assert.equal(await code(admin.modify(dn, [change('replace', 'displayName', ['a', 'b'])])), 19)
    assert.equal(await code(admin.modify(dn, [change('replace', 'fooAttr', ['x'])])), 17)
    assert.equal(await code(admin.modify(dn, [change('replace', 'uidNumber', ['1'])])), 65)
    assert.equal(
      await code(
        admin.modify(dn, [
          change('replace', 'entryUUID', ['11111111-1111-4111-8111-111111111111']),
        ]),
      ),
      19,
    )
    assert.equal(
      await code(admin.modify(dn, [change('replace', 'objectClass', ['organizationalUnit'])])),
      69,
    )
    assert.equal(
      await code(admin.modify(`cn=nope,${PEOPLE}`, [change('replace', 'sn', ['x'])])),
      32,
    )
    // all-or-nothing: the replace is undone by the failing delete
    assert.equal(
      await code(
        admin.modify(dn, [change('replace', 'title', ['t']), change('delete', 'mail', ['zzz'])]),
      ),
      16,
    )
    assert.deepEqual(
      (await read(dn, ['title']))?.title,
      [],
      'ldapts lists a requested attribute the server did not send as []',
    )
    // ordered: replace, add, delete on one attribute
    await admin.modify(dn, [
      change('replace', 'mail', ['a@x']),
      change('add', 'mail', ['b@x']),
      change('delete', 'mail', ['a@x']),
    ])
    assert.equal((await read(dn, ['mail']))?.mail, 'b@x')
    await admin.modify(dn, [change('replace', 'cn', ['jan jansen', 'Other'])])
    assert.deepEqual((await read(dn, ['cn']))?.cn, ['jan jansen', 'Other'])
    const before = (await read(dn, ['modifyTimestamp', 'entryCSN']))?.entryCSN
    await admin.modify(dn, [change('replace', 'title', ['docent'])])
    assert.notEqual((await read(dn, ['entryCSN']))?.entryCSN, before)
  })

  test('groups: member is matched as a DN and cannot be emptied', async () => {
    const g = `cn=g1,${GROUPS}`
    await admin.add(g, {
      objectClass: 'groupOfNames',
      cn: 'g1',
      member: [`CN=Jan  Jansen,OU=People,${BASE}`],
    })
    assert.equal(
      (await read(g, ['member']))?.member,
      `cn=Jan  Jansen,ou=People,${BASE}`,
      'stored in pretty form',
    )
    assert.deepEqual(await dns(BASE, `(member=cn=jan jansen,ou=people,${BASE})`), [g])
    assert.equal(
      await code(admin.modify(g, [change('add', 'member', [`cn=JAN JANSEN,${PEOPLE}`])])),
      20,
    )
    assert.equal(
      await code(admin.modify(g, [change('delete', 'member', [`cn=JAN JANSEN,${PEOPLE}`])])),
      65,
    )
    assert.equal(await code(admin.modify(g, [change('delete', 'member', [])])), 65)
    await admin.modify(g, [change('add', 'member', [`cn=Rdn Only,${PEOPLE}`])])
    await admin.modify(g, [change('delete', 'member', [`cn=jan jansen,${PEOPLE}`])])
    assert.deepEqual((await read(g, ['member']))?.member, `cn=Rdn Only,${PEOPLE}`)
  })

  test('delete: missing 32, non-leaf 66', async () => {
    assert.equal(await code(admin.del(`cn=nope,${PEOPLE}`)), 32)
    assert.equal(await code(admin.del(PEOPLE)), 66)
    await admin.add(`cn=Leaf,${PEOPLE}`, person('Leaf'))
    await admin.del(`cn=leaf,${PEOPLE}`)
    assert.equal(await code(read(`cn=Leaf,${PEOPLE}`)), 32)
  })

  test('modify DN: rename, move with children, entryUUID kept, error codes', async () => {
    await admin.add(`ou=sub,${PEOPLE}`, { objectClass: 'organizationalUnit', ou: 'sub' })
    await admin.add(`cn=Kid,ou=sub,${PEOPLE}`, person('Kid'))
    await admin.add(`cn=Mover,${PEOPLE}`, person('Mover', { uid: 'mover' }))
    const uuid = (await read(`cn=Mover,${PEOPLE}`, ['entryUUID']))?.entryUUID
    assert.equal(await code(admin.modifyDN(`cn=nope,${PEOPLE}`, 'cn=nope2')), 32)
    assert.equal(await code(admin.modifyDN(`cn=Mover,${PEOPLE}`, 'cn=Kid,ou=sub,' + PEOPLE)), 68)
    assert.equal(await code(admin.modifyDN(`cn=Mover,${PEOPLE}`, `cn=Mover,ou=nope,${BASE}`)), 32)
    assert.equal(await code(admin.modifyDN(`ou=sub,${PEOPLE}`, `ou=sub3,ou=sub,${PEOPLE}`)), 53)
    assert.equal(
      await code(admin.modifyDN(`cn=Mover,${PEOPLE}`, 'uid=mover')),
      65,
      'old cn removed, person needs cn',
    )

    await admin.modifyDN(`cn=Mover,${PEOPLE}`, 'cn=Moved Person')
    const renamed = await read(`cn=moved person,${PEOPLE}`, ['cn', 'entryUUID'])
    assert.deepEqual(renamed, {
      dn: `cn=Moved Person,${PEOPLE}`,
      cn: 'Moved Person',
      entryUUID: uuid,
    })
    await admin.modifyDN(`cn=Moved Person,${PEOPLE}`, `cn=Moved Person,${GROUPS}`)
    assert.equal((await read(`cn=Moved Person,${GROUPS}`, ['entryUUID']))?.entryUUID, uuid)
    assert.deepEqual(await dns(BASE, `(entryUUID=${String(uuid).toUpperCase()})`), [
      `cn=Moved Person,${GROUPS}`,
    ])

    await admin.modifyDN(`ou=sub,${PEOPLE}`, `ou=sub2,${GROUPS}`)
    assert.deepEqual(await dns(`ou=sub2,${GROUPS}`), [
      `ou=sub2,${GROUPS}`,
      `cn=Kid,ou=sub2,${GROUPS}`,
    ])
    assert.equal(
      (await read(`cn=kid,ou=sub2,${GROUPS}`, ['entryDN']))?.entryDN,
      `cn=Kid,ou=sub2,${GROUPS}`,
    )
    assert.equal(await code(read(`cn=Kid,ou=sub,${PEOPLE}`)), 32)
    assert.deepEqual(await dns(GROUPS, '(cn=kid)'), [`cn=Kid,ou=sub2,${GROUPS}`])
  })

  test('search: scopes, filters, case-insensitive matching, sizeLimit, missing base', async () => {
    assert.deepEqual(await dns(PEOPLE, '(mail=b@X)'), [`cn=Jan Jansen,${PEOPLE}`])
    assert.deepEqual(await dns(PEOPLE, '(&(objectClass=person)(uid=JJANSEN))'), [
      `cn=Jan Jansen,${PEOPLE}`,
    ])
    assert.deepEqual(await dns(PEOPLE, '(|(uid=plain)(uid=hashed))'), [
      `uid=plain,${PEOPLE}`,
      `uid=hashed,${PEOPLE}`,
    ])
    assert.deepEqual(await dns(PEOPLE, '(cn=*an j*)'), [`cn=Jan Jansen,${PEOPLE}`])
    assert.deepEqual(await dns(PEOPLE, '(cn=Plain*)'), [`uid=plain,${PEOPLE}`])
    assert.deepEqual(await dns(PEOPLE, '(cn=*User)'), [
      `uid=plain,${PEOPLE}`,
      `uid=hashed,${PEOPLE}`,
    ])
    assert.deepEqual(await dns(PEOPLE, '(cn~=JAN JANSEN)'), [`cn=Jan Jansen,${PEOPLE}`])
    assert.deepEqual(await dns(PEOPLE, '(employeeNumber=123)'), [`cn=Jan Jansen,${PEOPLE}`])
    assert.deepEqual(await dns(PEOPLE, '(cn>=m)'), [], 'cn has no ordering rule in slapd')
    assert.deepEqual(
      await dns(PEOPLE, '(createTimestamp>=20000101000000Z)', 'one').then((d) => d.length > 3),
      true,
    )
    assert.deepEqual(await dns(PEOPLE, '(createTimestamp<=20000101000000Z)'), [])
    assert.deepEqual(await dns(PEOPLE, '(fooAttr=x)'), [])
    assert.deepEqual(await dns(PEOPLE, '(!(fooAttr=x))'), [], 'NOT of Undefined stays Undefined')
    assert.ok((await dns(PEOPLE, '(!(cn=Jan Jansen))')).includes(`uid=plain,${PEOPLE}`))
    assert.ok(!(await dns(PEOPLE, '(!(cn=Jan Jansen))')).includes(`cn=Jan Jansen,${PEOPLE}`))
    assert.deepEqual(await dns(BASE, '(objectClass=organizationalUnit)', 'one'), [
      PEOPLE,
      GROUPS,
      `ou=disabled,${BASE}`,
    ])
    assert.deepEqual(
      await dns(BASE, '(objectClass=top)', 'base'),
      [BASE],
      'objectClass matches superclasses',
    )
    assert.deepEqual(await dns(BASE, '(hasSubordinates=TRUE)', 'one'), [PEOPLE, GROUPS])
    assert.equal(await code(admin.search(`ou=nope,${PEOPLE}`, { scope: 'base' })), 32)
    assert.equal(await code(admin.search('junk', {})), 34)
    const limited = await admin.search(PEOPLE, { scope: 'one', sizeLimit: 2, attributes: ['1.1'] })
    assert.equal(limited.searchEntries.length, 2)
    const dse = (await admin.search('', { scope: 'base', attributes: ['+'] })).searchEntries[0]
    assert.equal(dse?.namingContexts, BASE)
    assert.ok(([] as unknown[]).concat(dse?.supportedControl).includes('1.2.840.113556.1.4.319'))
  })

  test('compare', async () => {
    assert.equal(await admin.compare(`cn=Jan Jansen,${PEOPLE}`, 'sn', 'JANSEN'), true)
    assert.equal(await admin.compare(`cn=Jan Jansen,${PEOPLE}`, 'sn', 'x'), false)
    assert.equal(
      await code(
        admin
          .compare(`cn=Jan Jansen,${PEOPLE}`, 'title', 'x')
          .then(() => admin.compare(`cn=Jan Jansen,${PEOPLE}`, 'initials', 'x')),
      ),
      16,
    )
  })

  test('hard names in DNs and filters: escaped both ways, never interpreted', async () => {
    const names = [
      "O'Brien, Jr.",
      'Ødegård',
      "van 't Hof",
      '*)(uid=*',
      '#leading hash',
      ' leading space',
      'a+b',
      'back\\slash',
      '"quoted"',
      'semi;colon',
      '<angle>',
      'trailing ',
    ]
    const escapeFilter = (v: string) =>
      v.replace(/[\\*()\0]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'))
    for (const [i, name] of names.entries()) {
      const dn = `cn=${escapeDnValue(name)},${PEOPLE}`
      await admin.add(dn, {
        objectClass: 'inetOrgPerson',
        cn: name,
        sn: name.trim() || 'x',
        uid: `hard${i}`,
      })
      const found = (
        await admin.search(PEOPLE, {
          filter: `(cn=${escapeFilter(name)})`,
          attributes: ['cn', 'uid'],
        })
      ).searchEntries
      assert.deepEqual(
        found.map((e) => e.uid),
        [`hard${i}`],
        name,
      )
      assert.equal(found[0]?.dn, dn, name)
      assert.equal(found[0]?.cn, name, name)
      assert.equal((await read(dn, ['uid']))?.uid, `hard${i}`, name)
    }
    // the filter-injection name matches only itself
    assert.deepEqual(
      (
        await admin.search(PEOPLE, { filter: '(cn=\\2a\\29\\28uid=\\2a)', attributes: ['uid'] })
      ).searchEntries.map((e) => e.uid),
      ['hard3'],
    )
    assert.deepEqual(await dns(PEOPLE, '(sn=ØDEGÅRD)'), [`cn=Ødegård,${PEOPLE}`])
    assert.deepEqual(await dns(PEOPLE, "(sn=VAN 'T hof)"), [`cn=van 't Hof,${PEOPLE}`])
    assert.equal((await read(`cn=O'Brien\\2c Jr.,${PEOPLE}`))?.dn, `cn=O'Brien\\2C Jr.,${PEOPLE}`)
  })

  test('binary values come back byte for byte', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x80])
    await admin.modify(`cn=Jan Jansen,${PEOPLE}`, [
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'jpegPhoto', values: [bytes] }),
      }),
    ])
    const e = (
      await admin.search(`cn=Jan Jansen,${PEOPLE}`, {
        scope: 'base',
        attributes: ['jpegPhoto'],
        explicitBufferAttributes: ['jpegPhoto'],
      })
    ).searchEntries[0]
    assert.deepEqual(e?.jpegPhoto, bytes)
  })

  test('paged results across three pages, and a search that is not paged', async () => {
    await admin.add(`ou=paged,${BASE}`, { objectClass: 'organizationalUnit', ou: 'paged' })
    for (let i = 0; i < 7; i++)
      await admin.add(`uid=p${i},ou=paged,${BASE}`, person(`P ${i}`, { uid: `p${i}` }))
    const pages: string[][] = []
    for await (const page of admin.searchPaginated(`ou=paged,${BASE}`, {
      scope: 'one',
      attributes: ['uid'],
      paged: { pageSize: 3 },
    })) {
      pages.push(page.searchEntries.map((e) => String(e.uid)))
    }
    assert.deepEqual(pages, [['p0', 'p1', 'p2'], ['p3', 'p4', 'p5'], ['p6']])
    const all = await admin.search(`ou=paged,${BASE}`, {
      scope: 'one',
      attributes: ['uid'],
      paged: { pageSize: 3 },
    })
    assert.equal(all.searchEntries.length, 7)
    // an entry deleted between pages is not returned
    const paging = admin.searchPaginated(`ou=paged,${BASE}`, {
      scope: 'one',
      attributes: ['uid'],
      paged: { pageSize: 3 },
    })
    const it = paging[Symbol.asyncIterator]()
    const first = await it.next()
    assert.equal(first.value?.searchEntries.length, 3)
    await admin.del(`uid=p4,ou=paged,${BASE}`)
    const rest: string[] = []
    for (let r = await it.next(); !r.done; r = await it.next())
      rest.push(...r.value.searchEntries.map((e) => String(e.uid)))
    assert.deepEqual(rest, ['p3', 'p5', 'p6'])
  })

  test('an unknown critical control is refused with 12', async () => {
    const { Control } = await import('ldapts')
    const control = new Control('1.2.3.4.5', { critical: true })
    assert.equal(await code(admin.search(BASE, { scope: 'base' }, control)), 12)
  })
})

describe('persistence', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'koppel-ldap-sim-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('a second server on the same file sees the first one’s entries, ids and binary values', async () => {
    const persistPath = join(dir, 'directory.json')
    const first = await startLdapServer({ adminPassword: PASSWORD, persistPath })
    const c1 = new Client({ url: first.url })
    await c1.bind(ADMIN, PASSWORD)
    await c1.add(`cn=Ødegård\\2C Kari,${PEOPLE}`, person('Ødegård, Kari', { uid: 'kari' }))
    await c1.add(`ou=1a,${PEOPLE}`, { objectClass: 'organizationalUnit', ou: '1a' })
    await c1.modifyDN(`cn=Ødegård\\2C Kari,${PEOPLE}`, `cn=Ødegård\\2C Kari,ou=1a,${PEOPLE}`)
    await c1.modify(`cn=Ødegård\\2C Kari,ou=1a,${PEOPLE}`, [
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'jpegPhoto', values: [Buffer.from([0, 255])] }),
      }),
    ])
    const uuid = (await c1.search(`uid=kari,${PEOPLE}`, { scope: 'base' }).catch(() => undefined))
      ?.searchEntries
    assert.equal(uuid, undefined, 'uid is not the RDN')
    const before = (await c1.search(PEOPLE, { filter: '(uid=kari)', attributes: ['entryUUID'] }))
      .searchEntries[0]
    await c1.unbind()
    const count = first.entryCount()
    await first.stop()

    const second = await startLdapServer({ adminPassword: PASSWORD, persistPath })
    const c2 = new Client({ url: second.url })
    try {
      await c2.bind(ADMIN, PASSWORD)
      assert.equal(second.entryCount(), count)
      const after = (
        await c2.search(PEOPLE, {
          filter: '(uid=kari)',
          attributes: ['entryUUID', 'jpegPhoto'],
          explicitBufferAttributes: ['jpegPhoto'],
        })
      ).searchEntries[0]
      assert.equal(after?.dn, `cn=Ødegård\\2C Kari,ou=1a,${PEOPLE}`)
      assert.equal(after?.entryUUID, before?.entryUUID)
      assert.deepEqual(after?.jpegPhoto, Buffer.from([0, 255]))
      // and it keeps writing: a new entry after the restart gets saved too
      await c2.add(`cn=Later,${PEOPLE}`, person('Later'))
    } finally {
      await c2.unbind()
      await second.stop()
    }
    const third = await startLdapServer({ adminPassword: PASSWORD, persistPath })
    try {
      assert.equal(third.entryCount(), count + 1)
    } finally {
      await third.stop()
    }
  })
})
