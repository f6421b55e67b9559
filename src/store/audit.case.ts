// Audit log cases of the store suite: chaining, listing, and tampering done with raw SQL that verifyAudit
// must catch. Registered by storeCases; not a suite of its own.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GENESIS_HASH, auditHash } from './audit-chain.ts'
import { freshTenant, withStore, type StoreHarness } from './store-fixtures.ts'
import type { AuditEventInput, Store } from './store.ts'

function events(n: number, from = 1): AuditEventInput[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'action.applied',
    actor: 'apply',
    planId: 'plan-1',
    runId: 'run-1',
    target: 'ad',
    person: `p${from + i}`,
    actionId: `ad/p${from + i}/create`,
    data: { attempts: 1, changes: { z: 1, a: ['x', 'y'] } },
  }))
}

async function chainOfFive(
  h: StoreHarness,
  label: string,
): Promise<{ tenant: string; store: Store }> {
  const tenant = freshTenant(label)
  const store = await h.open(tenant)
  await store.appendAudit(events(2))
  await store.appendAudit(events(3, 3))
  assert.deepEqual(await store.verifyAudit(), {
    ok: true,
    events: 5,
    head: (await store.listAudit({ limit: 1 }))[0]?.hash,
    keyed: false,
    unkeyed: 5,
  })
  return { tenant, store }
}

export function auditCases(harness: () => StoreHarness): void {
  test('audit: append numbers and chains events; list filters newest first; verify passes', async () => {
    await withStore(harness(), freshTenant('audit'), async (store) => {
      assert.deepEqual(await store.verifyAudit(), {
        ok: true,
        events: 0,
        head: GENESIS_HASH,
        keyed: false,
        unkeyed: 0,
      })
      assert.deepEqual(await store.appendAudit([]), [])
      const first = await store.appendAudit([
        { type: 'plan.created', actor: 'cli:jan', planId: 'plan-1', data: { actions: 3 } },
      ])
      const more = await store.appendAudit([
        ...events(2),
        { type: 'run.finished', actor: 'apply', runId: 'run-1' },
      ])
      const all = [...first, ...more]
      assert.deepEqual(
        all.map((e) => e.seq),
        [1, 2, 3, 4],
      )
      assert.equal(all[0]?.prevHash, GENESIS_HASH)
      for (let i = 1; i < all.length; i++) assert.equal(all[i]?.prevHash, all[i - 1]?.hash)
      for (const e of all) {
        assert.match(e.hash, /^[0-9a-f]{64}$/)
        assert.equal(auditHash(e.prevHash, e), e.hash)
        assert.ok(!Number.isNaN(Date.parse(e.at)))
      }

      const listed = await store.listAudit({ limit: 10 })
      assert.deepEqual(listed, [...all].reverse(), 'stored events read back exactly as appended')
      assert.deepEqual(
        (await store.listAudit({ person: 'p2', limit: 10 })).map((e) => e.seq),
        [3],
      )
      assert.deepEqual(
        (await store.listAudit({ planId: 'plan-1', limit: 2 })).map((e) => e.seq),
        [3, 2],
      )
      assert.deepEqual(await store.verifyAudit(), {
        ok: true,
        events: 4,
        head: all[3]?.hash,
        keyed: false,
        unkeyed: 4,
      })
    })
  })

  test('audit: beforeSeq lists the events older than a seq, newest first (paging by key)', async () => {
    await withStore(harness(), freshTenant('audit-before'), async (store) => {
      const events = await store.appendAudit(
        Array.from({ length: 5 }, (_, i) => ({ type: 'test.page', actor: 'test', data: { i } })),
      )
      const seqs = events.map((e) => e.seq)
      const third = seqs[2] ?? 0
      assert.deepEqual(
        (await store.listAudit({ kind: 'test', limit: 10, beforeSeq: third })).map((e) => e.seq),
        seqs.slice(0, 2).reverse(),
      )
      assert.deepEqual(
        (await store.listAudit({ kind: 'test', limit: 1, beforeSeq: third })).map((e) => e.seq),
        [seqs[1]],
      )
    })
  })

  test('audit: concurrent appends on one store keep one unbroken chain', async () => {
    await withStore(harness(), freshTenant('audit-conc'), async (store) => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.appendAudit(events(3, i * 3 + 1))),
      )
      const result = await store.verifyAudit()
      assert.equal(result.ok, true)
      assert.equal(result.events, 30)
    })
  })

  test('audit: an edited event is caught at its seq', async () => {
    const h = harness()
    const { tenant, store } = await chainOfFive(h, 'audit-edit')
    try {
      await h.query(`update audit set actor = 'mallory' where tenant = '${tenant}' and seq = 2`)
      const result = await store.verifyAudit()
      assert.equal(result.ok, false)
      assert.equal(!result.ok && result.firstBadSeq, 2)
      assert.match(!result.ok ? result.problem : '', /edited/)
    } finally {
      await store.close()
    }
  })

  test('audit: an edit with a recomputed hash breaks the link to the next event', async () => {
    const h = harness()
    const { tenant, store } = await chainOfFive(h, 'audit-rehash')
    try {
      const second = (await store.listAudit({ limit: 10 })).find((e) => e.seq === 2)
      assert.ok(second)
      const forged = auditHash(second.prevHash, { ...second, actor: 'mallory' })
      await h.query(
        `update audit set actor = 'mallory', hash = '${forged}' where tenant = '${tenant}' and seq = 2`,
      )
      const result = await store.verifyAudit()
      assert.equal(!result.ok && result.firstBadSeq, 3)
      assert.match(!result.ok ? result.problem : '', /prevHash/)
    } finally {
      await store.close()
    }
  })

  test('audit: a deleted middle event is caught as a gap', async () => {
    const h = harness()
    const { tenant, store } = await chainOfFive(h, 'audit-gap')
    try {
      await h.query(`delete from audit where tenant = '${tenant}' and seq = 3`)
      const result = await store.verifyAudit()
      assert.equal(!result.ok && result.firstBadSeq, 3)
      assert.match(!result.ok ? result.problem : '', /event 3 is missing/)
      assert.equal(result.events, 2)
    } finally {
      await store.close()
    }
  })

  test('audit: deleting the newest event (tail truncation) is caught by the head', async () => {
    const h = harness()
    const { tenant, store } = await chainOfFive(h, 'audit-tail')
    try {
      await h.query(`delete from audit where tenant = '${tenant}' and seq = 5`)
      const result = await store.verifyAudit()
      assert.equal(!result.ok && result.firstBadSeq, 5)
      assert.match(!result.ok ? result.problem : '', /newest events were deleted/)
      assert.equal(result.events, 4)
    } finally {
      await store.close()
    }
  })

  test('audit: an event inserted past the head is caught', async () => {
    const h = harness()
    const { tenant, store } = await chainOfFive(h, 'audit-stray')
    try {
      await h.query(
        `insert into audit (tenant, seq, at, type, actor, prev_hash, hash) ` +
          `select tenant, 6, at, type, 'mallory', hash, hash from audit where tenant = '${tenant}' and seq = 5`,
      )
      const result = await store.verifyAudit()
      assert.equal(!result.ok && result.firstBadSeq, 6)
    } finally {
      await store.close()
    }
  })

  test('audit: two store instances appending at once keep the chain valid', async (t) => {
    const h = harness()
    // node:sqlite waits for a lock by blocking the thread, so two connections in one process would stall each
    // other; across processes SQLite's write lock serialises appends, as one store instance does here
    if (h.dialect === 'sqlite') return t.skip('SQLite: one store instance per process (see README)')
    const tenant = freshTenant('audit-two')
    const [a, b] = [await h.open(tenant), await h.open(tenant)]
    try {
      const write = (store: Store, worker: number) =>
        (async () => {
          for (let i = 0; i < 20; i++) await store.appendAudit(events(5, worker * 1000 + i * 5))
        })()
      await Promise.all([write(a, 1), write(a, 2), write(b, 3), write(b, 4)])
      const result = await a.verifyAudit()
      assert.deepEqual(result.ok && result.events, 400)
      const seqs = (await b.listAudit({ limit: 1000 })).map((e) => e.seq)
      assert.equal(new Set(seqs).size, 400)
      assert.equal(Math.max(...seqs), 400)
    } finally {
      await a.close()
      await b.close()
    }
  })
}
