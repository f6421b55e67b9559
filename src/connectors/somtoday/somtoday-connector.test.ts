// The Somtoday ConnectAPI source connector against the Somtoday simulator: paging, peilschooljaar, auth,
// retries, whole-or-nothing reads, malformed records, write-back (single, bulk, HRMService SOAP).
// Lives in test/ because a connector's own folder may not import a simulator (.ci/check-imports.ts).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type WriteBackRequest } from '../../contract/index.ts'
import type { Issue, Person, SourceSnapshot } from '../../model/index.ts'
import { somtodayConnector, SomtodaySource, type SomtodayOptions } from './index.ts'
import { somtodayErrorDetail } from './somtoday-api.ts'
import { employeeNumberOf } from './somtoday-mapping.ts'
import { generateBoard, type SimBoard } from '@koppel/sim/generator'
import { startSomtodaySim, type SomtodaySim, type SomtodaySimOptions } from '@koppel/sim/somtoday'
import { HttpClient, clientCredentials } from '../../protocol/index.ts'

const TODAY = '2026-11-23'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }

function connector(
  sim: SomtodaySim,
  overrides: Partial<Record<keyof SomtodayOptions, unknown>> = {},
  secret = 'koppel-secret',
): SomtodaySource {
  const parsed = somtodayConnector.schema.parse({
    baseUrl: sim.baseUrl,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:SOMTODAY_SECRET}',
    organisation: sim.instelling.uuid,
    pageSize: 50,
    pageAttempts: 3,
    ...overrides,
    ...(overrides.hrmService !== undefined
      ? { hrmService: { ...(overrides.hrmService as object), password: '${env:HRM_PASSWORD}' } }
      : {}),
  })
  // the config loader resolves secret references after validation; here the values are put in directly
  const resolved = {
    ...parsed,
    clientSecret: secret,
    ...(parsed.hrmService
      ? {
          hrmService: {
            ...parsed.hrmService,
            password: (overrides.hrmService as { password: string }).password,
          },
        }
      : {}),
  }
  return somtodayConnector.create('somtoday', resolved, context) as SomtodaySource
}

async function readOk(c: SomtodaySource): Promise<SourceSnapshot> {
  const r = await c.read({ today: TODAY })
  if (!r.ok)
    assert.fail(
      `read failed: ${r.issues.map((i) => `${i.record} ${i.field ?? ''} ${i.message}`).join('\n')}`,
    )
  return r.snapshot
}

async function readFails(c: SomtodaySource): Promise<readonly Issue[]> {
  const r = await c.read({ today: TODAY })
  assert.equal(r.ok, false, 'the read must fail as a whole')
  return r.ok ? [] : r.issues
}

function countBoard(board: SimBoard): { pupils: number; staff: number; guardians: number } {
  let pupils = 0
  let staff = 0
  let guardians = 0
  for (const c of board.chunks()) {
    pupils += c.pupils.length
    staff += c.staff.length
    guardians += c.guardians.length
  }
  return { pupils, staff, guardians }
}

/** Closes a simulator after checking it served nothing off-spec (it answers 500 instead and records why). */
async function closeSpecClean(sim: SomtodaySim): Promise<void> {
  await sim.close()
  assert.deepEqual(sim.violations, [], 'the simulator served only what the spec allows')
}

const pupilsOf = (s: SourceSnapshot): Person[] =>
  s.persons.filter((p) => p.attributes.somtodayType === 'leerling')
const staffOf = (s: SourceSnapshot): Person[] =>
  s.persons.filter((p) => p.attributes.somtodayType === 'medewerker')

describe('Somtoday connector against the simulator', () => {
  const board = generateBoard({ seed: 'somtoday-test', persons: 700, today: TODAY, schools: 2 })
  const counts = countBoard(board)
  let sim: SomtodaySim
  let snapshot: SourceSnapshot

  before(async () => {
    sim = await startSomtodaySim({ board })
    snapshot = await readOk(connector(sim, { persons: ['leerlingen', 'medewerkers', 'ouders'] }))
  })
  after(() => closeSpecClean(sim))

  test('reads every pupil, staff member and guardian across pages of 50 and several vestigingen', () => {
    assert.ok(
      board.schools.length === 2 && counts.pupils > 100,
      'the board spans several pages and schools',
    )
    assert.equal(pupilsOf(snapshot).length, counts.pupils)
    assert.equal(staffOf(snapshot).length, counts.staff)
    assert.equal(
      snapshot.persons.filter((p) => p.attributes.somtodayType === 'ouderVerzorger').length,
      counts.guardians,
    )
    assert.ok(
      (sim.pages.get('leerling') ?? 0) > counts.pupils / 50,
      'more than one page per vestiging',
    )
  })

  test('maps a pupil: key = uuid, pupilNumber, a contract per plaatsing, stamgroep, lesgroepen and vakkeuzes', () => {
    const chunk = [...board.chunks()][0]
    const simPupil = chunk?.pupils[0]
    assert.ok(simPupil)
    const p = snapshot.persons.find((x) => x.key === simPupil.id)
    assert.ok(p, 'the pupil is there under its Somtoday uuid')
    assert.equal(p.attributes.pupilNumber, simPupil.number)
    assert.equal(p.familyName, simPupil.familyName)
    assert.equal(p.contracts.length, 1)
    const c = p.contracts[0]
    assert.equal(c?.role, 'student')
    assert.equal(c?.schoolYear, board.schoolYear.title)
    assert.equal(c?.grade, simPupil.grade)
    assert.equal(
      c?.end,
      board.schoolYear.endDate,
      'einddatum is inclusive; Koppel ends are exclusive',
    )
    const stamgroep = chunk?.groups.find((g) => g.id === simPupil.stamgroepId)
    assert.equal(c?.classGroup, stamgroep?.title)
    assert.match(
      c?.organisationCode ?? '',
      /^\d\d[A-Z]{2}\d\d$/,
      'organisationCode is the BRIN6 of the vestiging',
    )
    assert.ok(c?.manager, 'the mentor is the manager')
    const kinds = new Set(p.memberships.map((m) => m.group.split('/')[0]))
    assert.deepEqual([...kinds].sort(), ['lesgroep', 'stamgroep', 'vak'])
    assert.equal(
      p.memberships.filter((m) => m.group.startsWith('vak/')).length,
      simPupil.subjects.length,
    )
    for (const m of p.memberships)
      assert.ok(
        snapshot.groups.some((g) => g.key === m.group),
        `group ${m.group} is in the snapshot`,
      )
  })

  test('maps staff: employeeNumber, afkorting, employment contract with functie, lesgroepen and mentor groups', () => {
    const simStaff = [...board.chunks()]
      .flatMap((c) => c.staff)
      .find((s) => s.function === 'teacher')
    const p = snapshot.persons.find((x) => x.key === simStaff?.id)
    assert.ok(p && simStaff)
    assert.equal(p.attributes.employeeNumber, simStaff.employeeNumber)
    assert.equal(typeof p.attributes.afkorting, 'string')
    assert.equal(p.email, simStaff.email)
    assert.equal(p.contracts[0]?.kind, 'employment')
    assert.equal(p.contracts[0]?.role, 'teacher')
    assert.equal(p.contracts[0]?.title, simStaff.title)
    assert.ok(p.memberships.some((m) => m.role === 'teacher'))
    assert.ok(
      staffOf(snapshot).some((s) =>
        s.memberships.some((m) => m.role === 'mentor' && m.group.startsWith('stamgroep/')),
      ),
    )
  })

  test('the simulator refuses a page without amount or above 200, with an errors body', async () => {
    const auth = clientCredentials({
      tokenUrl: `${sim.tokenUrl}?organisation=${sim.instelling.uuid}`,
      clientId: 'koppel',
      clientSecret: 'koppel-secret',
    })
    const http = new HttpClient({ baseUrl: sim.baseUrl, auth })
    const v =
      sim.http.url &&
      (await http.json<{ vestigingen: { uuid: string }[] }>({ path: 'connect/vestiging' })).body
        .vestigingen[0]?.uuid
    for (const query of [{}, { amount: 201 }]) {
      const res = await http.request({
        path: `connect/vestiging/${v}/leerling`,
        query,
        accept: [400],
      })
      assert.equal(res.status, 400)
      const body = JSON.parse(res.text) as {
        errors: { code: unknown; problem: string; clarification: string }[]
      }
      assert.equal(body.errors[0]?.code, 400, 'Error.code is an integer in the spec')
      assert.equal(typeof body.errors[0]?.problem, 'string')
      assert.equal(typeof body.errors[0]?.clarification, 'string')
    }
  })

  test('write-back: username, email and remoteId go to PUT …/leerling/{uuid}/account and show in the next read', async () => {
    const c = connector(sim, { remoteIdentifier: { providerType: 'AZURE', domain: 'koppel.test' } })
    const pupil = pupilsOf(snapshot)[3] as Person
    await c.writeBack({
      sourceId: pupil.key,
      fields: { username: 'j.jansen', email: 'j.jansen@leerling.test', remoteId: 'oid-123' },
    })
    const account = sim.accounts.get(pupil.key)
    assert.equal(account?.usertype, 'LEERLING')
    assert.equal(account?.gebruikersnaam, 'j.jansen')
    assert.equal(account?.emailadres, 'j.jansen@leerling.test')
    assert.deepEqual(account?.remoteidentifiers, [
      { providerType: 'AZURE', domain: 'koppel.test', identifier: 'oid-123' },
    ])
    const again = await readOk(c)
    const p = again.persons.find((x) => x.key === pupil.key)
    assert.equal(p?.username, 'j.jansen')
    assert.equal(p?.email, 'j.jansen@leerling.test')
    // a medewerker found without a read first (a fresh connector looks the uuid up per vestiging)
    const staff = staffOf(snapshot)[0] as Person
    await connector(sim).writeBack({ sourceId: staff.key, fields: { username: 'kwillemsen' } })
    assert.equal(sim.accounts.get(staff.key)?.usertype, 'MEDEWERKER')
  })

  test('write-back refuses unknown field names, an unknown person and a domain the school has not configured', async () => {
    const c = connector(sim, { remoteIdentifier: { providerType: 'OIDC', domain: 'elders.test' } })
    const pupil = pupilsOf(snapshot)[4] as Person
    await assert.rejects(
      c.writeBack({ sourceId: pupil.key, fields: { username: 'x', password: 'y' } }),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'invalid' && /password/.test(e.message),
    )
    await assert.rejects(
      c.writeBack({ sourceId: '00000000-0000-4000-8000-000000000000', fields: { username: 'x' } }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'not-found',
    )
    await assert.rejects(
      c.writeBack({ sourceId: pupil.key, fields: { remoteId: 'x' } }),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'invalid' && /domain/.test(e.message),
    )
    assert.equal(sim.accounts.has(pupil.key), false, 'a refused write changed nothing')
    await assert.rejects(
      connector(sim).writeBack({ sourceId: pupil.key, fields: { remoteId: 'x' } }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'config',
    )
  })

  test('bulk write-back: up to 200 in one PUT; 201 refused by the client and answered 413 by the simulator; a 400 writes none', async () => {
    const c = connector(sim)
    const v = snapshot.groups.find((g) => g.type === 'location')?.attributes.somtodayUuid as string
    const pupils = pupilsOf(snapshot).filter(
      (p) => p.contracts[0]?.organisation === `vestiging/${v}`,
    )
    await c.writeBackBulk(
      v,
      'leerling',
      pupils.slice(10, 13).map((p, i) => ({ sourceId: p.key, fields: { username: `bulk${i}` } })),
    )
    assert.deepEqual(
      pupils.slice(10, 13).map((p) => sim.accounts.get(p.key)?.gebruikersnaam),
      ['bulk0', 'bulk1', 'bulk2'],
    )
    const many = Array.from({ length: 201 }, (_, i) => ({
      sourceId: pupils[i % pupils.length]?.key as string,
      fields: { username: `u${i}` },
    }))
    await assert.rejects(
      c.writeBackBulk(v, 'leerling', many),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'invalid' && /200/.test(e.message),
    )
    const auth = clientCredentials({
      tokenUrl: `${sim.tokenUrl}?organisation=${sim.instelling.uuid}`,
      clientId: 'koppel',
      clientSecret: 'koppel-secret',
    })
    const http = new HttpClient({ baseUrl: sim.baseUrl, auth })
    await assert.rejects(
      http.request({
        method: 'PUT',
        path: `connect/vestiging/${v}/leerling/account`,
        json: many.map((m) => ({ uuid: m.sourceId, gebruikersnaam: 'x' })),
      }),
      (e: unknown) => ConnectorError.isInstance(e) && e.code === 413,
    )
    const mixed: WriteBackRequest[] = [
      { sourceId: (pupils[20] as Person).key, fields: { username: 'fine' } },
      { sourceId: (pupils[21] as Person).key, fields: { email: 'not-an-address' } },
    ]
    await assert.rejects(
      c.writeBackBulk(v, 'leerling', mixed),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'invalid' && /emailadres/.test(e.message),
    )
    assert.equal(
      sim.accounts.has((pupils[20] as Person).key),
      false,
      'on a 400 none of the batch is written',
    )
  })
})

describe('Somtoday listings read in parallel', () => {
  // three schools, so that vestigingen (not only one vestiging's listings) overlap
  const board = generateBoard({ seed: 'somtoday-parallel', persons: 900, today: TODAY, schools: 3 })
  const isList = (req: { url: URL }) =>
    /\/connect\/vestiging\/[^/]+\/(lesgroep\/|leerling|medewerker)$/.test(req.url.pathname)

  /** Arrival times of list requests while each of the first `delayed` is held `holdMs` before its answer. */
  async function arrivals(
    concurrency: number,
    holdMs: number,
    delayed: number,
  ): Promise<{ at: number[]; snapshot: SourceSnapshot }> {
    const sim = await startSomtodaySim({ board })
    try {
      const at: number[] = []
      sim.http.inject({ match: (req) => isList(req) && at.push(performance.now()) > 0 && false })
      sim.http.inject({ match: isList, times: delayed, delayMs: holdMs })
      const snapshot = await readOk(
        connector(sim, { persons: ['leerlingen', 'medewerkers'], pageSize: 100, concurrency }),
      )
      return { at, snapshot }
    } finally {
      await closeSpecClean(sim)
    }
  }
  /** The most requests that arrived within any span shorter than `ms`: each was still held when the last came. */
  const mostWithin = (at: readonly number[], ms: number) =>
    Math.max(...at.map((t, i) => at.slice(i).filter((u) => u - t < ms).length))
  const withoutTime = (s: SourceSnapshot) => ({ ...s, takenAt: '' })

  test('up to `concurrency` listings are in flight at once, never more; the snapshot is the one-at-a-time one', async () => {
    const hold = 400
    const one = await arrivals(1, hold, 6)
    const four = await arrivals(4, hold, 12)
    assert.equal(mostWithin(one.at.slice(0, 6), hold), 1, 'concurrency 1 waits for each answer')
    const most = mostWithin(four.at.slice(0, 12), hold)
    assert.ok(most >= 2 && most <= 4, `2–4 requests held at once with concurrency 4, saw ${most}`)
    assert.ok(four.at.length > 12, 'the read spans more pages than were held')
    assert.deepEqual(withoutTime(four.snapshot), withoutTime(one.snapshot))
  })

  test('concurrency is 1–8, 4 by default', () => {
    const base = {
      clientId: 'k',
      clientSecret: '${env:S}',
      organisation: '00000000-0000-4000-8000-000000000000',
    }
    assert.equal(somtodayConnector.schema.parse(base).concurrency, 4)
    assert.equal(somtodayConnector.schema.safeParse({ ...base, concurrency: 9 }).success, false)
    assert.equal(somtodayConnector.schema.safeParse({ ...base, concurrency: 0 }).success, false)
  })
})

describe('Somtoday records shaped as the ConnectAPI 14.10 spec', () => {
  const board = generateBoard({ seed: 'somtoday-spec', persons: 400, today: TODAY })
  const chunks = [...board.chunks()]
  let sim: SomtodaySim
  let snapshot: SourceSnapshot
  before(async () => {
    sim = await startSomtodaySim({ board })
    snapshot = await readOk(connector(sim, { persons: ['leerlingen', 'medewerkers', 'ouders'] }))
  })
  after(() => closeSpecClean(sim))

  test('an ouderVerzorger with voorletters only is read, with its children from leerlingen_van_vestiging', () => {
    const guardian = chunks.flatMap((c) => c.guardians).find((g) => g.childIds.length > 0)
    assert.ok(guardian)
    const p = snapshot.persons.find((x) => x.key === guardian.id)
    assert.ok(p, 'the spec-shaped guardian (no roepnaam, no voornamen, no leerlingen) is read')
    assert.equal(p.familyName, guardian.familyName)
    assert.match(
      p.givenName,
      /^([A-Z]\.)+$/,
      'voorletters stand in for the given name the spec does not send',
    )
    assert.equal(p.initials, p.givenName)
    assert.deepEqual(String(p.attributes.children).split(',').sort(), [...guardian.childIds].sort())
    assert.equal(p.contracts[0]?.role, 'guardian')
  })

  test('children named only in relatie_tot_leerlingen are found too', async () => {
    const s = await startSomtodaySim({
      board,
      transform: (kind, r) => {
        if (kind !== 'ouderVerzorger') return r
        const { leerlingen_van_vestiging: _, ...rest } = r
        return rest
      },
    })
    try {
      const snap = await readOk(connector(s, { persons: ['leerlingen', 'ouders'] }))
      const guardians = snap.persons.filter((p) => p.attributes.somtodayType === 'ouderVerzorger')
      assert.ok(
        guardians.length > 0 && guardians.every((g) => String(g.attributes.children) !== ''),
      )
    } finally {
      await closeSpecClean(s)
    }
  })

  test('a guardian without voorletters is read with an empty given name and a warning, not refused', async () => {
    const s = await startSomtodaySim({ board, hiddenFields: { ouderVerzorger: ['voorletters'] } })
    try {
      const snap = await readOk(connector(s, { persons: ['leerlingen', 'ouders'] }))
      const guardians = snap.persons.filter((p) => p.attributes.somtodayType === 'ouderVerzorger')
      assert.ok(
        guardians.length > 0 &&
          guardians.every((g) => g.givenName === '' && g.initials === undefined),
      )
      const warning = snap.warnings.find((w) => w.field === 'voorletters')
      assert.equal(warning?.severity, 'warning')
      assert.match(warning?.record ?? '', /^ouderVerzorger /)
    } finally {
      await closeSpecClean(s)
    }
  })

  test('the employee number is what follows "Medewerker"; an error code is a number', () => {
    assert.equal(employeeNumberOf('Medewerker 51326'), '51326')
    assert.equal(employeeNumberOf('medewerker  007'), '007')
    assert.equal(employeeNumberOf('51326'), '51326', 'a value without the prefix is taken whole')
    assert.equal(
      somtodayErrorDetail('{"errors":[{"code":0,"problem":"Onbekend","clarification":"x"}]}'),
      '0: Onbekend: x',
    )
  })

  test('medewerkernummer "Medewerker N" becomes employeeNumber N; eckid and the dates in and out of service are read', () => {
    const all = chunks.flatMap((c) => c.staff)
    for (const simStaff of all) {
      const p = snapshot.persons.find((x) => x.key === simStaff.id)
      assert.equal(
        p?.attributes.employeeNumber,
        simStaff.employeeNumber,
        'the number without the "Medewerker " prefix',
      )
      assert.match(String(p?.attributes.eckId), /^https:\/\/ketenid\.nl\/201703\//)
      assert.match(
        p?.contracts[0]?.start ?? '',
        /^\d{4}-08-01$|^\d{4}-\d\d-\d\d$/,
        'datum_in_dienst is the contract start',
      )
    }
    const leaving = staffOf(snapshot).filter((p) => p.contracts[0]?.end !== undefined)
    assert.ok(leaving.length > 0, 'some medewerkers have a datum_uit_dienst')
    for (const p of leaving)
      assert.equal(
        p.contracts[0]?.end,
        board.schoolYear.endDate,
        'datum_uit_dienst (inclusive) + 1 day',
      )
    assert.ok(
      pupilsOf(snapshot).every((p) => typeof p.attributes.eckId === 'string'),
      'every pupil has its eckid',
    )
  })

  test('landelijke_vakcode: on the lesgroep, and the course key of a vakkeuze without school_vakafkorting', async () => {
    const lesgroepen = snapshot.groups.filter((g) => g.type === 'teaching-group')
    assert.ok(lesgroepen.length > 0)
    for (const g of lesgroepen) {
      assert.ok(
        g.code !== undefined && g.schoolYear !== undefined,
        `lesgroep ${g.name} has its details from /lesgroep/, linked to a stamgroep or not`,
      )
      assert.match(String(g.attributes.landelijkeVakcode), /^\d+$/)
    }
    const s = await startSomtodaySim({
      board,
      transform: (kind, r) =>
        kind !== 'leerling'
          ? r
          : {
              ...r,
              vakkeuzes: (r.vakkeuzes as Record<string, unknown>[]).map(
                ({ school_vakafkorting: _, ...k }) => k,
              ),
            },
    })
    try {
      const snap = await readOk(connector(s, { persons: ['leerlingen'] }))
      const courses = snap.groups.filter((g) => g.type === 'course')
      assert.ok(
        courses.length > 0 && courses.every((g) => /^\d+$/.test(g.code ?? '')),
        'course codes are the landelijke vakcodes',
      )
    } finally {
      await closeSpecClean(s)
    }
  })

  test('the simulator serves only the spec: an off-spec record is a 500 that fails the read, and is recorded', async () => {
    const s = await startSomtodaySim({
      board,
      transform: (kind, r) => (kind === 'ouderVerzorger' ? { ...r, roepnaam: 'Anna' } : r),
    })
    try {
      const issues = await readFails(connector(s, { persons: ['ouders'] }))
      assert.match(issues[0]?.message ?? '', /500/)
      assert.ok(s.violations.length > 0)
      assert.match(s.violations[0] ?? '', /ouderVerzorgers\.0: Unrecognized key: "roepnaam"/)
    } finally {
      await s.close()
    }
  })

  test('lists live at the spec paths (lesgroep/, stamgroep/, ouderVerzorger/) and each takes the uuid filter', async () => {
    const auth = clientCredentials({
      tokenUrl: `${sim.tokenUrl}?organisation=${sim.instelling.uuid}`,
      clientId: 'koppel',
      clientSecret: 'koppel-secret',
    })
    const http = new HttpClient({ baseUrl: sim.baseUrl, auth })
    const v = (await http.json<{ vestigingen: { uuid: string }[] }>({ path: 'connect/vestiging' }))
      .body.vestigingen[0]?.uuid as string
    const lists = [
      ['leerling', 'leerlingen'],
      ['medewerker', 'medewerkers'],
      ['plaatsing', 'plaatsingen'],
      ['lesgroep/', 'lesgroepen'],
      ['stamgroep/', 'stamgroepen'],
      ['ouderVerzorger/', 'ouderVerzorgers'],
    ] as const
    for (const [path, wrapper] of lists) {
      const all =
        (
          await http.json<Record<string, { uuid: string }[]>>({
            path: `connect/vestiging/${v}/${path}`,
            query: { amount: 200 },
          })
        ).body[wrapper] ?? []
      assert.ok(all.length > 2, `${path} lists several`)
      const wanted = [all[0]?.uuid, all[2]?.uuid] as string[]
      const url = `connect/vestiging/${v}/${path}?amount=200&uuid=${wanted[0]}&uuid=${wanted[1]}`
      const some =
        (await http.json<Record<string, { uuid: string }[]>>({ path: url })).body[wrapper] ?? []
      assert.deepEqual(
        some.map((x) => x.uuid),
        wanted,
        `${path}?uuid= filters`,
      )
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
      const res = await http.request({
        path: `connect/vestiging/${v}/${other}`,
        query: { amount: 1 },
        accept: [404],
      })
      assert.equal(res.status, 404, `${other} is not a spec path`)
    }
    const stamgroep = (
      await http.json<{ stamgroepen: { mentoren?: unknown[] }[] }>({
        path: `connect/vestiging/${v}/stamgroep/`,
        query: { amount: 200 },
      })
    ).body.stamgroepen
    const mentor = stamgroep.flatMap((g) => g.mentoren ?? [])[0] as
      { medewerker_uuid?: string; toewijzing?: string } | undefined
    assert.equal(typeof mentor?.medewerker_uuid, 'string', 'stamgroep mentoren are Mentor objects')
  })

  test('the bulk account PUT answers a bare array of Accounts; an AccountResponse there is not taken as success', async () => {
    const c = connector(sim)
    const v = snapshot.groups.find((g) => g.type === 'location')?.attributes.somtodayUuid as string
    const pupils = pupilsOf(snapshot)
      .filter((p) => p.contracts[0]?.organisation === `vestiging/${v}`)
      .slice(0, 2)
    const auth = clientCredentials({
      tokenUrl: `${sim.tokenUrl}?organisation=${sim.instelling.uuid}`,
      clientId: 'koppel',
      clientSecret: 'koppel-secret',
    })
    const http = new HttpClient({ baseUrl: sim.baseUrl, auth })
    const raw = await http.json<unknown>({
      method: 'PUT',
      path: `connect/vestiging/${v}/leerling/account`,
      json: pupils.map((p) => ({ uuid: p.key, gebruikersnaam: `raw-${p.key.slice(0, 4)}` })),
    })
    assert.ok(Array.isArray(raw.body), 'a bare array')
    assert.deepEqual(
      (raw.body as { uuid: string }[]).map((a) => a.uuid),
      pupils.map((p) => p.key),
    )
    const invented = await http.request({
      method: 'PUT',
      path: `connect/vestiging/${v}/leerling/account`,
      json: [{ uuid: pupils[0]?.key, gebruikersnaam: 'x', wachtwoord: 'geheim' }],
      accept: [400],
    })
    assert.equal(invented.status, 400, 'a field AccountInput does not define is refused')
    assert.match(invented.text, /onbekend veld wachtwoord/)
    sim.http.inject({
      match: (r) => r.method === 'PUT',
      response: { status: 200, json: { accounts: [] } },
    })
    await assert.rejects(
      c.writeBackBulk(
        v,
        'leerling',
        pupils.map((p) => ({ sourceId: p.key, fields: { username: 'x' } })),
      ),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'invalid' && /array of Accounts/.test(e.message),
    )
  })
})

describe('Somtoday peilschooljaar', () => {
  // 5 % of the pupils left earlier this year, 5 % start later this year
  const board = generateBoard({
    seed: 'peil',
    persons: 500,
    today: TODAY,
    midYear: { left: 0.05, starting: 0.05 },
  })
  let sim: SomtodaySim
  before(async () => {
    sim = await startSomtodaySim({ board })
  })
  after(() => closeSpecClean(sim))

  test('without it only current pupils; HUIDIG adds the ones starting later this year; nobody who left is ever listed', async () => {
    const all = [...board.chunks()].flatMap((c) =>
      c.pupils.map((p) => ({
        p,
        e: c.enrolments.find((e) => e.personId === p.id && e.groupId === p.stamgroepId),
      })),
    )
    const left = all.filter((x) => x.e?.endDate).map((x) => x.p.id)
    const starting = all.filter((x) => x.e?.beginDate && x.e.beginDate > TODAY).map((x) => x.p.id)
    assert.ok(left.length > 0 && starting.length > 0)
    const today = pupilsOf(
      await readOk(connector(sim, { peilschooljaar: 'VANDAAG', persons: ['leerlingen'] })),
    )
    const huidig = pupilsOf(
      await readOk(connector(sim, { peilschooljaar: 'HUIDIG', persons: ['leerlingen'] })),
    )
    const keys = (ps: Person[]) => new Set(ps.map((p) => p.key))
    assert.equal(today.length, all.length - left.length - starting.length)
    assert.equal(huidig.length, all.length - left.length)
    for (const id of left) assert.equal(keys(huidig).has(id), false)
    for (const id of starting) {
      assert.equal(keys(today).has(id), false)
      assert.equal(keys(huidig).has(id), true)
    }
    const starter = huidig.find((p) => p.key === starting[0])
    assert.ok((starter?.contracts[0]?.start ?? '') > TODAY, 'the starter’s contract starts later')
  })

  test('ouders are read with the same peilschooljaar: a guardian of a pupil who starts later is read with HUIDIG', async () => {
    // many starters, so some guardians have only children who start later
    const board = generateBoard({
      seed: 'peil-ouders',
      persons: 300,
      today: TODAY,
      midYear: { left: 0, starting: 0.4 },
    })
    const sim = await startSomtodaySim({ board })
    try {
      await guardiansFollowPeil(board, sim)
    } finally {
      await closeSpecClean(sim)
    }
  })

  async function guardiansFollowPeil(board: SimBoard, sim: SomtodaySim): Promise<void> {
    const chunks = [...board.chunks()]
    const starters = new Set(
      chunks.flatMap((c) =>
        c.enrolments
          .filter((e) => e.role === 'pupil' && e.beginDate !== '' && e.beginDate > TODAY)
          .map((e) => e.personId),
      ),
    )
    const guardiansOfStarters = chunks
      .flatMap((c) => c.guardians)
      .filter((g) => g.childIds.length > 0 && g.childIds.every((id) => starters.has(id)))
    assert.ok(
      guardiansOfStarters.length > 0,
      'the board has guardians whose only children start later',
    )
    const snap = await readOk(
      connector(sim, { peilschooljaar: 'HUIDIG', persons: ['leerlingen', 'ouders'] }),
    )
    for (const g of guardiansOfStarters)
      assert.ok(
        snap.persons.some((p) => p.key === g.id),
        `guardian ${g.id} is read`,
      )
    const today = await readOk(connector(sim, { peilschooljaar: 'VANDAAG', persons: ['ouders'] }))
    for (const g of guardiansOfStarters)
      assert.equal(
        today.persons.some((p) => p.key === g.id),
        false,
        'not before a child can be read',
      )
  }

  test('VOLGEND returns next school year: one grade up, no groups yet, final-year pupils gone', async () => {
    const volgend = pupilsOf(
      await readOk(connector(sim, { peilschooljaar: 'VOLGEND', persons: ['leerlingen'] })),
    )
    assert.ok(volgend.length > 0)
    const [a, b] = board.schoolYear.title.split('-').map(Number)
    for (const p of volgend) {
      assert.equal(p.contracts[0]?.schoolYear, `${b}-${(b as number) + 1}`)
      assert.ok((p.contracts[0]?.start ?? '') >= board.schoolYear.endDate)
      assert.equal(p.memberships.length, 0)
    }
    assert.ok(a !== undefined)
    const sim0 = [...board.chunks()].flatMap((c) => c.pupils)
    const first = volgend[0] as Person
    assert.equal(first.contracts[0]?.grade, (sim0.find((p) => p.id === first.key)?.grade ?? 0) + 1)
  })

  test('a read for a day in the next school year (plan --at) reads VOLGEND; the last day of this one does not', async () => {
    const keysOf = async (o: Partial<Record<keyof SomtodayOptions, unknown>>, today: string) => {
      const r = await connector(sim, { persons: ['leerlingen'], ...o }).read({ today })
      assert.ok(r.ok)
      return pupilsOf(r.snapshot)
        .map((p) => `${p.key} ${p.contracts[0]?.schoolYear}`)
        .sort()
    }
    const volgend = await keysOf({ peilschooljaar: 'VOLGEND' }, TODAY)
    const huidig = await keysOf({ peilschooljaar: 'HUIDIG' }, TODAY)
    assert.notDeepEqual(volgend, huidig)
    // the connector's clock is TODAY (2026-11-23): school year 2026-2027 ends on 31 July 2027
    assert.deepEqual(await keysOf({ peilschooljaar: 'HUIDIG' }, '2027-08-01'), volgend)
    assert.deepEqual(await keysOf({ peilschooljaar: 'VANDAAG' }, '2027-09-15'), volgend)
    assert.deepEqual(await keysOf({ peilschooljaar: 'HUIDIG' }, '2027-07-31'), huidig)
  })
})

describe('Somtoday failures', () => {
  const board = generateBoard({ seed: 'faults', persons: 300, today: TODAY })
  let sim: SomtodaySim
  const leerlingPage = (offset: string) => (req: { method: string; url: URL }) =>
    req.url.pathname.endsWith('/leerling') && req.url.searchParams.get('offset') === offset

  async function withSim(
    options: Partial<SomtodaySimOptions>,
    fn: (s: SomtodaySim) => Promise<void>,
  ): Promise<void> {
    const s = await startSomtodaySim({ board, ...options })
    try {
      await fn(s)
    } finally {
      await closeSpecClean(s)
    }
  }

  before(async () => {
    sim = await startSomtodaySim({ board })
  })
  after(() => closeSpecClean(sim))

  test('a token that expires mid-paging: 401, one new token, the read completes', async () => {
    const c = connector(sim, { persons: ['leerlingen'] })
    const tokensBefore = sim.http.requests.get('POST /oauth2/token') ?? 0
    let expired = 0
    sim.http.inject({
      match: (req) => {
        if (leerlingPage('100')(req) && expired === 0) {
          expired++
          sim.expireTokens()
        }
        return false
      },
    })
    const s = await readOk(c)
    assert.equal(expired, 1)
    assert.equal(pupilsOf(s).length, countBoard(board).pupils)
    assert.equal(
      (sim.http.requests.get('POST /oauth2/token') ?? 0) - tokensBefore,
      2,
      'the first token and one after the 401',
    )
  })

  test('a 401 that persists after re-authenticating fails the read with an auth issue', async () => {
    sim.http.inject({
      match: leerlingPage('50'),
      times: 2,
      response: {
        status: 401,
        json: { errors: [{ code: 401, problem: 'Geen toegang', clarification: '' }] },
      },
    })
    const issues = await readFails(connector(sim, { persons: ['leerlingen'] }))
    assert.equal(issues[0]?.code, 'auth_failed')
    assert.match(issues[0]?.message ?? '', /401/)
  })

  test('a wrong client secret is an auth failure, and the secret is not in the message', async () => {
    const issues = await readFails(connector(sim, {}, 'wrong-secret-value'))
    assert.equal(issues[0]?.code, 'auth_failed')
    assert.match(issues[0]?.message ?? '', /invalid_client/)
    assert.doesNotMatch(JSON.stringify(issues), /wrong-secret-value/)
  })

  test('429 with Retry-After on a page is waited out and retried', async () => {
    let hits = 0
    const match = (req: { method: string; url: URL }) => leerlingPage('50')(req) && ++hits > 0
    sim.http.inject({
      match,
      times: 2,
      response: {
        status: 429,
        headers: { 'retry-after': '0' },
        json: { errors: [{ code: 429, problem: 'Te veel verzoeken', clarification: '' }] },
      },
    })
    const s = await readOk(connector(sim, { persons: ['leerlingen'] }))
    assert.equal(pupilsOf(s).length, countBoard(board).pupils)
    assert.equal(hits, 2, 'both 429s were served, and the page after them completed the read')
  })

  test("the simulator's rate limit answers 429 with Retry-After and the read still completes", async () => {
    await withSim({ rateLimit: { perSecond: 20, burst: 4 } }, async (s) => {
      const snap = await readOk(
        connector(s, { persons: ['leerlingen'], pageSize: 100, pageAttempts: 5 }),
      )
      assert.equal(pupilsOf(snap).length, countBoard(board).pupils)
    })
  })

  test('5xx for good on one page fails the whole read with an issue; no partial snapshot', async () => {
    sim.http.inject({
      match: leerlingPage('100'),
      times: 2,
      response: {
        status: 503,
        json: { errors: [{ code: 503, problem: 'Onderhoud', clarification: '' }] },
      },
    })
    const issues = await readFails(connector(sim, { persons: ['leerlingen'], pageAttempts: 2 }))
    assert.equal(issues[0]?.code, 'read_failed')
    assert.match(issues[0]?.message ?? '', /503.*Onderhoud/)
  })

  test('a page that times out is retried', async () => {
    sim.http.inject({ match: leerlingPage('0'), delayMs: 1500 })
    const s = await readOk(connector(sim, { persons: ['leerlingen'], timeoutMs: 300 }))
    assert.equal(pupilsOf(s).length, countBoard(board).pupils)
  })

  test('a page that is not JSON fails the read', async () => {
    sim.http.inject({
      match: leerlingPage('50'),
      response: { status: 200, text: '<html>proxy error</html>' },
    })
    const issues = await readFails(connector(sim, { persons: ['leerlingen'] }))
    assert.match(issues[0]?.message ?? '', /not JSON/)
  })

  test('malformed leerlingen: the issues name the uuid/leerlingnummer and the field', async () => {
    const pupils = [...board.chunks()].flatMap((c) => c.pupils)
    const [a, b, c] = [pupils[3], pupils[60], pupils[61]]
    await withSim(
      {
        corrupt: (kind, r) => {
          if (r.uuid === a?.id) return { ...r, leerlingnummer: 'twaalf' }
          if (r.uuid === b?.id)
            return {
              ...r,
              plaatsingen: [{ ...(r.plaatsingen as object[])[0], startdatum: '2026-13-45' }],
            }
          if (r.uuid === c?.id) {
            const { achternaam: _, ...rest } = r
            return rest
          }
          return r
        },
      },
      async (s) => {
        const issues = await readFails(connector(s, { persons: ['leerlingen'] }))
        const find = (uuid: string | undefined, field: string) =>
          issues.find((i) => i.record?.includes(uuid as string) === true && i.field === field)
        assert.ok(find(a?.id, 'leerlingnummer'), JSON.stringify(issues))
        assert.match(find(a?.id, 'leerlingnummer')?.record ?? '', /leerlingnummer twaalf/)
        assert.ok(find(b?.id, 'plaatsingen[0].startdatum'), JSON.stringify(issues))
        assert.match(
          find(b?.id, 'plaatsingen[0].startdatum')?.record ?? '',
          new RegExp(`leerlingnummer ${b?.number}`),
        )
        assert.ok(find(c?.id, 'achternaam'))
        assert.equal(issues.length, 3)
      },
    )
  })

  test('organisation by name is looked up on /connect/instelling; an unknown name or vestiging is a config issue', async () => {
    const s = await readOk(connector(sim, { organisation: board.name, persons: ['medewerkers'] }))
    assert.equal(staffOf(s).length, countBoard(board).staff)
    const issues = await readFails(connector(sim, { organisation: 'Geen Bestaande Stichting' }))
    assert.equal(issues[0]?.code, 'config')
    const v = await readFails(connector(sim, { vestigingen: ['99XX00'] }))
    assert.match(v[0]?.message ?? '', /99XX00/)
    const only = await readOk(
      connector(sim, {
        vestigingen: [board.schools[0]?.locations[0]?.code as string],
        persons: ['medewerkers'],
      }),
    )
    assert.ok(staffOf(only).length > 0)
  })

  test('fields without field permission are omitted, not sent as null', async () => {
    await withSim(
      { hiddenFields: { leerling: ['geboortedatum'], medewerker: ['emailadres'] } },
      async (s) => {
        const snap = await readOk(connector(s))
        assert.ok(pupilsOf(snap).every((p) => p.birthDate === undefined))
        assert.ok(staffOf(snap).every((p) => p.email === undefined))
      },
    )
  })
})

describe('Somtoday HRMService write-back', () => {
  const board = generateBoard({ seed: 'hrm', persons: 300, today: TODAY })
  let sim: SomtodaySim
  before(async () => {
    sim = await startSomtodaySim({ board, hrm: { username: 'hrm-user', password: 'hrm-pass' } })
  })
  after(() => closeSpecClean(sim))

  test('a medewerker write-back is a createPerson with UsernameToken, Brinnummer and every field', async () => {
    const c = connector(sim, {
      staffWriteBack: 'hrmservice',
      hrmService: { url: sim.hrmUrl, username: 'hrm-user', password: 'hrm-pass' },
    })
    const staff = [...board.chunks()].flatMap((x) => x.staff)[0]
    assert.ok(staff)
    await c.writeBack({
      sourceId: staff.id,
      fields: { username: 'kees.w', email: 'kees.w@school.test' },
    })
    const written = [...sim.hrmPersons.values()][0]
    assert.ok(written)
    assert.equal(written.gebruikersnaam, 'kees.w')
    assert.equal(written.email, 'kees.w@school.test')
    assert.equal(written.medewerkernummer, staff.employeeNumber)
    assert.equal(written.achternaam, staff.familyName)
    assert.equal(written.brinnummer, board.schools[0]?.brin)
    assert.ok(written.fields.vestigingen, 'the vestiging is sent')
    // the service also shows it on the ConnectAPI side
    assert.equal(sim.accounts.get(staff.id)?.gebruikersnaam, 'kees.w')
    // pupils still go through the ConnectAPI account
    const pupil = [...board.chunks()].flatMap((x) => x.pupils)[0]
    await c.writeBack({ sourceId: pupil?.id as string, fields: { username: 'p1' } })
    assert.equal(sim.accounts.get(pupil?.id as string)?.gebruikersnaam, 'p1')
  })

  test('wrong HRMService credentials are an auth error; remoteId is unsupported there', async () => {
    const c = connector(sim, {
      staffWriteBack: 'hrmservice',
      hrmService: { url: sim.hrmUrl, username: 'hrm-user', password: 'wrong' },
    })
    const staff = [...board.chunks()].flatMap((x) => x.staff)[1]
    await assert.rejects(
      c.writeBack({ sourceId: staff?.id as string, fields: { username: 'x' } }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'auth',
    )
    const r = connector(sim, {
      staffWriteBack: 'hrmservice',
      hrmService: { url: sim.hrmUrl, username: 'hrm-user', password: 'hrm-pass' },
      remoteIdentifier: { providerType: 'AZURE', domain: 'koppel.test' },
    })
    await assert.rejects(
      r.writeBack({ sourceId: staff?.id as string, fields: { remoteId: 'x' } }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'unsupported',
    )
  })

  test('a client without the right to write accounts gets an auth error', async () => {
    const s = await startSomtodaySim({
      board,
      clients: [{ clientId: 'koppel', clientSecret: 'koppel-secret', accountWrite: false }],
    })
    try {
      const pupil = [...board.chunks()].flatMap((x) => x.pupils)[0]
      await assert.rejects(
        connector(s).writeBack({ sourceId: pupil?.id as string, fields: { username: 'p1' } }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'auth',
      )
      assert.equal(s.accounts.size, 0)
    } finally {
      await s.close()
    }
  })

  test('hrmservice without hrmService options does not validate', () => {
    const r = somtodayConnector.schema.safeParse({
      clientId: 'a',
      clientSecret: '${env:X}',
      organisation: 'x',
      staffWriteBack: 'hrmservice',
    })
    assert.equal(r.success, false)
  })
})

describe('Somtoday mapper, duplicates within one record', () => {
  test('a lesgroep or vakkeuze listed twice is one membership; the same group from another date is kept', async () => {
    const { SomtodayMapper } = await import('./somtoday-mapping.ts')
    const { IssueCollector } = await import('../../contract/issue-collector.ts')
    const issues = new IssueCollector('s', { cap: 10 })
    const mapper = new SomtodayMapper('s', issues, { vakkeuzes: true })
    const v = { uuid: 'v1', naam: 'Vestiging', brins: ['01AB00'] }
    const lesgroep = { uuid: 'lg1', naam: '4h-ne1' }
    const vak = (begindatum: string) => ({
      uuid: `vk-${begindatum}`,
      school_vakafkorting: 'ne',
      begindatum,
      einddatum: '2027-07-31',
    })
    mapper.leerling(
      v,
      {
        uuid: 'p1',
        leerlingnummer: 1,
        roepnaam: 'An',
        achternaam: 'Jansen',
        lesgroepen: [lesgroep, lesgroep],
        vakkeuzes: [vak('2026-08-01'), vak('2026-08-01'), vak('2027-01-01')],
      },
      0,
    )
    const person = mapper.finish().persons[0] as Person
    assert.equal(issues.errorCount, 0)
    assert.deepEqual(
      person.memberships.map((m) => `${m.group} ${m.start ?? ''} ${m.end ?? ''}`),
      ['lesgroep/lg1  ', 'vak/v1/ne 2026-08-01 2027-08-01', 'vak/v1/ne 2027-01-01 2027-08-01'],
    )
  })
})
