// `koppel serve` in-process (issue 15 item 2) on an injected clock against a real slapd: the nightly schedule
// runs at its time and not before, a stop mid-apply leaves the plan to resume and a restart finishes it
// without a duplicate, a blocked plan is notified once and never applied, and two serve processes sharing a
// store run one tick once.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client, EqualityFilter } from 'ldapts'
import { loadEngine, type LoadedEngine } from '../src/app/load-engine.ts'
import type { RunLog } from '../src/app/unattended-run.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { startServe } from '../src/serve/serve.ts'
import { approvePlan } from '../src/engine/index.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { postgresSkipReason, startPostgres } from './harness/postgres.ts'
import { dropHalfThePupils, rewriteCsv } from './support/oneroster-export.ts'
import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { signWebhook } from '../src/notify/run-webhook.ts'
import { keepBulk, movablePupils, writeClassChangeDelta } from './support/oneroster-delta.ts'

const skip = slapdSkipReason()
const DAY = '2026-11-23'

/** The engine's clock: a test moves `at`; each reading moves on a millisecond so orderings hold. */
class Clock {
  at: number
  #tick = 0
  constructor(iso: string) {
    this.at = Date.parse(iso)
  }
  readonly now = (): Date => new Date(this.at + this.#tick++)
  set(iso: string): void {
    this.at = Date.parse(iso)
  }
}

interface Line {
  readonly level: string
  readonly msg: string
  readonly [field: string]: unknown
}

/** A RunLog keeping every line with the bindings of its child loggers, as pino writes them. */
function captureLog(lines: Line[], bindings: Record<string, unknown> = {}): RunLog {
  const write = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ ...bindings, ...fields, level, msg })
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (b) => captureLog(lines, { ...bindings, ...b }),
  }
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function people(s: Slapd): Promise<string[]> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    const { searchEntries } = await c.search(s.baseDn, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['employeeNumber'],
      paged: { pageSize: 500 },
    })
    return searchEntries.map((e) => String(e['employeeNumber']))
  } finally {
    await c.unbind()
  }
}

async function entriesBelow(s: Slapd, base: string): Promise<number> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    return (await c.search(base, { scope: 'one', attributes: ['1.1'] })).searchEntries.length
  } finally {
    await c.unbind()
  }
}

async function departmentOf(s: Slapd, employeeNumber: string): Promise<string> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    const { searchEntries } = await c.search(s.baseDn, {
      filter: new EqualityFilter({ attribute: 'employeeNumber', value: employeeNumber }),
      attributes: ['departmentNumber'],
    })
    return String(searchEntries[0]?.['departmentNumber'] ?? '')
  } finally {
    await c.unbind()
  }
}

async function workspace(s: Slapd, persons: number, extra: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-serve-'))
  await mkdir(join(dir, 'export'))
  const board = generateBoard({ seed: `serve-${persons}`, persons, today: DAY })
  await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'ldap-password'), `${s.adminPassword}\n`, { mode: 0o600 })
  const config = demoConfig(s.url).replace(
    '    lifecycle:\n',
    '    apply:\n      concurrency: 1\n    lifecycle:\n',
  )
  await writeFile(
    join(dir, 'koppel.yaml'),
    `${config}\nschedules:\n  - name: nightly\n    cron: "0 2 * * *"\n    timezone: UTC\n${extra}`,
  )
  return dir
}

async function open(dir: string, clock: Clock): Promise<LoadedEngine> {
  const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
    env: {},
    now: clock.now,
  })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  return r.loaded
}

describe('koppel serve', { skip: skip ?? false }, () => {
  let slapd: Slapd
  const cleanup: (() => Promise<void>)[] = []
  before(async () => {
    slapd = await startSlapd()
  })
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {})
    await slapd?.stop()
  })

  async function fresh(): Promise<void> {
    const c = new Client({ url: slapd.url })
    try {
      await c.bind(slapd.adminDn, slapd.adminPassword)
      for (const base of [slapd.peopleDn, slapd.groupsDn, `ou=disabled,${slapd.baseDn}`]) {
        const { searchEntries } = await c
          .search(base, { scope: 'one', attributes: ['1.1'] })
          .catch(() => ({ searchEntries: [] }))
        for (const e of searchEntries) await c.del(e.dn)
      }
      // where the demo config moves disabled accounts
      await c
        .add(`ou=disabled,${slapd.baseDn}`, { objectClass: 'organizationalUnit', ou: 'disabled' })
        .catch(() => {})
    } finally {
      await c.unbind()
    }
  }

  test('runs the nightly schedule at 02:00 on the injected clock, not before; /healthz and /readyz answer', async () => {
    await fresh()
    const dir = await workspace(slapd, 60, '')
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const clock = new Clock(`${DAY}T01:59:00Z`)
    const loaded = await open(dir, clock)
    const lines: Line[] = []
    const serve = await startServe(loaded, {
      log: captureLog(lines),
      listen: { host: '127.0.0.1', port: 0 },
      maxSleepMs: 20,
    })
    try {
      const health = await fetch(`http://127.0.0.1:${serve.port}/healthz`)
      assert.equal(health.status, 200)
      const ready = (await (await fetch(`http://127.0.0.1:${serve.port}/readyz`)).json()) as {
        ok: boolean
        schedules: { name: string; next: string }[]
      }
      assert.deepEqual(
        ready.schedules.map((s) => [s.name, s.next]),
        [['nightly', `${DAY}T02:00:00.000Z`]],
      )
      await new Promise((r) => setTimeout(r, 200))
      assert.equal((await loaded.engine.store.listRuns(5)).length, 0, 'nothing runs before 02:00')
      clock.set(`${DAY}T02:00:00Z`)
      await until(
        'the nightly run',
        async () => (await loaded.engine.store.listRuns(5)).length === 1,
      )
      const accounts = await people(slapd)
      assert.ok(accounts.length > 30, `accounts made: ${accounts.length}`)
      assert.equal(new Set(accounts).size, accounts.length)
      await until('the schedule to finish', () => lines.some((l) => l.msg === 'schedule finished'))
      const planned = lines.find((l) => l.msg === 'planned')
      assert.equal(planned?.['schedule'], 'nightly')
      assert.match(String(planned?.['planId']), /^plan-/)
      const applied = lines.find((l) => l.msg === 'applied')
      assert.match(String(applied?.['runId']), /^run-/)
      assert.equal(applied?.['planId'], planned?.['planId'], 'the run line names its plan')
      assert.equal(serve.scheduler.states()[0]?.next, '2026-11-24T02:00:00.000Z')
    } finally {
      await serve.stop('test')
      await loaded.close()
    }
    const stopped = await fetch(`http://127.0.0.1:${serve.port}/healthz`).then(
      () => 'answered',
      () => 'closed',
    )
    assert.equal(stopped, 'closed', 'the listener is closed after stop')
  })

  test('a stop mid-apply finishes the action in flight and leaves the plan to resume; a restart completes it without duplicates', async () => {
    await fresh()
    const dir = await workspace(slapd, 300, '')
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const clock = new Clock(`${DAY}T02:00:00Z`)
    const first = await open(dir, clock)
    const lines: Line[] = []
    const serve = await startServe(first, {
      log: captureLog(lines),
      listen: false,
      maxSleepMs: 20,
      runAtStart: true,
    })
    try {
      await until(
        'the apply to be under way',
        async () =>
          (await first.engine.store.listAudit({ kind: 'action.applied', limit: 20 })).length >= 20,
      )
    } finally {
      await serve.stop('SIGTERM')
    }
    const stoppedAt = (await people(slapd)).length
    const [plan] = await first.engine.store.listPlanStatuses(1)
    assert.equal(plan?.status, 'applying', 'a stopped apply is left for the next start to resume')
    const [run] = await first.engine.store.listRuns(1)
    assert.match(run?.messages.join('\n') ?? '', /stopped before the end \(SIGTERM\)/)
    const journaled = (await first.engine.store.journalFor(plan?.id ?? '')).filter(
      (e) => e.phase === 'applied',
    ).length
    await first.close()
    assert.ok(stoppedAt > 0 && stoppedAt < 300, `stopped mid-apply with ${stoppedAt} accounts`)
    assert.ok(journaled >= stoppedAt, 'every account in the directory is journaled as applied')

    const second = await open(dir, clock)
    const again: Line[] = []
    const restarted = await startServe(second, {
      log: captureLog(again),
      listen: false,
      maxSleepMs: 20,
    })
    try {
      assert.equal(
        await second.engine.store.planStatus(plan?.id ?? ''),
        'applied',
        'resumed at start, before any tick',
      )
      const accounts = await people(slapd)
      assert.equal(new Set(accounts).size, accounts.length, 'no person twice')
      const creates = (
        await second.engine.store.listAudit({
          kind: 'action.applied',
          planId: plan?.id ?? '',
          limit: 10_000,
        })
      ).map((e) => e.actionId)
      assert.equal(new Set(creates).size, creates.length, 'no action applied twice')
      assert.ok(
        again.some((l) => l.msg === 'resuming an interrupted apply' && l['planId'] === plan?.id),
      )
    } finally {
      await restarted.stop('test')
      await second.close()
    }
  })

  test('a blocked plan is not applied and is notified once while it waits', async () => {
    await fresh()
    const posts: { outcome: string; planId?: string }[] = []
    const hook: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        const json = JSON.parse(body) as { outcome: string; plan?: { id: string } }
        posts.push({
          outcome: json.outcome,
          ...(json.plan !== undefined ? { planId: json.plan.id } : {}),
        })
        res.end('ok')
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    cleanup.push(() => new Promise((r) => hook.close(() => r())))
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/koppel`
    const dir = await workspace(
      slapd,
      60,
      `notify:\n  webhook:\n    url: ${url}\n    secret: \${file:./secrets/hook}\n    when: [completed, blocked, failed]\n`,
    )
    await writeFile(join(dir, 'secrets', 'hook'), 'a-webhook-signing-key-of-some-length\n', {
      mode: 0o600,
    })
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const clock = new Clock(`${DAY}T01:59:59Z`)
    const loaded = await open(dir, clock)
    const lines: Line[] = []
    const serve = await startServe(loaded, {
      log: captureLog(lines),
      listen: false,
      maxSleepMs: 20,
      approvalPollMs: 50,
    })
    try {
      clock.set(`${DAY}T02:00:00Z`)
      await until('the first night', () => posts.length === 1)
      assert.equal(posts[0]?.outcome, 'completed')
      const before = (await people(slapd)).length
      await dropHalfThePupils(join(dir, 'export'))
      for (const night of ['2026-11-24', '2026-11-25']) {
        clock.set(`${night}T02:00:00Z`)
        await until(
          `the night of ${night}`,
          () =>
            lines.filter((l) => l.msg === 'schedule finished').length ===
            (night === '2026-11-24' ? 2 : 3),
        )
      }
      assert.deepEqual(
        posts.map((p) => p.outcome),
        ['completed', 'blocked'],
        'notified once: the second night has the same findings',
      )
      const blocked = lines.filter(
        (l) => typeof l.msg === 'string' && l.msg.startsWith('blocked by the guard'),
      )
      assert.equal(blocked.length, 2)
      assert.equal(await loaded.engine.store.planStatus(String(blocked[0]?.['planId'])), 'blocked')
      const c = new Client({ url: slapd.url })
      try {
        await c.bind(slapd.adminDn, slapd.adminPassword)
        const { searchEntries } = await c.search(`ou=disabled,${slapd.baseDn}`, {
          scope: 'one',
          attributes: ['1.1'],
        })
        assert.equal(searchEntries.length, 0, 'nothing disabled')
      } finally {
        await c.unbind()
      }
      assert.equal((await people(slapd)).length, before)
      assert.equal(
        (await loaded.engine.store.listRuns(10)).length,
        1,
        'no apply after the first night',
      )
      // the admin approves in another process; serve applies the approved work without waiting for the night
      const waiting = String(blocked[1]?.['planId'])
      assert.deepEqual(
        await approvePlan(
          loaded.engine,
          waiting,
          'admin',
          'the school really lost half its pupils',
        ),
        { ok: true },
      )
      await until(
        'the approved work to be applied',
        async () => (await loaded.engine.store.listRuns(10)).length === 2,
      )
      const [applied] = await loaded.engine.store.listRuns(1)
      // the approved snapshot is the baseline now, so the work is planned again without the source finding (another
      // id) and carries the approval (carry-approval.ts)
      const plan = await loaded.engine.store.getPlan(applied?.planId ?? '')
      assert.match(plan?.notes.join('\n') ?? '', new RegExp(`approved as ${waiting}`))
      assert.equal(plan?.status, 'applied')
      const disabled = await entriesBelow(slapd, `ou=disabled,${slapd.baseDn}`)
      assert.ok(disabled > 0, 'the approved disables were applied')
      assert.ok(lines.some((l) => l.msg === 'an approved plan waits: a run applies its work now'))
    } finally {
      await serve.stop('test')
      await loaded.close()
    }
  })

  test('the change webhook plans and applies only the records it names, at once; a bad signature or token is refused', async () => {
    await fresh()
    const dir = await workspace(
      slapd,
      60,
      'serve:\n  hooks:\n    - source: school\n      hmac: ${file:./secrets/hook}\n',
    )
    await writeFile(join(dir, 'secrets', 'hook'), 'hook-key-0123456789abcdef\n', { mode: 0o600 })
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const clock = new Clock(`${DAY}T09:00:00Z`)
    const loaded = await open(dir, clock)
    const lines: Line[] = []
    const serve = await startServe(loaded, {
      log: captureLog(lines),
      listen: { host: '127.0.0.1', port: 0 },
      maxSleepMs: 20,
      runAtStart: true,
    })
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${serve.port}/hooks/school`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      })
    const signed = (body: string, key = 'hook-key-0123456789abcdef') => {
      const ts = String(Math.floor(clock.now().getTime() / 1000))
      return { 'x-koppel-timestamp': ts, 'x-koppel-signature': signWebhook(key, ts, body) }
    }
    try {
      await until('the first full run', () => lines.some((l) => l.msg === 'schedule finished'))
      const users = parse(await readFile(join(dir, 'export', 'users.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[]
      const pupils = users
        .filter((u) => u['role'] === 'student' || u['roles']?.includes('student'))
        .slice(0, 2)
      const [named, other] = pupils.length === 2 ? pupils : users.slice(0, 2)
      const renamed = new Set([named?.['sourcedId'], other?.['sourcedId']])
      await rewriteCsv(
        join(dir, 'export', 'users.csv'),
        () => true,
        (r) =>
          renamed.has(r['sourcedId']) ? { ...r, familyName: `${r['familyName'] ?? ''}-Nieuw` } : r,
      )
      const body = JSON.stringify({ ids: [named?.['sourcedId']] })

      const forged = await post(body, signed(body, 'another-key-0123456789abcdef'))
      assert.equal(forged.status, 401)
      const stale = await post(body, {
        'x-koppel-timestamp': String(Math.floor(clock.now().getTime() / 1000) - 3600),
        'x-koppel-signature': signed(body)['x-koppel-signature'],
      })
      assert.equal(stale.status, 401)
      const unsigned = await post(body, {})
      assert.equal(unsigned.status, 401)
      assert.ok(
        lines.some((l) => l.msg === 'change hook refused' && l['problem'] === 'bad signature'),
      )
      const badBody = await post('{"ids": ["has space"]}', signed('{"ids": ["has space"]}'))
      assert.equal(
        badBody.status,
        400,
        JSON.stringify(lines.filter((l) => l.msg === 'change hook refused')),
      )
      assert.match(((await badBody.json()) as { problem: string }).problem, /^ids\[0\]: /)
      assert.equal(
        lines.filter((l) => l.msg === 'change run started').length,
        0,
        'nothing refused reached the queue',
      )

      const started = Date.now()
      const ok = await post(body, signed(body))
      assert.equal(ok.status, 202)
      await until('the change run', () => lines.some((l) => l.msg === 'change run finished'))
      const ms = Date.now() - started
      const change = lines.find((l) => l.msg === 'change run finished')
      const outcomes = change?.['outcomes'] as { kind: string; planId: string }[]
      assert.equal(outcomes.at(-1)?.kind, 'completed', JSON.stringify(outcomes))
      const plan = await loaded.engine.store.getPlan(outcomes.at(-1)?.planId ?? '')
      assert.ok(plan !== undefined && plan.actions.length > 0)
      assert.deepEqual(
        [...new Set(plan.actions.map((a) => a.person))],
        [named?.['sourcedId']],
        'only the named record is planned',
      )
      assert.match(plan.inputs['scope'] ?? '', /^changed:/)
      assert.ok(ms < 10_000, `applied ${ms} ms after the POST`)
    } finally {
      await serve.stop('test')
      await loaded.close()
    }
  })

  test('a OneRoster delta dropped in the watched folder moves the pupil to the new class at once, planning that pupil alone', async () => {
    await fresh()
    const dir = await workspace(slapd, 60, 'serve:\n  watch:\n    - source: school\n')
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const yaml = await readFile(join(dir, 'koppel.yaml'), 'utf8')
    await writeFile(
      join(dir, 'koppel.yaml'),
      yaml.replace('    path: ./export\n', '    path: ./export\n    deltas: true\n'),
    )
    const bulk = await keepBulk(join(dir, 'export'))
    cleanup.push(() => rm(bulk, { recursive: true, force: true }))
    const clock = new Clock(`${DAY}T09:00:00Z`)
    const loaded = await open(dir, clock)
    const lines: Line[] = []
    const serve = await startServe(loaded, {
      log: captureLog(lines),
      listen: false,
      maxSleepMs: 20,
      runAtStart: true,
      settleMs: 200,
    })
    try {
      await until('the first full run', () => lines.some((l) => l.msg === 'schedule finished'))
      const [move] = await movablePupils(bulk)
      assert.ok(move !== undefined)
      const before = await departmentOf(slapd, move.user)
      await writeClassChangeDelta(bulk, join(dir, 'export'), move, `${DAY}T09:05:00.000Z`)
      await until('the change run', () => lines.some((l) => l.msg === 'change run finished'))
      const change = lines.find((l) => l.msg === 'change run finished')
      const outcomes = change?.['outcomes'] as { kind: string; planId: string }[]
      assert.equal(outcomes.at(-1)?.kind, 'completed', JSON.stringify(outcomes))
      const plan = await loaded.engine.store.getPlan(outcomes.at(-1)?.planId ?? '')
      assert.deepEqual([...new Set(plan?.actions.map((a) => a.person))], [move.user])
      const after = await departmentOf(slapd, move.user)
      assert.notEqual(after, before, `departmentNumber ${before} → ${after}`)
      assert.ok(
        lines.some(
          (l) => l.msg === 'delta export: planning the records it names' && l['ids'] === 1,
        ),
      )
    } finally {
      await serve.stop('test')
      await loaded.close()
    }
  })

  for (const kind of ['sqlite', 'postgres'] as const) {
    test(
      `two serve processes on one ${kind} store run a tick once`,
      { skip: kind === 'postgres' ? (postgresSkipReason() ?? false) : false },
      async () => {
        await fresh()
        const pg = kind === 'postgres' ? await startPostgres() : undefined
        if (pg !== undefined) cleanup.push(() => pg.stop())
        const dir = await workspace(slapd, 50, '')
        cleanup.push(() => rm(dir, { recursive: true, force: true }))
        if (pg !== undefined) {
          const yaml = await readFile(join(dir, 'koppel.yaml'), 'utf8')
          await writeFile(
            join(dir, 'koppel.yaml'),
            yaml.replace(
              'store:\n  kind: sqlite\n  path: ./data/koppel.db\n',
              `store:\n  kind: postgres\n  url: ${pg.url}\n`,
            ),
          )
        }
        const clock = new Clock(`${DAY}T01:59:59Z`)
        const a = await open(dir, clock)
        const b = await open(dir, clock)
        assert.equal(a.engine.store.dialect, kind)
        const lines: Line[] = []
        const serveA = await startServe(a, {
          log: captureLog(lines, { serve: 'a' }),
          listen: false,
          maxSleepMs: 20,
        })
        const serveB = await startServe(b, {
          log: captureLog(lines, { serve: 'b' }),
          listen: false,
          maxSleepMs: 20,
        })
        try {
          clock.set(`${DAY}T02:00:00Z`)
          await until(
            'both to see the tick',
            () =>
              lines.filter((l) => l.msg === 'schedule finished' || l.msg.startsWith('skipped'))
                .length === 2,
          )
          const ran = lines.filter((l) => l.msg === 'schedule started').map((l) => l['serve'])
          const skipped = lines.filter((l) => l.msg.startsWith('skipped')).map((l) => l['serve'])
          assert.equal(ran.length, 1)
          assert.equal(skipped.length, 1)
          assert.notEqual(ran[0], skipped[0])
          assert.equal((await a.engine.store.listRuns(5)).length, 1)
        } finally {
          await serveA.stop('test')
          await serveB.stop('test')
          await a.close()
          await b.close()
        }
      },
    )
  }
})
