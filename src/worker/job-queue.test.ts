// The process's shared pg-boss on a real PostgreSQL: its pool follows `workers.jobsPoolMax` (the largest of the
// process's configs) instead of a fixed 10, and it stops with its last user only.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '../../test/harness/postgres.ts'
import { DEFAULT_WORKERS } from '../config/index.ts'
import { jobQueue } from './job-queue.ts'

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
})
