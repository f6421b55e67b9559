// R2 (issue 11): faulty sources never turn into disables or deletes. Each trial starts from a school that was
// planned and applied, breaks the source in one way (an empty or truncated export, half the persons missing,
// the wrong school year, an auth failure or a 5xx in the middle of paging, a source that shrinks a little every
// night), and checks: the plan is refused or blocked with a reason that names the source, nothing is disabled
// or deleted in the target, and applying the plan anyway is refused.
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import { oneRosterCsvConnector } from '../src/connectors/oneroster-csv/index.ts'
import { somtodayConnector } from '../src/connectors/somtoday/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Engine } from '../src/engine/index.ts'
import { formatIssue } from '../src/model/index.ts'
import { applyChurn, generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import type { SimBoard } from '@koppel/sim/generator'
import { startSomtodaySim } from '@koppel/sim/somtoday'
import type { SomtodaySim } from '@koppel/sim/somtoday'
import { engineFixture } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

const TODAY = '2026-11-23'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }
const RULES = [{ name: 'iedereen', when: 'true', grant: [{ account: 'dir' }] }]
const SAFETY = { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false }

let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

/** The outcome of one faulty night: what the plan said, and what reached the target. */
interface Night {
  readonly refused: boolean
  readonly reason: string
  readonly disables: number
  readonly deletes: number
}

async function night(engine: Engine, f: Fixture, day = TODAY): Promise<Night> {
  const before = f.target.calls.length
  const r = await makePlan(engine, { actor: 'night', today: day, readTargets: false })
  let reason: string
  let refused: boolean
  if (!r.ok) {
    refused = true
    reason = r.issues.map(formatIssue).join('; ')
  } else {
    refused = r.plan.status === 'blocked'
    reason = r.plan.findings.map((x) => x.message).join('; ')
    // what an unattended run would try: apply whatever plan came out
    const applied = await applyStoredPlan(engine, r.plan.id, { actor: 'night' })
    if (refused) assert.equal(applied.ok, false, 'a blocked plan must not apply')
  }
  const calls = f.target.calls.slice(before)
  return {
    refused,
    reason,
    disables: calls.filter((c) => c.op === 'disable').length,
    deletes: calls.filter((c) => c.op === 'delete').length,
  }
}

function assertSafe(n: Night, source: string, why: RegExp): void {
  assert.equal(n.refused, true, `the plan went through: ${n.reason}`)
  assert.match(n.reason, new RegExp(source))
  assert.match(n.reason, why)
  assert.equal(n.disables, 0, 'disables reached the target')
  assert.equal(n.deletes, 0, 'deletes reached the target')
}

describe('faulty sources: OneRoster CSV export', () => {
  const board = generateBoard({ seed: 'faulty-csv', persons: 300, today: TODAY })
  let dir = ''
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-faulty-csv-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  async function school(): Promise<{ engine: Engine; f: Fixture; path: string; users: string }> {
    const path = mkdtempSync(join(dir, 'export-'))
    await writeOneRosterCsv(path, board, { version: '1.2' })
    const source = oneRosterCsvConnector.create(
      'school',
      oneRosterCsvConnector.schema.parse({ path }),
      context,
    ) as SourceConnector
    const f = await engineFixture({ rules: RULES })
    const engine: Engine = { ...f.engine, sources: [{ connector: source, safety: SAFETY }] }
    const first = await makePlan(engine, { actor: 'setup', today: TODAY, readTargets: false })
    assert.ok(first.ok && first.plan.status === 'planned')
    const applied = await applyStoredPlan(engine, first.plan.id, { actor: 'setup' })
    assert.ok(applied.ok)
    fx = f
    return { engine, f, path, users: readFileSync(join(path, 'users.csv'), 'utf8') }
  }

  test('an empty export (users.csv with its header only)', async () => {
    const s = await school()
    writeFileSync(join(s.path, 'users.csv'), `${s.users.split('\n')[0]}\n`)
    assertSafe(await night(s.engine, s.f), 'school', /no persons at all|enrol|users/)
  })

  test('a truncated export (users.csv cut in the middle of a line)', async () => {
    const s = await school()
    writeFileSync(join(s.path, 'users.csv'), s.users.slice(0, Math.floor(s.users.length * 0.6)))
    assertSafe(await night(s.engine, s.f), 'users\\.csv|school', /line|column|lost|field/)
  })

  test('half the users missing (the enrolments still refer to them)', async () => {
    const s = await school()
    const lines = s.users.trimEnd().split('\n')
    writeFileSync(
      join(s.path, 'users.csv'),
      `${lines.slice(0, Math.ceil(lines.length / 2)).join('\n')}\n`,
    )
    assertSafe(await night(s.engine, s.f), 'school, users\\.csv', /which is not in users\.csv/)
  })

  test('a file that is being written while it is read (a row appended)', async () => {
    const s = await school()
    appendFileSync(join(s.path, 'users.csv'), 'half-a-row,')
    assertSafe(await night(s.engine, s.f), 'users\\.csv|school', /line|column|field/)
  })
})

describe('faulty sources: Somtoday ConnectAPI', () => {
  const board = generateBoard({ seed: 'faulty-somtoday', persons: 300, today: TODAY })
  // one simulator per trial: an injected fault the connector did not use up must not leak into the next
  let sim: SomtodaySim
  afterEach(() => sim.close())

  function somtoday(
    overrides: Record<string, unknown> = {},
    secret = 'koppel-secret',
    day = TODAY,
  ): SourceConnector {
    const parsed = somtodayConnector.schema.parse({
      baseUrl: sim.baseUrl,
      tokenUrl: sim.tokenUrl,
      clientId: 'koppel',
      clientSecret: '${env:SOMTODAY_SECRET}',
      organisation: sim.instelling.uuid,
      pageSize: 50,
      pageAttempts: 2,
      ...overrides,
    })
    // the connector's clock dates its snapshots: each night's must be newer than the last
    const clock = { ...context, now: () => new Date(`${day}T06:00:00Z`) }
    return somtodayConnector.create(
      'somtoday',
      { ...parsed, clientSecret: secret },
      clock,
    ) as SourceConnector
  }

  async function school(): Promise<{ f: Fixture; engine: (c?: SourceConnector) => Engine }> {
    sim = await startSomtodaySim({ board })
    const f = await engineFixture({ rules: RULES })
    const engine = (c: SourceConnector = somtoday()): Engine => ({
      ...f.engine,
      sources: [{ connector: c, safety: SAFETY }],
    })
    const first = await makePlan(engine(), { actor: 'setup', today: TODAY, readTargets: false })
    assert.ok(
      first.ok && first.plan.status === 'planned',
      first.ok ? first.plan.findings.map((x) => x.message).join() : first.issues[0]?.message,
    )
    assert.ok((await applyStoredPlan(engine(), first.plan.id, { actor: 'setup' })).ok)
    fx = f
    return { f, engine }
  }

  const leerlingPage = (offset: string) => (req: { url: URL }) =>
    req.url.pathname.endsWith('/leerling') && req.url.searchParams.get('offset') === offset

  test('an auth failure (the client secret was rotated)', async () => {
    const s = await school()
    assertSafe(
      await night(s.engine(somtoday({}, 'old-secret')), s.f),
      'somtoday|token|client',
      /401|invalid_client|auth|refused|secret/i,
    )
  })

  test('a 5xx in the middle of paging, past the retries', async () => {
    const s = await school()
    sim.http.inject({
      match: leerlingPage('100'),
      times: 10,
      response: {
        status: 503,
        json: {
          errors: [{ code: 'SERVICE_UNAVAILABLE', problem: 'Onderhoud', clarification: '' }],
        },
      },
    })
    assertSafe(await night(s.engine(), s.f), 'somtoday|leerling', /503|unavailable|Onderhoud/i)
  })

  test('a 401 in the middle of paging that a new token does not cure', async () => {
    const s = await school()
    sim.http.inject({
      match: leerlingPage('50'),
      times: 10,
      response: {
        status: 401,
        json: { errors: [{ code: 'UNAUTHORIZED', problem: 'Geen toegang', clarification: '' }] },
      },
    })
    assertSafe(await night(s.engine(), s.f), 'somtoday|leerling', /401|toegang|auth/i)
  })

  test('half the pupils missing', async () => {
    const s = await school()
    sim.setBoard(applyChurn(board, { seed: 'half', today: TODAY, leavers: 0.5 }), TODAY)
    assertSafe(
      await night(s.engine(), s.f),
      'somtoday',
      /lost \d+ of \d+ persons \(\d+\.\d%\) since the last used export/,
    )
  })

  test('the wrong school year (peilschooljaar VOLGEND in November)', async () => {
    const s = await school()
    assertSafe(
      await night(s.engine(somtoday({ peilschooljaar: 'VOLGEND' })), s.f),
      'somtoday',
      /lost \d+ of \d+ persons|no persons at all/,
    )
  })

  test('the creeping shrink: 5 % a night is stopped on the third night, before it disables anything', async () => {
    const s = await school()
    let current: SimBoard = board
    const nights: Night[] = []
    for (const [i, day] of ['2026-11-24', '2026-11-25', '2026-11-26'].entries()) {
      current = applyChurn(current, { seed: `creep-${i}`, today: day, leavers: 0.05 })
      sim.setBoard(current, day)
      const clocked: Engine = {
        ...s.engine(somtoday({}, 'koppel-secret', day)),
        now: () => new Date(`${day}T06:00:00Z`),
      }
      nights.push(await night(clocked, s.f, day))
    }
    assert.deepEqual(
      nights.map((n) => n.refused),
      [false, false, true],
      nights.map((n) => n.reason).join(' | '),
    )
    assertSafe(nights[2] as Night, 'somtoday', /since its largest export of the last 7 days/)
  })
})
