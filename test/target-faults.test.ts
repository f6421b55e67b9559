// R3 of issue 11 in the suite: each fault scenario once (test/chaos/target-faults.ts), against a real slapd and
// PostgreSQL behind the fault proxy: every scenario converges without duplicates, and a hanging target does
// not hold back a healthy one.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { postgresSkipReason, startPostgres, type PostgresServer } from './harness/postgres.ts'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { faultScenarios, runFaultTrials } from './chaos/target-faults.ts'

const skip = slapdSkipReason() ?? postgresSkipReason() ?? false

describe('R3: target and store faults through a fault-injecting proxy', { skip }, () => {
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

  // the plan that recovers a partly applied first load creates the rest (fewer than 50 here): the create guard's
  // percentage counts from 50 creates on, so it is not blocked as a mass create
  for (const scenario of faultScenarios) {
    test(scenario.name, async () => {
      const [trial] = await runFaultTrials({
        slapd: slapd as Slapd,
        postgres: postgres as PostgresServer,
        persons: 50,
        timeBoxMs: 300_000,
        scenarios: [scenario],
        log: (l) => process.stderr.write(`${l}\n`),
      })
      assert.ok(trial)
      assert.deepEqual(trial.problems, [])
      assert.ok(trial.expected > 0)
      assert.equal(trial.present, trial.expected)
    })
  }
})
