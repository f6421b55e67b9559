// The OneRoster REST source against the OneRoster REST simulator: same persons and groups as the OneRoster CSV
// connector for the same board (1.2 and 1.1), paging, OAuth2 (bad secret, 401 mid-paging → one re-auth),
// 429/5xx/timeouts, malformed records, and deltas through the dateLastModified filter.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  oneRosterCsvConnector,
  oneRosterCsvOptions,
} from '../src/connectors/oneroster-csv/index.ts'
import {
  oneRosterRestConnector,
  oneRosterRestOptions,
} from '../src/connectors/oneroster-rest/index.ts'
import { applyDelta } from '../src/engine/apply-delta.ts'
import type { Person, SourceReadResult, SourceSnapshot } from '../src/model/index.ts'
import { generateBoard, writeOneRosterCsv, type OneRosterVersion } from '@koppel/sim/generator'
import { startOneRosterRestSim, type OneRosterRestSim } from '@koppel/sim/oneroster-rest'

const TODAY = '2026-11-23'
const board = generateBoard({ seed: 'or-rest', persons: 300, today: TODAY })
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T10:00:00Z`) }
const SECRET = 's3cret'

function source(sim: OneRosterRestSim, extra: Record<string, unknown> = {}, secret = SECRET) {
  const parsed = oneRosterRestOptions.parse({
    baseUrl: sim.url,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:OR_SECRET}',
    version: sim.version,
    pageSize: 50,
    timeoutMs: 5000,
    ...extra,
  })
  return oneRosterRestConnector.create('school', { ...parsed, clientSecret: secret }, context)
}

function snapshotOf(r: SourceReadResult): SourceSnapshot {
  if (!r.ok)
    assert.fail(
      r.issues
        .map((i) => `${i.code} ${i.file ?? ''} ${i.record ?? ''} ${i.field ?? ''}: ${i.message}`)
        .join('\n'),
    )
  return r.snapshot
}

/** Order-free form: persons by key, contracts by id, memberships by group and role. */
function normal(persons: readonly Person[]): Map<string, unknown> {
  return new Map(
    persons.map((p) => [
      p.key,
      {
        ...p,
        contracts: [...p.contracts].sort((a, b) => a.id.localeCompare(b.id)),
        memberships: [...p.memberships]
          .map((m) => ({ ...m }))
          .sort((a, b) => `${a.group} ${a.role}`.localeCompare(`${b.group} ${b.role}`)),
      },
    ]),
  )
}

const isUsers = (r: { url: URL }) => r.url.pathname.endsWith('/users')

for (const version of ['1.2', '1.1'] as OneRosterVersion[]) {
  describe(`OneRoster REST ${version}: same persons as the CSV connector`, () => {
    let sim: OneRosterRestSim
    let dir: string
    before(async () => {
      sim = await startOneRosterRestSim({
        board,
        version,
        clientId: 'koppel',
        clientSecret: SECRET,
      })
      dir = mkdtempSync(join(tmpdir(), 'koppel-or-rest-'))
      await writeOneRosterCsv(dir, board, { version })
    })
    after(async () => {
      await sim.close()
      rmSync(dir, { recursive: true, force: true })
    })

    test('every person and group equals the CSV connector’s for the same board', async () => {
      const before = sim.http.requests.get(`GET ${new URL(sim.url).pathname}/users`) ?? 0
      const rest = snapshotOf(await source(sim).read({ today: TODAY }))
      const csv = snapshotOf(
        await oneRosterCsvConnector
          .create('school', oneRosterCsvOptions.parse({ path: dir }), context)
          .read({ today: TODAY }),
      )
      assert.equal(rest.mode, 'full')
      assert.equal(rest.persons.length, csv.persons.length)
      const [a, b] = [normal(rest.persons), normal(csv.persons)]
      for (const [key, p] of b) assert.deepEqual(a.get(key), p, `person ${key}`)
      const byKey = (g: { key: string }, h: { key: string }) => g.key.localeCompare(h.key)
      assert.deepEqual([...rest.groups].sort(byKey), [...csv.groups].sort(byKey))
      // paged: 50 users per page
      const users = sim.data.users.length
      assert.equal(
        (sim.http.requests.get(`GET ${new URL(sim.url).pathname}/users`) ?? 0) - before,
        Math.ceil(users / 50),
      )
      assert.equal(rest.cursor, `${TODAY}T00:00:00.000Z`)
      // the version's scopes were asked for
      assert.match(
        sim.scopes.at(-1) ?? '',
        version === '1.2'
          ? /v1p2\/scope\/roster-core\.readonly/
          : /v1p1\/scope\/roster-core\.readonly/,
      )
    })
  })
}

describe('OneRoster REST: failures', () => {
  let sim: OneRosterRestSim
  before(async () => {
    sim = await startOneRosterRestSim({ board, clientId: 'koppel', clientSecret: SECRET })
  })
  after(() => sim.close())

  test('a refused client secret fails the read as auth', async () => {
    const r = await source(sim, {}, 'wrong').read({ today: TODAY })
    assert.ok(
      !r.ok && r.issues[0]?.code === 'read_auth' && /invalid_client/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('a token that expires mid-paging is renewed once and the read completes', async () => {
    const s = source(sim)
    const tokensBefore = sim.scopes.length
    let page = 0
    // the second users page finds every token expired
    sim.http.inject({
      match: (r) => {
        if (isUsers(r) && ++page === 2) sim.expireTokens()
        return false
      },
    })
    const snap = snapshotOf(await s.read({ today: TODAY }))
    assert.equal(snap.persons.length, sim.data.users.length)
    assert.equal(sim.scopes.length - tokensBefore, 2, 'one token at the start, one after the 401')
  })

  test('a 429 with Retry-After is waited out and the page asked again', async () => {
    const path = `GET ${new URL(sim.url).pathname}/users`
    const before = sim.http.requests.get(path) ?? 0
    sim.http.inject({
      match: isUsers,
      after: 1,
      response: {
        status: 429,
        headers: { 'retry-after': '0' },
        json: { imsx_codeMajor: 'failure', imsx_description: 'server busy' },
      },
    })
    const snap = snapshotOf(await source(sim).read({ today: TODAY }))
    assert.equal(snap.persons.length, sim.data.users.length)
    assert.equal(
      (sim.http.requests.get(path) ?? 0) - before,
      Math.ceil(sim.data.users.length / 50) + 1,
    )
  })

  test('a page failing with 5xx on every try fails the whole read, no partial snapshot', async () => {
    sim.http.inject({
      match: isUsers,
      after: 2,
      times: 3,
      response: {
        status: 500,
        headers: { 'retry-after': '0' },
        json: {
          imsx_codeMajor: 'failure',
          imsx_description: 'boom',
          imsx_CodeMinor: {
            imsx_codeMinorField: [
              {
                imsx_codeMinorFieldName: 'TargetEndSystem',
                imsx_codeMinorFieldValue: 'internal_server_error',
              },
            ],
          },
        },
      },
    })
    const r = await source(sim, { readAttempts: 3 }).read({ today: TODAY })
    assert.ok(
      !r.ok &&
        r.issues.length === 1 &&
        r.issues[0]?.code === 'read_transient' &&
        /500: internal_server_error: boom/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('a page that times out fails the read as transient', async () => {
    sim.http.inject({ match: isUsers, delayMs: 1500 })
    const r = await source(sim, { readAttempts: 1, timeoutMs: 200 }).read({ today: TODAY })
    assert.ok(
      !r.ok && r.issues[0]?.code === 'read_transient' && /timed out/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })

  test('an answer without the collection array fails the read', async () => {
    sim.http.inject({ match: isUsers, response: { status: 200, json: { user: [] } } })
    const r = await source(sim).read({ today: TODAY })
    assert.ok(
      !r.ok &&
        r.issues[0]?.code === 'read_invalid' &&
        /without a users array/.test(r.issues[0].message),
      JSON.stringify(r),
    )
  })
})

describe('OneRoster REST: malformed records', () => {
  let sim: OneRosterRestSim
  before(async () => {
    sim = await startOneRosterRestSim({
      board: generateBoard({ seed: 'or-bad', persons: 120, today: TODAY }),
      clientId: 'koppel',
      clientSecret: SECRET,
    })
  })
  after(() => sim.close())

  test('each bad record is named with its field, and no snapshot is returned', async () => {
    const [u1, u2] = [
      sim.data.users[0],
      sim.data.users.find(
        (u) =>
          Array.isArray(u.roles) && (u.roles as unknown[]).length > 0 && u !== sim.data.users[0],
      ),
    ]
    const e = sim.data.enrollments[3]
    assert.ok(u1 && u2 && e)
    u1.familyName = 42
    ;((u2.roles as Record<string, unknown>[])[0] as Record<string, unknown>).org = null
    e.beginDate = 'morgen'
    const r = await source(sim).read({ today: TODAY })
    assert.equal(r.ok, false)
    if (r.ok) return
    const found = r.issues.map((i) => `${i.code}|${i.file}|${i.record}|${i.field}`)
    assert.ok(found.includes(`bad_type|users|${u1.sourcedId}|familyName`), found.join('\n'))
    assert.ok(found.includes(`missing_field|users|${u2.sourcedId}|roles[0].org`), found.join('\n'))
    assert.ok(found.includes(`bad_date|enrollments|${e.sourcedId}|beginDate`), found.join('\n'))
  })
})

describe('OneRoster REST: deltas through dateLastModified', () => {
  let sim: OneRosterRestSim
  before(async () => {
    sim = await startOneRosterRestSim({ board, clientId: 'koppel', clientSecret: SECRET })
  })
  after(() => sim.close())

  test('a read with a cursor returns only changed users and tobedeleted ones as removed; applied to the full set it equals a new full read', async () => {
    const s = source(sim)
    assert.equal(s.capabilities.delta, true)
    const full = snapshotOf(await s.read({ today: TODAY }))
    const since = full.cursor as string
    const T1 = '2026-11-24T08:00:00.000Z'
    const pupils = sim.data.users.filter((u) =>
      (u.roles as { role: string }[]).some((r) => r.role === 'student'),
    )
    const [renamed, leaver, mover] = [pupils[0], pupils[1], pupils[2]]
    assert.ok(renamed && leaver && mover)
    sim.modify('users', renamed.sourcedId, { givenName: 'Nieuwe-Naam' }, T1)
    sim.remove('users', leaver.sourcedId, T1)
    // the mover gets an extra enrollment in a lesgroep of their school (their user record is unchanged)
    const moverEnrollment = sim.data.enrollments.find(
      (e) => (e.user as { sourcedId: string }).sourcedId === mover.sourcedId,
    ) as Record<string, unknown>
    const otherClass = sim.data.classes.find(
      (c) =>
        (c.school as { sourcedId: string }).sourcedId ===
          (moverEnrollment.school as { sourcedId: string }).sourcedId &&
        c.classType === 'scheduled' &&
        !sim.data.enrollments.some(
          (e) =>
            (e.user as { sourcedId: string }).sourcedId === mover.sourcedId &&
            (e.class as { sourcedId: string }).sourcedId === c.sourcedId,
        ),
    )
    assert.ok(otherClass)
    sim.add(
      'enrollments',
      {
        sourcedId: 'enr-new-1',
        user: moverEnrollment.user,
        class: { href: '', sourcedId: otherClass.sourcedId, type: 'class' },
        school: moverEnrollment.school,
        role: 'student',
        beginDate: '2026-11-24',
      },
      T1,
    )

    const filtersBefore = sim.filters.length
    const delta = snapshotOf(await s.read({ today: TODAY, since }))
    assert.equal(delta.mode, 'delta')
    assert.ok(
      sim.filters.slice(filtersBefore).includes(`dateLastModified>'${since}'`),
      sim.filters.slice(filtersBefore).join('\n'),
    )
    assert.deepEqual(
      delta.persons.map((p) => p.key).sort(),
      [renamed.sourcedId, mover.sourcedId].sort(),
    )
    assert.deepEqual(delta.removed, [leaver.sourcedId])
    assert.equal(delta.cursor, T1)
    assert.equal(delta.persons.find((p) => p.key === renamed.sourcedId)?.givenName, 'Nieuwe-Naam')
    assert.ok(
      delta.persons
        .find((p) => p.key === mover.sourcedId)
        ?.memberships.some((m) => m.group === `class/${otherClass.sourcedId}`),
    )

    const applied = applyDelta(full, delta).snapshot
    const fresh = snapshotOf(await s.read({ today: TODAY }))
    assert.deepEqual(normal(applied.persons), normal(fresh.persons))

    // nothing changed since: an empty delta that keeps the cursor
    const none = snapshotOf(await s.read({ today: TODAY, since: T1 }))
    assert.equal(none.persons.length, 0)
    assert.equal(none.removed.length, 0)
    assert.equal(none.cursor, T1)
  })

  test('a cursor that is not a timestamp is refused', async () => {
    const r = await source(sim).read({ today: TODAY, since: "x' OR status='active" })
    assert.ok(!r.ok && r.issues[0]?.code === 'bad_cursor')
  })

  test('with deltas off a cursor is ignored and the read is full', async () => {
    const s = source(sim, { deltas: false })
    assert.equal(s.capabilities.delta, false)
    const snap = snapshotOf(await s.read({ today: TODAY, since: '2026-11-24T08:00:00.000Z' }))
    assert.equal(snap.mode, 'full')
    assert.equal(snap.cursor, undefined)
  })
})
