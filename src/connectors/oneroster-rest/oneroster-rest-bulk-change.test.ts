// A bulk change in the SIS (a new school year stamping thousands of users within seconds) seen by changesSince:
// every record is reported exactly once, and the cursor `koppel serve` keeps after each ask stays small (it held a
// 12-hex key per record of the 30 s overlap window: 1.3 MB after a bulk change of 100,000).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { generateBoard } from '@koppel/sim/generator'
import { startOneRosterRestSim, type OneRosterRestSim } from '@koppel/sim/oneroster-rest'
import type { SourceConnector } from '../../contract/index.ts'
import { oneRosterRestConnector, oneRosterRestOptions } from './index.ts'
import { CHANGE_OVERLAP_MS, MAX_SEEN_VERSIONS } from './oneroster-rest-connector.ts'

const DAY = '2026-11-23'
const SECRET = 's3cret-bulk'
/** Three times what a cursor remembers, changed in five waves inside one overlap window. */
const BULK = 3 * MAX_SEEN_VERSIONS
const CURSOR_BYTES = 32_000
let sim: OneRosterRestSim
let source: SourceConnector
let ours = Date.parse(`${DAY}T10:00:00Z`)

before(async () => {
  const board = generateBoard({ seed: 'or-rest-bulk', persons: BULK + 500, today: DAY })
  sim = await startOneRosterRestSim({ board, clientId: 'koppel', clientSecret: SECRET })
  const o = oneRosterRestOptions.parse({
    baseUrl: sim.url,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:OR_SECRET}',
    timeoutMs: 20_000,
  })
  source = oneRosterRestConnector.create(
    'school',
    { ...o, clientSecret: SECRET },
    { baseDir: '.', log: () => undefined, now: () => new Date(ours) },
  )
})
after(() => sim?.close())

const ask = (cursor: string | undefined) => {
  const changesSince = source.changesSince?.bind(source)
  assert.ok(changesSince !== undefined)
  return changesSince(cursor)
}

test('a bulk change of three times the remembered versions: each record reported once, the cursor stays small', async () => {
  const start = await ask(undefined)
  const marker = Date.parse((start.cursor ?? '').split(' ')[0] ?? '')
  const users = sim.data.users.slice(0, BULK).map((u) => u.sourcedId)
  assert.equal(users.length, BULK)
  const reported = new Map<string, number>()
  const note = (ids: readonly string[]) => {
    for (const id of ids) reported.set(id, (reported.get(id) ?? 0) + 1)
  }
  let cursor = start.cursor
  const waves = 5
  const perWave = BULK / waves
  for (let w = 0; w < waves; w++) {
    // a wave every 4 s of the SIS's clock, each record a millisecond apart: 6,000 stamps inside 30 s
    for (let i = 0; i < perWave; i++) {
      const n = w * perWave + i
      const at = new Date(marker + 60_000 + w * 4000 + i).toISOString()
      sim.modify('users', users[n]!, { middleName: `W${w}` }, at)
    }
    // two asks per wave, a second apart by our clock: the second finds the wave again in its window
    for (let k = 0; k < 2; k++) {
      const r = await ask(cursor)
      note(r.ids)
      cursor = r.cursor
      assert.ok(
        (cursor ?? '').length < CURSOR_BYTES,
        `the cursor holds ${cursor?.length} bytes after wave ${w}`,
      )
      ours += 1000
    }
  }
  // late, but inside what the cursor remembers: stamped before the newest change, visible only now
  const late = sim.data.users[BULK]!.sourcedId
  const newest = marker + 60_000 + (waves - 1) * 4000 + perWave - 1
  sim.modify('users', late, { middleName: 'L' }, new Date(newest - 100).toISOString())
  for (let k = 0; k < 3; k++) {
    const r = await ask(cursor)
    note(r.ids)
    cursor = r.cursor
    ours += CHANGE_OVERLAP_MS / 2
  }
  assert.equal(cursor, new Date(newest).toISOString(), 'the window closed: the marker alone')
  const twice = [...reported].filter(([, n]) => n > 1)
  assert.deepEqual(twice, [], 'no record reported twice')
  const missed = [...users, late].filter((id) => !reported.has(id))
  assert.deepEqual(missed, [], 'no record missed')
  assert.equal(reported.size, BULK + 1)
})

test('a bulk change stamped with one time (one SQL update): reported once, then asked from that time', async () => {
  const start = await ask(undefined)
  const marker = Date.parse((start.cursor ?? '').split(' ')[0] ?? '')
  const users = sim.data.users.slice(0, MAX_SEEN_VERSIONS + 500).map((u) => u.sourcedId)
  const at = new Date(marker + 120_000).toISOString()
  for (const id of users) sim.modify('users', id, { middleName: 'S' }, at)
  const found = await ask(start.cursor)
  assert.deepEqual(found.ids, [...users].sort())
  assert.ok((found.cursor ?? '').length < 200, found.cursor)
  ours += 1000
  const again = await ask(found.cursor)
  assert.deepEqual(again.ids, [], 'none reported twice')
  assert.equal(sim.filters.at(-1), `dateLastModified>'${at}'`)
})
