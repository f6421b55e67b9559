// Microsoft's own Graph client (@microsoft/microsoft-graph-client) against the Graph simulator, unchanged apart
// from the base URL. The SDK attaches its token only to https hosts (Graph's, or `customHosts`), so the
// simulator serves HTTPS with a test CA; the SDK's fetch trusts that CA through an undici Agent (fetchOptions
// dispatcher) with verification on. The token comes from the simulator's token endpoint (client credentials).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  PageIterator,
  type AuthenticationProvider,
  type PageCollection,
} from '@microsoft/microsoft-graph-client'
import { Agent, fetch as undiciFetch } from 'undici'
import { startEntraSim, type EntraSim } from '@koppel/sim/entra'
import { testCa } from '../../../test/support/test-ca.ts'
import { CLIENT_ID, CLIENT_SECRET, SKU_A1_STUDENT } from './entra-fixture.ts'

const T0 = Date.parse('2026-11-23T12:00:00Z')

// Graph answers are loose JSON; the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

describe('official Microsoft Graph client against the simulator', () => {
  let sim: EntraSim
  let agent: Agent
  let client: Client
  let tokensFetched = 0

  before(async () => {
    const ca = testCa()
    sim = await startEntraSim({
      now: () => T0,
      tls: { key: ca.key, cert: ca.cert },
      skus: { [SKU_A1_STUDENT]: 'STANDARDWOFFPACK_STUDENT' },
    })
    agent = new Agent({ connect: { ca: ca.ca } })
    const authProvider: AuthenticationProvider = {
      async getAccessToken() {
        const form = new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          scope: 'https://graph.microsoft.com/.default',
        })
        const res = await undiciFetch(sim.tokenUrl, {
          method: 'POST',
          body: form,
          dispatcher: agent,
        })
        tokensFetched++
        return String(((await res.json()) as Json).access_token)
      },
    }
    client = Client.initWithMiddleware({
      authProvider,
      baseUrl: sim.url,
      customHosts: new Set([new URL(sim.url).hostname]),
      fetchOptions: { dispatcher: agent } as RequestInit,
    })
  })
  after(async () => {
    await sim.close()
    await agent.close()
  })

  const user = (nick: string, displayName: string, extra: Record<string, unknown> = {}) => ({
    accountEnabled: true,
    displayName,
    mailNickname: nick,
    userPrincipalName: `${nick}@school.test`,
    mail: `${nick}@school.test`,
    passwordProfile: { forceChangePasswordNextSignIn: true, password: 'Welkom-2026!' },
    ...extra,
  })

  test('the simulator serves https on loopback (the SDK would not send its token to http)', () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  })

  test('users: create, get with $select, list with paging (PageIterator), patch, delete', async () => {
    const made = (await client
      .api('/users')
      .post(user('anna', 'Anna de Wit', { employeeId: 'E1' }))) as Json
    assert.match(made.id, /^[0-9a-f-]{36}$/)
    assert.ok(tokensFetched >= 1)
    for (const [nick, name] of [
      ['bart', 'Bart Bos'],
      ['carla', 'Carla Claes'],
      ['dirk', 'Dirk Dijk'],
      ['eva', 'Eva Eijk'],
    ] as const) {
      await client.api('/users').post(user(nick, name))
    }
    const got = (await client
      .api(`/users/${made.id}`)
      .select(['id', 'employeeId', 'proxyAddresses', 'onPremisesSyncEnabled', 'identities'])
      .get()) as Json
    assert.equal(got.employeeId, 'E1')
    assert.deepEqual(got.proxyAddresses, ['SMTP:anna@school.test'])
    assert.equal(got.onPremisesSyncEnabled, null)
    assert.equal(got.identities[0].issuerAssignedId, 'anna@school.test')

    const first = (await client
      .api('/users')
      .top(2)
      .select(['displayName'])
      .get()) as PageCollection
    assert.ok(
      first['@odata.nextLink']?.startsWith(sim.url),
      'nextLink is absolute, on the https origin',
    )
    const names: string[] = []
    await new PageIterator(client, first, (u: Json) => {
      names.push(u.displayName)
      return true
    }).iterate()
    assert.deepEqual(names, ['Anna de Wit', 'Bart Bos', 'Carla Claes', 'Dirk Dijk', 'Eva Eijk'])

    await client.api(`/users/${made.id}`).patch({ jobTitle: 'leerling', usageLocation: 'NL' })
    assert.equal(
      ((await client.api(`/users/${made.id}`).select('jobTitle').get()) as Json).jobTitle,
      'leerling',
    )
    await client.api(`/users/${made.id}`).delete()
    await assert.rejects(
      client.api(`/users/${made.id}`).get(),
      (e: { statusCode?: number; code?: string }) =>
        e.statusCode === 404 && e.code === 'Request_ResourceNotFound',
    )
  })

  test('queries through the SDK: $filter in/any, $orderby, $search and /users/$count with ConsistencyLevel', async () => {
    const inList = (await client
      .api('/users')
      .filter("mailNickname in ('bart','dirk')")
      .select('mailNickname')
      .get()) as Json
    assert.deepEqual(inList.value.map((u: Json) => u.mailNickname).sort(), ['bart', 'dirk'])
    const any = (await client
      .api('/users')
      .filter("proxyAddresses/any(p:p eq 'smtp:carla@school.test')")
      .select('displayName')
      .get()) as Json
    assert.deepEqual(any.value, [{ displayName: 'Carla Claes' }])
    const sorted = (await client
      .api('/users')
      .orderby('displayName desc')
      .select('displayName')
      .top(1)
      .get()) as Json
    assert.deepEqual(sorted.value, [{ displayName: 'Eva Eijk' }])
    await assert.rejects(
      client.api('/users').search('"displayName:bo"').get(),
      (e: { statusCode?: number; code?: string }) =>
        e.statusCode === 400 && e.code === 'Request_UnsupportedQuery',
    )
    const found = (await client
      .api('/users')
      .header('ConsistencyLevel', 'eventual')
      .search('"displayName:bo"')
      .count(true)
      .select('displayName')
      .get()) as Json
    assert.deepEqual(found.value, [{ displayName: 'Bart Bos' }])
    assert.equal(found['@odata.count'], 1)
    const count = await client.api('/users/$count').header('ConsistencyLevel', 'eventual').get()
    assert.equal(Number(count), 4)
  })

  test('groups: create with members@odata.bind; members add ($ref) and remove', async () => {
    const ids = ((await client.api('/users').select('id').get()) as Json).value.map(
      (u: Json) => u.id,
    ) as string[]
    const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`
    const group = (await client.api('/groups').post({
      displayName: 'Klas 2B',
      mailEnabled: false,
      mailNickname: 'klas2b',
      securityEnabled: true,
      'members@odata.bind': [bind(ids[0] as string)],
    })) as Json
    await client
      .api(`/groups/${group.id}/members/$ref`)
      .post({ '@odata.id': bind(ids[1] as string) })
    const members = async () =>
      (((await client.api(`/groups/${group.id}/members`).get()) as Json).value as Json[])
        .map((m) => m.id)
        .sort()
    assert.deepEqual(await members(), [ids[0], ids[1]].sort())
    await client.api(`/groups/${group.id}/members/${ids[0]}/$ref`).delete()
    assert.deepEqual(await members(), [ids[1]])
    const listed = (await client
      .api('/groups')
      .filter("displayName eq 'Klas 2B'")
      .select(['id'])
      .get()) as Json
    assert.deepEqual(listed.value, [{ id: group.id }])
  })

  test('groups: owners by $ref (the last one stays), Microsoft 365 nicknames unique, delete to deleted items and restore', async () => {
    const ids = ((await client.api('/users').select('id').get()) as Json).value.map(
      (u: Json) => u.id,
    ) as string[]
    const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`
    const unified = { mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'] }
    const group = (await client.api('/groups').post({
      displayName: 'Wiskunde 3B',
      mailNickname: 'wi3b',
      ...unified,
      'owners@odata.bind': [bind(ids[0] as string)],
    })) as Json
    await client
      .api(`/groups/${group.id}/owners/$ref`)
      .post({ '@odata.id': bind(ids[1] as string) })
    const owners = async () =>
      (((await client.api(`/groups/${group.id}/owners`).get()) as Json).value as Json[])
        .map((m) => m.id)
        .sort()
    assert.deepEqual(await owners(), [ids[0], ids[1]].sort())
    await client.api(`/groups/${group.id}/owners/${ids[0]}/$ref`).delete()
    await assert.rejects(
      client.api(`/groups/${group.id}/owners/${ids[1]}/$ref`).delete(),
      (e: { statusCode?: number }) => e.statusCode === 400,
    )
    await assert.rejects(
      client.api('/groups').post({ displayName: 'Ander', mailNickname: 'WI3B', ...unified }),
      (e: { statusCode?: number; body?: string }) =>
        e.statusCode === 400 && /ObjectConflict/.test(String(e.body)),
    )

    await client.api(`/groups/${group.id}`).delete()
    await assert.rejects(
      client.api(`/groups/${group.id}`).get(),
      (e: { statusCode?: number }) => e.statusCode === 404,
    )
    const deleted = (await client
      .api('/directory/deletedItems/microsoft.graph.group')
      .select(['id', 'displayName', 'deletedDateTime'])
      .get()) as Json
    assert.deepEqual(
      deleted.value.map((g: Json) => [g.id, g.displayName]),
      [[group.id, 'Wiskunde 3B']],
    )
    assert.equal(deleted.value[0].deletedDateTime, new Date(T0).toISOString())
    await client.api(`/directory/deletedItems/${group.id}/restore`).post({})
    assert.equal(
      ((await client.api(`/groups/${group.id}`).get()) as Json).displayName,
      'Wiskunde 3B',
    )
    assert.deepEqual(await owners(), [ids[1]])
  })

  test('$batch through BatchRequestContent / BatchResponseContent, serial with dependsOn', async () => {
    // SDK 3.0.7 strips only the host from a step's URL (msgraph-sdk-javascript#1178, #1451), so the steps are
    // written without the version segment, as against graph.microsoft.com.
    const step = (id: string, path: string, init: RequestInit = {}) => ({
      id,
      request: new Request(`${sim.url}${path}`, init),
    })
    const json = (method: string, body: unknown): RequestInit => ({
      method,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    })
    const content = new BatchRequestContent([
      step('1', '/users', json('POST', user('fleur', 'Fleur Fransen'))),
      step('2', '/users/fleur@school.test', json('PATCH', { usageLocation: 'NL' })),
      step(
        '3',
        '/users/fleur@school.test/assignLicense',
        json('POST', {
          addLicenses: [{ skuId: SKU_A1_STUDENT, disabledPlans: [] }],
          removeLicenses: [],
        }),
      ),
      step('4', '/users/nobody@school.test'),
    ])
    content.addDependency('2', '1')
    content.addDependency('3', '2')
    content.addDependency('4', '3') // the SDK accepts only parallel, serial or one shared dependency
    const answer = new BatchResponseContent(
      (await client.api('/$batch').post(await content.getContent())) as Json,
    )
    assert.equal(answer.getResponseById('1').status, 201)
    assert.equal(answer.getResponseById('2').status, 204)
    assert.equal(answer.getResponseById('3').status, 200)
    assert.equal(answer.getResponseById('4').status, 404)
    const licences = (await client
      .api('/users/fleur@school.test')
      .select('assignedLicenses')
      .get()) as Json
    assert.deepEqual(licences.assignedLicenses, [{ skuId: SKU_A1_STUDENT, disabledPlans: [] }])

    const versioned = new BatchRequestContent([
      { id: '1', request: new Request(`${sim.url}/v1.0/users`) },
    ])
    const refused = new BatchResponseContent(
      (await client.api('/$batch').post(await versioned.getContent())) as Json,
    )
    assert.equal(
      refused.getResponseById('1').status,
      400,
      "Graph: Resource not found for the segment 'v1.0'.",
    )
  })
})
