// changesSince against the OneRoster 1.2 REST simulator: the marker is the service's own dateLastModified, and
// each ask reaches CHANGE_OVERLAP_MS behind it, so a record stamped before the marker but visible only later (a
// late commit, an SIS server with a slower clock) is still found, while what was reported is not reported twice.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { generateBoard } from '@koppel/sim/generator'
import { startOneRosterRestSim, type OneRosterRestSim } from '@koppel/sim/oneroster-rest'
import type { SourceConnector } from '../../contract/index.ts'
import { oneRosterRestConnector, oneRosterRestOptions } from './index.ts'
import { CHANGE_OVERLAP_MS } from './oneroster-rest-connector.ts'

const DAY = '2026-11-23'
const SECRET = 's3cret-changes'
let sim: OneRosterRestSim
let source: SourceConnector
/** Koppel's clock (the connector context's): how long the window has stood is measured on it. */
let ours = Date.parse(`${DAY}T10:00:00Z`)

before(async () => {
  const board = generateBoard({ seed: 'or-rest-changes', persons: 50, today: DAY })
  sim = await startOneRosterRestSim({ board, clientId: 'koppel', clientSecret: SECRET })
  const o = oneRosterRestOptions.parse({
    baseUrl: sim.url,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:OR_SECRET}',
    timeoutMs: 5000,
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

test('a record stamped just before the marker but seen only later is found; nothing is reported twice', async () => {
  const users = sim.data.users.filter((u) => u['role'] !== 'guardian').slice(0, 3)
  const [a, b, c] = users.map((u) => u.sourcedId)
  assert.ok(a !== undefined && b !== undefined && c !== undefined)
  const start = await ask(undefined)
  assert.deepEqual(start.ids, [], 'where polling starts: nothing is a change yet')

  sim.modify('users', a, { givenName: 'Anna' }, `${DAY}T09:00:10.000Z`)
  const first = await ask(start.cursor)
  assert.deepEqual(first.ids, [a])
  assert.match(
    first.cursor ?? '',
    /^2026-11-23T09:00:10\.000Z 2026-11-23T10:00:00\.000Z [0-9a-f]{12}$/,
  )

  // b was written at 09:00:05 on another server (or in a transaction that committed late): older than the marker
  sim.modify('users', b, { givenName: 'Bram' }, `${DAY}T09:00:05.000Z`)
  const second = await ask(first.cursor)
  assert.deepEqual(second.ids, [b], 'found through the overlap; a is not reported again')
  assert.ok(
    sim.filters
      .at(-1)
      ?.includes(new Date(Date.parse(`${DAY}T09:00:10.000Z`) - CHANGE_OVERLAP_MS).toISOString()),
    sim.filters.at(-1),
  )
  const quiet = await ask(second.cursor)
  assert.deepEqual(quiet.ids, [], 'nothing new: nothing reported')

  // a changes again inside the window: a new version, reported again; c far later moves the window on
  sim.modify('users', a, { givenName: 'Anne' }, `${DAY}T09:00:12.000Z`)
  sim.modify('users', c, { givenName: 'Cas' }, `${DAY}T09:05:00.000Z`)
  const third = await ask(quiet.cursor)
  assert.deepEqual(third.ids, [a, c].sort())
  assert.match(
    third.cursor ?? '',
    /^2026-11-23T09:05:00\.000Z \S+ [0-9a-f]{12}$/,
    'only c is inside the window now',
  )
})

test('once the marker has stood for the overlap by our clock, the window closes: a bulk change is not fetched again and again', async () => {
  const start = await ask(undefined)
  const marker = (start.cursor ?? '').split(' ')[0] ?? ''
  const bulk = sim.data.users.slice(10, 40).map((u) => u.sourcedId)
  const later = new Date(Date.parse(marker) + 60_000).toISOString()
  for (const id of bulk) sim.modify('users', id, { middleName: 'B' }, later)
  const found = await ask(start.cursor)
  assert.deepEqual(found.ids, [...bulk].sort())
  const windowFrom = `dateLastModified>'${new Date(Date.parse(later) - CHANGE_OVERLAP_MS).toISOString()}'`
  const again = await ask(found.cursor)
  assert.deepEqual(again.ids, [])
  assert.equal(sim.filters.at(-1), windowFrom, 'inside the window: asked with the overlap')
  ours += CHANGE_OVERLAP_MS + 1000
  const closed = await ask(again.cursor)
  assert.deepEqual(closed.ids, [])
  assert.equal(closed.cursor, later, 'the window is closed: the marker alone')
  const quiet = await ask(closed.cursor)
  assert.deepEqual(quiet.ids, [])
  assert.equal(sim.filters.at(-1), `dateLastModified>'${later}'`, 'asked from the marker itself')
})

test('a change after the window closed does not report again what lay in the window before it', async () => {
  const start = await ask(undefined)
  const marker = (start.cursor ?? '').split(' ')[0] ?? ''
  const [a, b] = sim.data.users.slice(41, 43).map((u) => u.sourcedId)
  assert.ok(a !== undefined && b !== undefined)
  const at = (s: number) => new Date(Date.parse(marker) + s * 1000).toISOString()
  sim.modify('users', a, { middleName: 'A' }, at(60))
  const first = await ask(start.cursor)
  assert.deepEqual(first.ids, [a])
  ours += CHANGE_OVERLAP_MS + 1000
  const closed = await ask(first.cursor)
  assert.equal(closed.cursor, at(60), 'the window is closed')
  // b ten seconds after a: the window opens again, but a (reported, and not fetched by this ask) stays reported
  sim.modify('users', b, { middleName: 'B' }, at(70))
  const reopened = await ask(closed.cursor)
  assert.deepEqual(reopened.ids, [b])
  const again = await ask(reopened.cursor)
  assert.deepEqual(again.ids, [], 'a is not reported a second time')
  assert.equal(
    sim.filters.at(-1),
    `dateLastModified>'${at(60)}'`,
    'asked from where the last ask began',
  )
})

test('a cursor that is no marker is refused naming it', async () => {
  await assert.rejects(
    ask('yesterday'),
    /the change cursor "yesterday" is not a dateLastModified timestamp/,
  )
  await assert.rejects(ask(`${DAY}T09:00:00Z xyz`), /is not a dateLastModified timestamp/)
})
