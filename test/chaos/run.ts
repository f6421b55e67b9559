// `npm run chaos`: the crash series (R1) and the target-fault series (R3) of issue 11 against real slapd and PostgreSQL,
// each within a time box. Prints one line per trial and a summary; exits 1 when any trial found a problem.
//   node test/chaos/run.ts [--trials 50] [--persons 120] [--minutes 20] [--stores sqlite,postgres] [--seed N]
//                          [--fault-rounds 2]   (each round runs every fault scenario once; 0 skips R3)
import { parseArgs } from 'node:util'
import { startPostgres, type PostgresServer } from '../harness/postgres.ts'
import { startSlapd } from '../harness/slapd.ts'
import { runKillTrials, type KillTrial } from './kill-apply.ts'
import { runFaultTrials, type FaultTrial } from './target-faults.ts'

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    persons: { type: 'string', default: '120' },
    minutes: { type: 'string', default: '20' },
    stores: { type: 'string', default: 'sqlite,postgres' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'fault-rounds': { type: 'string', default: '2' },
  },
})
const trials = Number(values.trials)
const persons = Number(values.persons)
const seed = Number(values.seed)
const stores = values.stores.split(',')
const deadline = Date.now() + Number(values.minutes) * 60_000
const log = (line: string) => process.stdout.write(`${line}\n`)

const slapd = await startSlapd()
let postgres: PostgresServer | undefined
const rounds = Number(values['fault-rounds'])
const kills: KillTrial[] = []
const faults: FaultTrial[] = []
try {
  if (stores.includes('postgres') || rounds > 0) postgres = await startPostgres()
  log(
    `chaos: seed ${seed}, ${trials} kill trials per store (${stores.join(', ')}), ${persons} persons each`,
  )
  for (const kind of stores) {
    const store =
      kind === 'postgres'
        ? { kind: 'postgres' as const, url: (postgres as PostgresServer).url }
        : { kind: 'sqlite' as const }
    // each store gets its share of what is left of the time box, so the second is not starved
    const share =
      (deadline - Date.now()) / (stores.length - stores.indexOf(kind) + (rounds > 0 ? 1 : 0))
    kills.push(
      ...(await runKillTrials({ slapd, store, trials, persons, timeBoxMs: share, seed, log })),
    )
  }
  for (let round = 1; round <= rounds && Date.now() < deadline; round++) {
    faults.push(
      ...(await runFaultTrials({
        slapd,
        postgres: postgres as PostgresServer,
        persons: Math.max(50, persons),
        timeBoxMs: deadline - Date.now(),
        log,
      })),
    )
  }
} finally {
  await postgres?.stop()
  await slapd.stop()
}

let failed = 0
for (const kind of stores) {
  const mine = kills.filter((t) => t.store === kind)
  const bad = mine.filter((t) => t.problems.length > 0)
  failed += bad.length
  const finished = mine.filter((t) => t.killedAt === 'finished').length
  log(
    `R1 ${kind}: ${mine.length} trials (${mine.length - finished} killed mid-way, ${finished} finished first), ` +
      `${bad.length} with problems; duplicates ${sum(mine, 'duplicates')}, lost ${sum(mine, 'lost')}, ` +
      `loud next plans ${mine.filter((t) => !t.quietNextPlan).length}, broken audits ${mine.filter((t) => !t.auditIntact).length}`,
  )
}
if (faults.length > 0) {
  const bad = faults.filter((t) => t.problems.length > 0)
  failed += bad.length
  log(
    `R3: ${faults.length} fault trials (${rounds} round(s) of ${new Set(faults.map((f) => f.scenario)).size} scenarios), ${bad.length} with problems, duplicates ${faults.reduce((n, f) => n + f.duplicates, 0)}`,
  )
}
process.exitCode = failed > 0 ? 1 : 0

function sum(list: readonly KillTrial[], key: 'duplicates' | 'lost'): number {
  return list.reduce((n, t) => n + t[key], 0)
}
