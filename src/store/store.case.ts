// The store's behaviour tests, written once and run against every dialect (as Kysely runs its tests over a
// list of dialects): store.test.ts calls `storeCases` for SQLite and for PostgreSQL. Each test works in a
// tenant of its own, so tests share one database without seeing each other's rows.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Account, ProvisionedGroup } from '../model/index.ts'
import { ledgerText } from './ledger-text.ts'
import type { PlanActionFilter } from './plan-action-index.ts'
import { accessCases } from './access.case.ts'
import { auditCases } from './audit.case.ts'
import { auditAttackCases } from './audit-attacks.case.ts'
import {
  account,
  freshTenant,
  plan,
  run,
  snapshot,
  withStore,
  type StoreHarness,
} from './store-fixtures.ts'

export type { StoreHarness } from './store-fixtures.ts'

/** Registers every store test; `harness` is called inside the tests, after the suite's `before()` ran. */
export function storeCases(harness: () => StoreHarness): void {
  test('migrate is idempotent: twice on one store, again on reopen, data kept', async () => {
    const h = harness()
    const tenant = freshTenant('migrate')
    await withStore(h, tenant, async (store) => {
      assert.equal(store.dialect, h.dialect)
      assert.equal(store.tenant, tenant)
      await store.migrate()
      await store.migrate()
      await store.upsertAccounts([account('p1')])
    })
    await withStore(h, tenant, async (store) => {
      await store.migrate()
      assert.deepEqual(await store.getAccount('ad', 'p1'), account('p1'))
    })
    const applied = await h.query(`select name from kysely_migration order by name`)
    assert.deepEqual(
      applied.map((r) => r['name']),
      [
        '0001-initial',
        '0002-snapshot-fingerprint',
        '0003-plan-actions-gz',
        '0004-snapshot-approved',
        '0005-person-holds',
        '0006-provisioned-groups',
        '0007-dashboard-access',
        '0008-user-tenant-roles',
        '0009-accounts-by-person',
        '0010-plan-action-index',
        '0011-change-markers',
      ],
    )
  })

  test('holds: placed, replaced, listed by person, lifted; per tenant', async () => {
    const h = harness()
    const tenant = freshTenant('holds')
    const hold = {
      kind: 'hold' as const,
      person: 'p2',
      label: 'Zoë Jansen',
      reason: 'legal hold',
      until: '2027-01-10',
      placedBy: 'cli:admin',
      placedAt: '2026-11-23T10:00:00.000Z',
    }
    await withStore(h, tenant, async (store) => {
      assert.deepEqual(await store.listHolds(), [])
      await store.saveHold(hold)
      await store.saveHold({ ...hold, person: 'p1', label: 'Bram' })
      await store.saveHold({ ...hold, reason: 'sick', until: '2027-02-01' })
      assert.deepEqual(await store.listHolds(), [
        { ...hold, person: 'p1', label: 'Bram' },
        { ...hold, reason: 'sick', until: '2027-02-01' },
      ])
      assert.equal(await store.deleteHold('p1'), true)
      assert.equal(await store.deleteHold('p1'), false)
      assert.deepEqual(
        (await store.listHolds()).map((x) => x.person),
        ['p2'],
      )
      // written without its hold.placed event (by hand, in the database): the audit check names it
      const v = await store.verifyAudit()
      assert.ok(
        !v.ok && /the hold on person p2 has no hold\.placed audit event/.test(v.problem),
        JSON.stringify(v),
      )
      await store.appendAudit([
        {
          type: 'hold.placed',
          actor: 'cli:admin',
          person: 'p2',
          data: { until: '2027-02-01', reason: 'sick' },
        },
      ])
      assert.equal((await store.verifyAudit()).ok, true)
    })
    await withStore(h, freshTenant('holds-other'), async (store) => {
      assert.deepEqual(await store.listHolds(), [], 'another tenant sees none')
      assert.equal(await store.deleteHold('p2'), false)
    })
  })

  test('change markers: kept per source, replaced, read back after reopening; per tenant', async () => {
    const h = harness()
    const tenant = freshTenant('markers')
    await withStore(h, tenant, async (store) => {
      assert.equal(await store.changeMarker('rooster'), undefined)
      await store.saveChangeMarker('rooster', '2026-11-23T09:05:00.000Z')
      await store.saveChangeMarker('rooster', '2026-11-23T09:20:00.000Z')
      await store.saveChangeMarker('other', '2026-01-01T00:00:00Z')
    })
    await withStore(h, tenant, async (store) => {
      assert.equal(await store.changeMarker('rooster'), '2026-11-23T09:20:00.000Z')
      assert.equal(await store.changeMarker('other'), '2026-01-01T00:00:00Z')
    })
    await withStore(h, freshTenant('markers-other'), async (store) => {
      assert.equal(await store.changeMarker('rooster'), undefined, 'another tenant sees none')
    })
  })

  test("groups: upsert and list provisioned groups; a group action's row commits with its journal entry", async () => {
    await withStore(harness(), freshTenant('groups'), async (store) => {
      assert.deepEqual(await store.listGroups(), [])
      const g: ProvisionedGroup = {
        kind: 'provisioned-group',
        target: 'ldap',
        key: '2026-2027/wi-3b',
        set: 'lesgroepen',
        targetId: 'uuid-1',
        locator: 'cn=Wiskunde 3B,ou=groups,dc=school,dc=test',
        state: 'active',
        attributes: { title: 'Wiskunde 3B', type: 'teaching-group' },
        createdAt: '2026-11-23T00:00:00.000Z',
        updatedAt: '2026-11-23T00:00:00.000Z',
      }
      await store.upsertGroups([g, { ...g, target: 'google', targetId: 'g-1' }])
      assert.deepEqual(await store.listGroups('ldap'), [g])
      assert.equal((await store.listGroups()).length, 2)
      const archived: ProvisionedGroup = {
        ...g,
        state: 'archived',
        archivedAt: '2027-08-01T00:00:00.000Z',
        updatedAt: '2027-08-01T00:00:00.000Z',
      }
      await store.journalFinish([
        {
          entry: {
            planId: 'plan-g',
            actionId: 'ldap/group:2026-2027/wi-3b/group-archive',
            runId: 'r1',
            phase: 'applied',
            at: '2027-08-01T00:00:00.000Z',
            attempts: 1,
          },
          group: archived,
        },
      ])
      assert.deepEqual(await store.listGroups('ldap'), [archived])
      assert.equal((await store.journalFor('plan-g')).length, 1)
      // and back: a restored group loses its archivedAt
      await store.upsertGroups([g])
      assert.deepEqual(await store.listGroups('ldap'), [g])
    })
  })

  test('groups and plan statuses page by key: every row once, in order, filtered in the query', async () => {
    await withStore(harness(), freshTenant('group-pages'), async (store) => {
      const groups: ProvisionedGroup[] = Array.from({ length: 25 }, (_, i) => ({
        kind: 'provisioned-group',
        target: i % 2 === 0 ? 'ldap' : 'google',
        key: `2026/${String(i % 7)}-${String(i).padStart(2, '0')}`,
        set: 'lesgroepen',
        targetId: `g-${i}`,
        locator: `cn=g${i}`,
        state: i % 3 === 0 ? 'archived' : 'active',
        attributes: {},
        createdAt: '2026-11-23T00:00:00.000Z',
        updatedAt: '2026-11-23T00:00:00.000Z',
      }))
      await store.upsertGroups(groups)
      const pageAll = async (q: { target?: string; state?: string }, limit: number) => {
        const seen: string[] = []
        let after: { target: string; key: string } | undefined
        for (;;) {
          const page = await store.pageGroups({ ...q, limit, ...(after ? { after } : {}) })
          assert.ok(page.length <= limit)
          seen.push(...page.map((g) => `${g.target} ${g.key}`))
          const last = page.at(-1)
          if (page.length < limit || last === undefined) return seen
          after = { target: last.target, key: last.key }
        }
      }
      const expected = (keep: (g: ProvisionedGroup) => boolean) =>
        groups
          .filter(keep)
          .map((g) => `${g.target} ${g.key}`)
          .sort()
      assert.deepEqual(
        await pageAll({}, 4),
        expected(() => true),
      )
      assert.deepEqual(
        await pageAll({ target: 'ldap', state: 'active' }, 3),
        expected((g) => g.target === 'ldap' && g.state === 'active'),
      )

      // two plans made in the same millisecond: the id breaks the tie
      const made = ['2026-09-01', '2026-09-02', '2026-09-02', '2026-09-03', '2026-09-04']
      for (const [i, day] of made.entries())
        await store.savePlan({
          ...plan(`plan-${i}`, `${day}T02:00:00.000Z`, 1),
          status: i % 2 === 0 ? 'applied' : 'blocked',
        })
      const plans: string[] = []
      let before: { createdAt: string; id: string } | undefined
      for (;;) {
        const page = await store.pagePlanStatuses({ limit: 2, ...(before ? { before } : {}) })
        plans.push(...page.map((p) => p.id))
        const last = page.at(-1)
        if (page.length < 2 || last === undefined) break
        before = { createdAt: last.createdAt, id: last.id }
      }
      assert.deepEqual(plans, ['plan-4', 'plan-3', 'plan-2', 'plan-1', 'plan-0'])
      assert.deepEqual(
        (await store.pagePlanStatuses({ status: 'blocked', limit: 10 })).map((p) => p.id),
        ['plan-3', 'plan-1'],
      )
    })
  })

  test('accounts: upsert inserts, overwrites, keeps the last of duplicates; get and list', async () => {
    await withStore(harness(), freshTenant('accounts'), async (store) => {
      await store.upsertAccounts([])
      assert.deepEqual(await store.listAccounts(), [])
      const a = account('p1')
      const b = account('p2', {
        target: 'google',
        attributes: { primaryEmail: 'p2@school.test' },
        permissions: [],
      })
      await store.upsertAccounts([a, b])
      assert.deepEqual(await store.getAccount('ad', 'p1'), a)
      assert.equal(await store.getAccount('ad', 'p2'), undefined)
      assert.deepEqual(await store.listAccounts('google'), [b])
      assert.deepEqual(await store.listAccounts(), [a, b])

      const disabled = account('p1', {
        state: 'disabled',
        disabledAt: '2026-09-01T00:00:00.000Z',
        updatedAt: '2026-09-01T00:00:00.000Z',
      })
      const later = account('p3', { locator: 'uid=p3-new,ou=people,dc=school,dc=test' })
      await store.upsertAccounts([account('p3'), disabled, later])
      assert.deepEqual(await store.getAccount('ad', 'p1'), disabled)
      assert.deepEqual(await store.getAccount('ad', 'p3'), later)
      assert.equal((await store.listAccounts()).length, 3)

      // and back: an enabled account loses its disabledAt
      await store.upsertAccounts([a])
      assert.equal((await store.getAccount('ad', 'p1'))?.disabledAt, undefined)
    })
  })

  test('accounts: a page of persons by key, each with the accounts on every target; another tenant apart', async () => {
    const h = harness()
    const tenant = freshTenant('persons')
    await withStore(h, tenant, async (store) => {
      assert.deepEqual(await store.pagePersons(undefined, 10), [])
      const ad = ['p3', 'p1', 'p2', 'p5'].map((p) => account(p))
      const google = account('p2', { target: 'google', permissions: [] })
      await store.upsertAccounts([...ad, google])
      const first = await store.pagePersons(undefined, 2)
      assert.deepEqual(
        first.map((p) => [p.person, p.accounts.map((a) => a.target)]),
        [
          ['p1', ['ad']],
          ['p2', ['ad', 'google']],
        ],
      )
      assert.deepEqual(first[1]?.accounts[1], google)
      const rest = await store.pagePersons('p2', 2)
      assert.deepEqual(
        rest.map((p) => p.person),
        ['p3', 'p5'],
      )
      assert.deepEqual(await store.pagePersons('p5', 2), [])
    })
    await withStore(h, freshTenant('persons-other'), async (store) => {
      assert.deepEqual(await store.pagePersons(undefined, 10), [])
    })
  })

  test('accounts: versions are the rows without attributes and permissions', async () => {
    await withStore(harness(), freshTenant('versions'), async (store) => {
      assert.deepEqual(await store.listAccountVersions(), [])
      const a = account('p1')
      const b = account('p2', {
        target: 'google',
        state: 'disabled',
        disabledAt: '2026-09-01T00:00:00.000Z',
        updatedAt: '2026-09-01T00:00:00.000Z',
      })
      await store.upsertAccounts([a, b])
      const versions = (await store.listAccountVersions()).sort((x, y) =>
        x.person < y.person ? -1 : 1,
      )
      const version = ({ target, person, targetId, state, updatedAt }: Account) => ({
        target,
        person,
        targetId,
        state,
        updatedAt,
      })
      assert.deepEqual(versions, [version(a), version(b)])
    })
  })

  test('accounts: ledgerText is the text the ledger hash covers, built in the database, in sort() order', async () => {
    await withStore(harness(), freshTenant('ledger-text'), async (store) => {
      assert.equal(await store.ledgerText(), '')
      // orders where UTF-8 bytes, a collation and UTF-16 code units can disagree; a key holding a separator
      const persons = ['p2', 'P1', 'p10', 'é1', 'z\u{1F600}', 'z\uFF5E', 'x\u0001y', 'a b']
      await store.upsertAccounts([
        ...persons.map((p) => account(p)),
        account('p3', {
          target: 'google',
          state: 'disabled',
          updatedAt: '2026-09-01T00:00:00.000Z',
        }),
      ])
      const expected = ledgerText(await store.listAccountVersions())
      assert.equal(expected.split('\n').length, 9)
      assert.equal(await store.ledgerText(), expected)
      await withStore(harness(), freshTenant('ledger-text-plain'), async (plain) => {
        await plain.upsertAccounts(['p2', 'P1', 'p10', 'é1'].map((p) => account(p)))
        const expectedPlain = ledgerText(await plain.listAccountVersions())
        // plain keys are joined in the database alone, without a row object per account
        plain.listAccountVersions = () => Promise.reject(new Error('read row by row'))
        assert.equal(await plain.ledgerText(), expectedPlain)
      })
    })
  })

  test('accounts: awkward text survives the bulk path intact', async () => {
    await withStore(harness(), freshTenant('awkward'), async (store) => {
      const odd = [
        'NULL',
        '',
        '"quoted", {braced}',
        'back\\slash\\',
        "it's",
        'Ærø Ĳsselmeer 🎓',
        'tab\tnew\nline',
        '\u0001',
      ]
      const accounts = odd.map((s, i) =>
        account(`p${i}`, {
          locator: s,
          attributes: { cn: s, multi: [s, 'x'] },
          permissions: [s],
          targetId: `${s}-${i}`,
        }),
      )
      await store.upsertAccounts(accounts)
      assert.deepEqual(await store.listAccounts(), accounts)
    })
  })

  test('accounts: 12,000 in one call cross statement batches on both dialects', async () => {
    await withStore(harness(), freshTenant('batches'), async (store) => {
      const many: Account[] = Array.from({ length: 12_000 }, (_, i) =>
        account(`p${String(i).padStart(5, '0')}`),
      )
      await store.upsertAccounts(many)
      const listed = await store.listAccounts('ad')
      assert.equal(listed.length, many.length)
      assert.deepEqual(listed[0], many[0])
      assert.deepEqual(listed[7_000], many[7_000])
      assert.deepEqual(listed.at(-1), many.at(-1))
    })
  })

  test('tenants: every method sees only its own tenant', async () => {
    const h = harness()
    const [t1, t2] = [freshTenant('school-a'), freshTenant('school-b')]
    await withStore(h, t1, async (a) => {
      await withStore(h, t2, async (b) => {
        await a.upsertAccounts([account('p1')])
        await b.upsertAccounts([account('p1', { targetId: 'other' }), account('p2')])
        assert.equal((await a.getAccount('ad', 'p1'))?.targetId, 'guid-p1')
        assert.equal((await b.getAccount('ad', 'p1'))?.targetId, 'other')
        assert.equal((await a.listAccounts()).length, 1)

        await a.savePlan(plan('plan-1', '2026-09-01T00:00:00.000Z'))
        assert.equal(await b.getPlan('plan-1'), undefined)
        assert.deepEqual(await b.listPlans(10), [])
        await assert.rejects(b.setPlanStatus('plan-1', 'approved'))
        await b.savePlan(plan('plan-1', '2026-09-02T00:00:00.000Z', 1))
        assert.equal((await a.getPlan('plan-1'))?.actions.length, 3)

        await a.journalStart([
          { planId: 'plan-1', actionId: 'x', runId: 'r', phase: 'started', at: 'T', attempts: 1 },
        ])
        assert.deepEqual(await b.journalFor('plan-1'), [])

        await a.saveRun(run('run-1', '2026-09-01T00:00:00.000Z'))
        assert.equal(await b.getRun('run-1'), undefined)
        assert.deepEqual(await b.listRuns(5), [])

        await a.saveSnapshot(
          snapshot('s1', '2026-09-01T00:00:00.000Z', true),
          new Uint8Array([1, 2, 3]),
        )
        assert.equal(await b.lastUsedSnapshot('somtoday'), undefined)
        assert.equal(await b.snapshotContent('s1'), undefined)

        await a.appendAudit([{ type: 'plan.created', actor: 'koppel' }])
        const [first] = await b.appendAudit([{ type: 'plan.created', actor: 'koppel' }])
        assert.equal(first?.seq, 1, 'each tenant has its own chain')
        assert.equal((await b.listAudit({ limit: 10 })).length, 1)

        assert.equal(await a.acquireLease('apply', 'host-a', 60_000), true)
        assert.equal(await b.acquireLease('apply', 'host-b', 60_000), true)
      })
    })
  })

  test('plans: save, get, list newest first, set status, replace on save', async () => {
    await withStore(harness(), freshTenant('plans'), async (store) => {
      const p1 = plan('plan-1', '2026-09-01T02:00:00.000Z')
      const p2 = plan('plan-2', '2026-09-02T02:00:00.000Z', 5)
      const p3 = plan('plan-3', '2026-09-03T02:00:00.000Z', 0)
      await store.savePlan(p2)
      await store.savePlan(p1)
      await store.savePlan(p3)
      assert.deepEqual(await store.getPlan('plan-2'), p2)
      assert.equal(await store.getPlan('nope'), undefined)
      const { actions: _a2, ...head2 } = p2
      assert.deepEqual(await store.getPlanHead('plan-2'), { ...head2, actionCount: 5 })
      assert.equal(await store.getPlanHead('nope'), undefined)
      assert.deepEqual(
        (await store.listPlans(2)).map((p) => p.id),
        ['plan-3', 'plan-2'],
      )

      await store.setPlanStatus('plan-2', 'approved')
      assert.equal((await store.getPlan('plan-2'))?.status, 'approved')
      assert.equal((await store.getPlanHead('plan-2'))?.status, 'approved', 'the column wins')
      assert.equal((await store.listPlans(10)).find((p) => p.id === 'plan-2')?.status, 'approved')
      assert.deepEqual(
        (await store.listPlanStatuses(2)).map((p) => [p.id, p.status]),
        [
          ['plan-3', p3.status],
          ['plan-2', 'approved'],
        ],
      )
      await assert.rejects(store.setPlanStatus('nope', 'approved'), /no plan nope/)

      const replaced = { ...p1, status: 'blocked' as const, notes: ['held: summer pause'] }
      await store.savePlan(replaced)
      assert.deepEqual(await store.getPlan('plan-1'), replaced)

      // a compare-and-set with its audit event: from the wrong state nothing moves and nothing is audited
      const event = {
        type: 'plan.rejected',
        actor: 'admin',
        planId: 'plan-1',
        data: { from: 'blocked', to: 'rejected' },
      }
      assert.equal(await store.transitionPlan('plan-1', 'planned', 'rejected', event), undefined)
      assert.equal(await store.planStatus('plan-1'), 'blocked')
      assert.equal((await store.listAudit({ planId: 'plan-1', limit: 10 })).length, 0)
      const moved = await store.transitionPlan('plan-1', 'blocked', 'rejected', event)
      assert.equal(moved?.type, 'plan.rejected')
      assert.equal(await store.planStatus('plan-1'), 'rejected')
      assert.deepEqual(
        (await store.listAudit({ planId: 'plan-1', limit: 10 })).map((e) => e.seq),
        [moved?.seq],
      )
      assert.equal(
        await store.transitionPlan('nope', 'blocked', 'rejected', { ...event, planId: 'nope' }),
        undefined,
      )
    })
  })

  test("plans: a page of a plan's actions, filtered, by key, without the whole plan; facets; rows from before 0010 indexed on first read", async () => {
    const h = harness()
    const tenant = freshTenant('plan-pages')
    await withStore(h, tenant, async (store) => {
      const base = plan('plan-paged', '2026-09-01T02:00:00.000Z', 6000)
      // ~650 bytes of JSON each: several ~1 MB stored blocks; the Zoë College pupils only in the last one
      const actions = base.actions.map((a, i) => ({
        ...a,
        id: `${i % 3 === 0 ? 'sd' : 'ad'}/${a.person}/create`,
        target: i % 3 === 0 ? 'sd' : 'ad',
        reason: { ...a.reason, change: i % 5 === 0 ? ('leaver' as const) : ('joiner' as const) },
        subject: { school: i >= 5900 ? 'Zoë College' : 'Het Lyceum' },
      }))
      const big = { ...base, actions }
      await store.savePlan(big)
      assert.deepEqual(await store.planActionFacets('plan-paged'), {
        targets: ['ad', 'sd'],
        kinds: ['create'],
        reasons: ['joiner', 'leaver'],
        schools: ['Het Lyceum', 'Zoë College'],
      })
      assert.equal(await store.planActionFacets('nope'), undefined)
      assert.equal(await store.pagePlanActions('nope', { filter: {}, limit: 5 }), undefined)

      const all = async (filter: PlanActionFilter, limit: number) => {
        const seen: { index: number; id: string }[] = []
        let after: number | undefined
        for (let pages = 0; ; pages++) {
          assert.ok(pages <= actions.length / limit + 1, 'the pages end')
          const page = await store.pagePlanActions('plan-paged', {
            filter,
            limit,
            ...(after === undefined ? {} : { after }),
          })
          assert.ok(page !== undefined && page.items.length <= limit)
          seen.push(...page.items.map((i) => ({ index: i.index, id: i.action.id })))
          if (!page.more) return seen
          after = page.items.at(-1)?.index
        }
      }
      const expect = (keep: (a: (typeof actions)[number]) => boolean) =>
        actions.flatMap((a, index) => (keep(a) ? [{ index, id: a.id }] : []))
      assert.deepEqual(
        await all({}, 999),
        expect(() => true),
      )
      assert.deepEqual(
        await all({ target: 'sd', reason: 'leaver' }, 70),
        expect((a) => a.target === 'sd' && a.reason.change === 'leaver'),
      )
      assert.deepEqual(
        await all({ school: 'zoe college', kind: 'create' }, 30),
        expect((a) => a.subject.school === 'Zoë College'),
        'school folded as `koppel plan --school` folds it',
      )
      assert.deepEqual(await all({ person: actions[4321]!.person }, 10), [
        { index: 4321, id: actions[4321]!.id },
      ])
      assert.deepEqual(await all({ kind: 'delete' }, 10), [])
      const first = await store.pagePlanActions('plan-paged', { filter: {}, limit: 3 })
      assert.deepEqual(first?.items[0]?.action, actions[0], 'the action as stored, whole')
      assert.deepEqual(
        first?.facets,
        await store.planActionFacets('plan-paged'),
        "a page carries the plan's facets, from the same read of the index",
      )

      // a row from before 0010 (and one from before 0003): no index until its first paged read
      await h.query(`delete from plan_action_index where tenant = '${tenant}'`)
      assert.deepEqual(
        await all({ target: 'sd', reason: 'leaver' }, 500),
        expect((a) => a.target === 'sd' && a.reason.change === 'leaver'),
      )
      const indexed = await h.query(
        `select members from plan_action_index where tenant = '${tenant}' and plan_id = 'plan-paged'`,
      )
      assert.equal(typeof indexed[0]?.['members'], 'string', 'indexed on the first read')
      assert.deepEqual(await store.getPlan('plan-paged'), big, 'the plan reads back unchanged')
      const old = plan('plan-old', '2026-08-01T02:00:00.000Z', 4)
      const literal = (v: string) => `'${v.replaceAll("'", "''")}'`
      await h.query(
        `insert into plans (tenant, id, hash, status, created_at, summary, actions, document) values (${literal(tenant)}, 'plan-old', ${literal(old.hash)}, 'applied', ` +
          `${literal(old.createdAt)}, '{}', 4, ${literal(JSON.stringify(old))})`,
      )
      const oldPage = await store.pagePlanActions('plan-old', { filter: {}, limit: 3, after: 0 })
      assert.deepEqual(
        oldPage?.items.map((i) => i.action),
        old.actions.slice(1, 4),
      )
      assert.equal(oldPage?.more, false)
      assert.deepEqual(await store.getPlan('plan-old'), { ...old, status: 'applied' })
    })
  })

  test('plans: actions stored compressed round-trip (many slices, awkward text); rows from before 0003 still read', async () => {
    const h = harness()
    const tenant = freshTenant('plan-gz')
    await withStore(h, tenant, async (store) => {
      const big = plan('plan-big', '2026-09-01T02:00:00.000Z', 2500)
      const [a0, ...others] = big.actions
      const awkward = {
        ...big,
        actions: [
          {
            ...a0!,
            label: 'Zoë "Z" \n ✓ 🎓 \u2028 tab\t',
            changes: [{ field: 'cn', old: 'a\nb', new: 'ß'.repeat(200_000) }],
          },
          ...others,
        ],
      }
      await store.savePlan(awkward)
      assert.deepEqual(await store.getPlan('plan-big'), awkward)
      const stored = await h.query(
        `select document, actions_gz from plans where tenant = '${tenant}' and id = 'plan-big'`,
      )
      assert.equal(
        JSON.parse(String(stored[0]?.['document'])).actions.length,
        0,
        'the document holds no actions',
      )
      assert.ok(stored[0]?.['actions_gz'] instanceof Uint8Array)

      // a row as migration 0001 wrote it: the whole plan in `document`
      const old = plan('plan-old', '2026-08-01T02:00:00.000Z', 3)
      const literal = (v: string) => `'${v.replaceAll("'", "''")}'`
      await h.query(
        `insert into plans (tenant, id, hash, status, created_at, summary, actions, document) values (${literal(tenant)}, 'plan-old', 'h', 'applied', ` +
          `${literal(old.createdAt)}, '{}', 3, ${literal(JSON.stringify(old))})`,
      )
      assert.deepEqual(await store.getPlan('plan-old'), { ...old, status: 'applied' })
      const { actions: _old, ...oldHead } = old
      assert.deepEqual(
        await store.getPlanHead('plan-old'),
        { ...oldHead, status: 'applied', actionCount: 3 },
        'a head of a row from before 0003 leaves the inline actions out',
      )
      assert.equal((await store.getPlanHead('plan-big'))?.actionCount, 2500)
      assert.deepEqual(
        (await store.listPlans(5)).map((p) => [p.id, p.actions.length]),
        [
          ['plan-big', 2500],
          ['plan-old', 3],
        ],
      )
    })
  })

  test('journal: start rows, then outcomes with their ledger rows; latest entry per action', async () => {
    await withStore(harness(), freshTenant('journal'), async (store) => {
      const base = { planId: 'plan-1', runId: 'run-1', at: '2026-09-01T02:00:00.000Z', attempts: 1 }
      await store.journalStart([
        { ...base, actionId: 'ad/p1/create', phase: 'started' },
        { ...base, actionId: 'ad/p2/create', phase: 'started' },
        { ...base, actionId: 'ad/p3/create', phase: 'started' },
      ])
      await store.journalStart([
        { ...base, planId: 'plan-2', actionId: 'ad/p1/create', phase: 'started' },
      ])
      assert.deepEqual(
        (await store.journalFor('plan-1')).map((e) => e.phase),
        ['started', 'started', 'started'],
      )

      const created = account('p1')
      await store.journalFinish([
        { entry: { ...base, actionId: 'ad/p1/create', phase: 'applied' }, account: created },
        {
          entry: {
            ...base,
            actionId: 'ad/p2/create',
            phase: 'failed',
            message: 'LDAP 68: entry exists',
          },
        },
      ])
      assert.deepEqual(await store.getAccount('ad', 'p1'), created)
      // a retry of p2 in a later run, same timestamp: order of writing decides what is latest
      await store.journalStart([
        { ...base, runId: 'run-2', actionId: 'ad/p2/create', phase: 'started', attempts: 2 },
      ])

      const latest = await store.journalFor('plan-1')
      assert.deepEqual(
        Object.fromEntries(latest.map((e) => [e.actionId, [e.phase, e.runId, e.attempts]])),
        {
          'ad/p1/create': ['applied', 'run-1', 1],
          'ad/p2/create': ['started', 'run-2', 2],
          'ad/p3/create': ['started', 'run-1', 1],
        },
      )
      assert.equal(latest.length, 3)
      // a worker's job reads its own actions' latest rows only
      assert.deepEqual(
        (await store.journalFor('plan-1', ['ad/p2/create', 'ad/none'])).map((e) => [
          e.actionId,
          e.phase,
          e.runId,
        ]),
        [['ad/p2/create', 'started', 'run-2']],
      )
      assert.deepEqual(await store.journalFor('plan-1', []), [])
      // a pass of a big plan names more ids than a query may bind (PostgreSQL: 65,535 parameters)
      const many = [...Array.from({ length: 70_000 }, (_, i) => `ad/x${i}/create`), 'ad/p1/create']
      assert.deepEqual(
        (await store.journalFor('plan-1', many)).map((e) => e.actionId),
        ['ad/p1/create'],
      )
      assert.deepEqual(await store.journalFor('plan-2'), [
        { ...base, planId: 'plan-2', actionId: 'ad/p1/create', phase: 'started' },
      ])
      assert.deepEqual(await store.journalFor('plan-none'), [])

      const failed = (await store.journalFor('plan-1')).find((e) => e.phase === 'failed')
      assert.equal(failed, undefined, 'the failed entry was superseded by the retry')
    })
  })

  test('journal: outcome rows and ledger rows commit together or not at all', async () => {
    await withStore(harness(), freshTenant('atomic'), async (store) => {
      const base = { planId: 'plan-1', runId: 'run-1', at: '2026-09-01T02:00:00.000Z', attempts: 1 }
      await store.journalStart([
        { ...base, actionId: 'ad/p1/create', phase: 'started' },
        { ...base, actionId: 'ad/p2/create', phase: 'started' },
      ])
      // the ledger statement (the second one) fails on a NOT NULL column after the journal rows went in
      const broken = { ...account('p2'), targetId: null } as unknown as Account
      await assert.rejects(
        store.journalFinish([
          {
            entry: { ...base, actionId: 'ad/p1/create', phase: 'applied' },
            account: account('p1'),
          },
          { entry: { ...base, actionId: 'ad/p2/create', phase: 'applied' }, account: broken },
        ]),
      )
      assert.deepEqual(
        (await store.journalFor('plan-1')).map((e) => e.phase),
        ['started', 'started'],
      )
      assert.equal(await store.getAccount('ad', 'p1'), undefined)
      assert.deepEqual(await store.listAccounts(), [])

      // the same batch without the broken row goes through whole
      await store.journalFinish([
        { entry: { ...base, actionId: 'ad/p1/create', phase: 'applied' }, account: account('p1') },
      ])
      assert.deepEqual(
        (await store.journalFor('plan-1')).map((e) => [e.actionId, e.phase]),
        [
          ['ad/p2/create', 'started'],
          ['ad/p1/create', 'applied'],
        ],
      )
      assert.deepEqual(await store.getAccount('ad', 'p1'), account('p1'))
    })
  })

  test('journal: the audit events of a batch commit with its outcome and ledger rows, or none of them', async () => {
    await withStore(harness(), freshTenant('atomic-audit'), async (store) => {
      const base = { planId: 'plan-1', runId: 'run-1', at: '2026-09-01T02:00:00.000Z', attempts: 1 }
      const event = (person: string) => ({
        type: 'action.applied',
        actor: 'test',
        planId: 'plan-1',
        runId: 'run-1',
        target: 'ad',
        person,
        actionId: `ad/${person}/create`,
        data: { kind: 'create' },
      })
      await store.journalStart([
        { ...base, actionId: 'ad/p1/create', phase: 'started' },
        { ...base, actionId: 'ad/p2/create', phase: 'started' },
      ])
      await store.journalFinish(
        [
          {
            entry: { ...base, actionId: 'ad/p1/create', phase: 'applied' },
            account: account('p1'),
          },
        ],
        [event('p1')],
      )
      const events = await store.listAudit({ limit: 100 })
      assert.deepEqual(
        events.map((e) => [e.seq, e.type, e.actionId]),
        [[1, 'action.applied', 'ad/p1/create']],
      )
      // the audit statement (the last one) fails on a NOT NULL column after the journal and ledger rows went in
      const broken = { ...event('p2'), actor: null } as unknown as ReturnType<typeof event>
      await assert.rejects(
        store.journalFinish(
          [
            {
              entry: { ...base, actionId: 'ad/p2/create', phase: 'applied' },
              account: account('p2'),
            },
          ],
          [broken],
        ),
      )
      assert.deepEqual(
        (await store.journalFor('plan-1')).map((e) => [e.actionId, e.phase]),
        [
          ['ad/p2/create', 'started'],
          ['ad/p1/create', 'applied'],
        ],
      )
      assert.equal(await store.getAccount('ad', 'p2'), undefined)
      assert.equal((await store.listAudit({ limit: 100 })).length, 1)
      assert.equal((await store.verifyAudit()).ok, true)
    })
  })

  test('runs: the next page after a run by (started, id), ties in the start time included', async () => {
    await withStore(harness(), freshTenant('runs-page'), async (store) => {
      for (const [id, at] of [
        ['a', '2026-11-23T05:30:00.000Z'],
        ['b', '2026-11-23T05:30:00.000Z'],
        ['c', '2026-11-23T05:30:00.000Z'],
        ['d', '2026-11-22T05:30:00.000Z'],
      ] as const)
        await store.saveRun(run(id, at))
      const ids = async (limit: number, before?: { startedAt: string; runId: string }) =>
        (await store.listRuns(limit, before)).map((r) => r.runId)
      assert.deepEqual(await ids(10), ['c', 'b', 'a', 'd'])
      assert.deepEqual(await ids(2, { startedAt: '2026-11-23T05:30:00.000Z', runId: 'b' }), [
        'a',
        'd',
      ])
      assert.deepEqual(await ids(10, { startedAt: '2026-11-22T05:30:00.000Z', runId: 'd' }), [])
    })
  })

  test('runs: save replaces by id, get, list newest first', async () => {
    await withStore(harness(), freshTenant('runs'), async (store) => {
      await store.saveRun(run('run-1', '2026-09-01T02:00:00.000Z', { state: 'applying' }))
      await store.saveRun(run('run-2', '2026-09-02T02:00:00.000Z', { planId: 'plan-2' }))
      await store.saveRun(run('run-3', '2026-09-03T02:00:00.000Z'))
      const finished = run('run-1', '2026-09-01T02:00:00.000Z', {
        finishedAt: '2026-09-01T02:10:00.000Z',
        failures: [{ action: 'ad/p2/create', target: 'ad', message: 'LDAP 68' }],
      })
      await store.saveRun(finished)
      assert.deepEqual(await store.getRun('run-1'), finished)
      assert.equal(await store.getRun('nope'), undefined)
      assert.deepEqual(
        (await store.listRuns(2)).map((r) => r.runId),
        ['run-3', 'run-2'],
      )
      assert.equal((await store.listRuns(10)).length, 3)
    })
  })

  test('snapshots: newest used one per source; content kept and returned', async () => {
    await withStore(harness(), freshTenant('snapshots'), async (store) => {
      assert.equal(await store.lastUsedSnapshot('somtoday'), undefined)
      const s1 = snapshot('s1', '2026-09-01T02:00:00.000Z', true)
      const s2 = { ...snapshot('s2', '2026-09-02T02:00:00.000Z', true), note: 'delta applied' }
      const s3 = snapshot('s3', '2026-09-03T02:00:00.000Z', false) // rejected by the shrink check
      const other = snapshot('a1', '2026-09-04T02:00:00.000Z', true, 'afas')
      const gz = new Uint8Array([0x1f, 0x8b, 8, 0, 255, 0, 128])
      await store.saveSnapshot(s1, new Uint8Array([1]))
      await store.saveSnapshot(s2, gz)
      await store.saveSnapshot(s3)
      await store.saveSnapshot(other)
      assert.deepEqual(await store.lastUsedSnapshot('somtoday'), s2)
      assert.deepEqual(await store.lastUsedSnapshot('afas'), other)
      assert.equal(await store.lastUsedSnapshot('magister'), undefined)

      const content = await store.snapshotContent('s2')
      assert.ok(content instanceof Uint8Array)
      assert.deepEqual([...content], [...gz])
      assert.equal(await store.snapshotContent('s3'), undefined)
      assert.deepEqual(await store.getSnapshot('s3'), s3)
      assert.equal(await store.getSnapshot('nope'), undefined)

      // marking s3 used later (same id) makes it the newest; content saved before survives a save without it
      await store.saveSnapshot({ ...s3, used: true })
      assert.equal((await store.lastUsedSnapshot('somtoday'))?.id, 's3')
      await store.saveSnapshot({ ...s2, used: false })
      assert.deepEqual([...((await store.snapshotContent('s2')) ?? [])], [...gz])
    })
  })

  test('snapshots: the source fingerprint is kept, replaced with the record, and absent when not given', async () => {
    await withStore(harness(), freshTenant('fingerprint'), async (store) => {
      const s1 = { ...snapshot('s1', '2026-09-01T02:00:00.000Z', true), fingerprint: 'sha256:abc' }
      await store.saveSnapshot(s1)
      assert.deepEqual(await store.lastUsedSnapshot('somtoday'), s1)
      assert.equal((await store.getSnapshot('s1'))?.fingerprint, 'sha256:abc')
      await store.saveSnapshot({ ...s1, fingerprint: 'sha256:def' })
      assert.equal((await store.lastUsedSnapshot('somtoday'))?.fingerprint, 'sha256:def')
      const { fingerprint: _f, ...without } = s1
      await store.saveSnapshot(without)
      const back = await store.getSnapshot('s1')
      assert.deepEqual(back, without)
      assert.equal(back !== undefined && 'fingerprint' in back, false)
    })
  })

  test('leases: one holder at a time, renewal, release, expiry', async () => {
    await withStore(harness(), freshTenant('leases'), async (store) => {
      assert.equal(await store.acquireLease('apply', 'host-a:1', 60_000), true)
      assert.equal(await store.acquireLease('apply', 'host-b:2', 60_000), false)
      assert.equal(await store.acquireLease('apply', 'host-a:1', 60_000), true, 'the holder renews')
      assert.equal(
        await store.acquireLease('plan', 'host-b:2', 60_000),
        true,
        'leases are per name',
      )
      await store.releaseLease('apply', 'host-b:2')
      assert.equal(
        await store.acquireLease('apply', 'host-b:2', 60_000),
        false,
        'only the holder releases',
      )
      await store.releaseLease('apply', 'host-a:1')
      assert.equal(await store.acquireLease('apply', 'host-b:2', 1), true)
      await new Promise((r) => setTimeout(r, 10))
      assert.equal(
        await store.acquireLease('apply', 'host-a:1', 60_000),
        true,
        'an expired lease is taken over',
      )
      assert.equal(await store.acquireLease('apply', 'host-b:2', 60_000), false)
      assert.equal((await store.leaseHolder('apply'))?.holder, 'host-a:1')
      assert.ok(((await store.leaseHolder('apply'))?.expiresAt ?? 0) > Date.now())
      assert.equal(await store.leaseHolder('nothing'), undefined)
      assert.equal(
        await store.acquireLease('apply', 'host-b:2', 60_000, { replacing: 'host-c:3' }),
        false,
        'only the named holder is replaced',
      )
      assert.equal(
        await store.acquireLease('apply', 'host-b:2', 60_000, { replacing: 'host-a:1' }),
        true,
        'a dead holder is replaced',
      )
      assert.equal((await store.leaseHolder('apply'))?.holder, 'host-b:2')
    })
  })

  auditCases(harness)
  auditAttackCases(harness)
  accessCases(harness)
}
