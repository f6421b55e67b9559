// The Graph simulator on its own, over plain fetch: what the docs say Graph answers, request by request.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startEntraSim, type EntraSim } from './index.ts'

// Graph answers are read as loose JSON in these tests; the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const SKU = '314c4481-f395-4525-be8b-2ec4bb1e9d91'
const T0 = Date.parse('2026-11-23T12:00:00Z')

describe('Entra ID simulator (Microsoft Graph v1.0)', () => {
  let sim: EntraSim
  let clock = T0
  let token = ''
  let n = 0

  async function getToken(form: Record<string, string> = {}) {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'koppel-client',
      client_secret: 'koppel-secret',
      scope: 'https://graph.microsoft.com/.default',
      ...form,
    })
    const res = await fetch(sim.tokenUrl.replace(sim.tenantId, form.tenant ?? sim.tenantId), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }

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
    return {
      status: res.status,
      headers: res.headers,
      json: (text === '' ? undefined : JSON.parse(text)) as Record<string, Json>,
    }
  }

  const newUser = (o: Record<string, unknown> = {}) => {
    n++
    return {
      accountEnabled: true,
      displayName: `Leerling ${n}`,
      mailNickname: `l${n}`,
      userPrincipalName: `l${n}@school.test`,
      employeeId: `E${n}`,
      passwordProfile: { password: 'Welkom-2026!', forceChangePasswordNextSignIn: true },
      ...o,
    }
  }

  before(async () => {
    sim = await startEntraSim({
      now: () => clock,
      skus: { [SKU]: 'STANDARDWOFFPACK_STUDENT' },
      replicationLagMs: 5_000,
      tokenLifetimeSeconds: 3600,
    })
    token = String((await getToken()).json.access_token)
  })
  after(() => sim.close())

  test('token endpoint: wrong secret 401 invalid_client, wrong scope 400 invalid_scope, unknown tenant 400', async () => {
    const bad = await getToken({ client_secret: 'nope' })
    assert.equal(bad.status, 401)
    assert.equal(bad.json.error, 'invalid_client')
    assert.match(String(bad.json.error_description), /^AADSTS7000215/)
    assert.equal((await getToken({ scope: 'User.Read' })).json.error, 'invalid_scope')
    assert.equal((await getToken({ client_id: 'other' })).json.error, 'unauthorized_client')
    assert.equal((await getToken({ tenant: 'elsewhere' })).status, 400)
    const ok = await getToken()
    assert.equal(ok.json.token_type, 'Bearer')
    assert.equal(ok.json.expires_in, 3600)
  })

  test('bearer checks: no token, unknown token and an expired token get 401 InvalidAuthenticationToken', async () => {
    const saved = token
    token = ''
    assert.equal((await g('GET', '/users')).status, 401)
    token = 'forged'
    assert.equal((await g('GET', '/users')).json.error.code, 'InvalidAuthenticationToken')
    token = saved
    clock += 3601_000
    const expired = await g('GET', '/users')
    assert.equal(expired.status, 401)
    assert.match(expired.json.error.message, /expired/)
    token = String((await getToken()).json.access_token)
  })

  test('create answers 201 with the default properties; a duplicate UPN is 400 ObjectConflict', async () => {
    const body = newUser()
    const r = await g('POST', '/users', body)
    assert.equal(r.status, 201)
    assert.equal(r.json.userPrincipalName, body.userPrincipalName)
    assert.equal('employeeId' in r.json, false, 'employeeId is not a default property')
    assert.equal('passwordProfile' in r.json, false)
    const dup = await g('POST', '/users', {
      ...newUser(),
      userPrincipalName: body.userPrincipalName.toUpperCase(),
    })
    assert.equal(dup.status, 400)
    assert.equal(dup.json.error.code, 'Request_BadRequest')
    assert.equal(
      dup.json.error.message,
      'Another object with the same value for property userPrincipalName already exists.',
    )
    assert.deepEqual(dup.json.error.details, [
      { target: 'userPrincipalName', code: 'ObjectConflict' },
    ])
    assert.ok(dup.json.error.innerError['request-id'])
  })

  test('create refuses a weak password, a missing required property and an unknown property', async () => {
    const weak = await g('POST', '/users', newUser({ passwordProfile: { password: 'welkom' } }))
    assert.match(weak.json.error.message, /password complexity/)
    const { displayName: _d, ...noName } = newUser()
    assert.equal((await g('POST', '/users', noName)).status, 400)
    const odd = await g('POST', '/users', newUser({ shoeSize: '42' }))
    assert.match(odd.json.error.message, /'shoeSize' does not exist on type 'microsoft.graph.user'/)
  })

  test('replication lag: a new user is invisible to $filter until the lag passed; GET by id and UPN work at once', async () => {
    const body = newUser()
    const id = (await g('POST', '/users', body)).json.id as string
    const q = `/users?$filter=${encodeURIComponent(`employeeId eq '${body.employeeId}'`)}&$select=id,employeeId`
    assert.deepEqual((await g('GET', q)).json.value, [])
    assert.equal((await g('GET', `/users/${id}`)).status, 200)
    assert.equal(
      (await g('GET', `/users/${encodeURIComponent(body.userPrincipalName)}?$select=id`)).json.id,
      id,
    )
    clock += 5_000
    assert.deepEqual((await g('GET', q)).json.value, [{ id, employeeId: body.employeeId }])
  })

  test('$filter: eq and startswith work as is; endsWith, ne and @odata.count need ConsistencyLevel eventual + $count=true', async () => {
    const body = newUser({ displayName: "O'Brien, Jr." })
    await g('POST', '/users', body)
    clock += 5_000
    const eq = await g(
      'GET',
      `/users?$filter=${encodeURIComponent(`displayName eq 'O''Brien, Jr.'`)}&$select=id,displayName`,
    )
    assert.equal(eq.json.value.length, 1)
    assert.equal(
      (await g('GET', `/users?$filter=${encodeURIComponent("startswith(displayName,'o''bri')")}`))
        .json.value.length,
      1,
    )
    const ew = `/users?$filter=${encodeURIComponent("endswith(userPrincipalName,'@school.test')")}`
    const refused = await g('GET', ew)
    assert.equal(refused.status, 400)
    assert.equal(refused.json.error.code, 'Request_UnsupportedQuery')
    assert.equal((await g('GET', `${ew}&$count=true`)).status, 400, 'no header')
    assert.match(
      refused.json.error.message,
      /^Operator 'endsWith' is not supported because the required parameters might be missing/,
    )
    // learn.microsoft.com/graph/aad-advanced-queries: without the header, ?$count=true is ignored (the /$count
    // segment is the error; see entra-sim-queries.test.ts)
    const ignored = await g('GET', `/users?$count=true&$top=1`)
    assert.equal(ignored.status, 200)
    assert.equal(ignored.json['@odata.count'], undefined)
    const advanced = await g('GET', `${ew}&$count=true`, undefined, {
      ConsistencyLevel: 'eventual',
    })
    assert.equal(advanced.status, 200)
    assert.equal(advanced.json['@odata.count'], advanced.json.value.length)
    assert.equal(
      (await g('GET', `/users?$filter=${encodeURIComponent("nonsense eq 'x'")}`)).status,
      400,
    )
  })

  test('$top + @odata.nextLink page through every user once; $top above 999 is refused', async () => {
    for (let i = 0; i < 7; i++) await g('POST', '/users', newUser())
    clock += 5_000
    const seen: string[] = []
    let url: string | undefined = `${sim.url}/v1.0/users?$top=3&$select=id`
    let pages = 0
    while (url !== undefined) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      const page = (await res.json()) as { value: { id: string }[]; '@odata.nextLink'?: string }
      seen.push(...page.value.map((u) => u.id))
      assert.ok(page.value.length <= 3)
      url = page['@odata.nextLink']
      pages++
    }
    assert.ok(pages >= 3)
    assert.equal(new Set(seen).size, seen.length)
    assert.equal(
      seen.length,
      [...sim.users.values()].filter((u) => u.deletedAt === undefined).length,
    )
    assert.equal((await g('GET', '/users?$top=1000')).status, 400)
  })

  test('$batch: per-request status, 424 for a failed dependency, and 400 for more than 20 requests', async () => {
    const body = newUser()
    const r = await g('POST', '/$batch', {
      requests: [
        {
          id: '1',
          method: 'POST',
          url: '/users',
          body,
          headers: { 'content-type': 'application/json' },
        },
        { id: '2', method: 'GET', url: '/users/nobody' },
        { id: '3', method: 'GET', url: '/users/nobody/assignLicense', dependsOn: ['2'] },
      ],
    })
    assert.equal(r.status, 200)
    const byId = new Map(
      (r.json.responses as { id: string; status: number; body?: Json }[]).map((x) => [x.id, x]),
    )
    assert.equal(byId.get('1')?.status, 201)
    assert.equal(byId.get('1')?.body.userPrincipalName, body.userPrincipalName)
    assert.equal(byId.get('2')?.status, 404)
    assert.equal(byId.get('2')?.body.error.code, 'Request_ResourceNotFound')
    assert.equal(byId.get('3')?.status, 424)
    const many = Array.from({ length: 21 }, (_, i) => ({
      id: String(i + 1),
      method: 'GET',
      url: '/users?$top=1',
    }))
    const refused = await g('POST', '/$batch', { requests: many })
    assert.equal(refused.status, 400)
    assert.match(refused.json.error.message, /limit of 20/)
    const noType = await g('POST', '/$batch', {
      requests: [{ id: '1', method: 'PATCH', url: '/users/x', body: {} }],
    })
    assert.equal(noType.status, 400)
  })

  test('group members by $ref: adding twice is 400 "already exist", removing an absent member is 404', async () => {
    const gid = sim.addGroup('Klas 1A')
    const uid = (await g('POST', '/users', newUser())).json.id as string
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${uid}` }
    assert.equal((await g('POST', `/groups/${gid}/members/$ref`, ref)).status, 204)
    const again = await g('POST', `/groups/${gid}/members/$ref`, ref)
    assert.equal(again.status, 400)
    assert.equal(
      again.json.error.message,
      "One or more added object references already exist for the following modified properties: 'members'.",
    )
    assert.equal((await g('DELETE', `/groups/${gid}/members/${uid}/$ref`)).status, 204)
    assert.equal((await g('DELETE', `/groups/${gid}/members/${uid}/$ref`)).status, 404)
    assert.equal((await g('POST', `/groups/nope/members/$ref`, ref)).status, 404)
  })

  test('assignLicense needs a usage location; with one the licence shows in assignedLicenses', async () => {
    const uid = (await g('POST', '/users', newUser())).json.id as string
    const add = { addLicenses: [{ skuId: SKU, disabledPlans: [] }], removeLicenses: [] }
    const refused = await g('POST', `/users/${uid}/assignLicense`, add)
    assert.equal(refused.status, 400)
    assert.equal(
      refused.json.error.message,
      'License assignment cannot be done for user with invalid usage location.',
    )
    assert.equal((await g('PATCH', `/users/${uid}`, { usageLocation: 'NL' })).status, 204)
    assert.equal((await g('POST', `/users/${uid}/assignLicense`, add)).status, 200)
    assert.deepEqual(
      (await g('GET', `/users/${uid}?$select=assignedLicenses`)).json.assignedLicenses,
      [{ skuId: SKU, disabledPlans: [] }],
    )
    const unknown = await g('POST', `/users/${uid}/assignLicense`, {
      addLicenses: [{ skuId: '00000000-0000-0000-0000-000000000000' }],
      removeLicenses: [],
    })
    assert.match(unknown.json.error.message, /does not correspond to a valid company License/)
  })

  test('delete moves a user to deleted items; restore brings it back with its id and groups; after 30 days it is gone', async () => {
    const gid = sim.addGroup('Personeel')
    const body = newUser()
    const uid = (await g('POST', '/users', body)).json.id as string
    await g('POST', `/groups/${gid}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${uid}`,
    })
    assert.equal((await g('DELETE', `/users/${uid}`)).status, 204)
    assert.equal((await g('GET', `/users/${uid}`)).status, 404)
    assert.equal(sim.groups.get(gid)?.members.has(uid), false)
    const q = `/directory/deletedItems/microsoft.graph.user?$filter=${encodeURIComponent(`employeeId eq '${body.employeeId}'`)}&$select=id,employeeId`
    assert.deepEqual(
      (await g('GET', q)).json.value.map((u: { id: string }) => u.id),
      [uid],
    )
    const restored = await g('POST', `/directory/deletedItems/${uid}/restore`)
    assert.equal(restored.status, 200)
    assert.equal(restored.json.id, uid)
    assert.equal((await g('GET', `/users/${uid}`)).status, 200)
    assert.equal(sim.groups.get(gid)?.members.has(uid), true)
    await g('DELETE', `/users/${uid}`)
    clock += 31 * 24 * 3600 * 1000
    token = String((await getToken()).json.access_token)
    assert.deepEqual((await g('GET', q)).json.value, [])
    assert.equal((await g('POST', `/directory/deletedItems/${uid}/restore`)).status, 404)
  })

  test('throttling: 429 and 503 with Retry-After, on their own and inside a $batch', async () => {
    sim.throttleNext(1, 429, 7)
    const r = await g('GET', '/users')
    assert.equal(r.status, 429)
    assert.equal(r.headers.get('retry-after'), '7')
    assert.equal(r.json.error.code, 'TooManyRequests')
    sim.throttleNext(1, 503, 3)
    const b = await g('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/users?$top=1' },
        { id: '2', method: 'GET', url: '/users?$top=1' },
      ],
    })
    const [first, second] = b.json.responses as {
      status: number
      headers: Record<string, string>
    }[]
    assert.equal(first?.status, 503)
    assert.equal(first?.headers['retry-after'], '3')
    assert.equal(second?.status, 200)
  })
  test('groups: members and owners page like /users; the last owner stays; a deleted group waits 30 days, then is purged', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push(String((await g('POST', '/users', newUser())).json.id))
    const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`
    const made = await g('POST', '/groups', {
      displayName: 'Wiskunde 3B',
      mailEnabled: false,
      securityEnabled: true,
      mailNickname: 'wi3b',
      'members@odata.bind': ids.map(bind),
      'owners@odata.bind': [bind(ids[0] as string)],
    })
    assert.equal(made.status, 201)
    const gid = String(made.json.id)
    const first = await g('GET', `/groups/${gid}/members?$top=2&$select=id,displayName`)
    assert.equal(first.json.value.length, 2)
    assert.deepEqual(Object.keys(first.json.value[0]), ['@odata.type', 'id', 'displayName'])
    const next = String(first.json['@odata.nextLink'])
    const rest = await fetch(next, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.json() as Promise<Json>,
    )
    assert.deepEqual(
      [...first.json.value, ...rest.value].map((u: Json) => u.id),
      ids,
    )
    assert.equal(
      (await g('DELETE', `/groups/${gid}/owners/${ids[0]}/$ref`)).status,
      400,
      'the last owner cannot be removed',
    )
    assert.equal(
      (await g('POST', `/groups/${gid}/owners/$ref`, { '@odata.id': bind(ids[1] as string) }))
        .status,
      204,
    )
    assert.equal(
      (await g('POST', `/groups/${gid}/owners/$ref`, { '@odata.id': bind(ids[1] as string) }))
        .status,
      400,
    )
    assert.equal((await g('DELETE', `/groups/${gid}/owners/${ids[0]}/$ref`)).status, 204)
    assert.deepEqual(
      (await g('GET', `/groups/${gid}/owners`)).json.value.map((u: Json) => u.id),
      [ids[1]],
    )

    assert.equal((await g('DELETE', `/groups/${gid}`)).status, 204)
    assert.equal((await g('GET', `/groups/${gid}`)).status, 404)
    assert.equal(
      (await g('GET', `/groups?$filter=${encodeURIComponent("mailNickname eq 'wi3b'")}`)).json.value
        .length,
      0,
    )
    assert.equal((await g('GET', `/directory/deletedItems/${gid}`)).json.displayName, 'Wiskunde 3B')
    clock += 31 * 24 * 3600 * 1000
    token = String((await getToken()).json.access_token)
    assert.equal((await g('GET', `/directory/deletedItems/${gid}`)).status, 404)
  })
})
