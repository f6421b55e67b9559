// `npm run bench`: every benchmark, one after the other, printing figures (never asserting them; the goals are
// in docs/benchmarks.md). Sizes can be lowered for a quick look:
//   KOPPEL_BENCH_PERSONS (default 100000), KOPPEL_BENCH_LDAP (default 20000), KOPPEL_BENCH_STORE_ROWS (default 100000),
//   KOPPEL_BENCH_SOMTODAY_PUPILS (default 100000), KOPPEL_BENCH_AD (default 300)
// Parts that need a server the machine lacks (slapd, PostgreSQL) are skipped with a line saying so.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchStore, type StoreBenchFigures } from '../src/store/store-bench.ts'
import { postgresSkipReason, startPostgres } from '../test/harness/postgres.ts'
import { slapdSkipReason } from '../test/harness/slapd.ts'
import { sambaSkipReason } from '../test/harness/samba-ad.ts'
import { runAdApplyBench } from './ad-apply.bench.ts'
import { runLdapApplyBench } from './ldap-apply.bench.ts'
import { runPlanBench } from './plan.bench.ts'
import { formatSomtodayRead, runSomtodayReadBench } from './somtoday-read.bench.ts'

const persons = Number(process.env['KOPPEL_BENCH_PERSONS'] ?? 100_000)
const ldapCount = Number(process.env['KOPPEL_BENCH_LDAP'] ?? 20000)
const storeRows = Number(process.env['KOPPEL_BENCH_STORE_ROWS'] ?? 100_000)
const somtodayPupils = Number(process.env['KOPPEL_BENCH_SOMTODAY_PUPILS'] ?? 100_000)
const say = (line: string) => console.log(line)

say(`# Koppel benchmarks — ${new Date().toISOString()}, Node ${process.version}`)

say(`\n## CLI on a generated board of ${persons} persons (bench/plan.bench.ts)`)
const plan = await runPlanBench(persons, (l) => say(`  ${l}`))
say(`  goals: plan ≤ 5 s and ≤ 1 GB; no-op run ≤ 2 s`)
say(`  empty-ledger plan ${plan.emptyPlan.wallS.toFixed(2)} s / ${plan.emptyPlan.peakRssMb.toFixed(0)} MB; provisioned plan ${plan.provisionedPlan.wallS.toFixed(2)} s / ${plan.provisionedPlan.peakRssMb.toFixed(0)} MB; no-op run ${plan.noopRun.wallS.toFixed(2)} s (sources read), ${plan.unchangedRun.wallS.toFixed(2)} s (sources unchanged)`)

say(`\n## Apply into real slapd next to ldapadd, ${ldapCount} entries (bench/ldap-apply.bench.ts)`)
const noSlapd = slapdSkipReason()
if (noSlapd !== undefined) say(`  skipped: ${noSlapd}`)
else {
  const f = await runLdapApplyBench(ldapCount, (l) => say(`  ${l}`))
  say(`  koppel ${f.koppel.toFixed(0)}/s, ldapadd ${f.ldapadd.toFixed(0)}/s, connector alone ${f.connector.toFixed(0)}/s; ratio ${f.ratio.toFixed(2)} (goal ≥ 0.8)`)
}

say(`\n## Somtoday read, ${somtodayPupils} pupils with vakkeuzes from the simulator (bench/somtoday-read.bench.ts)`)
say(`  ${formatSomtodayRead(await runSomtodayReadBench(somtodayPupils))}`)
say('  goal: ≤ 1 GB peak RSS')

const adCount = Number(process.env['KOPPEL_BENCH_AD'] ?? 300)
say(`\n## Creates with passwords into Samba AD next to ldapadd, ${adCount} users per mode (bench/ad-apply.bench.ts)`)
const noSamba = sambaSkipReason()
if (noSamba !== undefined) say(`  skipped: ${noSamba}`)
else {
  const f = await runAdApplyBench(adCount, (l) => say(`  ${l}`))
  say(`  koppel ${f.koppel.toFixed(1)}/s, connector alone ${f.connector.toFixed(1)}/s, ldapadd ${f.ldapadd.toFixed(1)}/s; ratio ${f.ratio.toFixed(2)}`)
}

const storeLine = (f: StoreBenchFigures) =>
  `  ${f.dialect}: upsert ${f.rows} accounts ${f.upsertInsert.ms.toFixed(0)} ms (update ${f.upsertUpdate.ms.toFixed(0)} ms), list ${f.listAccounts.ms.toFixed(0)} ms, save plan (${f.planMegabytes.toFixed(0)} MB) ${f.savePlan.ms.toFixed(0)} ms, journal start/finish ${f.journalStart.ms.toFixed(0)}/${f.journalFinish.ms.toFixed(0)} ms, 10k audit events ${f.appendAudit10k.ms.toFixed(0)} ms, verify ${f.verifyAudit10k.ms.toFixed(0)} ms`

say(`\n## Store bulk paths, ${storeRows} rows (src/store/store-bench.ts)`)
const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-store-'))
try {
  say(storeLine(await benchStore({ kind: 'sqlite', path: join(dir, 'koppel.db') }, { rows: storeRows })))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
const noPostgres = postgresSkipReason()
if (noPostgres !== undefined) say(`  postgres: skipped: ${noPostgres}`)
else {
  const pg = await startPostgres()
  try {
    say(storeLine(await benchStore({ kind: 'postgres', url: pg.url }, { rows: storeRows })))
  } finally {
    await pg.stop()
  }
}
