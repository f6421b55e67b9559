// The process's shared pg-boss on a real PostgreSQL: its pool follows `workers.jobsPoolMax` (the largest of the
// process's configs) instead of a fixed 10, and it stops with its last user only; with
// docs/postgres-audit-role.sql, a worker's queue work runs as koppel_app.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { after, before, describe, test } from 'node:test'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { DEFAULT_WORKERS } from '../config/index.ts'
import { openStore } from '../store/index.ts'
import { jobQueue } from './job-queue.ts'
import { pgTargetPause } from './target-pause.ts'

const poolMax = (db: unknown) => (db as { pool?: { options: { max?: number } } }).pool?.options.max

describe('job queue pool', { skip: postgresSkipReason() ?? false }, () => {
  let server: PostgresServer | undefined
  before(async () => {
    server = await startPostgres()
  })
  after(async () => {
    await server?.stop()
  })

  test("pg-boss's pool takes workers.jobsPoolMax; a later config asking for more grows it", async () => {
    const url = server?.url ?? ''
    const log = () => {}
    const first = jobQueue(url, { ...DEFAULT_WORKERS, jobsPoolMax: 3 }, log)
    try {
      const boss = await first.boss()
      assert.equal(poolMax(boss.getDb()), 3)
      const smaller = jobQueue(url, { ...DEFAULT_WORKERS, jobsPoolMax: 2 }, log)
      const larger = jobQueue(url, { ...DEFAULT_WORKERS, jobsPoolMax: 12 }, log)
      assert.equal(await larger.boss(), boss, 'one pg-boss per process and database')
      assert.equal(poolMax(boss.getDb()), 12)
      await Promise.all([smaller.close(), larger.close()])
      assert.equal(poolMax(boss.getDb()), 12, 'still open for the first user')
      // the pool works at its size
      await first.queueOf('board a', 'app')
    } finally {
      await first.close()
    }
  })

  test('docs/postgres-audit-role.sql: koppel_app works the queues in koppel_jobs once koppel_owner created them', async () => {
    const url = server?.url ?? ''
    const log = () => {}
    // the owner's first starts: the store's tables, then a worker's (pg-boss creates koppel_jobs)
    await (await openStore({ kind: 'postgres', url })).close()
    const owner = jobQueue(url, DEFAULT_WORKERS, log)
    await owner.queueOf('board a', 'app')
    await owner.close()
    const admin = new pg.Client(url)
    await admin.connect()
    const appUrl = url.replace('postgres://postgres@', 'postgres://koppel_app@')
    const app = jobQueue(appUrl, DEFAULT_WORKERS, log)
    const appPool = new pg.Pool({ connectionString: appUrl, max: 2 })
    try {
      await admin.query(
        `do $$ begin create role koppel_app login; exception when duplicate_object then null; end $$`,
      )
      await admin.query(
        await readFile(join(import.meta.dirname, '../../docs/postgres-audit-role.sql'), 'utf8'),
      )
      // a new tenant's queue, a job sent, fetched and completed, as koppel_app
      const queue = await app.queueOf('board b', 'app')
      const boss = await app.boss()
      assert.ok(await boss.send(queue, { pass: 'p1' }, { singletonKey: 'account-1' }))
      const [job] = await boss.fetch(queue)
      assert.ok(job)
      await boss.complete(queue, job.id)
      // a Retry-After held for every worker: the workers' table made on first use, by koppel_app
      const pause = pgTargetPause(appPool, 'board b', 0)
      await pause.pause('app', 60_000)
      await assert.rejects(
        pause.wait('app', AbortSignal.timeout(200)),
        /abort|timeout/i,
        'the pause holds',
      )
      // the job queue is all it gained: no schema of its own, the audit log still append-only
      const client = await appPool.connect()
      try {
        for (const attack of [
          'drop schema koppel_jobs cascade',
          'create schema koppel_app_own',
          'truncate audit',
        ]) {
          await assert.rejects(client.query(attack), /permission denied|must be owner/, attack)
        }
      } finally {
        client.release()
      }
    } finally {
      await app.close()
      await appPool.end()
      await admin.end()
    }
  })
})
