// The Google simulator's protocol details over plain fetch and jose: the JWT audience Google's token endpoint
// requires, and partial responses (`fields`) including malformed selections.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { importPKCS8, SignJWT } from 'jose'
import { makeServiceAccount, type TestServiceAccount } from './google-test-fixture.ts'
import {
  DIRECTORY_SCOPES,
  GOOGLE_TOKEN_AUDIENCE,
  startGoogleSim,
  type GoogleSim,
} from '@koppel/sim/google'
import { applyFields, parseFields } from '@koppel/sim/google'

describe('Google simulator: token audience and partial responses', () => {
  let sa: TestServiceAccount
  let sim: GoogleSim

  before(async () => {
    sa = makeServiceAccount()
    sim = await startGoogleSim({ serviceAccount: sa })
  })
  after(() => sim.close())

  async function token(audience: string) {
    const key = JSON.parse(sa.keyJson) as { private_key: string }
    const iat = Math.floor(Date.now() / 1000)
    const assertion = await new SignJWT({ scope: DIRECTORY_SCOPES.user })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(sa.clientEmail)
      .setSubject('admin@school.test')
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(await importPKCS8(key.private_key, 'RS256'))
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }),
    })
    return { status: res.status, json: (await res.json()) as Record<string, string> }
  }

  test("the JWT audience must be Google's token URL, wherever the request is sent", async () => {
    const ok = await token(GOOGLE_TOKEN_AUDIENCE)
    assert.equal(ok.status, 200)
    const own = await token(sim.tokenUrl)
    assert.equal(own.status, 400)
    assert.equal(own.json.error, 'invalid_grant')
  })

  test('fields narrows users.get and users.list; a malformed selection is 400 invalidParameter', async () => {
    const access = (await token(GOOGLE_TOKEN_AUDIENCE)).json.access_token as string
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${sim.apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
      })
    const made = (await (
      await api('/users', {
        method: 'POST',
        body: JSON.stringify({
          primaryEmail: 'kim@school.test',
          name: { givenName: 'Kim', familyName: 'Smit' },
          password: 'Welkom-2026!',
        }),
      })
    ).json()) as Record<string, unknown>
    assert.match(String(made.etag), /^".+"$/)
    const narrow = (await (
      await api('/users/kim@school.test?fields=id,name/givenName,emails(address)')
    ).json()) as Record<string, unknown>
    assert.deepEqual(narrow, {
      id: made.id,
      name: { givenName: 'Kim' },
      emails: [{ address: 'kim@school.test' }],
    })
    const bad = await api('/users/kim@school.test?fields=name(givenName')
    assert.equal(bad.status, 400)
    assert.equal(
      ((await bad.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason,
      'invalidParameter',
    )
  })

  test('parseFields/applyFields: paths, sub-selections on arrays, wildcard, merging', () => {
    const doc = {
      kind: 'k',
      users: [{ id: '1', name: { givenName: 'A', familyName: 'B' }, x: 1 }],
      nextPageToken: 't',
    }
    assert.deepEqual(applyFields(doc, parseFields('users(id,name/familyName),nextPageToken')), {
      users: [{ id: '1', name: { familyName: 'B' } }],
      nextPageToken: 't',
    })
    assert.deepEqual(applyFields(doc, parseFields('users/name/givenName,users/id')), {
      users: [{ name: { givenName: 'A' }, id: '1' }],
    })
    assert.deepEqual(applyFields(doc, parseFields('users(*)')), { users: doc.users })
    assert.throws(() => parseFields('users(id'), /expected '\)'/)
    assert.throws(() => parseFields('a,,b'), /expected a field name/)
    assert.throws(() => parseFields(''), /empty selection/)
  })
})
