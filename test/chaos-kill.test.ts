// The bounded variant of `npm run chaos` (R1 of issue 11) for the suite: a few SIGKILLed applies per store,
// against a real slapd, each resumed: no duplicate, nothing lost, a quiet next plan, an intact audit chain.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { postgresSkipReason, startPostgres, type PostgresServer } from './harness/postgres.ts'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { runKillTrials, type ChaosStore } from './chaos/kill-apply.ts'

const TRIALS = Number(process.env['KOPPEL_CHAOS_TRIALS'] ?? 5)
const skip = slapdSkipReason() ?? postgresSkipReason() ?? false

describe('R1: apply killed with SIGKILL at random points, resumed', { skip }, () => {
  let slapd: Slapd | undefined
  let postgres: PostgresServer | undefined
  before(async () => {
    slapd = await startSlapd()
    postgres = await startPostgres()
  })
  after(async () => {
    await postgres?.stop()
    await slapd?.stop()
  })

  for (const kind of ['sqlite', 'postgres'] as const) {
    test(`${kind}: ${TRIALS} trials converge without duplicates or losses`, async () => {
      const store: ChaosStore =
        kind === 'sqlite' ? { kind } : { kind, url: (postgres as PostgresServer).url }
      const trials = await runKillTrials({
        slapd: slapd as Slapd,
        store,
        trials: TRIALS,
        persons: 80,
        timeBoxMs: 240_000,
        seed: 11,
        log: (l) => process.stderr.write(`${l}\n`),
      })
      assert.equal(trials.length, TRIALS, 'every trial ran within the time box')
      assert.deepEqual(
        trials.flatMap((t) => t.problems.map((p) => `trial ${t.trial}: ${p}`)),
        [],
      )
      assert.ok(
        trials.some((t) => t.killedAt !== 'finished'),
        'at least one apply was killed mid-way',
      )
    })
  }
})
