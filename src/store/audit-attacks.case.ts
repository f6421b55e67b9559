// The attacks of issue 11.3 on the audit log, done with raw SQL by someone who can write the store but does
// not hold the audit key: cutting the newest events and moving the head back, deleting everything, and
// recomputing the chain after an edit with the project's own (public) hash. Registered by storeCases.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GENESIS_HASH, auditHash } from './audit-chain.ts'
import { freshTenant, plan, run, type StoreHarness } from './store-fixtures.ts'
import type { AuditEvent, Store } from './store.ts'

const KEY = 'audit-key-0123456789abcdef-kept-outside'

/** What two nightly runs leave behind, the engine's way: each record's event first, then the record. */
async function twoRuns(store: Store): Promise<{ anchor: AuditEvent }> {
  let anchor: AuditEvent | undefined
  for (const n of [1, 2]) {
    await store.appendAudit([{ type: 'plan.created', actor: 'koppel', planId: `plan-${n}` }])
    await store.savePlan(plan(`plan-${n}`, `2026-09-0${n}T02:00:00.000Z`))
    await store.appendAudit([
      { type: 'apply.started', actor: 'koppel', planId: `plan-${n}`, runId: `run-${n}` },
      {
        type: 'action.applied',
        actor: 'koppel',
        planId: `plan-${n}`,
        runId: `run-${n}`,
        person: `p${n}`,
      },
    ])
    const [finished] = await store.appendAudit([
      { type: 'run.finished', actor: 'koppel', planId: `plan-${n}`, runId: `run-${n}` },
    ])
    await store.saveRun(run(`run-${n}`, `2026-09-0${n}T02:01:00.000Z`, { planId: `plan-${n}` }))
    if (n === 1) anchor = finished
  }
  return { anchor: anchor as AuditEvent }
}

async function setHead(h: StoreHarness, tenant: string, seq: number, hash: string): Promise<void> {
  await h.query(`update audit_head set seq = ${seq}, hash = '${hash}' where tenant = '${tenant}'`)
}

/** Rewrites the chain from `from` on with the unkeyed hash, as anyone with the source code can. */
async function recompute(
  h: StoreHarness,
  tenant: string,
  store: Store,
  from: number,
  edit: (e: AuditEvent) => AuditEvent,
): Promise<void> {
  const events = (await store.listAudit({ limit: 1_000 })).reverse()
  let prev = events.find((e) => e.seq === from - 1)?.hash ?? GENESIS_HASH
  for (const original of events.filter((e) => e.seq >= from)) {
    const e = edit(original)
    const hash = auditHash(prev, e)
    await h.query(
      `update audit set actor = '${e.actor}', prev_hash = '${prev}', hash = '${hash}' where tenant = '${tenant}' and seq = ${e.seq}`,
    )
    prev = hash
  }
  await setHead(h, tenant, events[events.length - 1]?.seq ?? 0, prev)
}

async function verdict(store: Store, anchor?: string): Promise<string> {
  const v = await store.verifyAudit(anchor === undefined ? {} : { anchor })
  return v.ok ? 'intact' : v.problem
}

export function auditAttackCases(harness: () => StoreHarness): void {
  const attack = (
    name: string,
    body: (h: StoreHarness, tenant: string, store: Store) => Promise<void>,
  ): void => {
    test(`audit attack: ${name}`, async () => {
      const h = harness()
      const tenant = freshTenant('attack')
      const store = await h.open(tenant, { auditKey: KEY })
      try {
        await body(h, tenant, store)
      } finally {
        await store.close()
      }
    })
  }

  attack('a keyed chain of two runs verifies, and only with its key', async (h, tenant, store) => {
    const { anchor } = await twoRuns(store)
    const v = await store.verifyAudit({ anchor: anchor.hash })
    assert.deepEqual(v.ok && { keyed: v.keyed, unkeyed: v.unkeyed, events: v.events }, {
      keyed: true,
      unkeyed: 0,
      events: 8,
    })
    assert.equal(
      await verdict(store, anchor.hash.slice(0, 16)),
      'intact',
      'a 16-digit prefix of the head is enough',
    )
    const keyless = await h.open(tenant)
    try {
      assert.match(await verdict(keyless), /set audit.key/)
    } finally {
      await keyless.close()
    }
    const wrongKey = await h.open(tenant, { auditKey: 'another-key-0123456789' })
    try {
      assert.match(await verdict(wrongKey), /event 1 was edited.*keyed hash/)
    } finally {
      await wrongKey.close()
    }
  })

  attack(
    'deleting the newest events and moving the head back is caught by the run it leaves unaudited',
    async (h, tenant, store) => {
      await twoRuns(store)
      // run 2's apply events (seq 6 to 8) go, the head moves back to plan 2's event: a consistent shorter chain
      const kept = (await store.listAudit({ limit: 100 })).find((e) => e.seq === 5) as AuditEvent
      await h.query(`delete from audit where tenant = '${tenant}' and seq > 5`)
      await setHead(h, tenant, 5, kept.hash)
      assert.match(await verdict(store), /run run-2 has no run\.finished audit event/)
    },
  )

  attack(
    'deleting the newest plan and run events and moving the head back is caught by the plan',
    async (h, tenant, store) => {
      const { anchor } = await twoRuns(store)
      await h.query(`delete from audit where tenant = '${tenant}' and seq > ${anchor.seq}`)
      await setHead(h, tenant, anchor.seq, anchor.hash)
      assert.match(await verdict(store), /plan plan-2 has no audit event/)
    },
  )

  attack(
    'deleting every event and the head is caught by the plans and runs that remain, and by the anchor',
    async (h, tenant, store) => {
      const { anchor } = await twoRuns(store)
      await h.query(`delete from audit where tenant = '${tenant}'`)
      await h.query(`delete from audit_head where tenant = '${tenant}'`)
      assert.match(await verdict(store), /plan plan-1 has no audit event/)
      await h.query(`delete from plans where tenant = '${tenant}'`)
      await h.query(`delete from runs where tenant = '${tenant}'`)
      assert.match(await verdict(store, anchor.hash), /anchored head .* is not in the log/)
    },
  )

  attack(
    "an edit with the chain recomputed by the project's hash is caught by the key",
    async (h, tenant, store) => {
      await twoRuns(store)
      await recompute(h, tenant, store, 3, (e) => (e.seq === 3 ? { ...e, actor: 'mallory' } : e))
      assert.match(await verdict(store), /event 3 is hashed without the key after keyed events/)
      await recompute(h, tenant, store, 1, (e) => e)
      assert.match(await verdict(store), /audit.key is set but no event is keyed/)
    },
  )

  attack(
    'without a key, a recomputed chain is still caught by the anchored head',
    async (h, tenant) => {
      const unkeyed = await h.open(`${tenant}-plain`)
      try {
        const { anchor } = await twoRuns(unkeyed)
        await recompute(h, `${tenant}-plain`, unkeyed, 3, (e) =>
          e.seq === 3 ? { ...e, actor: 'mallory' } : e,
        )
        assert.equal(await verdict(unkeyed), 'intact', 'the unkeyed chain alone cannot tell')
        assert.match(await verdict(unkeyed, anchor.hash), /anchored head .* is not in the log/)
      } finally {
        await unkeyed.close()
      }
    },
  )

  attack(
    'events written before the key was set are accepted as a prefix and counted',
    async (h, tenant, store) => {
      const before = await h.open(`${tenant}-upgrade`)
      try {
        await before.appendAudit([{ type: 'plan.approved', actor: 'cli:jan' }])
      } finally {
        await before.close()
      }
      const after = await h.open(`${tenant}-upgrade`, { auditKey: KEY })
      try {
        assert.match(
          await verdict(after),
          /no event is keyed/,
          'until the first keyed event, a rewrite cannot be told from an upgrade',
        )
        await after.appendAudit([{ type: 'plan.approved', actor: 'cli:jan' }])
        const v = await after.verifyAudit()
        assert.deepEqual(v.ok && { keyed: v.keyed, unkeyed: v.unkeyed }, {
          keyed: true,
          unkeyed: 1,
        })
      } finally {
        await after.close()
      }
      assert.equal(await verdict(store), 'intact')
    },
  )
}
