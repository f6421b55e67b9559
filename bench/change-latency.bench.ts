// A pupil's class change, end to end through `koppel serve`'s change path: a OneRoster 1.2 CSV delta package is
// dropped into the watched export folder; measured until the pupil's new class (departmentNumber) is committed in
// a real slapd. One change at a time, each a different pupil, after a full first run. Prints p50/p95/max and the
// goal (p95 ≤ 5 s); asserts nothing. The folder settles 500 ms before it is read (serve's default), which is in
// every figure.
// With `somtoday` as third argument the pupil moves to another stamgroep in the Somtoday ConnectAPI simulator
// instead, and a bearer-authenticated `POST /hooks/school` names the leerling (Somtoday sends no change events of
// its own: its OpenAPI marks /events as not implemented), measured from the POST to the commit in slapd.
// With `rest` the pupil's homeroom enrollment changes in the OneRoster 1.2 REST simulator (its dateLastModified
// moves on) and `serve.poll` finds it by the spec's `dateLastModified>` filter, measured from the change in the
// service to the commit in slapd; the poll interval (the config minimum `everySeconds: 1`, 2 requests a poll when
// nothing changed, or `pollMs` as fifth argument) is in every figure.
// Usage: node bench/change-latency.bench.ts [changes=100] [persons=600] [csv|somtoday|rest] [pollMs]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard, writeOneRosterCsv, type SimBoard } from '@koppel/sim/generator'
import { startOneRosterRestSim, type OneRosterRestSim } from '@koppel/sim/oneroster-rest'
import { DEFAULT_CLIENT, startSomtodaySim, type SomtodaySim } from '@koppel/sim/somtoday'
import { Client, EqualityFilter } from 'ldapts'
import { loadEngine } from '../src/app/load-engine.ts'
import type { RunLog } from '../src/app/unattended-run.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { startServe } from '../src/serve/serve.ts'
import { toIsoDate } from '../src/util/dates.ts'
import { startSlapd } from '../test/harness/slapd.ts'
import { keepBulk, movablePupils, writeClassChangeDelta } from '../test/support/oneroster-delta.ts'

const changes = Number(process.argv[2] ?? 100)
const persons = Number(process.argv[3] ?? 600)
const via = process.argv[4] === 'somtoday' || process.argv[4] === 'rest' ? process.argv[4] : 'csv'
const pollMs = process.argv[5] !== undefined ? Number(process.argv[5]) : undefined
const REST_SECRET = 'bench-oneroster-secret'
const VIA: Record<typeof via, string> = {
  csv: 'a OneRoster CSV delta',
  somtoday: 'the Somtoday simulator and a change webhook',
  rest: `the OneRoster REST simulator polled every ${pollMs !== undefined ? `${pollMs} ms` : '1 s (the config minimum)'}`,
}

const quiet: RunLog = {
  info: () => {},
  warn: () => {},
  error: (f, m) => console.error(m, f),
  child: () => quiet,
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

/** Each pupil with its stamgroep and another stamgroep of the same location. */
function stamgroepMoves(board: SimBoard): { user: string; from: string; to: string }[] {
  const found: { user: string; from: string; to: string }[] = []
  for (const chunk of board.chunks()) {
    const stamgroepen = chunk.groups.filter((g) => g.kind === 'stamgroep')
    for (const p of chunk.pupils) {
      const other = stamgroepen.find((g) => g.locationId === p.locationId && g.id !== p.stamgroepId)
      if (other !== undefined) found.push({ user: p.id, from: p.stamgroepId, to: other.id })
    }
  }
  return found
}

/** The board with some pupils in another stamgroep (the pupil's field and its stamgroep enrolment both). */
function withMoves(board: SimBoard, moved: ReadonlyMap<string, string>): SimBoard {
  return {
    ...board,
    *chunks() {
      for (const chunk of board.chunks()) {
        const from = new Map(
          chunk.pupils.filter((p) => moved.has(p.id)).map((p) => [p.id, p.stamgroepId]),
        )
        yield {
          ...chunk,
          pupils: chunk.pupils.map((p) =>
            moved.has(p.id) ? { ...p, stamgroepId: moved.get(p.id) ?? p.stamgroepId } : p,
          ),
          enrolments: chunk.enrolments.map((e) =>
            e.role === 'pupil' && from.get(e.personId) === e.groupId
              ? { ...e, groupId: moved.get(e.personId) ?? e.groupId }
              : e,
          ),
        }
      }
    },
  }
}

type Ref = { sourcedId: string }

/** Each pupil's homeroom enrollment with another homeroom of the same school. */
function homeroomMoves(
  rest: OneRosterRestSim,
): { user: string; enrollment: string; from: string; to: string }[] {
  const homerooms = rest.data.classes.filter((c) => c['classType'] === 'homeroom')
  const schoolOf = new Map(homerooms.map((c) => [c.sourcedId, (c['school'] as Ref).sourcedId]))
  return rest.data.enrollments.flatMap((e) => {
    const from = (e['class'] as Ref).sourcedId
    const school = schoolOf.get(from)
    if (e['role'] !== 'student' || school === undefined) return []
    const to = homerooms.find((c) => c.sourcedId !== from && schoolOf.get(c.sourcedId) === school)
    return to === undefined
      ? []
      : [{ user: (e['user'] as Ref).sourcedId, enrollment: e.sourcedId, from, to: to.sourcedId }]
  })
}

let sim: SomtodaySim | undefined
let rest: OneRosterRestSim | undefined
const slapd = await startSlapd()
const dir = await mkdtemp(join(tmpdir(), 'koppel-change-latency-'))
try {
  await mkdir(join(dir, 'export'))
  const today = toIsoDate(new Date())
  const board = generateBoard({ seed: 'change-latency', persons, today })
  await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'ldap-password'), `${slapd.adminPassword}\n`, {
    mode: 0o600,
  })
  await writeFile(join(dir, 'secrets', 'hook-token'), 'bench-hook-token-0123456789\n', {
    mode: 0o600,
  })
  await writeFile(
    join(dir, 'secrets', 'somtoday-client-secret'),
    `${DEFAULT_CLIENT.clientSecret}\n`,
    { mode: 0o600 },
  )
  await writeFile(join(dir, 'secrets', 'oneroster'), `${REST_SECRET}\n`, { mode: 0o600 })
  sim = via === 'somtoday' ? await startSomtodaySim({ board, today }) : undefined
  rest =
    via === 'rest'
      ? await startOneRosterRestSim({
          board,
          version: '1.2',
          clientId: 'koppel',
          clientSecret: REST_SECRET,
        })
      : undefined
  const config =
    rest !== undefined
      ? demoConfig(slapd.url).replace(
          '    type: oneroster-csv\n    path: ./export\n',
          `    type: oneroster-rest\n    baseUrl: ${rest.url}\n    tokenUrl: ${rest.tokenUrl}\n    clientId: koppel\n    clientSecret: \${file:./secrets/oneroster}\n`,
        )
      : sim === undefined
        ? demoConfig(slapd.url).replace(
            '    path: ./export\n',
            '    path: ./export\n    deltas: true\n',
          )
        : demoConfig(slapd.url, {
            kind: 'somtoday',
            baseUrl: sim.baseUrl,
            tokenUrl: sim.tokenUrl,
            organisation: sim.instelling.uuid,
          })
  if (rest !== undefined && !config.includes('oneroster-rest')) throw new Error('no REST source')
  const serveYaml =
    rest !== undefined
      ? 'serve:\n  poll:\n    - source: school\n      everySeconds: 1\n'
      : sim === undefined
        ? 'serve:\n  watch:\n    - source: school\n'
        : 'serve:\n  hooks:\n    - source: school\n      bearer: ${file:./secrets/hook-token}\n'
  await writeFile(
    join(dir, 'koppel.yaml'),
    `${config}\nschedules:\n  - name: nightly\n    cron: "0 2 * * *"\n${serveYaml}`,
  )
  const bulk = await keepBulk(join(dir, 'export'))
  const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, { env: {} })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  const loaded = r.loaded
  const serve = await startServe(loaded, {
    log: quiet,
    listen: { host: '127.0.0.1', port: 0 },
    runAtStart: true,
    ...(pollMs !== undefined ? { pollMs } : {}),
  })
  const client = new Client({ url: slapd.url })
  await client.bind(slapd.adminDn, slapd.adminPassword)
  const department = async (user: string): Promise<string> => {
    const filter = new EqualityFilter({ attribute: 'employeeNumber', value: user })
    const { searchEntries } = await client.search(slapd.baseDn, {
      filter,
      attributes: ['departmentNumber'],
    })
    return String(searchEntries[0]?.['departmentNumber'] ?? '')
  }
  try {
    const moves: { user: string; from: string; to: string; enrollment?: string }[] =
      rest !== undefined
        ? homeroomMoves(rest)
        : sim === undefined
          ? await movablePupils(bulk)
          : stamgroepMoves(board)
    const moved = new Map<string, string>()
    while ((await loaded.engine.store.listRuns(1)).length === 0)
      await new Promise((res) => setTimeout(res, 50))
    const latencies: number[] = []
    for (let i = 0; i < changes; i++) {
      const move = moves[i % moves.length]
      if (move === undefined) throw new Error('no pupil to move')
      const before = await department(move.user)
      const t0 = performance.now()
      if (rest !== undefined && move.enrollment !== undefined) {
        // back and forth: the second change of a pupil returns her to her own homeroom
        const to = moved.get(move.user) === move.to ? move.from : move.to
        moved.set(move.user, to)
        const id = move.enrollment
        const e = rest.data.enrollments.find((x) => x.sourcedId === id)
        rest.modify(
          'enrollments',
          id,
          { class: { ...(e?.['class'] as object), sourcedId: to } },
          new Date().toISOString(),
        )
      } else if (sim === undefined)
        await writeClassChangeDelta(bulk, join(dir, 'export'), move, new Date().toISOString())
      else {
        moved.set(move.user, moved.get(move.user) === move.to ? move.from : move.to)
        sim.setBoard(withMoves(board, moved), today)
        const res = await fetch(`http://127.0.0.1:${serve.port}/hooks/school`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer bench-hook-token-0123456789',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ ids: [move.user] }),
        })
        if (res.status !== 202) throw new Error(`the hook answered ${res.status}`)
      }
      const deadline = t0 + 60_000
      while ((await department(move.user)) === before) {
        if (performance.now() > deadline)
          throw new Error(`change ${i} of ${move.user} not committed within 60 s`)
        await new Promise((res) => setTimeout(res, 10))
      }
      latencies.push(performance.now() - t0)
      await serve.changes.idle()
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
    console.log(`class changes through ${VIA[via]} → slapd, ${changes} changes, ${persons} persons`)
    console.log(
      `p50 ${s(percentile(sorted, 50))}  p95 ${s(percentile(sorted, 95))}  max ${s(sorted.at(-1) ?? NaN)}  (goal: p95 ≤ 5 s)`,
    )
  } finally {
    await client.unbind()
    await serve.stop('bench done')
    await loaded.close()
  }
} finally {
  await sim?.close()
  await rest?.close()
  await slapd.stop()
  await rm(dir, { recursive: true, force: true })
}
