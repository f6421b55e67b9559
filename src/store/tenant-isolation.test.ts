// One store, many school boards: a tenant's every store method — reads and writes — must leave another tenant's
// rows unseen and untouched. The probes are keyed by the Store's method names, so a method added later without
// a probe fails the type check: a new query cannot skip this test.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { openStore, type StoreOptions } from './open-store.ts'
import { account, plan, run, snapshot } from './store-fixtures.ts'
import type { Store } from './store.ts'
import type { PersonHold, ProvisionedGroup } from '../model/index.ts'

type Method = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never
}[keyof Store]
type Probe = (mine: Store, theirs: Store) => Promise<void>

const AT = '2026-09-01T02:00:00.000Z'
const THEIR_PLAN = 'plan-theirs'
const GROUP: ProvisionedGroup = {
  kind: 'provisioned-group',
  target: 'ad',
  key: '2026-2027/wi-3b',
  set: 'lesgroepen',
  targetId: 'theirs-g1',
  locator: 'cn=Wiskunde 3B,ou=groups,dc=theirs,dc=test',
  state: 'active',
  attributes: { title: 'Wiskunde 3B' },
  createdAt: AT,
  updatedAt: AT,
}
const HOLD: PersonHold = {
  kind: 'hold',
  person: 'p1',
  label: 'Noor Smit',
  reason: 'legal hold',
  until: '2027-01-10',
  placedBy: 'cli:theirs',
  placedAt: AT,
}

/**
 * Tenant `theirs` gets a row in every table: accounts, groups, holds, plans, journal, runs, snapshots, audit,
 * leases, change markers.
 */
async function fillTheirs(s: Store): Promise<void> {
  await s.upsertAccounts([account('p1', { targetId: 'theirs-1' }), account('p2')])
  await s.upsertGroups([GROUP])
  await s.saveHold(HOLD)
  await s.savePlan(plan(THEIR_PLAN, AT))
  await s.journalStart([
    {
      planId: THEIR_PLAN,
      actionId: 'ad/p1/create',
      runId: 'run-theirs',
      phase: 'started',
      at: AT,
      attempts: 1,
    },
  ])
  await s.saveRun(run('run-theirs', AT, { planId: THEIR_PLAN }))
  await s.saveSnapshot(snapshot('snap-theirs', AT, true), new Uint8Array([1, 2, 3]))
  await s.appendAudit([
    { type: 'plan.created', actor: 'koppel', planId: THEIR_PLAN },
    { type: 'run.finished', actor: 'koppel', runId: 'run-theirs' },
    {
      type: 'hold.placed',
      actor: 'cli:theirs',
      person: 'p1',
      data: { until: HOLD.until, reason: HOLD.reason },
    },
  ])
  assert.equal(await s.acquireLease('apply', 'host-theirs', 600_000), true)
  await s.saveChangeMarker('school', '2026-11-23T09:05:00.000Z')
}

/** What `theirs` can see of itself; compared before and after `mine` has run every probe. */
async function view(s: Store): Promise<unknown> {
  return {
    accounts: await s.listAccounts(),
    groups: await s.listGroups(),
    holds: await s.listHolds(),
    plan: await s.planStatus(THEIR_PLAN),
    journal: await s.journalFor(THEIR_PLAN),
    runs: (await s.listRuns(10)).map((r) => r.runId),
    snapshot: await s.getSnapshot('snap-theirs'),
    audit: (await s.listAudit({ limit: 100 })).map((e) => [e.seq, e.hash]),
    verified: (await s.verifyAudit()).ok,
    lease: (await s.leaseHolder('apply'))?.holder,
    marker: await s.changeMarker('school'),
  }
}

const probes: Record<Exclude<Method, 'migrate' | 'close'>, Probe> = {
  async listAccounts(mine) {
    assert.deepEqual(await mine.listAccounts(), [])
    assert.deepEqual(await mine.listAccounts('ad'), [])
  },
  async getAccount(mine) {
    assert.equal(await mine.getAccount('ad', 'p1'), undefined)
  },
  async getAccounts(mine) {
    assert.deepEqual(await mine.getAccounts('ad', ['p1']), [])
  },
  async pagePersons(mine) {
    assert.deepEqual(await mine.pagePersons(undefined, 10), [])
  },
  async listAccountVersions(mine) {
    assert.deepEqual(await mine.listAccountVersions(), [])
  },
  async ledgerText(mine) {
    assert.equal(await mine.ledgerText(), '')
  },
  async upsertAccounts(mine, theirs) {
    await mine.upsertAccounts([account('p1', { targetId: 'mine-1' })])
    assert.equal((await theirs.getAccount('ad', 'p1'))?.targetId, 'theirs-1')
  },
  async savePlan(mine, theirs) {
    await mine.savePlan({ ...plan(THEIR_PLAN, AT, 1), status: 'applied' })
    assert.equal((await theirs.getPlan(THEIR_PLAN))?.actions.length, 3)
  },
  async getPlan(mine) {
    assert.equal(await mine.getPlan('no-such-plan'), undefined)
  },
  async planActionFacets(mine, theirs) {
    assert.equal(await mine.planActionFacets('no-such-plan'), undefined)
    assert.deepEqual((await theirs.planActionFacets(THEIR_PLAN))?.targets, ['ad'])
  },
  async pagePlanActions(mine, theirs) {
    assert.equal(await mine.pagePlanActions('no-such-plan', { filter: {}, limit: 5 }), undefined)
    const page = await theirs.pagePlanActions(THEIR_PLAN, { filter: {}, limit: 5 })
    assert.equal(page?.items.length, 3)
  },
  async getPlanHead(mine, theirs) {
    assert.equal(await mine.getPlanHead('no-such-plan'), undefined)
    assert.equal((await theirs.getPlanHead(THEIR_PLAN))?.actionCount, 3)
  },
  async listPlans(mine) {
    assert.deepEqual(
      (await mine.listPlans(10)).map((p) => p.id),
      [THEIR_PLAN],
    )
  },
  async listPlanStatuses(mine) {
    assert.deepEqual(
      (await mine.listPlanStatuses(10)).map((p) => [p.id, p.status]),
      [[THEIR_PLAN, 'applied']],
    )
  },
  async pagePlanStatuses(mine) {
    assert.deepEqual(
      (await mine.pagePlanStatuses({ limit: 10 })).map((p) => [p.id, p.status]),
      [[THEIR_PLAN, 'applied']],
    )
    assert.deepEqual(await mine.pagePlanStatuses({ status: 'planned', limit: 10 }), [])
  },
  async planStatus(mine) {
    assert.equal(await mine.planStatus('no-such-plan'), undefined)
  },
  async setPlanStatus(mine) {
    await assert.rejects(mine.setPlanStatus('no-such-plan', 'approved'))
  },
  async transitionPlan(mine, theirs) {
    // their plan is `planned`; mine of the same id is `applied`: the move must find neither
    assert.equal(
      await mine.transitionPlan(THEIR_PLAN, 'planned', 'approved', {
        type: 'plan.approved',
        actor: 'x',
      }),
      undefined,
    )
    assert.equal(await theirs.planStatus(THEIR_PLAN), 'planned')
  },
  async journalStart(mine) {
    await mine.journalStart([
      {
        planId: THEIR_PLAN,
        actionId: 'ad/p9/create',
        runId: 'run-mine',
        phase: 'started',
        at: AT,
        attempts: 1,
      },
    ])
  },
  async journalFinish(mine) {
    await mine.journalFinish([
      {
        entry: {
          planId: THEIR_PLAN,
          actionId: 'ad/p1/create',
          runId: 'run-mine',
          phase: 'applied',
          at: AT,
          attempts: 1,
        },
      },
    ])
  },
  async journalFor(mine) {
    assert.deepEqual((await mine.journalFor(THEIR_PLAN)).map((e) => e.actionId).sort(), [
      'ad/p1/create',
      'ad/p9/create',
    ])
  },
  async saveRun(mine) {
    await mine.saveRun(run('run-theirs', AT, { state: 'failed' }))
  },
  async getRun(mine) {
    assert.equal((await mine.getRun('run-theirs'))?.state, 'failed')
  },
  async listRuns(mine) {
    assert.deepEqual(
      (await mine.listRuns(10)).map((r) => r.state),
      ['failed'],
    )
  },
  async saveSnapshot(mine) {
    await mine.saveSnapshot(snapshot('snap-mine', AT, false), new Uint8Array([9]))
  },
  async getSnapshot(mine) {
    assert.equal(await mine.getSnapshot('snap-theirs'), undefined)
  },
  async snapshotContent(mine) {
    assert.equal(await mine.snapshotContent('snap-theirs'), undefined)
  },
  async lastUsedSnapshot(mine) {
    assert.equal(await mine.lastUsedSnapshot('somtoday'), undefined)
  },
  async usedSnapshotHeads(mine) {
    assert.deepEqual(await mine.usedSnapshotHeads('somtoday', 10), [])
  },
  async appendAudit(mine) {
    const [event] = await mine.appendAudit([{ type: 'plan.created', actor: 'koppel' }])
    assert.equal(event?.seq, 1, 'a chain of its own')
  },
  async listAudit(mine) {
    assert.deepEqual(
      (await mine.listAudit({ limit: 100 })).map((e) => e.runId ?? e.planId ?? null),
      [null],
    )
    assert.deepEqual(await mine.listAudit({ limit: 100, planId: THEIR_PLAN }), [])
  },
  async verifyAudit(mine) {
    const v = await mine.verifyAudit()
    // every plan and run of mine lacks its audit event: the check must name mine, not theirs
    assert.equal(v.events, 1)
  },
  async acquireLease(mine) {
    assert.equal(await mine.acquireLease('apply', 'host-mine', 600_000), true)
  },
  async leaseHolder(mine) {
    assert.equal((await mine.leaseHolder('apply'))?.holder, 'host-mine')
  },
  async releaseLease(mine) {
    await mine.releaseLease('apply', 'host-theirs')
    await mine.releaseLease('apply', 'host-mine')
    assert.equal(await mine.leaseHolder('apply'), undefined)
  },
  async holdLiveLock(mine, theirs) {
    const held = await theirs.holdLiveLock('apply')
    const other = await mine.holdLiveLock('apply')
    try {
      if (held !== 'unsupported')
        assert.ok(
          held !== undefined && other !== undefined && other !== 'unsupported',
          'each tenant has its own lock',
        )
    } finally {
      if (held !== undefined && held !== 'unsupported') await held.release()
      if (other !== undefined && other !== 'unsupported') await other.release()
    }
  },
  async listGroups(mine) {
    assert.deepEqual(await mine.listGroups(), [])
    assert.deepEqual(await mine.listGroups('ad'), [])
  },
  async pageGroups(mine) {
    assert.deepEqual(await mine.pageGroups({ limit: 10 }), [])
    assert.deepEqual(await mine.pageGroups({ target: 'ad', limit: 10 }), [])
  },
  async upsertGroups(mine, theirs) {
    await mine.upsertGroups([{ ...GROUP, targetId: 'mine-g1', attributes: { title: 'Mine' } }])
    assert.deepEqual(await theirs.listGroups(), [GROUP])
  },
  async listHolds(mine) {
    assert.deepEqual(await mine.listHolds(), [])
  },
  async saveHold(mine, theirs) {
    await mine.saveHold({ ...HOLD, reason: 'mine', until: '2027-03-01' })
    assert.deepEqual(await theirs.listHolds(), [HOLD])
  },
  async changeMarker(mine) {
    assert.equal(await mine.changeMarker('school'), undefined)
  },
  async saveChangeMarker(mine, theirs) {
    await mine.saveChangeMarker('school', '2027-01-01T00:00:00Z')
    assert.equal(await theirs.changeMarker('school'), '2026-11-23T09:05:00.000Z')
  },
  async deleteHold(mine, theirs) {
    assert.equal(await mine.deleteHold('p1'), true, 'its own hold')
    assert.equal(await mine.deleteHold('p1'), false)
    assert.deepEqual(await theirs.listHolds(), [HOLD])
  },
}

function isolationTest(open: (tenant: string) => Promise<Store>): Promise<void> {
  return (async () => {
    const theirs = await open('board-theirs')
    const mine = await open('board-mine')
    try {
      await fillTheirs(theirs)
      const before = await view(theirs)
      for (const [name, probe] of Object.entries(probes)) {
        await probe(mine, theirs).catch((e: unknown) => {
          throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
        })
      }
      assert.deepEqual(
        await view(theirs),
        before,
        'their rows are unchanged by everything the other tenant did',
      )
    } finally {
      await mine.close()
      await theirs.close()
    }
  })()
}

describe('tenant isolation', () => {
  test('SQLite: every store method of one tenant leaves the other unseen and untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-tenants-'))
    try {
      const options: StoreOptions = { kind: 'sqlite', path: join(dir, 'koppel.db') }
      await isolationTest((tenant) => openStore(options, { tenant }))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  describe('PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
    let server: PostgresServer | undefined
    before(async () => {
      server = await startPostgres()
    })
    after(() => server?.stop())
    test('every store method of one tenant leaves the other unseen and untouched', async () => {
      const options: StoreOptions = { kind: 'postgres', url: server?.url ?? '' }
      await isolationTest((tenant) => openStore(options, { tenant }))
    })
  })
})
