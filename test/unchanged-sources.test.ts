// The no-op shortcut: `plan --no-target-read` with nothing changed since the last plan must return that plan
// again without reading the sources, and any change (file, config, ledger, today, target reads, a source
// without fingerprint) must take the normal path. Runs the real plain-CSV source on a temp file.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, test } from 'node:test'
import { csvConnector } from '../src/connectors/csv/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import { applyStoredPlan, ledgerHash, liftHold, makePlan, placeHold } from '../src/engine/index.ts'
import type { Engine } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { engineFixture } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

const TODAY = '2026-11-23'
let fx: Fixture | undefined
let dir: string | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

const HEADER = 'nr,voornaam,achternaam,brin,klas,begin\n'
const row = (nr: string, given: string, family: string, klas: string) =>
  `${nr},${given},${family},12AB00,${klas},2025-08-01\n`
const CLASS = row('1001', 'Sanne', 'Berg', '2B') + row('1002', 'Daan', 'Jansen', '1A')

interface Setup {
  engine: Engine
  file: string
  /** How often the source was read. */
  reads: () => number
  /** The same engine with a source that offers no fingerprint (always the normal path). */
  slow: Engine
  /** The `previous` fingerprint given to each fingerprint call, in order. */
  previous: (string | undefined)[]
}

async function setup(content = HEADER + CLASS): Promise<Setup> {
  fx = await engineFixture()
  dir = mkdtempSync(join(tmpdir(), 'koppel-unchanged-'))
  const file = join(dir, 'pupils.csv')
  writeFileSync(file, content)
  const options = csvConnector.schema.parse({
    file: 'pupils.csv',
    columns: {
      key: 'nr',
      givenName: 'voornaam',
      familyName: 'achternaam',
      organisationCode: 'brin',
      classGroup: 'klas',
      start: 'begin',
    },
    defaults: { role: 'student', organisation: 'org/1' },
  })
  const csv = csvConnector.create('school', options, {
    baseDir: dir,
    log: () => {},
    now: () => new Date(),
  })
  let reads = 0
  const previous: (string | undefined)[] = []
  const counted: SourceConnector = {
    name: csv.name,
    type: csv.type,
    capabilities: csv.capabilities,
    read: (o) => {
      reads++
      return csv.read(o)
    },
    fingerprint: (o) => {
      previous.push(o.previous)
      return (csv.fingerprint as NonNullable<SourceConnector['fingerprint']>).call(csv, o)
    },
  }
  const { fingerprint: _f, ...without } = counted
  const safety = { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false }
  return {
    engine: { ...fx.engine, sources: [{ connector: counted, safety }] },
    slow: { ...fx.engine, sources: [{ connector: without, safety }] },
    file,
    reads: () => reads,
    previous,
  }
}

async function plan(
  engine: Engine,
  o: { today?: string; readTargets?: boolean } = {},
): Promise<Plan> {
  const r = await makePlan(engine, {
    actor: 'test',
    today: o.today ?? TODAY,
    readTargets: o.readTargets ?? false,
  })
  assert.ok(r.ok, r.ok ? '' : r.issues.map((i) => i.message).join('; '))
  return r.plan
}

async function apply(engine: Engine, p: Plan): Promise<void> {
  const r = await applyStoredPlan(engine, p.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
}

const shortcut = (p: Plan) => p.notes.some((n) => n.startsWith('sources unchanged since plan '))

/** Provisions the file's persons and plans once more: the state where nothing is left to do. */
async function settled(s: Setup): Promise<Plan> {
  await apply(s.engine, await plan(s.engine))
  const quiet = await plan(s.engine)
  assert.equal(quiet.actions.length, 0)
  assert.equal(shortcut(quiet), false, 'the ledger changed by the apply: read and planned')
  return quiet
}

describe('engine: a plan without target reads skips unchanged sources', () => {
  test('unchanged: the sources are not read, and the plan is the one the full path makes (same id and hash)', async () => {
    const s = await setup()
    const quiet = await settled(s)
    const store = s.engine.store
    assert.equal(
      ledgerHash(await store.listAccountVersions()),
      ledgerHash(await store.listAccounts()),
    )
    const before = s.reads()
    const fast = await plan(s.engine)
    assert.equal(s.reads(), before, 'the source was not read')
    assert.ok(shortcut(fast), fast.notes.join('; '))
    assert.match(fast.notes.at(-1) ?? '', new RegExp(`since plan ${quiet.id} .*not re-read`))
    assert.equal(fast.status, 'planned')
    const full = await plan(s.slow)
    assert.equal(shortcut(full), false)
    assert.equal(s.reads(), before + 1)
    assert.equal(fast.id, full.id)
    assert.equal(fast.hash, full.hash)
    assert.deepEqual({ ...fast, createdAt: '', notes: [] }, { ...full, createdAt: '', notes: [] })
    // the full path saved the snapshot without a fingerprint: read once more, then skipped again
    assert.equal(shortcut(await plan(s.engine)), false)
    assert.equal(s.reads(), before + 2)
    assert.ok(shortcut(await plan(s.engine)))
    assert.equal(s.reads(), before + 2)
    const events = await s.engine.store.listAudit({ planId: fast.id, limit: 10 })
    assert.equal(events[0]?.type, 'plan.created')
    assert.equal(events[0]?.data?.['sourcesRead'], false)
  })

  test('the source is handed the fingerprint stored with its last used snapshot (a file source then checks the stat only)', async () => {
    const s = await setup()
    await settled(s)
    const [head] = await s.engine.store.usedSnapshotHeads('school', 1)
    assert.match(head?.fingerprint ?? '', /^sha256:[0-9a-f]{64}/)
    s.previous.length = 0
    assert.ok(shortcut(await plan(s.engine)))
    assert.deepEqual(s.previous, [head?.fingerprint])
  })

  test('unchanged: no row of the ledger and no person key of the snapshot is read into an object', async () => {
    const s = await setup()
    await settled(s)
    const calls: string[] = []
    const perPerson = new Set([
      'listAccountVersions',
      'listAccounts',
      'lastUsedSnapshot',
      'getPlan',
      'listPlans',
    ])
    const store = new Proxy(s.engine.store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver)
        if (typeof key !== 'string' || typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (perPerson.has(key)) calls.push(key)
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    const fast = await plan({ ...s.engine, store })
    assert.ok(shortcut(fast), fast.notes.join('; '))
    assert.deepEqual(calls, [])
  })

  test('a newest plan with actions (not applied): read and planned, without decompressing that plan first', async () => {
    const s = await setup()
    const pending = await plan(s.engine)
    assert.ok(pending.actions.length > 0)
    const loaded: string[] = []
    const store = new Proxy(s.engine.store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver)
        if (typeof value !== 'function') return value
        if (key === 'listPlans' || key === 'getPlan')
          return (...args: unknown[]) => {
            loaded.push(String(key))
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        return (value as (...a: unknown[]) => unknown).bind(target)
      },
    })
    const before = s.reads()
    const again = await plan({ ...s.engine, store })
    assert.equal(s.reads(), before + 1)
    assert.equal(again.hash, pending.hash)
    assert.deepEqual(loaded, [])
  })

  test('holds: the same holds keep the shortcut (with the hold note); a hold placed again with another reason, or lifted, does not', async () => {
    const s = await setup()
    await settled(s)
    assert.ok(
      (
        await placeHold(s.engine, '1001', {
          reason: 'legal hold',
          until: '2027-01-01',
          actor: 'cli:admin',
        })
      ).ok,
    )
    const first = await plan(s.engine)
    assert.equal(shortcut(first), false, 'the holds changed: read and planned')
    const before = s.reads()
    const fast = await plan(s.engine)
    assert.ok(shortcut(fast), fast.notes.join('; '))
    assert.equal(s.reads(), before)
    assert.ok(
      fast.notes.some((n) => n.includes('is held until 2027-01-01 by cli:admin: legal hold')),
    )
    assert.equal(fast.inputs['holds'], first.inputs['holds'])
    assert.ok(
      (
        await placeHold(s.engine, '1001', {
          reason: 'sick leave',
          until: '2027-01-01',
          actor: 'cli:admin',
        })
      ).ok,
    )
    const replaced = await plan(s.engine)
    assert.equal(shortcut(replaced), false)
    assert.ok(replaced.notes.some((n) => n.includes('sick leave')))
    assert.ok((await liftHold(s.engine, '1001', { actor: 'cli:admin' })).ok)
    const lifted = await plan(s.engine)
    assert.equal(shortcut(lifted), false)
    assert.equal(lifted.inputs['holds'], undefined)
    assert.ok(!lifted.notes.some((n) => n.startsWith('hold:')))
  })

  test('a file rewritten with the same size and mtime: read again, and the change is planned', async () => {
    const s = await setup()
    await settled(s)
    const { mtime, size } = statSync(s.file)
    writeFileSync(
      s.file,
      HEADER + row('1001', 'Sanne', 'Berk', '2B') + row('1002', 'Daan', 'Jansen', '1A'),
    )
    utimesSync(s.file, mtime, mtime)
    assert.equal(statSync(s.file).size, size)
    const before = s.reads()
    const p = await plan(s.engine)
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(p), false)
    assert.deepEqual(
      p.actions.map((a) => `${a.kind} ${a.person}`),
      ['update 1001'],
    )
  })

  test('a changed config: read again', async () => {
    const s = await setup()
    await settled(s)
    const before = s.reads()
    const p = await plan({ ...s.engine, setup: { ...s.engine.setup, configHash: 'changed' } })
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(p), false)
  })

  test('a ledger changed by an apply since the quiet plan: read again, and the change is planned', async () => {
    const s = await setup()
    await settled(s)
    // plan B renames a pupil and is left unapplied; the file goes back and a quiet plan C is the newest; then B
    // is applied: C's sources, config and today still hold, only the ledger moved on
    writeFileSync(
      s.file,
      HEADER + row('1001', 'Sanne', 'Berg', '2B') + row('1002', 'Daan', 'Janssen', '1A'),
    )
    const b = await plan(s.engine)
    assert.deepEqual(
      b.actions.map((a) => `${a.kind} ${a.person}`),
      ['update 1002'],
    )
    writeFileSync(s.file, HEADER + CLASS)
    const c = await plan(s.engine)
    assert.equal(c.actions.length, 0)
    assert.equal(c.status, 'planned')
    await apply(s.engine, b)
    const before = s.reads()
    const p = await plan(s.engine)
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(p), false)
    assert.deepEqual(
      p.actions.map((a) => `${a.kind} ${a.person}`),
      ['update 1002'],
    )
    assert.equal(p.actions[0]?.changes.find((x) => x.field === 'cn')?.new, 'Daan Jansen')
  })

  test('another day: read again (time windows depend on today)', async () => {
    const s = await setup()
    await settled(s)
    const before = s.reads()
    const p = await plan(s.engine, { today: '2026-11-24' })
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(p), false)
    assert.equal(p.inputs['today'], '2026-11-24')
  })

  test('with target reads: read again; and a quiet plan made with target reads is not replayed without', async () => {
    const s = await setup()
    await settled(s)
    const before = s.reads()
    const withTargets = await plan(s.engine, { readTargets: true })
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(withTargets), false)
    assert.equal(withTargets.actions.length, 0)
    // the same id (listings are not among the inputs), and its newest save was made with target reads; an
    // earlier save of the same id without them still proves what the plan without target reads is
    assert.ok(shortcut(await plan(s.engine)))
  })

  test('a quiet plan only ever made with target reads is not replayed without them', async () => {
    const s = await setup()
    await apply(s.engine, await plan(s.engine, { readTargets: true }))
    const quiet = await plan(s.engine, { readTargets: true })
    assert.equal(quiet.actions.length, 0)
    const before = s.reads()
    const p = await plan(s.engine)
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(p), false)
    assert.equal(p.id, quiet.id)
    assert.ok(shortcut(await plan(s.engine)), 'now it was made without target reads once')
  })

  test('a source without fingerprint: read every time', async () => {
    const s = await setup()
    await apply(s.slow, await plan(s.slow))
    await plan(s.slow)
    const before = s.reads()
    const p = await plan(s.slow)
    assert.equal(s.reads(), before + 1)
    assert.equal(shortcut(p), false)
  })

  test('a file that changes between fingerprint and read keeps no fingerprint: changed back, it is read again', async () => {
    const s = await setup()
    await settled(s)
    const [source] = s.engine.sources
    assert.ok(source !== undefined)
    const inner = source.connector
    // the fingerprint sees the file with a joiner; by the time it is read the joiner is gone again
    const withJoiner = HEADER + CLASS + row('1003', 'Noor', 'Visser', '1A')
    const racing: SourceConnector = {
      ...inner,
      read: async (o) => {
        writeFileSync(s.file, HEADER + CLASS)
        return inner.read(o)
      },
    }
    writeFileSync(s.file, withJoiner)
    const quiet = await plan({ ...s.engine, sources: [{ ...source, connector: racing }] })
    assert.equal(quiet.actions.length, 0)
    assert.equal((await s.engine.store.lastUsedSnapshot('school'))?.fingerprint, undefined)
    // the file is back as the fingerprint saw it: that is not the content the quiet plan was made from
    writeFileSync(s.file, withJoiner)
    const before = s.reads()
    const next = await plan(s.engine)
    assert.equal(s.reads(), before + 1)
    assert.deepEqual(
      next.actions.map((a) => `${a.kind} ${a.person}`),
      ['create 1003', 'grant 1003'],
    )
  })
})
