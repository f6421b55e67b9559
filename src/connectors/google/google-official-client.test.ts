// Google's own client libraries against the Directory API simulator: @googleapis/admin with google-auth-library's
// service-account JWT client, unchanged apart from where they connect (rootUrl for the API; the token request,
// whose URL the library fixes, goes to the simulator through a fetch that maps Google's host to it). The
// simulator serves HTTPS with a test CA that the fetch trusts; verification stays on.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { admin, type admin_directory_v1 } from '@googleapis/admin'
import { JWT } from 'google-auth-library'
import { Agent, fetch as undiciFetch } from 'undici'
import { makeServiceAccount } from './google-test-fixture.ts'
import { testCa } from '../../../test/support/test-ca.ts'
import { DIRECTORY_SCOPES, startGoogleSim, type GoogleSim } from '@koppel/sim/google'

describe('official Google clients (@googleapis/admin, google-auth-library) against the simulator', () => {
  let sim: GoogleSim
  let directory: admin_directory_v1.Admin
  let agent: Agent
  const tokenRequests: string[] = []

  before(async () => {
    const ca = testCa()
    const sa = makeServiceAccount()
    sim = await startGoogleSim({ serviceAccount: sa, tls: { key: ca.key, cert: ca.cert } })
    agent = new Agent({ connect: { ca: ca.ca } })
    const origin = new URL(sim.tokenUrl).origin
    // Only the host changes: https://oauth2.googleapis.com/token → https://127.0.0.1:<port>/token.
    const fetchToSim = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (url.host === 'oauth2.googleapis.com') {
        tokenRequests.push(url.href)
        return undiciFetch(`${origin}${url.pathname}${url.search}`, {
          ...(init as object),
          dispatcher: agent,
        })
      }
      return undiciFetch(url, { ...(init as object), dispatcher: agent })
    }
    const key = JSON.parse(sa.keyJson) as { client_email: string; private_key: string }
    const auth = new JWT({
      email: key.client_email,
      key: key.private_key,
      subject: 'admin@school.test',
      scopes: Object.values(DIRECTORY_SCOPES),
      transporterOptions: { fetchImplementation: fetchToSim as never },
    })
    directory = admin({ version: 'directory_v1', auth, rootUrl: `${origin}/` })
  })
  after(async () => {
    await sim.close()
    await agent.close()
  })

  const newUser = (i: number): admin_directory_v1.Schema$User => ({
    primaryEmail: `leerling${i}@school.test`,
    name: { givenName: 'Sanne', familyName: `de Boer ${String.fromCharCode(90 - i)}` },
    password: 'Welkom-2026!',
    orgUnitPath: '/Leerlingen',
    externalIds: [{ type: 'organization', value: `L${i}` }],
  })

  test("users.insert, users.get with etag and emails[], the token fetched with Google's audience", async () => {
    const made = await directory.users.insert({ requestBody: newUser(0) })
    assert.equal(made.status, 200)
    assert.match(String(made.data.id), /^\d+$/)
    assert.deepEqual(tokenRequests, ['https://oauth2.googleapis.com/token'])
    const got = await directory.users.get({ userKey: 'leerling0@school.test' })
    assert.equal(got.data.id, made.data.id)
    assert.match(String(got.data.etag), /^".+"$/)
    assert.deepEqual(got.data.emails, [{ address: 'leerling0@school.test', primary: true }])
    assert.equal(got.data.name?.fullName, 'Sanne de Boer Z')
  })

  test('users.list pages with maxResults/pageToken, orderBy familyName descending, and fields narrows the answer', async () => {
    for (let i = 1; i <= 4; i++) await directory.users.insert({ requestBody: newUser(i) })
    const seen: string[] = []
    let pageToken: string | undefined
    let pages = 0
    do {
      const res = await directory.users.list({
        customer: 'my_customer',
        maxResults: 2,
        orderBy: 'familyName',
        sortOrder: 'DESCENDING',
        ...(pageToken !== undefined ? { pageToken } : {}),
        fields: 'users(primaryEmail,name/familyName),nextPageToken',
      })
      pages++
      for (const u of res.data.users ?? []) {
        assert.deepEqual(Object.keys(u).sort(), ['name', 'primaryEmail'])
        assert.deepEqual(Object.keys(u.name ?? {}), ['familyName'])
        seen.push(String(u.primaryEmail))
      }
      pageToken = res.data.nextPageToken ?? undefined
    } while (pageToken !== undefined)
    assert.equal(pages, 3)
    assert.deepEqual(
      seen,
      [0, 1, 2, 3, 4].map((i) => `leerling${i}@school.test`),
      'de Boer Z, Y, X, … descending',
    )
    await assert.rejects(
      directory.users.list({ customer: 'my_customer', orderBy: 'shoeSize' }),
      (e: { status?: number }) => e.status === 400,
    )
  })

  test('users.patch with emails and a new name; the etag changes', async () => {
    const before = await directory.users.get({ userKey: 'leerling1@school.test' })
    const patched = await directory.users.patch({
      userKey: 'leerling1@school.test',
      requestBody: {
        name: { givenName: 'Sanna' },
        emails: [{ address: 'sanna.thuis@example.test', type: 'home' }],
      },
    })
    assert.equal(patched.data.name?.givenName, 'Sanna')
    assert.equal(patched.data.name?.familyName, before.data.name?.familyName, 'name merges')
    assert.deepEqual(patched.data.emails, [
      { address: 'leerling1@school.test', primary: true },
      { address: 'sanna.thuis@example.test', type: 'home' },
    ])
    assert.notEqual(patched.data.etag, before.data.etag)
  })

  test('groups.insert, groups.list; members.insert, members.get, members.list, members.delete', async () => {
    const group = await directory.groups.insert({
      requestBody: { email: 'klas-1a@school.test', name: 'Klas 1A' },
    })
    assert.match(String(group.data.etag), /^".+"$/)
    await directory.groups.insert({
      requestBody: { email: 'klas-1b@school.test', name: 'Klas 1B' },
    })
    const listed = await directory.groups.list({
      customer: 'my_customer',
      orderBy: 'email',
      sortOrder: 'DESCENDING',
    })
    assert.deepEqual(
      listed.data.groups?.map((g) => g.email),
      ['klas-1b@school.test', 'klas-1a@school.test'],
    )
    const member = await directory.members.insert({
      groupKey: 'klas-1a@school.test',
      requestBody: { email: 'leerling2@school.test', role: 'MEMBER' },
    })
    assert.equal(member.data.email, 'leerling2@school.test')
    const got = await directory.members.get({
      groupKey: 'klas-1a@school.test',
      memberKey: 'leerling2@school.test',
    })
    assert.equal(got.data.id, member.data.id)
    assert.match(String(got.data.etag), /^".+"$/)
    const mine = await directory.groups.list({ userKey: 'leerling2@school.test' })
    assert.deepEqual(
      mine.data.groups?.map((g) => g.email),
      ['klas-1a@school.test'],
    )
    assert.deepEqual(
      (await directory.members.list({ groupKey: 'klas-1a@school.test' })).data.members?.map(
        (m) => m.email,
      ),
      ['leerling2@school.test'],
    )
    await directory.members.delete({
      groupKey: 'klas-1a@school.test',
      memberKey: 'leerling2@school.test',
    })
    await assert.rejects(
      directory.members.get({
        groupKey: 'klas-1a@school.test',
        memberKey: 'leerling2@school.test',
      }),
      (e: { status?: number }) => e.status === 404,
    )
    assert.equal(
      (await directory.members.list({ groupKey: 'klas-1a@school.test' })).data.members,
      undefined,
    )
  })

  test('groups.patch, groups.list query, members with roles (insert OWNER, patch, list roles=OWNER), groups.delete', async () => {
    await directory.groups.insert({
      requestBody: { email: 'wi-3b@school.test', name: 'Wiskunde 3B', description: 'Lesgroep' },
    })
    const patched = await directory.groups.patch({
      groupKey: 'wi-3b@school.test',
      requestBody: { name: "Wiskunde A's 3B" },
    })
    assert.equal(patched.data.name, "Wiskunde A's 3B")
    assert.equal(patched.data.description, 'Lesgroep')
    const byName = await directory.groups.list({
      customer: 'my_customer',
      query: "name='Wiskunde A\\'s 3B'",
    })
    assert.deepEqual(
      byName.data.groups?.map((g) => g.email),
      ['wi-3b@school.test'],
    )
    const byPrefix = await directory.groups.list({ customer: 'my_customer', query: 'email:klas*' })
    assert.deepEqual(byPrefix.data.groups?.map((g) => g.email).sort(), [
      'klas-1a@school.test',
      'klas-1b@school.test',
    ])
    await assert.rejects(
      directory.groups.list({ customer: 'my_customer', query: 'owner=x' }),
      (e: { status?: number }) => e.status === 400,
    )
    await assert.rejects(
      directory.groups.insert({ requestBody: { email: 'lang@school.test', name: 'x'.repeat(74) } }),
      (e: { status?: number }) => e.status === 400,
    )

    await directory.members.insert({
      groupKey: 'wi-3b@school.test',
      requestBody: { email: 'leerling2@school.test', role: 'OWNER' },
    })
    await directory.members.insert({
      groupKey: 'wi-3b@school.test',
      requestBody: { email: 'leerling3@school.test' },
    })
    await assert.rejects(
      directory.members.insert({
        groupKey: 'wi-3b@school.test',
        requestBody: { email: 'leerling5@school.test', role: 'BOSS' },
      }),
      (e: { status?: number }) => e.status === 400,
    )
    const owners = await directory.members.list({ groupKey: 'wi-3b@school.test', roles: 'OWNER' })
    assert.deepEqual(
      owners.data.members?.map((m) => [m.email, m.role]),
      [['leerling2@school.test', 'OWNER']],
    )
    const raised = await directory.members.patch({
      groupKey: 'wi-3b@school.test',
      memberKey: 'leerling3@school.test',
      requestBody: { role: 'OWNER' },
    })
    assert.equal(raised.data.role, 'OWNER')
    assert.equal(
      (await directory.members.list({ groupKey: 'wi-3b@school.test', roles: 'OWNER' })).data.members
        ?.length,
      2,
    )
    const page1 = await directory.members.list({ groupKey: 'wi-3b@school.test', maxResults: 1 })
    assert.ok(page1.data.nextPageToken)
    const page2 = await directory.members.list({
      groupKey: 'wi-3b@school.test',
      maxResults: 1,
      pageToken: page1.data.nextPageToken,
    })
    assert.deepEqual(
      [...(page1.data.members ?? []), ...(page2.data.members ?? [])].map((m) => m.email),
      ['leerling2@school.test', 'leerling3@school.test'],
    )
    assert.equal(page2.data.nextPageToken, undefined)

    await directory.groups.delete({ groupKey: 'wi-3b@school.test' })
    await assert.rejects(
      directory.groups.get({ groupKey: 'wi-3b@school.test' }),
      (e: { status?: number }) => e.status === 404,
    )
  })

  test('users.delete, then users.get is 404', async () => {
    await directory.users.delete({ userKey: 'leerling4@school.test' })
    await assert.rejects(
      directory.users.get({ userKey: 'leerling4@school.test' }),
      (e: { status?: number }) => e.status === 404,
    )
  })
})
