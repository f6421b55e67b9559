// The hybrid recipe of docs/connectors/entra-id.md inside the real engine: an AD target (here the in-memory
// target standing in for active-directory) makes the accounts; Entra Connect is played by the test (it copies
// each AD account into the Graph simulator as a synced user); the entra-id target with createUsers: false adopts
// those users and gives them a licence and a cloud group named by display name.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyStoredPlan, makePlan, type Engine, type EngineTarget } from '../src/engine/index.ts'
import type { SourceConnector } from '../src/contract/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import { compileMapping, compileRules } from '../src/rules/index.ts'
import { openStore, type Store } from '../src/store/index.ts'
import { startEntraSim, type EntraSim } from '@koppel/sim/entra'
import { pupil } from './support/engine-fixture.ts'
import { MemoryTarget } from './support/memory-target.ts'
import { testClock } from './support/test-clock.ts'
import { entraTarget, SKU_A1_STUDENT } from '../src/connectors/entra/entra-fixture.ts'

const UPN = 'slug(person.givenName) + "." + slug(familyName(person)) + "@school.test"'

describe('engine: hybrid recipe (AD accounts, Entra licences and cloud groups on synced users)', () => {
  let sim: EntraSim
  let store: Store
  let dir: string
  let engine: Engine
  let leerlingen: string
  const ad = new MemoryTarget('ad')
  const persons: Person[] = []
  const clock = testClock('2026-11-23')

  before(async () => {
    sim = await startEntraSim({
      skus: { [SKU_A1_STUDENT]: 'STANDARDWOFFPACK_STUDENT' },
      domains: ['school.test'],
    })
    leerlingen = sim.addGroup('Leerlingen')
    dir = mkdtempSync(join(tmpdir(), 'koppel-hybrid-'))
    store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
    const source: SourceConnector = {
      name: 'school',
      type: 'test',
      capabilities: { delta: false, writeBack: false },
      read: async () => ({
        ok: true,
        snapshot: {
          kind: 'snapshot',
          source: 'school',
          mode: 'full',
          takenAt: '2026-11-23T00:00:00Z',
          persons: [...persons],
          groups: [],
          removed: [],
          warnings: [],
        },
      }),
    }
    const apply = { concurrency: 4, retries: 1, backoffMs: 1, maxBackoffMs: 5 }
    const lifecycle = {
      provisionDaysBefore: 14,
      disableAfterDays: 0,
      deleteAfterDays: 30,
      holds: [],
    }
    const adTarget: EngineTarget = {
      name: 'ad',
      connector: ad,
      anchorAttribute: 'employeeNumber',
      mapping: compileMapping('ad', {
        employeeNumber: 'person.key',
        userPrincipalName: UPN,
        displayName: 'fullName(person)',
      }),
      anchorMapping: compileMapping('ad', { employeeNumber: 'person.key' }),
      lifecycle,
      guard: {},
      apply,
    }
    const entra: EngineTarget = {
      name: 'entra',
      connector: entraTarget(sim, {
        createUsers: false,
        usageLocation: 'NL',
        licences: { 'a1-student': SKU_A1_STUDENT },
        readAttributes: ['userPrincipalName'],
        lookupAttempts: 1,
      }),
      anchorAttribute: 'userPrincipalName',
      mapping: compileMapping('entra', { userPrincipalName: UPN }),
      anchorMapping: compileMapping('entra', { userPrincipalName: UPN }),
      lifecycle,
      guard: {},
      apply,
    }
    engine = {
      now: clock.now,
      store,
      sources: [
        { connector: source, safety: { maxShrinkPercent: 100, baselineDays: 7, allowEmpty: true } },
      ],
      setup: {
        targets: [adTarget, entra],
        rules: compileRules([
          {
            name: 'pupils',
            when: 'contract.role == "student"',
            grant: [
              { account: 'ad' },
              { account: 'entra' },
              { permission: { target: 'entra', type: 'licence', id: '"a1-student"' } },
              { permission: { target: 'entra', type: 'group', id: '"Leerlingen"' } },
            ],
          },
        ]),
        primaryContract: ['employment', 'enrolment'],
        configHash: 'test',
      },
    }
  })
  after(async () => {
    await store?.close()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function plan(today: string): Promise<Plan> {
    clock.today = today
    const r = await makePlan(engine, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues))
    return r.plan
  }
  async function apply(p: Plan) {
    const r = await applyStoredPlan(engine, p.id, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    return r.report
  }
  /** What Entra Connect does: every AD account appears in Entra as a synced user with the same UPN. */
  function entraConnectSync() {
    for (const e of ad.entries.values()) {
      const upn = String(e.attributes.userPrincipalName)
      if ([...sim.users.values()].some((u) => u.props.userPrincipalName === upn)) continue
      sim.seedUser({
        userPrincipalName: upn,
        displayName: String(e.attributes.displayName),
        mailNickname: upn.split('@')[0],
        onPremisesSyncEnabled: true,
        onPremisesImmutableId: Buffer.from(e.id).toString('base64'),
      })
    }
  }

  test('before the sync Entra waits and makes no users; after it, the synced users get licence and group; then nothing to do', async () => {
    persons.push(pupil('p1', 'Jan', 'Vries', '1A', {}, 'de'), pupil('p2', 'Fatma', 'Yilmaz', '1B'))
    const first = await plan('2026-11-23')
    const waited = await apply(first)
    assert.notEqual(waited.state, 'done', 'the entra creates wait for the sync')
    assert.equal(ad.entries.size, 2)
    assert.equal(sim.users.size, 0, 'the entra target never creates a user')

    entraConnectSync()
    const second = await plan('2026-11-23')
    const entraKinds = second.actions
      .filter((a) => a.target === 'entra')
      .map((a) => a.kind)
      .sort()
    // the engine's listing finds the synced users by anchor and takes them over (correlate), as createUsers: false would
    assert.deepEqual(entraKinds, ['correlate', 'correlate', 'grant', 'grant', 'grant', 'grant'])
    const report = await apply(second)
    assert.equal(report.state, 'done', JSON.stringify(report))
    const users = [...sim.users.values()]
    assert.equal(users.length, 2)
    for (const u of users) {
      assert.deepEqual(
        u.licenses.map((l) => l.skuId),
        [SKU_A1_STUDENT],
        String(u.props.userPrincipalName),
      )
      assert.equal(u.props.usageLocation, 'NL')
      assert.ok(sim.groups.get(leerlingen)?.members.has(u.id))
      assert.equal(u.props.displayName === undefined, false)
    }
    const third = await plan('2026-11-23')
    assert.deepEqual(
      third.actions.map((a) => `${a.target}:${a.kind}`),
      [],
    )
  })
})
