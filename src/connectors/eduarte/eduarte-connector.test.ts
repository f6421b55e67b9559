// The Eduarte source (src/connectors/eduarte) against its simulator (packages/sim/src/eduarte): a paged read of deelnemers
// and medewerkers, the error paths (wrong apiSleutel, 5xx for good, 429 with Retry-After, timeout, malformed
// elements), the alphabetical-order rule on both sides, and the write-backs showing up in the simulator.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type SourceConnector } from '../../contract/index.ts'
import type { Issue, SourceSnapshot } from '../../model/index.ts'
import { HttpClient, soapCall, soapEnvelope } from '../../protocol/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import {
  eduarteData,
  EDUARTE_NS,
  startEduarteSim,
  type EduarteData,
  type EduarteSim,
} from '@koppel/sim/eduarte'
import { eduarteConnector, eduarteOptions } from './index.ts'
import { eduarteEnvelope, sortedChildren } from './eduarte-soap.ts'
import { parseEduarteDate } from './eduarte-mapping.ts'

const today = '2026-11-23'
const board = generateBoard({
  seed: 'eduarte',
  persons: 300,
  today,
  schools: 2,
  midYear: { left: 0.05 },
})
const fresh = (): EduarteData => eduarteData(board)
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${today}T06:00:00Z`) }
const KEY = 'sleutel<&>"1'

function source(sim: EduarteSim, extra: Record<string, unknown> = {}): SourceConnector {
  const { apiKey = KEY, ...rest } = extra
  const options = eduarteOptions.parse({
    baseUrl: sim.url,
    apiKey: '${env:EDUARTE_KEY}',
    pageSize: 25,
    timeoutMs: 1000,
    ...rest,
  })
  return eduarteConnector.create('eduarte', { ...options, apiKey: apiKey as string }, context)
}

async function readOk(s: SourceConnector): Promise<SourceSnapshot> {
  const r = await s.read({ today })
  if (!r.ok)
    assert.fail(r.issues.map((i) => `${i.record ?? ''} ${i.field ?? ''} ${i.message}`).join('\n'))
  return r.snapshot
}

async function readFails(s: SourceConnector): Promise<readonly Issue[]> {
  const r = await s.read({ today })
  assert.equal(r.ok, false, 'the read must fail as a whole')
  return r.ok ? [] : r.issues
}

/** Child element names of the operation element, in document order. */
function childOrder(xml: string, op: string): string[] {
  const inner = xml.slice(xml.indexOf(`<api:${op}`), xml.indexOf(`</api:${op}>`))
  return [...inner.matchAll(/<([A-Za-z]+)>/g)].map((m) => m[1] as string)
}

describe('eduarte source', () => {
  let sim: EduarteSim
  before(async () => {
    sim = await startEduarteSim({ apiSleutel: KEY, data: fresh() })
  })
  beforeEach(() => {
    Object.assign(sim.data, fresh())
    sim.calls.length = 0
    sim.server.rateLimit(undefined)
  })
  after(() => sim.close())

  test('reads every deelnemer with its verbintenis and every medewerker, page by page', async () => {
    const snap = await readOk(source(sim))
    const { deelnemers, medewerkers } = sim.data
    assert.equal(snap.persons.length, deelnemers.length + medewerkers.length)
    assert.ok(
      sim.calls.filter((c) => c.operation === 'getDeelnemers').length >=
        Math.ceil(deelnemers.length / 25),
    )
    const d = deelnemers[0]
    assert.ok(d)
    const p = snap.persons.find((x) => x.key === d.deelnemernummer)
    assert.ok(p)
    assert.equal(p.givenName, d.roepnaam)
    assert.equal(p.familyName, d.achternaam)
    assert.equal(p.attributes.pupilNumber, d.deelnemernummer)
    assert.equal(p.attributes.eckId, d.eckId)
    const v = d.verbintenissen[0]
    const c = p.contracts[0]
    assert.ok(v && c)
    assert.equal(c.kind, 'enrolment')
    assert.equal(c.programme, v.opleiding.naam)
    assert.equal(c.location, v.locatie.naam)
    assert.equal(c.organisationCode, v.organisatieEenheid.afkorting)
    assert.equal(c.classGroup, v.groep)
    assert.equal(c.attributes.cohort, v.cohort)
    assert.equal(c.start, parseEduarteDate(v.begindatum))
    const m = medewerkers[0]
    assert.ok(m)
    const q = snap.persons.find((x) => x.key === `mw-${m.id}`)
    assert.equal(q?.attributes.employeeNumber, m.afkorting)
    assert.equal(q?.contracts[0]?.kind, 'employment')
    assert.equal(q?.contracts[0]?.role, m.functie.code === 'DOC' ? 'teacher' : 'staff')
    assert.equal(q?.email, m.contactgegevens[0]?.contactgegeven)
    assert.ok(snap.groups.some((g) => g.type === 'class' && g.name === v.groep))
  })

  test("the mentor: the SLB'er among the verbintenis's begeleiders, named as a medewerker key (contract.manager)", async () => {
    const withSlb = sim.data.deelnemers.filter((d) => d.verbintenissen[0]?.begeleiders.length === 1)
    assert.ok(withSlb.length > 10, 'the board gives stamgroepen a mentor')
    const other = withSlb[1]?.verbintenissen[0]
    assert.ok(other)
    // another rol first (not a mentor), then a mentor with the rol code in lower case
    const slb = other.begeleiders[0]
    assert.ok(slb)
    other.begeleiders = [
      {
        medewerker: { afkorting: 'ZZZ', id: '9999' },
        rol: { code: 'BPV', naam: 'Praktijkbegeleider' },
      },
      { ...slb, rol: { code: 'slb', naam: 'SLB' } },
    ]
    const snap = await readOk(source(sim))
    const manager = (nr: string | undefined) =>
      snap.persons.find((p) => p.key === nr)?.contracts[0]?.manager
    const first = withSlb[0]
    assert.equal(
      manager(first?.deelnemernummer),
      `mw-${first?.verbintenissen[0]?.begeleiders[0]?.medewerker.id}`,
    )
    assert.equal(manager(withSlb[1]?.deelnemernummer), `mw-${slb.medewerker.id}`)
    // the mentor is a medewerker Koppel read, so a mail to the mentor finds the address
    const mentor = snap.persons.find((p) => p.key === manager(first?.deelnemernummer))
    assert.ok(mentor?.email !== undefined)
    assert.equal(source(sim, { mentorRollen: ['BPV'] }).capabilities.namesManagers, true)
    const bpv = await readOk(source(sim, { mentorRollen: ['BPV'] }))
    assert.equal(
      bpv.persons.find((p) => p.key === withSlb[1]?.deelnemernummer)?.contracts[0]?.manager,
      'mw-9999',
    )
    assert.equal(
      bpv.persons.find((p) => p.key === first?.deelnemernummer)?.contracts[0]?.manager,
      undefined,
    )
  })

  test('the client sends operation parameters in the reference order and sorts object properties case-insensitively', () => {
    const xml = eduarteEnvelope('createDeelnemerGebruiker', 'k', {
      wachtwoord: 'w',
      gebruikersnaam: 'g',
      emailadres: 'e',
      deelnemernummer: '1',
    })
    assert.deepEqual(childOrder(xml, 'createDeelnemerGebruiker'), [
      'apiSleutel',
      'deelnemernummer',
      'gebruikersnaam',
      'wachtwoord',
      'emailadres',
    ])
    const upd = eduarteEnvelope('updateContactgegevens', 'k', {
      contactgegeven: { contactgegeven: 'a@b', soort: { naam: 'n', code: 'c' }, geheim: 'false' },
      deelnemerNummer: '1',
    })
    assert.deepEqual(childOrder(upd, 'updateContactgegevens'), [
      'apiSleutel',
      'deelnemerNummer',
      'contactgegeven',
      'contactgegeven',
      'soort',
      'code',
      'naam',
      'geheim',
    ])
    // objects: alphabetical as PowerShell's Sort-Object, which ignores case (geboortedatum before geboorteVoorvoegsel)
    assert.deepEqual(
      Object.keys(
        sortedChildren({
          voorvoegsel: '',
          geboorteVoorvoegsel: '',
          achternaam: '',
          gebruikersNaam: '',
          geboortedatum: '',
        }) as object,
      ),
      ['achternaam', 'geboortedatum', 'geboorteVoorvoegsel', 'gebruikersNaam', 'voorvoegsel'],
    )
    // values are escaped; an operation without a known parameter order is refused, not guessed
    assert.match(
      eduarteEnvelope('getDeelnemer', '<&>', { deelnemernummer: '1' }),
      /<apiSleutel>&lt;&amp;&gt;<\/apiSleutel>/,
    )
    assert.throws(
      () => eduarteEnvelope('getDeelnemer', 'k', { deelnemerNummer: '1' }),
      /unknown parameter/,
    )
  })

  test("the simulator requires each operation's documented parameter order and alphabetical (case-insensitive) objects", async () => {
    const http = new HttpClient({ baseUrl: sim.url })
    const raw = (service: string, op: string, body: Record<string, unknown>) =>
      soapCall(http, {
        path: `services/api/algemeen/${service}`,
        version: '1.1',
        envelope: soapEnvelope({
          version: '1.1',
          body: { [`api:${op}`]: { '@_xmlns:api': EDUARTE_NS, ...body } },
        }),
        what: op,
      })
    const call = (body: Record<string, unknown>) => raw('deelnemers', 'getDeelnemer', body)
    const nr = sim.data.deelnemers[0]?.deelnemernummer as string
    await assert.rejects(
      call({ deelnemernummer: nr, apiSleutel: KEY }),
      (e) =>
        ConnectorError.isInstance(e) &&
        e.kind === 'invalid' &&
        /<apiSleutel> after <deelnemernummer>/.test(e.message),
    )
    const ok = await call({ apiSleutel: KEY, deelnemernummer: nr })
    assert.ok(ok.body.getDeelnemerResponse)
    // the reference's order, not the alphabetical one, for createDeelnemerGebruiker
    const without = sim.data.deelnemers.find((x) => x.gebruikersNaam === '')
    assert.ok(without)
    const alphabetical = {
      apiSleutel: KEY,
      deelnemernummer: without.deelnemernummer,
      emailadres: 'a@b.nl',
      gebruikersnaam: 'alfa1',
      wachtwoord: 'Geheim!23',
    }
    await assert.rejects(
      raw('gebruikers', 'createDeelnemerGebruiker', alphabetical),
      /<gebruikersnaam> after <emailadres>/,
    )
    const reference = {
      apiSleutel: KEY,
      deelnemernummer: without.deelnemernummer,
      gebruikersnaam: 'alfa1',
      wachtwoord: 'Geheim!23',
      emailadres: 'a@b.nl',
    }
    await raw('gebruikers', 'createDeelnemerGebruiker', reference)
    assert.equal(without.gebruikersNaam, 'alfa1')
    // nested objects: alphabetical ignoring case; contactgegeven keeps its documented order
    const upd = (contact: Record<string, unknown>) =>
      raw('deelnemers', 'updateContactgegevens', {
        apiSleutel: KEY,
        deelnemerNummer: nr,
        contactgegeven: contact,
      })
    await assert.rejects(
      upd({
        contactgegeven: 'a@b.nl',
        soort: { naam: 'E-mail School', code: 'ES' },
        geheim: 'false',
      }),
      /soort: <code> after <naam>/,
    )
    await assert.rejects(
      upd({
        contactgegeven: 'a@b.nl',
        geheim: 'false',
        soort: { code: 'ES', naam: 'E-mail School' },
      }),
      /contactgegeven: <soort> after <geheim>/,
    )
    await assert.rejects(
      upd({
        contactgegeven: 'a@b.nl',
        soort: { Naam: 'E-mail School', code: 'ES' },
        geheim: 'false',
      }),
      /soort: <code> after <Naam>/,
    )
    await assert.rejects(
      raw('deelnemers', 'updateContactgegevens', {
        apiSleutel: KEY,
        contactgegeven: {
          contactgegeven: 'a@b.nl',
          soort: { code: 'ES', naam: 'n' },
          geheim: 'false',
        },
        deelnemerNummer: nr,
      }),
      /<deelnemerNummer> after <contactgegeven>/,
    )
    // the answer is nested one level deeper, as the reference reads it
    const done = await upd({
      contactgegeven: 'a@b.nl',
      soort: { code: 'ES', naam: 'E-mail School' },
      geheim: 'false',
    })
    const outer = done.body.updateContactgegevensResponse as Record<string, Record<string, unknown>>
    assert.equal(outer.updateContactgegevensResponse?.status, 'OK')
    assert.equal(outer.status, undefined)
  })

  test('a wrong apiSleutel fails the read with an auth issue that does not show the key', async () => {
    const issues = await readFails(source(sim, { apiKey: 'verkeerd-123' }))
    assert.equal(issues[0]?.code, 'auth_failed')
    assert.ok(!JSON.stringify(issues).includes('verkeerd-123'))
    // there is no session to renew (the key travels in every call): a 401 on page 2 fails the read as auth
    sim.server.inject({
      match: (r) => r.body.includes('getDeelnemers'),
      after: 1,
      response: { status: 401, text: 'Unauthorized' },
    })
    const mid = await readFails(source(sim))
    assert.equal(mid[0]?.code, 'auth_failed')
  })

  test('5xx for good on a later page fails the whole read; a 503 and a 429 with Retry-After are retried', async () => {
    const isList = (r: { body: string }) => r.body.includes('getDeelnemers')
    sim.server.inject({
      match: isList,
      after: 2,
      times: 10,
      response: { status: 503, text: 'Service Unavailable' },
    })
    const issues = await readFails(source(sim, { readAttempts: 3 }))
    assert.equal(issues[0]?.code, 'unavailable')
    assert.match(issues[0]?.message ?? '', /503/)
    for (let i = 0; i < 7; i++)
      await fetch(`${sim.url}/services/api/algemeen/deelnemers`, {
        method: 'POST',
        body: 'getDeelnemers',
      })
    sim.server.inject({
      match: isList,
      after: 1,
      response: { status: 429, headers: { 'retry-after': '0' }, text: 'Too Many Requests' },
    })
    sim.server.inject({
      match: isList,
      after: 1,
      response: { status: 500, text: 'Internal Server Error' },
    })
    const snap = await readOk(source(sim))
    assert.equal(snap.persons.length, sim.data.deelnemers.length + sim.data.medewerkers.length)
  })

  test('a page that keeps timing out fails the read', async () => {
    sim.server.inject({ match: (r) => r.body.includes('getMedewerkers'), delayMs: 1500, times: 2 })
    const issues = await readFails(source(sim, { readAttempts: 2 }))
    assert.match(issues[0]?.message ?? '', /timed out/)
  })

  test('malformed elements name the record and the field; an empty Eduarte is an error', async () => {
    const [a, b] = sim.data.deelnemers
    const m = sim.data.medewerkers[0]
    assert.ok(a && b && m && a.verbintenissen[0])
    a.verbintenissen[0].begindatum = '31-02-2026'
    b.achternaam = ''
    m.actief = 'ja' as unknown as boolean
    const issues = await readFails(source(sim))
    const find = (field: string) => issues.find((i) => i.field === field)
    assert.equal(
      find('verbintenissen.verbintenis[0].begindatum')?.record,
      `deelnemer ${a.deelnemernummer}`,
    )
    assert.equal(find('verbintenissen.verbintenis[0].begindatum')?.code, 'bad_date')
    assert.equal(find('achternaam')?.record, `deelnemer ${b.deelnemernummer}`)
    assert.equal(find('actief')?.record, `medewerker ${m.id}`)
    // an answer that is not a SOAP envelope fails the read too
    sim.server.inject({
      match: (r) => r.body.includes('getDeelnemers'),
      response: {
        status: 200,
        contentType: 'text/xml',
        text: '<html><body>onderhoud</body></html>',
      },
    })
    Object.assign(sim.data, fresh())
    assert.equal((await readFails(source(sim)))[0]?.code, 'read_failed')
    sim.data.deelnemers = []
    sim.data.medewerkers = []
    assert.equal((await readFails(source(sim)))[0]?.code, 'empty_export')
  })

  test('write-back: username creates the user, e-mail updates the contact, active (de)activates; all visible in the simulator', async () => {
    const s = source(sim)
    const d = sim.data.deelnemers.find((x) => x.gebruikersNaam === '')
    assert.ok(d, 'some deelnemers have no user yet')
    await s.writeBack?.({
      sourceId: d.deelnemernummer,
      fields: { username: 'pjansen', email: 'p.jansen@student.roc.nl', active: 'false' },
    })
    assert.equal(d.gebruikersNaam, 'pjansen')
    assert.equal(sim.data.gebruikers.get('pjansen')?.actief, false)
    assert.deepEqual(
      d.contactgegevens.find((c) => c.soort.code === 'ES')?.contactgegeven,
      'p.jansen@student.roc.nl',
    )
    const snap = await readOk(s)
    const p = snap.persons.find((x) => x.key === d.deelnemernummer)
    assert.equal(p?.username, 'pjansen')
    assert.equal(p?.email, 'p.jansen@student.roc.nl')
    // the create sent a password, which is not kept in the connector's errors or logs; repeating changes nothing
    const writes = () => sim.calls.filter((c) => !c.operation.startsWith('get')).length
    const before = writes()
    await s.writeBack?.({
      sourceId: d.deelnemernummer,
      fields: { username: 'pjansen', email: 'p.jansen@student.roc.nl' },
    })
    assert.equal(writes(), before)
    await s.writeBack?.({ sourceId: d.deelnemernummer, fields: { active: 'true' } })
    assert.equal(sim.data.gebruikers.get('pjansen')?.actief, true)
    // a medewerker: active only
    const m = sim.data.medewerkers[0]
    assert.ok(m)
    await s.writeBack?.({ sourceId: `mw-${m.id}`, fields: { active: 'false' } })
    assert.equal(sim.data.gebruikers.get(m.gebruikersnaam)?.actief, false)
  })

  test('write-back errors: unknown deelnemer, taken username, rename refused, unknown field, bad active', async () => {
    const s = source(sim)
    const err = (kind: string) => (e: unknown) => ConnectorError.isInstance(e) && e.kind === kind
    await assert.rejects(
      s.writeBack?.({ sourceId: '999999999', fields: { email: 'a@b.nl' } }) as Promise<void>,
      err('not-found'),
    )
    const [withUser, without] = [
      sim.data.deelnemers.find((x) => x.gebruikersNaam !== ''),
      sim.data.deelnemers.find((x) => x.gebruikersNaam === ''),
    ]
    assert.ok(withUser && without)
    await assert.rejects(
      s.writeBack?.({
        sourceId: without.deelnemernummer,
        fields: { username: withUser.gebruikersNaam },
      }) as Promise<void>,
      err('conflict'),
    )
    await assert.rejects(
      s.writeBack?.({
        sourceId: withUser.deelnemernummer,
        fields: { username: 'andere-naam' },
      }) as Promise<void>,
      err('unsupported'),
    )
    await assert.rejects(
      s.writeBack?.({
        sourceId: without.deelnemernummer,
        fields: { active: 'true' },
      }) as Promise<void>,
      err('not-found'),
    )
    await assert.rejects(
      s.writeBack?.({ sourceId: '1', fields: { telefoon: '06' } }) as Promise<void>,
      err('unsupported'),
    )
    await assert.rejects(
      s.writeBack?.({ sourceId: '1', fields: { active: 'ja' } }) as Promise<void>,
      err('invalid'),
    )
    await assert.rejects(
      source(sim, { apiKey: 'fout' }).writeBack?.({
        sourceId: withUser.deelnemernummer,
        fields: { active: 'true' },
      }) as Promise<void>,
      err('auth'),
    )
  })

  test('write-back: "niet gevonden" and "heeft reeds een account" in HTTP 500 SOAP faults keep their meaning', async () => {
    const s = source(sim)
    const err = (kind: string, text: RegExp) => (e: unknown) =>
      ConnectorError.isInstance(e) && e.kind === kind && text.test(e.message)
    // a medewerker whose user Eduarte does not know: activeerGebruiker answers with a fault
    const m = sim.data.medewerkers[0]
    assert.ok(m)
    sim.data.gebruikers.delete(m.gebruikersnaam)
    await assert.rejects(
      s.writeBack?.({ sourceId: `mw-${m.id}`, fields: { active: 'true' } }) as Promise<void>,
      err('not-found', /niet gevonden/),
    )
    // someone made the user between our read and our create: the fault says so
    const d = sim.data.deelnemers.find((x) => x.gebruikersNaam === '')
    assert.ok(d)
    const faultText = soapEnvelope({
      version: '1.1',
      body: {
        'soap:Fault': {
          faultcode: 'soap:Server',
          faultstring: `Deelnemer ${d.deelnemernummer} heeft reeds een account`,
        },
      },
    })
    sim.server.inject({
      match: (r) => r.body.includes('createDeelnemerGebruiker'),
      response: { status: 500, contentType: 'text/xml; charset=utf-8', text: faultText },
    })
    await assert.rejects(
      s.writeBack?.({
        sourceId: d.deelnemernummer,
        fields: { username: 'nieuw1' },
      }) as Promise<void>,
      err('conflict', /reeds een account/),
    )
    // a 200 answer without status is success unless its melding names an error (the reference checks only the text)
    const plain = (melding: string) =>
      soapEnvelope({
        version: '1.1',
        body: { 'ns2:createDeelnemerGebruikerResponse': { '@_xmlns:ns2': EDUARTE_NS, melding } },
      })
    sim.server.inject({
      match: (r) => r.body.includes('createDeelnemerGebruiker'),
      response: { status: 200, contentType: 'text/xml', text: plain('Deelnemer niet gevonden') },
    })
    await assert.rejects(
      s.writeBack?.({
        sourceId: d.deelnemernummer,
        fields: { username: 'nieuw1' },
      }) as Promise<void>,
      err('not-found', /niet gevonden/),
    )
    sim.server.inject({
      match: (r) => r.body.includes('createDeelnemerGebruiker'),
      response: { status: 200, contentType: 'text/xml', text: plain('Gebruiker aangemaakt') },
    })
    await s.writeBack?.({ sourceId: d.deelnemernummer, fields: { username: 'nieuw1' } })
  })
})
