import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../store/index.ts'
import { acquireApplyLease } from './apply-lease.ts'

test('apply lease: one holder at a time; a holder whose lease is taken over is told to stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-lease-'))
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
  try {
    const lease = await acquireApplyLease(store, 10)
    assert.ok(lease)
    assert.equal(await acquireApplyLease(store), undefined, 'a second apply is refused while the first renews')
    assert.equal(lease.signal.aborted, false)
    // what another process does after this one's lease expired unnoticed (a long GC pause, a suspended laptop)
    assert.ok(await store.acquireLease('apply', 'elsewhere 1 x', 60_000, { replacing: lease.holder }))
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(lease.signal.aborted, true)
    await lease.release()
    assert.equal((await store.leaseHolder('apply'))?.holder, 'elsewhere 1 x', 'release does not free a lease it lost')
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
