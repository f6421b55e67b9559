// The Magister source (src/connectors/magister) against its simulator (packages/sim/src/magister): a read of a generated board, the
// error paths (wrong credentials, 5xx for good, 429 with Retry-After, timeout, malformed rows, empty export) and
// the write-backs showing up in the next read.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { ConnectorError, type SourceConnector } from '../../contract/index.ts'
import type { Issue, SourceSnapshot } from '../../model/index.ts'
import { generateBoard } from '@koppel/sim/generator'
import { magisterRows, type MagisterRow } from '@koppel/sim/magister'
import { startMagisterSim, type MagisterSim } from '@koppel/sim/magister'
import { magisterConnector, magisterOptions } from './index.ts'
import { mapMagisterCsv, parseMagisterDate } from './magister-mapping.ts'

const today = '2026-11-23'
const board = generateBoard({
  seed: 'magister',
  persons: 400,
  today,
  schools: 1,
  midYear: { left: 0.05 },
})
const pristine = magisterRows(board, { eckId: true, brin: true })
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${today}T06:00:00Z`) }

function source(sim: MagisterSim, extra: Record<string, unknown> = {}): SourceConnector {
  const { password = 'geheim;1&2', ...rest } = extra
  const options = magisterOptions.parse({
    baseUrl: sim.url,
    username: 'koppel',
    password: '${env:X}',
    timeoutMs: 1000,
    ...rest,
  })
  // the config loader resolves the secret reference before create; here it is resolved by hand
  return magisterConnector.create('magister', { ...options, password: password as string }, context)
}

async function readOk(s: SourceConnector): Promise<SourceSnapshot> {
  const r = await s.read({ today })
  if (!r.ok) assert.fail(r.issues.map((i) => i.message).join('\n'))
  return r.snapshot
}

async function readFails(s: SourceConnector): Promise<readonly Issue[]> {
  const r = await s.read({ today })
  assert.equal(r.ok, false, 'the read must fail as a whole')
  return r.ok ? [] : r.issues
}

describe('magister source', () => {
  let sim: MagisterSim
  before(async () => {
    sim = await startMagisterSim({ username: 'koppel', password: 'geheim;1&2', rows: [] })
  })
  beforeEach(() => {
    sim.rows.splice(0, sim.rows.length, ...pristine.map((r) => ({ ...r })))
    sim.server.rateLimit(undefined)
  })
  after(() => sim.close())

  test('reads every pupil with an enrolment contract per row, class groups and memberships', async () => {
    const snap = await readOk(source(sim))
    const stamnrs = new Set(pristine.map((r) => r.STAMNR))
    assert.equal(snap.persons.length, stamnrs.size)
    assert.ok(snap.persons.length > 200)
    const row = pristine[0] as MagisterRow
    const p = snap.persons.find((x) => x.key === row.STAMNR)
    assert.ok(p)
    assert.equal(p.givenName, row.FIRSTNAME)
    assert.equal(p.familyName, row.LASTNAME)
    assert.equal(p.attributes.pupilNumber, row.STAMNR)
    assert.equal(p.attributes.eckId, row.ECKID)
    assert.equal(p.username, row.sis_gebr__login_naam)
    const c = p.contracts[0]
    assert.ok(c)
    assert.equal(c.kind, 'enrolment')
    assert.equal(c.role, 'student')
    assert.equal(c.schoolYear, board.schoolYear.title)
    assert.equal(c.organisationCode, row.BRIN)
    assert.equal(c.classGroup, row.CLASS)
    assert.equal(c.grade, Number(row.STUDYYEAR))
    assert.equal(c.programme, row.STUDY)
    assert.equal(c.location, row.LOCATION)
    assert.equal(c.end, board.schoolYear.endDate, 'the inclusive last day becomes an exclusive end')
    assert.ok(
      p.memberships.some((m) => snap.groups.find((g) => g.key === m.group)?.name === row.CLASS),
    )
    // a pupil who left mid-year ends the day after the departure date
    const leaver = pristine.find((r) => r.vertrekdatum !== '')
    assert.ok(leaver, 'the board has a leaver')
    const l = snap.persons.find((x) => x.key === leaver.STAMNR)
    assert.ok(l?.contracts[0]?.end !== undefined && l.contracts[0].end <= board.schoolYear.endDate)
  })

  test("the mentor: CMENTORCODE (the enrolment's own mentor) before PMENTORCODE (the stamgroep's), as contract.manager", async () => {
    const withMentor = pristine.filter((r) => r.PMENTORCODE !== '')
    assert.ok(withMentor.length > 10, 'the board gives stamgroepen a mentor')
    const own = sim.rows.find((r) => r.STAMNR === withMentor[1]?.STAMNR)
    assert.ok(own)
    Object.assign(own, { CMENTORCODE: 'XYZ9', CMENTORNAME: 'Y. Zwart' })
    const snap = await readOk(source(sim))
    const manager = (stamnr: string | undefined) =>
      snap.persons.find((p) => p.key === stamnr)?.contracts[0]?.manager
    assert.equal(manager(withMentor[0]?.STAMNR), withMentor[0]?.PMENTORCODE)
    assert.equal(manager(own.STAMNR), 'XYZ9')
    const without = sim.rows.find((r) => r.PMENTORCODE === '' && r.CMENTORCODE === '')
    if (without !== undefined) assert.equal(manager(without.STAMNR), undefined)
    assert.equal(source(sim).capabilities.namesManagers, true)
  })

  test('decodes the ANSI (windows-1252) export and keeps ; and quotes inside values', async () => {
    const r = sim.rows[0] as MagisterRow
    r.LASTNAME = 'Çelik; "de" Bruïne'
    const snap = await readOk(source(sim))
    assert.equal(snap.persons.find((p) => p.key === r.STAMNR)?.familyName, 'Çelik; "de" Bruïne')
  })

  test('wrong credentials fail the read with an auth issue that does not show the password', async () => {
    const issues = await readFails(source(sim, { password: 'wrong-pass' }))
    assert.equal(issues[0]?.code, 'auth_failed')
    assert.ok(!JSON.stringify(issues).includes('wrong-pass'))
  })

  test('an empty export is an error, never "everyone left"', async () => {
    sim.rows.length = 0
    const issues = await readFails(source(sim))
    assert.equal(issues[0]?.code, 'empty_export')
    // header only (as some exports do)
    const m = mapMagisterCsv(
      'STAMNR;FIRSTNAME;LASTNAME;STUDYPERIOD;studiebegindatum;studieeinddatum\r\n',
      { source: 's', file: 'f' },
    )
    assert.equal(m.errors[0]?.code, 'empty_export')
  })

  test('5xx for good fails the whole read after its retries; one 503 and a 429 with Retry-After are retried', async () => {
    sim.server.inject({ response: { status: 503, text: 'Service Unavailable' }, times: 10 })
    const issues = await readFails(source(sim, { readAttempts: 2 }))
    assert.equal(issues[0]?.code, 'unavailable')
    assert.match(issues[0]?.message ?? '', /503/)
    // drain what is left of the injected faults
    for (let i = 0; i < 8; i++) await fetch(`${sim.url}/x`)
    sim.server.inject({
      response: { status: 429, headers: { 'retry-after': '0' }, text: 'Too many requests' },
    })
    sim.server.inject({ response: { status: 502, text: 'Bad gateway' } })
    const before = sim.server.requests.get('GET /doc') ?? 0
    await readOk(source(sim))
    assert.equal((sim.server.requests.get('GET /doc') ?? 0) - before, 3)
  })

  // Pins the mapping's whole output, byte for byte, so that memory work on the parse cannot change it: the
  // persons, groups and the warning of a row without a study period, with its line number.
  test('the snapshot of a generated board is unchanged (sha256 of its JSON)', async () => {
    const c = sim.rows[7] as MagisterRow
    sim.rows.splice(20, 0, { ...c, STUDYPERIOD: '', CLASS: 'X1' })
    const snap = await readOk(source(sim))
    assert.equal(snap.warnings.length, 1)
    const json = JSON.stringify([snap.persons, snap.groups, snap.warnings, snap.takenAt])
    assert.equal(
      createHash('sha256').update(json).digest('hex'),
      '4c416f37fbe899a1f043bf667611559e1540d98d804a9f10e1af485bdab8c843',
    )
  })

  test('a request that times out is retried, and fails the read when it keeps timing out', async () => {
    sim.server.inject({ delayMs: 1500, times: 2 })
    const issues = await readFails(source(sim, { readAttempts: 2 }))
    assert.match(issues[0]?.message ?? '', /timed out/)
  })

  test('malformed rows name the line, the stamnummer and the column; rows without a study period are warnings', async () => {
    const rows = sim.rows
    const a = rows[0] as MagisterRow
    const b = rows.find((r) => r.STAMNR !== a.STAMNR) as MagisterRow
    a.studiebegindatum = '31-02-2026'
    b.STUDYYEAR = 'drie'
    const c = rows.find((r) => r.STAMNR !== a.STAMNR && r.STAMNR !== b.STAMNR) as MagisterRow
    rows.push({ ...c, STUDYPERIOD: '', CLASS: 'X1' })
    const issues = await readFails(source(sim))
    const bad = issues.find((i) => i.field === 'studiebegindatum')
    assert.equal(bad?.record, a.STAMNR)
    assert.equal(bad?.code, 'bad_date')
    assert.equal(bad?.line, 3 + 0, 'line 1 is the header, line 2 its repetition')
    assert.equal(issues.find((i) => i.field === 'STUDYYEAR')?.record, b.STAMNR)
    // only the skipped row: a warning, and the read succeeds
    a.studiebegindatum = pristine[0]?.studiebegindatum as string
    b.STUDYYEAR = '3'
    const snap = await readOk(source(sim))
    assert.deepEqual(
      snap.warnings.map((w) => [w.code, w.record, w.field]),
      [['no_study_period', c.STAMNR, 'STUDYPERIOD']],
    )
    assert.ok(
      !snap.persons.find((p) => p.key === c.STAMNR)?.contracts.some((k) => k.classGroup === 'X1'),
    )
  })

  test('the login column: Loginaccount.Naam (the persons scripts) or sis_gebr__login_naam (the SQL layout), or a configured one', async () => {
    const row = pristine[0] as MagisterRow
    // the default simulator serves the scripts' header names
    const csv = await (
      await fetch(
        `${sim.url}/doc?Function=GetData&Library=Data&Layout=tools4ever-leerlingen-actief&SessionToken=koppel%3Bgeheim%3B1%262&Type=CSV&Encoding=UTF8`,
      )
    ).text()
    assert.match(csv.split('\r\n')[0] ?? '', /^Stamnr;.*;Loginaccount\.Naam;email_1;Mobiel_nr;/)
    const script = await readOk(source(sim))
    assert.equal(
      script.persons.find((p) => p.key === row.STAMNR)?.username,
      row.sis_gebr__login_naam,
    )
    const sql = await startMagisterSim({
      username: 'koppel',
      password: 'geheim;1&2',
      rows: sim.rows.map((r) => ({ ...r, gsm: '0612345678' })),
      headers: 'sql',
    })
    try {
      const p = (await readOk(source(sql))).persons.find((x) => x.key === row.STAMNR)
      assert.equal(p?.username, row.sis_gebr__login_naam)
      assert.equal(p?.attributes.mobile, '0612345678')
      for (const r of sql.rows) r.rfid = `rf-${r.STAMNR}`
      const configured = await readOk(source(sql, { columns: { login: ['rfid'] } }))
      assert.equal(
        configured.persons.find((x) => x.key === row.STAMNR)?.username,
        `rf-${row.STAMNR}`,
      )
    } finally {
      await sql.close()
    }
  })

  test('repeated header rows are dropped as the reference does (a Stamnr ending in "Stamnr", any case)', async () => {
    const c = sim.rows[1] as MagisterRow
    // a repetition with a qualified first column; every other field is header text, not data
    sim.rows.splice(5, 0, {
      ...c,
      STAMNR: 'sis_leer.STAMNR',
      FIRSTNAME: 'FIRSTNAME',
      LASTNAME: 'LASTNAME',
      studiebegindatum: 'studiebegindatum',
      STUDYYEAR: 'STUDYYEAR',
    })
    const snap = await readOk(source(sim))
    assert.equal(snap.persons.length, new Set(pristine.map((r) => r.STAMNR)).size)
    // other non-numeric stamnummers are still errors naming the row
    sim.rows.splice(7, 0, { ...c, STAMNR: 'Stamnummer?' })
    const issues = await readFails(source(sim))
    assert.deepEqual(
      issues.map((i) => [i.code, i.field, i.value]),
      [['bad_value', 'STAMNR', 'Stamnummer?']],
    )
  })

  test('dates as dd-mm-yyyy, yyyy-mm-dd and dd/mm/yyyy are read; any other form is an error naming row and column', async () => {
    const row = pristine[0] as MagisterRow
    const starts = new Set<string | undefined>()
    for (const dateFormat of ['dd-mm-yyyy', 'yyyy-mm-dd', 'dd/mm/yyyy'] as const) {
      const own = await startMagisterSim({
        username: 'koppel',
        password: 'geheim;1&2',
        rows: sim.rows,
        dateFormat,
      })
      try {
        const p = (await readOk(source(own))).persons.find((x) => x.key === row.STAMNR)
        starts.add(p?.contracts[0]?.start)
        assert.equal(p?.birthDate, parseMagisterDate(row.BIRTHDATE), dateFormat)
      } finally {
        await own.close()
      }
    }
    assert.deepEqual([...starts], [parseMagisterDate(row.studiebegindatum)])
    ;(sim.rows[0] as MagisterRow).studiebegindatum = '2026.08.01'
    const issues = await readFails(source(sim))
    assert.deepEqual(
      issues.map((i) => [i.code, i.record, i.field, i.line]),
      [['bad_date', row.STAMNR, 'studiebegindatum', 3]],
    )
    assert.match(issues[0]?.message ?? '', /dd-mm-yyyy, yyyy-mm-dd or dd\/mm\/yyyy/)
  })

  test('a layout without a required column is refused, naming the column; so is a body that is not CSV', async () => {
    const m = mapMagisterCsv('STAMNR;FIRSTNAME;LASTNAME\r\n1;a;b\r\n', { source: 's', file: 'f' })
    assert.deepEqual(
      m.errors.map((e) => e.field),
      ['STUDYPERIOD', 'studiebegindatum', 'studieeinddatum'],
    )
    assert.equal(
      mapMagisterCsv('STAMNR;FIRSTNAME\r\n1;"unclosed\r\n', { source: 's', file: 'f' }).errors[0]
        ?.code,
      'bad_csv',
    )
    // a 200 answer that is an HTML page (a proxy's login page) is not read as pupils
    sim.server.inject({
      response: {
        status: 200,
        contentType: 'text/html',
        text: '<html><body>Inloggen</body></html>\n<p>sessie verlopen</p>',
      },
    })
    const issues = await readFails(source(sim))
    assert.ok(issues.some((i) => i.code === 'missing_column' && i.field === 'STAMNR'))
  })

  test('dates: dd-mm-yyyy (with or without a time) and ISO; impossible dates refused', () => {
    assert.equal(parseMagisterDate('1-8-2026'), '2026-08-01')
    assert.equal(parseMagisterDate('01-08-2026 00:00:00'), '2026-08-01')
    assert.equal(parseMagisterDate('2026-08-01'), '2026-08-01')
    assert.equal(parseMagisterDate('1/8/2026'), '2026-08-01')
    assert.equal(parseMagisterDate('01-08/2026'), undefined)
    assert.equal(parseMagisterDate('29-02-2026'), undefined)
    assert.equal(parseMagisterDate('morgen'), undefined)
  })

  test('write-back: e-mail and login name are stored by the simulator and show in the next read', async () => {
    const s = source(sim)
    const first = await readOk(s)
    const p = first.persons[1]
    assert.ok(p)
    await s.writeBack?.({
      sourceId: p.key,
      fields: { email: 'j.jansen+1@school.nl', username: 'jjansen' },
    })
    const next = await readOk(s)
    const q = next.persons.find((x) => x.key === p.key)
    assert.equal(q?.email, 'j.jansen+1@school.nl')
    assert.equal(q?.username, 'jjansen')
    assert.deepEqual(
      sim.calls
        .slice(-2)
        .map((c) => [c.fn, c.params.Library, c.params.StamNr ?? c.params.LoginNaam]),
      [
        ['UpdateLeerEMail', 'ADFuncties', p.key],
        ['UpdateGebruiker', 'ADFuncties', p.username],
      ],
    )
    // repeating the same username is a no-op; a fresh connector (no read yet) finds the current login itself
    const calls = sim.calls.length
    await s.writeBack?.({ sourceId: p.key, fields: { username: 'jjansen' } })
    assert.equal(sim.calls.length, calls)
    await source(sim).writeBack?.({ sourceId: p.key, fields: { username: 'jjansen2' } })
    assert.equal((await readOk(s)).persons.find((x) => x.key === p.key)?.username, 'jjansen2')
  })

  test('write-back errors: unknown pupil, unknown field, taken login name, wrong credentials', async () => {
    const s = source(sim)
    await readOk(s)
    await assert.rejects(
      s.writeBack?.({ sourceId: '999999999', fields: { email: 'a@b.nl' } }) as Promise<void>,
      (e) => ConnectorError.isInstance(e) && e.kind === 'not-found',
    )
    await assert.rejects(
      s.writeBack?.({ sourceId: '1', fields: { phone: '06' } }) as Promise<void>,
      (e) => ConnectorError.isInstance(e) && e.kind === 'unsupported',
    )
    const [a, b] = [
      sim.rows[0] as MagisterRow,
      sim.rows.find((r) => r.STAMNR !== sim.rows[0]?.STAMNR) as MagisterRow,
    ]
    await assert.rejects(
      s.writeBack?.({
        sourceId: a.STAMNR,
        fields: { username: b.sis_gebr__login_naam },
      }) as Promise<void>,
      (e) => ConnectorError.isInstance(e) && e.kind === 'conflict',
    )
    const wrong = source(sim, { password: 'nope-nope' })
    await assert.rejects(
      wrong.writeBack?.({ sourceId: a.STAMNR, fields: { email: 'x@y.nl' } }) as Promise<void>,
      (e) => ConnectorError.isInstance(e) && e.kind === 'auth' && !e.message.includes('nope-nope'),
    )
  })
})
