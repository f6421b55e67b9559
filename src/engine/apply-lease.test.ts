import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { openStore, type Store, type StoreOptions } from '../store/index.ts'
import { acquireApplyLease } from './apply-lease.ts'

const HOLDER = join(import.meta.dirname, '../../test/support/lease-holder.ts')

test('apply lease: one holder at a time; a holder whose lease is taken over is told to stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-lease-'))
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
  try {
    const lease = await acquireApplyLease(store, 10)
    assert.ok(lease)
    assert.equal(
      await acquireApplyLease(store),
      undefined,
      'a second apply is refused while the first renews',
    )
    assert.equal(lease.signal.aborted, false)
    // what another process does after this one's lease expired unnoticed (a long GC pause, a suspended laptop)
    assert.ok(
      await store.acquireLease('apply', 'elsewhere 1 x', 60_000, { replacing: lease.holder }),
    )
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(lease.signal.aborted, true)
    await lease.release()
    assert.equal(
      (await store.leaseHolder('apply'))?.holder,
      'elsewhere 1 x',
      'release does not free a lease it lost',
    )
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

/** Starts a lease holder in its own process; resolves once it holds the lease (or was refused). */
async function startHolder(options: StoreOptions): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--no-warnings', HOLDER, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout?.setEncoding('utf8')
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk
      if (out.includes('\n')) resolve(out.trim())
    })
    child.once('exit', (code) => reject(new Error(`lease holder exited ${code}: ${out}`)))
  })
  return { child, line }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

function leaseAcrossProcesses(name: string, options: () => StoreOptions): void {
  const withStore = (fn: (s: Store) => Promise<void>) => async () => {
    const s = await openStore(options())
    try {
      await fn(s)
    } finally {
      await s.close()
    }
  }

  test(
    `${name}: a live holder whose pid this host cannot see (another PID namespace) keeps its lease`,
    withStore(async (s) => {
      const { child, line } = await startHolder(options())
      try {
        assert.match(line, /^held /)
        // containers on the host network share the hostname but not the pid space: the holder's pid is one that
        // does not exist here. Rewrite the row that way; the holder is still alive and still holds the lock.
        const current = await s.leaseHolder('apply')
        assert.ok(current)
        const [, , ...rest] = current.holder.split(' ')
        const invisible = [hostname(), '4194303', ...rest].join(' ')
        assert.ok(await s.acquireLease('apply', invisible, 60_000, { replacing: current.holder }))
        assert.equal(
          await acquireApplyLease(s),
          undefined,
          'the second apply must not run while the first is alive',
        )
        assert.equal((await s.leaseHolder('apply'))?.holder, invisible)
      } finally {
        await kill(child)
        await s.releaseLease('apply', (await s.leaseHolder('apply'))?.holder ?? '')
      }
    }),
  )

  test(
    `${name}: a SIGKILLed holder's lease is taken over at once, not after the TTL`,
    withStore(async (s) => {
      const { child, line } = await startHolder(options())
      assert.match(line, /^held /)
      assert.equal(await acquireApplyLease(s), undefined, 'refused while the holder lives')
      const started = Date.now()
      await kill(child)
      let lease = await acquireApplyLease(s)
      // PostgreSQL frees the advisory lock when the backend sees the closed socket: a moment, not the TTL
      while (lease === undefined && Date.now() - started < 5_000) {
        await new Promise((r) => setTimeout(r, 50))
        lease = await acquireApplyLease(s)
      }
      assert.ok(lease, 'the dead holder is replaced')
      assert.ok(Date.now() - started < 5_000)
      await lease.release()
    }),
  )

  test(
    `${name}: a holder that never took the live lock is waited for until its lease expires`,
    withStore(async (s) => {
      assert.ok(await s.acquireLease('apply', `${hostname()} 4194303 old-koppel`, 60_000))
      try {
        assert.equal(await acquireApplyLease(s), undefined)
      } finally {
        await s.releaseLease('apply', `${hostname()} 4194303 old-koppel`)
      }
      assert.ok(
        await s.acquireLease('apply', `${hostname()} 4194303 old-koppel`, -1),
        'an expired lease',
      )
      const lease = await acquireApplyLease(s)
      assert.ok(lease, 'an expired lease is taken over')
      await lease.release()
    }),
  )
}

describe('apply lease across processes on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-lease-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  leaseAcrossProcesses('sqlite', () => ({ kind: 'sqlite', path: join(dir, 'koppel.db') }))
})

describe(
  'apply lease across processes on PostgreSQL',
  { skip: postgresSkipReason() ?? false },
  () => {
    let server: PostgresServer | undefined
    before(async () => {
      server = await startPostgres()
    })
    after(() => server?.stop())
    leaseAcrossProcesses('postgres', () => ({
      kind: 'postgres',
      url: (server as PostgresServer).url,
    }))
  },
)
