// `koppel serve` polls a OneRoster REST service for changed records (issue 15 item 3): the OneRoster 1.2 REST
// filter `dateLastModified>'…'` on users and enrollments (the simulator implements the filter per the spec),
// and the users it names are planned alone and applied through the same change queue as the webhooks'.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client, EqualityFilter } from 'ldapts'
import { generateBoard } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { startOneRosterRestSim, type OneRosterRestSim } from '@koppel/sim/oneroster-rest'
import { loadEngine } from '../src/app/load-engine.ts'
import type { RunLog } from '../src/app/unattended-run.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { CHANGE_OVERLAP_MS } from '../src/connectors/oneroster-rest/oneroster-rest-connector.ts'
import { startServe } from '../src/serve/serve.ts'

const DAY = '2026-11-23'
const SECRET = 'or-client-secret-0123'

interface Line {
  readonly msg: string
  readonly [field: string]: unknown
}

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

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

type Ref = { sourcedId: string }

/** The filter of a poll from `marker`: it reaches CHANGE_OVERLAP_MS further back (late commits, skewed servers). */
function askedFrom(marker: string): string {
  return `dateLastModified>'${new Date(Date.parse(marker) - CHANGE_OVERLAP_MS).toISOString()}'`
}

describe('koppel serve polls OneRoster REST for changes', () => {
  let ldap: RunningLdapServer
  let sim: OneRosterRestSim
  let dir = ''
  before(async () => {
    ldap = await startLdapServer({ adminPassword: 'ldap-admin-pw' })
    sim = await startOneRosterRestSim({
      board: generateBoard({ seed: 'serve-poll', persons: 60, schools: 1, today: DAY }),
      version: '1.2',
      clientId: 'koppel',
      clientSecret: SECRET,
    })
    dir = await mkdtemp(join(tmpdir(), 'koppel-serve-poll-'))
    await mkdir(join(dir, 'secrets'))
    await writeFile(join(dir, 'secrets', 'ldap-password'), 'ldap-admin-pw\n', { mode: 0o600 })
    await writeFile(join(dir, 'secrets', 'oneroster'), `${SECRET}\n`, { mode: 0o600 })
    const source = `    type: oneroster-rest\n    baseUrl: ${sim.url}\n    tokenUrl: ${sim.tokenUrl}\n    clientId: koppel\n    clientSecret: \${file:./secrets/oneroster}\n`
    const config = demoConfig(ldap.url).replace(
      '    type: oneroster-csv\n    path: ./export\n',
      source,
    )
    assert.match(config, /oneroster-rest/)
    await writeFile(
      join(dir, 'koppel.yaml'),
      `${config}schedules:\n  - name: nightly\n    cron: "0 2 * * *"\nserve:\n  poll:\n    - source: school\n      everySeconds: 5\n`,
    )
  })
  after(async () => {
    await sim?.close()
    await ldap?.stop()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  test('a class change in the service is applied within seconds, planning that pupil alone; the cursor moves on', async (t) => {
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      env: {},
      now: () => new Date(`${DAY}T09:00:00Z`),
    })
    if (!r.ok) assert.fail(r.errors.join('\n'))
    const loaded = r.loaded
    const lines: Line[] = []
    const serve = await startServe(loaded, {
      log: captureLog(lines),
      listen: false,
      maxSleepMs: 20,
      runAtStart: true,
      pollMs: 100,
    })
    try {
      await until('the first full run', () => lines.some((l) => l.msg === 'schedule finished'))
      const polls = sim.filters.length
      await new Promise((res) => setTimeout(res, 400))
      assert.ok(sim.filters.length > polls, 'asked again and again')
      assert.equal(
        lines.filter((l) => l.msg === 'change run started').length,
        0,
        'nothing changed: no change run',
      )

      // a pupil moves to another homeroom of the school: the service changes the enrollment's class
      const homerooms = new Set(
        sim.data.classes.filter((c) => c['classType'] === 'homeroom').map((c) => c.sourcedId),
      )
      const moved = sim.data.enrollments.find(
        (e) => e['role'] === 'student' && homerooms.has((e['class'] as Ref).sourcedId),
      )
      assert.ok(moved !== undefined)
      const pupil = (moved['user'] as Ref).sourcedId
      const to = [...homerooms].find((c) => c !== (moved['class'] as Ref).sourcedId) ?? ''
      const departmentOf = async (): Promise<string> => {
        const c = new Client({ url: ldap.url })
        try {
          await c.bind('cn=admin,dc=school,dc=test', 'ldap-admin-pw')
          const { searchEntries } = await c.search('dc=school,dc=test', {
            filter: new EqualityFilter({ attribute: 'employeeNumber', value: pupil }),
            attributes: ['departmentNumber'],
          })
          return String(searchEntries[0]?.['departmentNumber'] ?? '')
        } finally {
          await c.unbind()
        }
      }
      const before = await departmentOf()
      sim.modify(
        'enrollments',
        moved.sourcedId,
        { class: { ...(moved['class'] as object), sourcedId: to } },
        `${DAY}T09:05:00.000Z`,
      )
      const changedAt = performance.now()
      await until('the change run', () => lines.some((l) => l.msg === 'change run finished'))
      t.diagnostic(
        `class change: ${Math.round(performance.now() - changedAt)} ms from the change in the service to the change run's end (polled every 100 ms)`,
      )
      const outcomes = lines.find((l) => l.msg === 'change run finished')?.['outcomes'] as {
        kind: string
        planId: string
      }[]
      assert.equal(outcomes.at(-1)?.kind, 'completed', JSON.stringify(outcomes))
      const plan = await loaded.engine.store.getPlan(outcomes.at(-1)?.planId ?? '')
      assert.deepEqual(
        [...new Set(plan?.actions.map((a) => a.person))],
        [pupil],
        'only the changed pupil is planned',
      )
      assert.match(plan?.inputs['scope'] ?? '', /^changed:/)
      const title = sim.data.classes.find((c) => c.sourcedId === to)?.['title']
      const after = await departmentOf()
      assert.notEqual(after, before)
      assert.ok(after.endsWith(`-${String(title)}`), `${before} → ${after}, class ${String(title)}`)
      assert.ok(
        sim.filters.includes(askedFrom(`${DAY}T00:00:00.000Z`)),
        sim.filters.slice(-3).join(' | '),
      )
      // the cursor is now the change's time (asked with the overlap): the same change is not planned again
      await until('a poll from the new cursor', () =>
        sim.filters.includes(askedFrom(`${DAY}T09:05:00.000Z`)),
      )
      await new Promise((res) => setTimeout(res, 400))
      assert.equal(lines.filter((l) => l.msg === 'change run started').length, 1)
    } finally {
      await serve.stop('test')
      await loaded.close()
    }
  })

  test('the marker is kept in the store: a change made while serve was down is applied by the first poll after a restart', async (t) => {
    const start = async () => {
      const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
        env: {},
        now: () => new Date(`${DAY}T09:30:00Z`),
      })
      if (!r.ok) assert.fail(r.errors.join('\n'))
      const lines: Line[] = []
      // no run at start and the nightly far away: only the poll can find the change
      const serve = await startServe(r.loaded, {
        log: captureLog(lines),
        listen: false,
        maxSleepMs: 20,
        pollMs: 100,
      })
      return { loaded: r.loaded, serve, lines }
    }
    const first = await start()
    let kept: string | undefined
    try {
      await first.serve.changes.idle()
      kept = await first.loaded.engine.store.changeMarker('school')
      assert.ok(kept !== undefined, 'the marker is in the store')
    } finally {
      await first.serve.stop('test')
      await first.loaded.close()
    }

    // serve is down: a pupil changes homeroom in the service (after the kept marker, by the service's clock)
    const homerooms = new Set(
      sim.data.classes.filter((c) => c['classType'] === 'homeroom').map((c) => c.sourcedId),
    )
    const moved = sim.data.enrollments.find(
      (e) =>
        e['role'] === 'student' &&
        homerooms.has((e['class'] as Ref).sourcedId) &&
        String(e['dateLastModified'] ?? '') < kept,
    )
    assert.ok(moved !== undefined)
    const pupil = (moved['user'] as Ref).sourcedId
    const to = [...homerooms].find((c) => c !== (moved['class'] as Ref).sourcedId) ?? ''
    sim.modify(
      'enrollments',
      moved.sourcedId,
      { class: { ...(moved['class'] as object), sourcedId: to } },
      `${DAY}T09:20:00.000Z`,
    )

    const second = await start()
    try {
      await until('the change run after the restart', () =>
        second.lines.some((l) => l.msg === 'change run finished'),
      )
      const outcomes = second.lines.find((l) => l.msg === 'change run finished')?.['outcomes'] as {
        kind: string
        planId: string
      }[]
      assert.equal(outcomes.at(-1)?.kind, 'completed', JSON.stringify(outcomes))
      const plan = await second.loaded.engine.store.getPlan(outcomes.at(-1)?.planId ?? '')
      assert.deepEqual([...new Set(plan?.actions.map((a) => a.person))], [pupil])
      const marker = kept.split(' ')[0] ?? ''
      assert.ok(
        sim.filters.includes(askedFrom(marker)),
        `asked from the kept marker ${kept}: ${sim.filters.slice(-3).join(' | ')}`,
      )
      // once the change was run, its marker is the one kept
      const store = second.loaded.engine.store
      let now: string | undefined
      const end = Date.now() + 10_000
      while (!(now = await store.changeMarker('school'))?.startsWith(`${DAY}T09:20:00.000Z`)) {
        if (Date.now() > end) assert.fail(`the marker stayed ${String(now)}`)
        await new Promise((res) => setTimeout(res, 25))
      }
      t.diagnostic(`asked from the kept marker ${kept}; kept ${now} after the change run`)
    } finally {
      await second.serve.stop('test')
      await second.loaded.close()
    }
  })

  test('a source that cannot say what changed is refused at start, naming the entry', async () => {
    const csvDir = join(dir, 'csv')
    await mkdir(join(csvDir, 'secrets'), { recursive: true })
    await writeFile(join(csvDir, 'secrets', 'ldap-password'), 'ldap-admin-pw\n', { mode: 0o600 })
    await writeFile(
      join(csvDir, 'koppel.yaml'),
      `${demoConfig(ldap.url)}serve:\n  poll:\n    - source: school\n`,
    )
    const r = await loadEngine(join(csvDir, 'koppel.yaml'), connectorDefinitions, {
      env: {},
      now: () => new Date(`${DAY}T09:00:00Z`),
    })
    if (!r.ok) assert.fail(r.errors.join('\n'))
    try {
      await assert.rejects(
        startServe(r.loaded, { log: captureLog([]), listen: false }),
        /serve\.poll\[0\]\.source: "school" is oneroster-csv, which cannot say which records changed/,
      )
    } finally {
      await r.loaded.close()
    }
  })
})
