// The Graph simulator's query options and groups, over plain fetch: the requests issue 9 found refused or ignored
// ($filter in/any, $select of proxyAddresses/identities/onPremisesSyncEnabled, /users/$count, $orderby,
// $search, POST /groups with members@odata.bind) answered as learn.microsoft.com documents them.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startEntraSim, type EntraSim } from './index.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const T0 = Date.parse('2026-11-23T12:00:00Z')
const EVENTUAL = { ConsistencyLevel: 'eventual' }

describe('Entra ID simulator: query options and groups', () => {
  let sim: EntraSim
  let token = ''
  const ids: Record<string, string> = {}

  async function g(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${sim.url}/v1.0${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await res.text()
    const json =
      res.headers.get('content-type')?.startsWith('application/json') === true && text !== ''
        ? (JSON.parse(text) as Json)
        : undefined
    return { status: res.status, text, json }
  }
  const q = (s: string) => encodeURIComponent(s)

  before(async () => {
    sim = await startEntraSim({ now: () => T0 })
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'koppel-client',
      client_secret: 'koppel-secret',
      scope: 'https://graph.microsoft.com/.default',
    })
    token = String(
      ((await (await fetch(sim.tokenUrl, { method: 'POST', body: form })).json()) as Json)
        .access_token,
    )
    const people = [
      ['Adele Vance', 'adele', 'E1'],
      ['Bram de Vries', 'bram', 'E2'],
      ['Cees Jansen', 'cees', 'E3'],
      ['Daan Vermeulen', 'daan', 'E4'],
    ] as const
    for (const [displayName, nick, employeeId] of people) {
      const r = await g('POST', '/users', {
        accountEnabled: true,
        displayName,
        mailNickname: nick,
        userPrincipalName: `${nick}@school.test`,
        mail: `${nick}@school.test`,
        employeeId,
        passwordProfile: { password: 'Welkom-2026!' },
        ...(nick === 'bram'
          ? {
              identities: [
                { signInType: 'federated', issuer: 'idp.school.test', issuerAssignedId: 'bram-42' },
              ],
            }
          : {}),
      })
      assert.equal(r.status, 201, r.text)
      ids[nick] = r.json.id
    }
    sim.seedUser({
      displayName: 'Eva Synced',
      userPrincipalName: 'eva@school.test',
      mailNickname: 'eva',
      onPremisesSyncEnabled: true,
      onPremisesImmutableId: 'aW1tdXRhYmxl',
    })
  })
  after(() => sim.close())

  test('endsWith only on mail, otherMails, userPrincipalName and proxyAddresses; NOT and OR in capitals', async () => {
    const ok = await g(
      'GET',
      `/users?$filter=${q("proxyAddresses/any(p:endsWith(p,'@school.test'))")}&$count=true`,
      undefined,
      EVENTUAL,
    )
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.json['@odata.count'], 4)
    const name = await g(
      'GET',
      `/users?$filter=${q("endsWith(displayName,'Vance')")}&$count=true`,
      undefined,
      EVENTUAL,
    )
    assert.equal(name.status, 400)
    const caps = await g(
      'GET',
      `/users?$filter=${q("employeeId eq 'E1' OR NOT(employeeId ne 'E2')")}&$count=true&$select=employeeId`,
      undefined,
      EVENTUAL,
    )
    assert.deepEqual(caps.json.value.map((u: Json) => u.employeeId).sort(), ['E1', 'E2'])
  })

  test('$filter with in (…) and the lambda any() on proxyAddresses and identities', async () => {
    const inList = await g(
      'GET',
      `/users?$filter=${q("employeeId in ('E1','E3','nobody')")}&$select=employeeId`,
    )
    assert.equal(inList.status, 200, inList.text)
    assert.deepEqual(inList.json.value.map((u: Json) => u.employeeId).sort(), ['E1', 'E3'])
    const proxy = await g(
      'GET',
      `/users?$filter=${q("proxyAddresses/any(p:p eq 'smtp:cees@school.test')")}&$select=id`,
    )
    assert.deepEqual(proxy.json.value, [{ id: ids.cees }])
    const proxyPrefix = await g(
      'GET',
      `/users?$filter=${q("proxyAddresses/any(x:startswith(x,'SMTP:da'))")}&$select=id`,
    )
    assert.deepEqual(proxyPrefix.json.value, [{ id: ids.daan }])
    const ident = await g(
      'GET',
      `/users?$filter=${q("identities/any(c:c/issuerAssignedId eq 'bram-42' and c/issuer eq 'idp.school.test')")}&$select=id,identities`,
    )
    assert.equal(ident.json.value[0].id, ids.bram)
    assert.equal(ident.json.value[0].identities.length, 2, 'the UPN identity and the federated one')
    const half = await g(
      'GET',
      `/users?$filter=${q("identities/any(c:c/issuer eq 'idp.school.test')")}`,
    )
    assert.equal(half.status, 400)
    const tooMany = `employeeId in (${Array.from({ length: 16 }, (_, i) => `'X${i}'`).join(',')})`
    assert.equal(
      (await g('GET', `/users?$filter=${q(tooMany)}`)).json.error.code,
      'Request_UnsupportedQuery',
    )
    assert.equal(
      (await g('GET', `/users?$filter=${q(tooMany)}&$count=true`, undefined, EVENTUAL)).status,
      200,
    )
  })

  test('$select of proxyAddresses, identities and onPremisesSyncEnabled; the read-only ones cannot be written', async () => {
    const r = await g(
      'GET',
      `/users/eva@school.test?$select=${q('proxyAddresses,identities,onPremisesSyncEnabled,onPremisesImmutableId')}`,
    )
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json.onPremisesSyncEnabled, true)
    assert.equal(r.json.onPremisesImmutableId, 'aW1tdXRhYmxl')
    assert.deepEqual(r.json.proxyAddresses, [])
    const cloud = await g('GET', `/users/${ids.adele}?$select=proxyAddresses,onPremisesSyncEnabled`)
    assert.deepEqual(cloud.json, {
      '@odata.context': cloud.json['@odata.context'],
      proxyAddresses: ['SMTP:adele@school.test'],
      onPremisesSyncEnabled: null,
    })
    const write = await g('PATCH', `/users/${ids.adele}`, {
      proxyAddresses: ['SMTP:x@school.test'],
    })
    assert.equal(write.status, 400)
    assert.match(write.json.error.message, /read-only/)
  })

  test('a synced user takes a usage location but refuses on-premises mastered properties', async () => {
    assert.equal((await g('PATCH', '/users/eva@school.test', { usageLocation: 'NL' })).status, 204)
    const name = await g('PATCH', '/users/eva@school.test', { displayName: 'Eva Anders' })
    assert.equal(name.status, 400)
    assert.match(name.json.error.message, /on-premises mastered/)
  })

  test('/users/$count answers a bare number and needs ConsistencyLevel: eventual', async () => {
    const refused = await g('GET', '/users/$count')
    assert.equal(refused.status, 400)
    assert.equal(refused.json.error.message, '$count is not currently supported.')
    const all = await g('GET', '/users/$count', undefined, EVENTUAL)
    assert.equal(all.status, 200)
    assert.equal(all.text, '5')
    const some = await g(
      'GET',
      `/users/$count?$filter=${q("startswith(displayName,'Da')")}`,
      undefined,
      EVENTUAL,
    )
    assert.equal(some.text, '1')
  })

  test('$orderby sorts (desc too, across pages); with $filter or on other properties it is an advanced query', async () => {
    const desc = await g('GET', '/users?$orderby=displayName%20desc&$select=displayName&$top=2')
    assert.equal(desc.status, 200, desc.text)
    assert.deepEqual(
      desc.json.value.map((u: Json) => u.displayName),
      ['Eva Synced', 'Daan Vermeulen'],
    )
    const page2 = await fetch(desc.json['@odata.nextLink'], {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.deepEqual(
      ((await page2.json()) as Json).value.map((u: Json) => u.displayName),
      ['Cees Jansen', 'Bram de Vries'],
    )
    const withFilter = `/users?$orderby=displayName&$filter=${q("startswith(displayName,'B')")}`
    const refused = await g('GET', withFilter)
    assert.equal(refused.status, 400)
    assert.equal(refused.json.error.message, 'Sorting not supported for current query.')
    assert.equal((await g('GET', `${withFilter}&$count=true`, undefined, EVENTUAL)).status, 200)
    assert.equal(
      (await g('GET', '/users?$orderby=jobTitle')).json.error.code,
      'Request_UnsupportedQuery',
    )
    assert.equal(
      (await g('GET', '/users?$orderby=createdDateTime')).status,
      400,
      'createdDateTime sorts only as an advanced query',
    )
    assert.equal(
      (await g('GET', '/users?$orderby=createdDateTime%20desc&$count=true', undefined, EVENTUAL))
        .status,
      200,
    )
  })

  test('$search needs ConsistencyLevel: eventual and matches word prefixes; it never returns everyone', async () => {
    const noHeader = await g('GET', `/users?$search=${q('"displayName:ver"')}`)
    assert.equal(noHeader.status, 400)
    assert.equal(noHeader.json.error.code, 'Request_UnsupportedQuery')
    const hit = await g(
      'GET',
      `/users?$search=${q('"displayName:ver"')}&$select=displayName`,
      undefined,
      EVENTUAL,
    )
    assert.deepEqual(
      hit.json.value.map((u: Json) => u.displayName),
      ['Daan Vermeulen'],
    )
    const either = await g(
      'GET',
      `/users?$search=${q('"displayName:adele" OR "mail:cees"')}&$select=displayName`,
      undefined,
      EVENTUAL,
    )
    assert.deepEqual(
      either.json.value.map((u: Json) => u.displayName),
      ['Adele Vance', 'Cees Jansen'],
    )
    assert.equal(
      (await g('GET', `/users?$search=${q('"jobTitle:x"')}`, undefined, EVENTUAL)).status,
      400,
    )
    assert.equal((await g('GET', `/users?$search=${q('adele')}`, undefined, EVENTUAL)).status, 400)
  })

  test('POST /groups with members@odata.bind, PATCH adds more, list by displayName, DELETE', async () => {
    const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`
    const missing = await g('POST', '/groups', {
      displayName: 'Klas 1A',
      mailEnabled: false,
      securityEnabled: true,
    })
    assert.equal(missing.status, 400, 'mailNickname is required')
    const made = await g('POST', '/groups', {
      displayName: 'Klas 1A',
      description: 'leerlingen klas 1A',
      mailEnabled: false,
      mailNickname: 'klas1a',
      securityEnabled: true,
      'members@odata.bind': [bind(ids.adele as string), bind(ids.bram as string)],
    })
    assert.equal(made.status, 201, made.text)
    const gid = made.json.id as string
    assert.equal(made.json.securityEnabled, true)
    assert.equal(
      (await g('PATCH', `/groups/${gid}`, { 'members@odata.bind': [bind(ids.cees as string)] }))
        .status,
      204,
    )
    const again = await g('PATCH', `/groups/${gid}`, {
      'members@odata.bind': [bind(ids.cees as string)],
    })
    assert.equal(again.status, 400)
    const members = await g('GET', `/groups/${gid}/members`)
    assert.deepEqual(
      members.json.value.map((m: Json) => m.id).sort(),
      [ids.adele, ids.bram, ids.cees].sort(),
    )
    const tooMany = await g('PATCH', `/groups/${gid}`, {
      'members@odata.bind': Array.from({ length: 21 }, () => bind(ids.daan as string)),
    })
    assert.equal(tooMany.status, 400)
    const byName = await g(
      'GET',
      `/groups?$filter=${q("displayName eq 'Klas 1A'")}&$select=id,displayName`,
    )
    assert.deepEqual(byName.json.value, [{ id: gid, displayName: 'Klas 1A' }])
    assert.equal((await g('DELETE', `/groups/${gid}`)).status, 204)
    assert.equal((await g('GET', `/groups/${gid}`)).status, 404)
  })

  test('a group synced from AD refuses member changes through Graph', async () => {
    const gid = sim.addGroup('AD Docenten', undefined, { onPremisesSyncEnabled: true })
    const r = await g('POST', `/groups/${gid}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ids.adele}`,
    })
    assert.equal(r.status, 400)
    assert.match(r.json.error.message, /on-premises mastered/)
  })
})
