// The AFAS Profit source against the AFAS simulator: paging, auth, 401/429/5xx/timeouts, malformed rows,
// the mapping of names, dienstverbanden, functies and departments, and write-back through the update connectors.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConnectorError } from '../../contract/index.ts'
import { afasConnector, afasOptions } from './index.ts'
import type { Person, SourceReadResult, SourceSnapshot } from '../../model/index.ts'
import {
  afasAuthorization,
  buildAfasData,
  startAfasSim,
  type AfasData,
  type AfasSim,
} from '@koppel/sim/afas'
import { collectBoard, generateBoard } from '@koppel/sim/generator'

const TODAY = '2026-11-23'
const TOKEN = 'sim-token-data'
const board = generateBoard({ seed: 'afas', persons: 400, today: TODAY })
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T10:00:00Z`) }

/** Options as the config loader hands them over: validated with a secret reference, then the secret resolved. */
function options(url: string, token: string, extra: Record<string, unknown> = {}) {
  return { ...afasOptions.parse({ baseUrl: url, token: '${env:AFAS_TOKEN}', ...extra }), token }
}

function source(url: string, extra: Record<string, unknown> = {}) {
  return afasConnector.create(
    'hr',
    options(url, TOKEN, { pageSize: 7, timeoutMs: 5000, ...extra }),
    context,
  )
}

function snapshotOf(r: SourceReadResult): SourceSnapshot {
  if (!r.ok)
    assert.fail(
      r.issues.map((i) => `${i.code} ${i.record ?? ''} ${i.field ?? ''}: ${i.message}`).join('\n'),
    )
  return r.snapshot
}

const usersPath = '/profitrestservices/connectors/T4E_HelloID_Users_v2'
const isUsers = (r: { url: URL }) => r.url.pathname === usersPath

describe('AFAS Profit source', () => {
  let sim: AfasSim
  before(async () => {
    sim = await startAfasSim({ board, token: TOKEN })
  })
  after(() => sim.close())

  test('reads every employee across pages and maps names, contracts, managers and the department tree', async () => {
    const before = sim.http.requests.get(`GET ${usersPath}`) ?? 0
    const snap = snapshotOf(
      await source(sim.url, { integrationId: 'partner-123' }).read({ today: TODAY }),
    )
    const staff = collectBoard(board).staff
    assert.equal(snap.persons.length, staff.length)
    assert.ok(
      (sim.http.requests.get(`GET ${usersPath}`) ?? 0) - before >= Math.ceil(staff.length / 7),
      'users were read in pages of 7',
    )
    assert.ok(sim.integrationIds.includes('partner-123'))

    const byKey = new Map(snap.persons.map((p) => [p.key, p]))
    for (const s of staff.slice(0, 10)) {
      const p = byKey.get(s.employeeNumber) as Person
      assert.equal(p.givenName, s.givenName)
      assert.equal(p.familyName, s.familyName)
      assert.equal(p.familyNamePrefix, s.familyNamePrefix || undefined)
      assert.equal(p.partnerName, s.partnerName || undefined)
      assert.equal(p.partnerNamePrefix, s.partnerNamePrefix || undefined)
      assert.equal(p.nameConvention, s.nameConvention)
      assert.equal(p.email, s.email)
      assert.equal(p.attributes.employeeNumber, s.employeeNumber)
      assert.equal(p.contracts[0]?.title, s.title)
      assert.equal(p.contracts[0]?.kind, 'employment')
    }
    // every seventh employee has a second functie: two contracts for one dienstverband
    const seventh = staff.find((s) => Number(s.employeeNumber) % 7 === 0) as (typeof staff)[number]
    const p7 = byKey.get(seventh.employeeNumber) as Person
    assert.deepEqual(
      p7.contracts.map((c) => c.id),
      [
        `empl_${seventh.employeeNumber}-1/pos_${seventh.employeeNumber}-1-1`,
        `empl_${seventh.employeeNumber}-1/pos_${seventh.employeeNumber}-1-2`,
      ],
    )
    const coord = p7.contracts[1]
    assert.equal(coord?.title, 'Coördinator')
    assert.equal(
      coord?.end,
      board.schoolYear.endDate,
      'AFAS end date is inclusive, the contract end exclusive',
    )

    // departments: root → location → OND/OOP, managers by employee number, never oneself
    const groups = new Map(snap.groups.map((g) => [g.key, g]))
    assert.equal(groups.get('BESTUUR')?.type, 'department')
    const ond = snap.groups.find(
      (g) => g.key.endsWith('-OND') && g.attributes.manager !== undefined,
    )
    assert.ok(ond)
    assert.equal(groups.get(ond.parent as string)?.parent, 'BESTUUR')
    const manager = byKey.get(String(ond.attributes.manager)) as Person
    assert.ok(String(manager.attributes.managerOf).split(',').includes(ond.key))
    for (const p of snap.persons) for (const c of p.contracts) assert.notEqual(c.manager, p.key)
    const member = snap.persons.find(
      (p) => p.key !== manager.key && p.contracts.some((c) => c.organisation === ond.key),
    ) as Person
    assert.equal(member.contracts.find((c) => c.organisation === ond.key)?.manager, manager.key)
    assert.equal(member.contracts[0]?.attributes.departments, `${ond.key},${ond.parent},BESTUUR`)
  })

  test('contracts: employments reads dienstverbanden only, without the positions connector', async () => {
    const before =
      sim.http.requests.get('GET /profitrestservices/connectors/T4E_HelloID_Positions_v2') ?? 0
    const snap = snapshotOf(
      await source(sim.url, { contracts: 'employments' }).read({ today: TODAY }),
    )
    assert.equal(
      sim.http.requests.get('GET /profitrestservices/connectors/T4E_HelloID_Positions_v2') ?? 0,
      before,
    )
    for (const p of snap.persons) {
      const row = sim.data.employments.filter((e) => e.Medewerker === p.key)
      const ids =
        row.length > 1
          ? row.map((e) => `empl_${p.key}-1/${String(e.Begindatum_functie)}`)
          : [`empl_${p.key}-1`]
      assert.deepEqual(
        p.contracts.map((c) => c.id),
        ids,
      )
    }
  })

  test('each Employments_v2 row is a functie period: an old functie inside a running dienstverband has ended', async () => {
    const snap = snapshotOf(
      await source(sim.url, { contracts: 'employments' }).read({ today: TODAY }),
    )
    const staff = collectBoard(board).staff
    const changed = staff.find((s) => Number(s.employeeNumber) % 5 === 1) as (typeof staff)[number]
    const p = snap.persons.find((x) => x.key === changed.employeeNumber) as Person
    assert.equal(p.contracts.length, 2)
    const [old, current] = p.contracts
    assert.equal(old?.title, 'Onderwijsassistent')
    assert.ok(
      old?.end !== undefined && old.end <= board.schoolYear.startDate && old.end < TODAY,
      `the old functie ended: ${old?.end}`,
    )
    assert.notEqual(old?.organisation, current?.organisation)
    assert.equal(current?.title, changed.title)
    assert.equal(current?.end, undefined)
    assert.equal(current?.start, `${Number(board.schoolYear.startDate.slice(0, 4)) - 1}-08-01`)
    // the positions reading takes the current functie's period from the position, not the contract's start
    const withPositions = snapshotOf(await source(sim.url).read({ today: TODAY })).persons.find(
      (x) => x.key === changed.employeeNumber,
    ) as Person
    assert.deepEqual(
      withPositions.contracts
        .filter((c) => c.end === undefined || c.end > TODAY)
        .map((c) => c.title),
      [changed.title, ...(Number(changed.employeeNumber) % 7 === 0 ? ['Coördinator'] : [])],
    )
  })

  test("a contract's manager is Medewerkernummer_leidinggevende by default; the department tree is an option", async () => {
    const row = sim.data.employments.find(
      (e) => Number(e.Medewerker) % 4 === 0 && e.Medewerkernummer_leidinggevende !== null,
    ) as Record<string, unknown>
    const key = String(row.Medewerker)
    const byDefault = snapshotOf(await source(sim.url).read({ today: TODAY })).persons.find(
      (x) => x.key === key,
    ) as Person
    const byTree = snapshotOf(
      await source(sim.url, { manager: 'department' }).read({ today: TODAY }),
    ).persons.find((x) => x.key === key) as Person
    assert.equal(byDefault.contracts[0]?.manager, row.Medewerkernummer_leidinggevende)
    const unit = sim.data.organisationalUnits.find(
      (u) => u.ExternalId === byTree.contracts[0]?.organisation,
    )
    assert.equal(
      byTree.contracts[0]?.manager,
      unit?.ManagerExternalId === key ? byTree.contracts[0]?.manager : unit?.ManagerExternalId,
    )
    assert.notEqual(
      byDefault.contracts[0]?.manager,
      byTree.contracts[0]?.manager,
      'the simulator gives this employee a leidinggevende outside the tree',
    )
  })

  test('GetConnector sort keys make every row unique, so paging is stable (ties come in any order)', async () => {
    sim.orderBy.clear()
    for (let i = 0; i < 3; i++)
      snapshotOf(await source(sim.url, { pageSize: 5 }).read({ today: TODAY }))
    assert.deepEqual(
      new Set(sim.orderBy.get('T4E_HelloID_Employments_v2')),
      new Set(['ExternalID,Medewerker,Begindatum_functie']),
    )
    assert.deepEqual(
      new Set(sim.orderBy.get('T4E_HelloID_Positions_v2')),
      new Set(['ExternalID,EmploymentExternalID,Medewerker,Begindatum_functie']),
    )
    // the simulator really orders ties differently from call to call
    const url = `${sim.url}/connectors/T4E_HelloID_Employments_v2?skip=0&take=-1&orderbyfieldids=Medewerker`
    const headers = { authorization: afasAuthorization(TOKEN) }
    const orders = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const body = (await (await fetch(url, { headers })).json()) as {
        rows: Record<string, unknown>[]
      }
      orders.add(body.rows.map((r) => String(r.Begindatum_functie)).join(','))
    }
    assert.ok(orders.size > 1, 'ties are shuffled')
  })

  test('a wrong token fails the read as an auth issue, without a snapshot', async () => {
    const r = await afasConnector
      .create('hr', options(sim.url, 'wrong'), context)
      .read({ today: TODAY })
    assert.equal(r.ok, false)
    assert.ok(
      !r.ok && r.issues[0]?.code === 'read_auth' && /401/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('a 401 mid-paging is retried once and the read completes', async () => {
    const before = sim.http.requests.get(`GET ${usersPath}`) ?? 0
    sim.http.inject({
      match: isUsers,
      after: 2,
      response: { status: 401, json: { externalMessage: 'token verlopen' } },
    })
    const snap = snapshotOf(await source(sim.url).read({ today: TODAY }))
    assert.equal(snap.persons.length, collectBoard(board).staff.length)
    assert.equal(
      (sim.http.requests.get(`GET ${usersPath}`) ?? 0) - before,
      Math.floor(snap.persons.length / 7) + 2,
      'the third page was asked twice',
    )
    // a token that stays refused fails after that one retry
    sim.http.inject({
      match: isUsers,
      after: 1,
      times: 2,
      response: { status: 401, json: { externalMessage: 'token ingetrokken' } },
    })
    const r = await source(sim.url).read({ today: TODAY })
    assert.ok(
      !r.ok && r.issues[0]?.code === 'read_auth' && /token ingetrokken/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('a 429 with Retry-After on a page is waited out and retried', async () => {
    const before = sim.http.requests.get(`GET ${usersPath}`) ?? 0
    sim.http.inject({
      match: isUsers,
      after: 1,
      response: {
        status: 429,
        headers: { 'retry-after': '0' },
        json: { externalMessage: 'te veel verzoeken' },
      },
    })
    const snap = snapshotOf(await source(sim.url).read({ today: TODAY }))
    assert.equal(snap.persons.length, collectBoard(board).staff.length)
    const pages = Math.floor(snap.persons.length / 7) + 1
    assert.equal(
      (sim.http.requests.get(`GET ${usersPath}`) ?? 0) - before,
      pages + 1,
      'one page was asked twice',
    )
  })

  test('a page that keeps failing with 5xx fails the whole read (no partial snapshot)', async () => {
    sim.http.inject({
      match: isUsers,
      after: 1,
      times: 3,
      response: {
        status: 503,
        headers: { 'retry-after': '0' },
        json: { externalMessage: 'onderhoud' },
      },
    })
    const r = await source(sim.url, { readAttempts: 3 }).read({ today: TODAY })
    assert.equal(r.ok, false)
    assert.ok(
      !r.ok && r.issues[0]?.code === 'read_transient' && /503.*onderhoud/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('a page that times out fails the read as transient', async () => {
    sim.http.inject({ match: isUsers, delayMs: 1500 })
    const r = await source(sim.url, { readAttempts: 1, timeoutMs: 200 }).read({ today: TODAY })
    assert.ok(
      !r.ok && r.issues[0]?.code === 'read_transient' && /timed out/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('a payload without rows fails the read', async () => {
    sim.http.inject({ match: isUsers, response: { status: 200, json: { skip: 0, take: 7 } } })
    const r = await source(sim.url).read({ today: TODAY })
    assert.ok(
      !r.ok &&
        r.issues[0]?.code === 'read_invalid' &&
        /T4E_HelloID_Users_v2.*rows/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('write-back of e-mail and username goes through KnEmployee and KnUser and shows in the next read', async () => {
    const s = source(sim.url)
    const key = String(sim.data.users[3]?.Medewerker)
    await s.writeBack?.({
      sourceId: key,
      fields: { email: 'nieuw.adres@school.test', username: 'nieuw.adres@school.test' },
    })
    const row = sim.data.users.find((u) => u.Medewerker === key)
    assert.equal(row?.Email_werk, 'nieuw.adres@school.test')
    assert.equal(row?.UPN, 'nieuw.adres@school.test')
    assert.deepEqual(
      sim.updates.slice(-2).map((u) => u.connector),
      ['KnUser', 'KnEmployee'],
    )
    // KnUser carries Nm (the user's description, required) with MtCd 1, as the reference sends it
    const knUser = sim.updates.at(-2)?.body as {
      KnUser: { Element: { Fields: Record<string, unknown> } }
    }
    assert.deepEqual(knUser.KnUser.Element.Fields, {
      MtCd: 1,
      Nm: row?.DisplayName,
      Upn: 'nieuw.adres@school.test',
    })
    const bare = await fetch(`${sim.url}/connectors/KnUser`, {
      method: 'PUT',
      headers: { authorization: afasAuthorization(TOKEN), 'content-type': 'application/json' },
      body: JSON.stringify({
        KnUser: { Element: { '@UsId': row?.Gebruiker, Fields: { MtCd: 1, Upn: 'x@school.test' } } },
      }),
    })
    assert.equal(bare.status, 400)
    assert.match(await bare.text(), /Nm \(omschrijving\) is verplicht/)
    const p = snapshotOf(await s.read({ today: TODAY })).persons.find((x) => x.key === key)
    assert.equal(p?.email, 'nieuw.adres@school.test')
    assert.equal(p?.username, 'nieuw.adres@school.test')
    // the same values again: nothing is sent (AFAS refuses an update to the same value)
    const sent = sim.updates.length
    await s.writeBack?.({
      sourceId: key,
      fields: { email: 'nieuw.adres@school.test', username: 'nieuw.adres@school.test' },
    })
    assert.equal(sim.updates.length, sent)
  })

  test('write-back refusals: unknown field, unknown employee, a taken UPN', async () => {
    const s = source(sim.url)
    await assert.rejects(
      s.writeBack?.({ sourceId: '1', fields: { phone: '06' } }) as Promise<void>,
      (e) => ConnectorError.isInstance(e) && e.kind === 'unsupported',
    )
    await assert.rejects(
      s.writeBack?.({ sourceId: 'nobody', fields: { email: 'a@b.c' } }) as Promise<void>,
      (e) => ConnectorError.isInstance(e) && e.kind === 'not-found',
    )
    const [a, b] = [sim.data.users[5], sim.data.users[6]]
    await s.writeBack?.({
      sourceId: String(a?.Medewerker),
      fields: { username: 'dubbel@school.test' },
    })
    await assert.rejects(
      s.writeBack?.({
        sourceId: String(b?.Medewerker),
        fields: { username: 'dubbel@school.test', email: 'x@school.test' },
      }) as Promise<void>,
      (e) =>
        ConnectorError.isInstance(e) && e.kind === 'invalid' && /al in gebruik/.test(e.message),
    )
    assert.notEqual(
      b?.Email_werk,
      'x@school.test',
      'the refused UPN stopped the write-back before the e-mail',
    )
  })
})

describe('AFAS Profit source: malformed rows', () => {
  let sim: AfasSim
  let data: AfasData
  before(async () => {
    data = buildAfasData(generateBoard({ seed: 'afas-bad', persons: 150, today: TODAY }))
    sim = await startAfasSim({ data, token: TOKEN })
  })
  after(() => sim.close())

  test('every bad record is named with its field, and no snapshot is returned', async () => {
    const u = data.users[1] as Record<string, unknown>
    u.Naamgebruik_code = '7'
    const e = data.employments[2] as Record<string, unknown>
    e.Begindatum_contract = 'gisteren'
    const v = data.users[3] as Record<string, unknown>
    v.Geboortenaam = null
    const r = await source(sim.url).read({ today: TODAY })
    assert.equal(r.ok, false)
    if (r.ok) return
    const found = r.issues.map((i) => `${i.code}|${i.file}|${i.record}|${i.field}`)
    assert.ok(
      found.includes(`bad_enum|T4E_HelloID_Users_v2|${String(u.Medewerker)}|Naamgebruik_code`),
      found.join('\n'),
    )
    assert.ok(
      found.includes(
        `bad_date|T4E_HelloID_Employments_v2|${String(e.ExternalID)}|Begindatum_contract`,
      ),
      found.join('\n'),
    )
    assert.ok(
      found.includes(`missing_field|T4E_HelloID_Users_v2|${String(v.Medewerker)}|Geboortenaam`),
      found.join('\n'),
    )
  })
})

test('the token header is AfasToken + base64 of the XML token, whether the option holds the XML or only its data', async () => {
  const { afasAuthorization } = await import('@koppel/sim/afas')
  const sim = await startAfasSim({
    data: { users: [], employments: [], positions: [], organisationalUnits: [] },
    token: 'abc',
  })
  try {
    assert.match(afasAuthorization('abc'), /^AfasToken [A-Za-z0-9+/=]+$/)
    assert.equal(
      Buffer.from(afasAuthorization('abc').slice(10), 'base64').toString(),
      '<token><version>1</version><data>abc</data></token>',
    )
    for (const token of ['abc', '<token><version>1</version><data>abc</data></token>']) {
      const r = await afasConnector
        .create('hr', options(sim.url, token), context)
        .read({ today: TODAY })
      assert.ok(r.ok && r.snapshot.persons.length === 0)
    }
  } finally {
    await sim.close()
  }
})
