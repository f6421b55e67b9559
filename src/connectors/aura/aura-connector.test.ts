// The Aura Online target against its simulator (packages/sim/src/aura): the shared conformance suite for the declared
// capabilities, then the handshake (wrong partner secret), an expired session mid-run, statusInfo failures,
// only-changed-fields on update, disable by end date and the transport errors.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type TargetConnector } from '../../contract/index.ts'
import { soapEnvelope } from '../../protocol/index.ts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { auraOptionsSchema, createAuraTarget, challengeResponse, type AuraTarget } from './index.ts'
import { auraStatus, startAuraSim, type AuraSim } from '@koppel/sim/aura'
import type { Attributes } from '../../model/index.ts'

const PASSWORD = 'bibliotheek-wachtwoord'
const PARTNER = 'tools4ever'

function target(
  sim: AuraSim,
  extra: { password?: string; partner?: string; timeoutMs?: number } = {},
): AuraTarget {
  const parsed = auraOptionsSchema.parse({
    baseUrl: sim.url,
    password: '${env:AURA_PASSWORD}',
    partner: '${env:AURA_PARTNER}',
    ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
  })
  return createAuraTarget('aura', {
    ...parsed,
    password: extra.password ?? PASSWORD,
    partner: extra.partner ?? PARTNER,
  })
}

function borrower(
  i: number,
  overrides: Record<string, string> = {},
): { attributes: Attributes; anchor: { attribute: string; value: string } } {
  const code = overrides.LENERSCODE ?? `L${i}`
  const attributes: Attributes = {
    LENERSCODE: code,
    VOORN: 'Jan',
    VOORV: 'van',
    LENERSNAAM: 'Jansen',
    EMAILADRES: `l${i}@school.test`,
    ADRES: 'Schoolstraat 1',
    POSTCODE: '1234 AB',
    PLAATS: 'Utrecht',
    KAMERNR: '2B',
    GEBDATUM: '2012-03-04',
    GESLACHT: 'Female',
    TELEFOON: '030-1234567',
    GSM: '06-12345678',
    VESTIGING: 'Mediatheek Noord',
    UserPrincipalName: `l${i}@school.test`,
    ...overrides,
  }
  return { attributes, anchor: { attribute: 'LENERSCODE', value: code } }
}

runTargetConformance({
  name: 'aura-online (simulator)',
  async setup() {
    const sim = await startAuraSim({ password: PASSWORD, partner: PARTNER })
    return {
      connector: target(sim),
      makeAttributes: (i, o) => borrower(i, o),
      updatableField: 'EMAILADRES',
      removableField: 'TELEFOON',
      nameField: 'LENERSNAAM',
      invalidAttributes: (i) => ({
        attributes: { LENERSCODE: `X${i}`, VOORN: 'Zonder achternaam' },
        anchor: { attribute: 'LENERSCODE', value: `X${i}` },
      }),
      teardown: () => sim.close(),
    }
  },
})

async function kindOf(
  p: Promise<unknown>,
): Promise<{ kind: string; message: string; retryAfterMs?: number }> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), `expected a ConnectorError, got ${String(e)}`)
    return {
      kind: e.kind,
      message: e.message,
      ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    }
  }
  return { kind: 'no error', message: '' }
}

const isOp = (op: string) => (r: { body: string }) => r.body.includes(`<${op}`)

describe('aura-online against the simulator', () => {
  let sim: AuraSim
  let aura: AuraTarget
  let n = 0
  const next = (o: Record<string, string> = {}) => borrower(++n, o)
  const make = async (spec = next(), enabled = true) => {
    const r = await aura.create({ ...spec, enabled })
    assert.equal(r.outcome, 'created')
    return { spec, ref: { id: r.id, locator: r.locator } }
  }

  before(async () => {
    sim = await startAuraSim({ password: PASSWORD, partner: PARTNER })
    aura = target(sim)
  })
  after(() => sim.close())

  test('declares no list, no enable, no delete; disable exists', () => {
    assert.deepEqual(
      { ...aura.capabilities },
      {
        listAccounts: false,
        enableDisable: true,
        delete: false,
        permissionTypes: [],
        readOnlyAttributes: ['UITSDATUM'],
        defaultConcurrency: 4,
      },
    )
    const c: TargetConnector = aura
    assert.equal(c.enable, undefined)
    assert.equal(c.delete, undefined)
    assert.equal(typeof aura.disable, 'function')
  })

  test('the handshake sends challenge + partner + password hashed; a wrong partner secret is an auth error without secrets', async () => {
    const { spec } = await make()
    assert.ok(await aura.find(spec.anchor))
    for (const bad of [{ partner: 'someone-else' }, { password: 'wrong' }]) {
      const wrong = target(sim, bad)
      const e = await kindOf(wrong.find(spec.anchor))
      assert.equal(e.kind, 'auth')
      assert.match(e.message, /no session cookie.*partner/)
      assert.ok(
        !e.message.includes(PASSWORD) &&
          !e.message.includes('someone-else') &&
          !e.message.includes('wrong'),
        e.message,
      )
    }
    // the response code is uppercase hex SHA-1 over ASCII, non-ASCII as '?' (.NET ASCIIEncoding)
    assert.equal(challengeResponse('AB', 'p', 'wé'), challengeResponse('AB', 'p', 'w?'))
    assert.match(challengeResponse('AB', 'p', 'x'), /^[0-9A-F]{40}$/)
  })

  test('wire format as HelloID sends it: text/xml without SOAPAction, SOAP 1.2 handshake, IMS namespaces, the cookie, the one-time password', async () => {
    const seen: { headers: Record<string, unknown>; body: string }[] = []
    // a spy: a fault whose match records every request and never applies
    sim.http.inject({ match: (r) => (seen.push({ headers: r.headers, body: r.body }), false) })
    const fresh = target(sim)
    const spec = next()
    await fresh.create({ ...spec, enabled: true, secrets: { password: 'Eerste-Wachtwoord1' } })
    const [challenge, response, read, create] = seen
    for (const r of seen) {
      assert.equal(r.headers['content-type'], 'text/xml; charset=utf-8')
      assert.equal(r.headers.soapaction, undefined)
    }
    assert.match(
      challenge?.body ?? '',
      /http:\/\/www\.w3\.org\/2003\/05\/soap-envelope.*<Challenge xmlns="http:\/\/www\.imsglobal\.org\/services\/pms\/wsdl\/imsPersonManServiceSync_v1p0"/s,
    )
    assert.match(response?.body ?? '', /<respCode>[0-9A-F]{40}<\/respCode>/)
    assert.equal(challenge?.headers.cookie, undefined)
    assert.match(String(read?.headers.cookie), /^ASP\.NET_SessionId=[0-9a-f]+$/)
    assert.match(
      read?.body ?? '',
      /http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/.*<readPersonRequest xmlns="http:\/\/www\.imsglobal\.org\/services\/pms\/xsd\/imsPersonManMessSchema_v1p0"><sourcedId><identifier xmlns="http:\/\/www\.imsglobal\.org\/services\/common\/imsCommonSchema_v1p0">/s,
    )
    const body = create?.body ?? ''
    assert.match(
      body,
      /<userId xmlns="http:\/\/www\.imsglobal\.org\/services\/pms\/xsd\/imsPersonManDataSchema_v1p0"><userIdValue xmlns="http:\/\/www\.imsglobal\.org\/services\/common\/imsCommonSchema_v1p0">L\d+<\/userIdValue><passWord xmlns="http:\/\/www\.imsglobal\.org\/services\/common\/imsCommonSchema_v1p0">Eerste-Wachtwoord1<\/passWord><\/userId>/,
    )
    assert.equal(sim.initialPasswords.get(spec.anchor.value), 'Eerste-Wachtwoord1')
    assert.match(
      body,
      /<partName><namePartType>First<\/namePartType><namePartValue>Jan<\/namePartValue><\/partName>/,
    )
    assert.match(
      body,
      /<tel xmlns="[^"]+"><telValue>030-1234567<\/telValue><telType_>Voice<\/telType_><\/tel><tel xmlns="[^"]+"><telValue>06-12345678<\/telValue><telType_>Mobile<\/telType_><\/tel>/,
    )
    assert.match(
      body,
      /<extensionField xmlns="http:\/\/www\.imsglobal\.org\/services\/common\/imsCommonSchema_v1p0"><fieldName>vestiging<\/fieldName><fieldType>String<\/fieldType><fieldValue>Mediatheek Noord<\/fieldValue><\/extensionField>/,
    )
    assert.match(
      body,
      /<address xmlns="[^"]+"><street>Schoolstraat 1<\/street><postcode>1234 AB<\/postcode><locality>Utrecht<\/locality><extadd>2B<\/extadd><\/address>/,
    )
  })

  test('an expired session mid-run is re-established once, and the run goes on', async () => {
    const { spec, ref } = await make()
    const before = aura.client.handshakes
    sim.expireSessions()
    const r = await aura.update(ref, [{ field: 'EMAILADRES', new: 'na.verloop@school.test' }])
    assert.equal(r.outcome, 'updated')
    assert.equal(aura.client.handshakes, before + 1)
    assert.equal((await aura.find(spec.anchor))?.attributes.EMAILADRES, 'na.verloop@school.test')
  })

  test('a session refused again right after a new handshake is an auth error (no loop)', async () => {
    const { ref } = await make()
    const refused = {
      status: 200,
      contentType: 'text/xml',
      text: auraStatus('readPersonResponse', 'failure', 'unauthorisedrequest', 'Niet aangemeld')
        .text as string,
    }
    sim.http.inject({ match: isOp('readPersonRequest'), times: 2, response: refused })
    const e = await kindOf(aura.disable(ref))
    assert.equal(e.kind, 'auth')
    assert.match(e.message, /again right after a new handshake/)
  })

  test("codeMajor failure maps to a ConnectorError kind with Aura's description; a failed create leaves nothing", async () => {
    const spec = next()
    const text = auraStatus('createPersonResponse', 'failure', 'invaliddata', 'Postcode ongeldig')
      .text as string
    sim.http.inject({
      match: isOp('createPersonRequest'),
      response: { status: 200, contentType: 'text/xml', text },
    })
    const e = await kindOf(aura.create({ ...spec, enabled: true }))
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, /failure \(invaliddata\): Postcode ongeldig/)
    assert.equal(await aura.find(spec.anchor), undefined)
    // the simulator's own refusal (no last name) is invalid too
    const noName = await kindOf(
      aura.create({
        attributes: { LENERSCODE: 'geen-naam' },
        anchor: { attribute: 'LENERSCODE', value: 'geen-naam' },
        enabled: true,
      }),
    )
    assert.equal(noName.kind, 'invalid')
    assert.match(noName.message, /LENERSNAAM is verplicht/)
    // update of a borrower Aura does not know: not-found
    assert.equal(
      (
        await kindOf(
          aura.update({ id: 'onbekend', locator: 'onbekend' }, [{ field: 'VOORN', new: 'X' }]),
        )
      ).kind,
      'not-found',
    )
  })

  test('"alles Ok" without codeMajor success counts as success, as in HelloID', async () => {
    const spec = next()
    const ok = auraStatus('createPersonResponse', 'failure', 'x', 'alles Ok').text!.replace(
      '<codeMajor>failure</codeMajor>',
      '<codeMajor>processing</codeMajor>',
    )
    sim.http.inject({
      match: isOp('createPersonRequest'),
      response: { status: 200, contentType: 'text/xml', text: ok },
    })
    assert.equal((await aura.create({ ...spec, enabled: true })).outcome, 'created')
  })

  test('codeMajor, "alles Ok", namePartType and telType are compared case-insensitively, as the reference does', async () => {
    const spec = next()
    const shouted = auraStatus('createPersonResponse', 'failure', 'x', 'ALLES OK').text!.replace(
      '<codeMajor>failure</codeMajor>',
      '<codeMajor>Processing</codeMajor>',
    )
    sim.http.inject({
      match: isOp('createPersonRequest'),
      response: { status: 200, contentType: 'text/xml', text: shouted },
    })
    assert.equal((await aura.create({ ...spec, enabled: true })).outcome, 'created')
    const upper = auraStatus('createPersonResponse', 'failure', 'x', 'gelukt').text!.replace(
      '<codeMajor>failure</codeMajor>',
      '<codeMajor>Success</codeMajor>',
    )
    sim.http.inject({
      match: isOp('createPersonRequest'),
      response: { status: 200, contentType: 'text/xml', text: upper },
    })
    assert.equal((await aura.create({ ...next(), enabled: true })).outcome, 'created')
    const failed = auraStatus('createPersonResponse', 'failure', 'x', 'alles Ok').text!.replace(
      '<codeMajor>failure</codeMajor>',
      '<codeMajor>FAILURE</codeMajor>',
    )
    sim.http.inject({
      match: isOp('createPersonRequest'),
      response: { status: 200, contentType: 'text/xml', text: failed },
    })
    assert.equal((await kindOf(aura.create({ ...next(), enabled: true }))).kind, 'invalid')
    // a read whose name parts and phone types come back in another casing
    const { spec: made } = await make()
    const id = made.anchor.value
    const person = {
      userId: {
        '@_xmlns': 'http://www.imsglobal.org/services/pms/xsd/imsPersonManDataSchema_v1p0',
        userIdValue: id,
      },
      name: {
        partName: [
          { namePartType: 'first', namePartValue: 'Anna' },
          { namePartType: 'LAST', namePartValue: 'Bakker' },
        ],
      },
      tel: [
        { telValue: '010-1', telType_: 'voice' },
        { telValue: '06-2', telType_: 'MOBILE' },
      ],
    }
    const read = auraStatus('readPersonResponse', 'success', 'fullsuccess', 'alles Ok', { person })
      .text as string
    sim.http.inject({
      match: isOp('readPersonRequest'),
      response: { status: 200, contentType: 'text/xml', text: read },
    })
    const found = await aura.find(made.anchor)
    assert.deepEqual(
      [
        found?.attributes.VOORN,
        found?.attributes.LENERSNAAM,
        found?.attributes.TELEFOON,
        found?.attributes.GSM,
      ],
      ['Anna', 'Bakker', '010-1', '06-2'],
    )
  })

  test('the simulator checks namespaces: a password or a name in the wrong namespace is refused, not read by local name', async () => {
    const { spec } = await make()
    const id = spec.anchor.value
    // a session of our own, taken from a connector's read (a spy that never applies)
    let cookie = ''
    sim.http.inject({
      match: (r) => (isOp('readPersonRequest')(r) && (cookie = String(r.headers.cookie)), false),
    })
    await target(sim).find(spec.anchor)
    assert.match(cookie, /ASP\.NET_SessionId=/)
    const DATA = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManDataSchema_v1p0'
    const COMMON = 'http://www.imsglobal.org/services/common/imsCommonSchema_v1p0'
    const MESS = 'http://www.imsglobal.org/services/pms/xsd/imsPersonManMessSchema_v1p0'
    const envelope = (userId: Record<string, unknown>, code: string) =>
      soapEnvelope({
        version: '1.1',
        body: {
          createPersonRequest: {
            '@_xmlns': MESS,
            sourcedId: { identifier: { '@_xmlns': COMMON, '#text': code } },
            person: {
              userId: {
                '@_xmlns': DATA,
                userIdValue: { '@_xmlns': COMMON, '#text': code },
                ...userId,
              },
              name: { '@_xmlns': DATA, partName: { namePartType: 'Last', namePartValue: 'Smit' } },
            },
          },
        },
      })
    const post = async (xml: string) => {
      const res = await fetch(sim.url, {
        method: 'POST',
        body: xml,
        headers: { 'content-type': 'text/xml; charset=utf-8', cookie },
      })
      return { status: res.status, text: await res.text() }
    }
    // the password in the data namespace, as Koppel sent it before
    const wrong = await post(envelope({ password: 'Geheim1' }, `${id}-a`))
    assert.equal(wrong.status, 500)
    assert.match(
      wrong.text,
      /\/person\/userId\/password is in namespace .*imsPersonManDataSchema_v1p0.*, expected .*imsCommonSchema_v1p0/,
    )
    assert.equal(sim.persons.has(`${id}-a`), false)
    const right = await post(
      envelope({ passWord: { '@_xmlns': COMMON, '#text': 'Geheim1' } }, `${id}-b`),
    )
    assert.equal(right.status, 200)
    assert.equal(sim.initialPasswords.get(`${id}-b`), 'Geheim1')
    // an element of the data namespace sent in the common one is refused too
    const name = await post(envelope({ userIdType: { '@_xmlns': DATA, '#text': 'x' } }, `${id}-c`))
    assert.match(name.text, /userIdType is in namespace/)
    // the sourcedId's identifier of a read, too
    const read = soapEnvelope({
      version: '1.1',
      body: { readPersonRequest: { '@_xmlns': MESS, sourcedId: { identifier: id } } },
    })
    assert.match(
      (await post(read)).text,
      /\/sourcedId\/identifier is in namespace .*imsPersonManMessSchema_v1p0.*, expected .*imsCommonSchema_v1p0/,
    )
  })

  test('update sends only the fields whose value differs, plus userIdValue; nothing differing is unchanged', async () => {
    const { spec, ref } = await make()
    const count = sim.updates.length
    const r = await aura.update(ref, [
      { field: 'EMAILADRES', old: spec.attributes.EMAILADRES, new: 'nieuw@school.test' },
      { field: 'VOORN', old: 'Piet', new: 'Jan' }, // the engine thought it changed; Aura already has it
      { field: 'GSM', old: spec.attributes.GSM }, // removed: sent empty, which clears
      { field: 'VESTIGING', new: 'Mediatheek Zuid' },
    ])
    assert.equal(r.outcome, 'updated')
    assert.equal(sim.updates.length, count + 1)
    assert.deepEqual(sim.updates.at(-1), {
      lenerscode: spec.anchor.value,
      fields: { EMAILADRES: 'nieuw@school.test', GSM: '', VESTIGING: 'Mediatheek Zuid' },
    })
    const stored = sim.persons.get(spec.anchor.value)
    assert.equal(stored?.GSM, undefined)
    assert.equal(stored?.VOORN, 'Jan')
    assert.equal(stored?.TELEFOON, spec.attributes.TELEFOON)
    assert.equal(
      (await aura.update(ref, [{ field: 'EMAILADRES', new: 'nieuw@school.test' }])).outcome,
      'unchanged',
    )
    assert.equal(sim.updates.length, count + 1, 'no request for an unchanged update')
    assert.equal(
      (await kindOf(aura.update(ref, [{ field: 'LENERSCODE', new: 'anders' }]))).kind,
      'invalid',
    )
    assert.equal(
      (await kindOf(aura.update(ref, [{ field: 'Bestaatniet', new: 'x' }]))).kind,
      'config',
    )
  })

  test('disable writes today as yyyyMMdd into address/extadd; the room number stays; again is unchanged; unknown is already-gone', async () => {
    const { spec, ref } = await make()
    const today = aura.today()
    assert.match(today, /^\d{8}$/)
    assert.equal((await aura.disable(ref)).outcome, 'updated')
    assert.deepEqual(sim.updates.at(-1), {
      lenerscode: spec.anchor.value,
      fields: { KAMERNR: today },
    })
    const stored = sim.persons.get(spec.anchor.value)
    assert.equal(stored?.UITSDATUM, today)
    assert.equal(stored?.KAMERNR, '2B')
    const found = await aura.find(spec.anchor)
    assert.equal(found?.enabled, false)
    assert.equal(found?.attributes.UITSDATUM, today)
    assert.equal((await aura.disable(ref)).outcome, 'unchanged')
    assert.equal(
      (await aura.disable({ id: 'nooit-bestaan', locator: 'nooit-bestaan' })).outcome,
      'already-gone',
    )
  })

  test('a room number that looks like a date is refused (Aura would take it as the end date)', async () => {
    const e = await kindOf(aura.create({ ...next({ KAMERNR: '20260101' }), enabled: true }))
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, /uitschrijfdatum/)
  })

  test('create disabled is create + end date; when the second step fails the error says the borrower exists active, and the retry completes it', async () => {
    const spec = next()
    sim.http.inject({
      match: isOp('updatePersonRequest'),
      response: { status: 503, text: 'Service Unavailable' },
    })
    const e = await kindOf(aura.create({ ...spec, enabled: false }))
    assert.equal(e.kind, 'transient')
    assert.match(e.message, /was created but writing its end date failed, so it exists ACTIVE/)
    assert.equal((await aura.find(spec.anchor))?.enabled, true)
    const again = await aura.create({ ...spec, enabled: false })
    assert.equal(again.outcome, 'unchanged')
    assert.equal((await aura.find(spec.anchor))?.enabled, false)
  })

  test('a borrower exists exactly when userIdValue is non-empty, whatever status the read carries (as the reference)', async () => {
    for (const unknownBorrower of ['success-empty', 'failure-unknown', 'failure-other'] as const) {
      const own = await startAuraSim({ password: PASSWORD, partner: PARTNER, unknownBorrower })
      try {
        const t = target(own)
        const spec = next()
        assert.equal(await t.find(spec.anchor), undefined, unknownBorrower)
        assert.equal(
          (await t.create({ ...spec, enabled: true })).outcome,
          'created',
          unknownBorrower,
        )
        assert.equal((await t.find(spec.anchor))?.id, spec.anchor.value, unknownBorrower)
      } finally {
        await own.close()
      }
    }
  })

  test('transport errors: 429 with Retry-After, 5xx, timeout, a SOAP fault, a body that is not XML', async () => {
    const spec = next()
    sim.http.inject({
      match: isOp('readPersonRequest'),
      response: { status: 429, headers: { 'retry-after': '3' }, text: 'Too Many Requests' },
    })
    const limited = await kindOf(aura.find(spec.anchor))
    assert.equal(limited.kind, 'rate-limited')
    assert.equal(limited.retryAfterMs, 3000)
    sim.http.inject({
      match: isOp('readPersonRequest'),
      response: { status: 502, text: 'Bad Gateway' },
    })
    assert.equal((await kindOf(aura.find(spec.anchor))).kind, 'transient')
    sim.http.inject({
      match: isOp('readPersonRequest'),
      response: { status: 200, contentType: 'text/html', text: '<html><body>Onderhoud' },
    })
    const garbled = await kindOf(aura.find(spec.anchor))
    assert.equal(garbled.kind, 'invalid')
    assert.match(garbled.message, /readPersonRequest.*no readable SOAP envelope/)
    sim.http.inject({
      match: isOp('readPersonRequest'),
      response: {
        status: 500,
        contentType: 'text/xml',
        text: '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Server was unable to read request</faultstring></soap:Fault></soap:Body></soap:Envelope>',
      },
    })
    const fault = await kindOf(aura.find(spec.anchor))
    assert.equal(fault.kind, 'invalid')
    assert.match(fault.message, /unable to read request/)
    const slow = target(sim, { timeoutMs: 200 })
    await slow.find(spec.anchor) // handshake first, so the delay hits the operation
    sim.http.inject({ match: isOp('readPersonRequest'), delayMs: 1500 })
    const timedOut = await kindOf(slow.find(spec.anchor))
    assert.equal(timedOut.kind, 'transient')
    assert.match(timedOut.message, /timed out/)
  })
})
