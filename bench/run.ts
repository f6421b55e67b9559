// `npm run bench`: every benchmark, one after the other, printing figures (never asserting them; the goals are
// in docs/benchmarks.md). Sizes can be lowered for a quick look:
//   KOPPEL_BENCH_PERSONS (default 100000), KOPPEL_BENCH_LDAP (default 20000), KOPPEL_BENCH_STORE_ROWS (default 100000),
//   KOPPEL_BENCH_SOMTODAY_PUPILS (default 100000), KOPPEL_BENCH_AD (default 300),
//   KOPPEL_BENCH_P6_PERSONS (default 1000000; 0 skips the million-person plan), KOPPEL_BENCH_P1_GROUPS (default
//   KOPPEL_BENCH_PERSONS: the board of P1 with every class provisioned as a group, plan only; 0 skips it),
//   KOPPEL_BENCH_READS (default KOPPEL_BENCH_PERSONS: the board size of the OneRoster REST, AFAS and Magister
//   reads; 0 skips them),
//   KOPPEL_BENCH_AD_INDEX (default 1: the AD anchor attribute indexed first; 0 leaves it as the stock schema has it),
//   KOPPEL_BENCH_LDAP_GROWTH (default 100000) and KOPPEL_BENCH_AD_GROWTH (default 20000): the applies whose last
//   tenth's rate is compared with the first's (P4 flatness; 0 skips)
// Parts that need a server the machine lacks (slapd, PostgreSQL) are skipped with a line saying so.
// Ends with one table of the goals P1–P7 (issue 17): goal, figure, met or missed, load average.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchStore, type StoreBenchFigures } from '../src/store/store-bench.ts'
import { postgresSkipReason, startPostgres } from '../test/harness/postgres.ts'
import { slapdSkipReason } from '../test/harness/slapd.ts'
import { sambaSkipReason } from '../test/harness/samba-ad.ts'
import { runAdApplyBench } from './ad-apply.bench.ts'
import { formatGrowth } from './apply-growth.ts'
import { runLdapApplyBench, runLdapGrowthBench } from './ldap-apply.bench.ts'
import { formatGoalTable, load1, runChild, wallAndRss, type GoalRow } from './goals-table.ts'
import { runLargePlanBench, runPlanBench } from './plan.bench.ts'
import { formatSomtodayRead, runSomtodayReadBench } from './somtoday-read.bench.ts'

const persons = Number(process.env['KOPPEL_BENCH_PERSONS'] ?? 100_000)
const ldapCount = Number(process.env['KOPPEL_BENCH_LDAP'] ?? 20000)
const storeRows = Number(process.env['KOPPEL_BENCH_STORE_ROWS'] ?? 100_000)
const somtodayPupils = Number(process.env['KOPPEL_BENCH_SOMTODAY_PUPILS'] ?? 100_000)
const p6Persons = Number(process.env['KOPPEL_BENCH_P6_PERSONS'] ?? 1_000_000)
const p1GroupPersons = Number(process.env['KOPPEL_BENCH_P1_GROUPS'] ?? persons)
const readPersons = Number(process.env['KOPPEL_BENCH_READS'] ?? persons)
const ldapGrowth = Number(process.env['KOPPEL_BENCH_LDAP_GROWTH'] ?? 100_000)
const adGrowth = Number(process.env['KOPPEL_BENCH_AD_GROWTH'] ?? 20_000)
// the anchor attribute indexed as docs/connectors/active-directory.md tells the admin (employeeID is not indexed in
// the stock schema; unindexed, every create's anchor search reads all users); KOPPEL_BENCH_AD_INDEX=0 measures without
const adIndex = process.env['KOPPEL_BENCH_AD_INDEX'] !== '0'
/** P4's flatness goal: the last tenth of an apply at least this fast as the first (a judgement: "flat"). */
const FLAT = 0.9
const say = (line: string) => console.log(line)
const goals: GoalRow[] = []
const GB = 1024

say(`# Koppel benchmarks — ${new Date().toISOString()}, Node ${process.version}`)

say(`\n## CLI on a generated board of ${persons} persons (bench/plan.bench.ts)`)
const plan = await runPlanBench(persons, (l) => say(`  ${l}`))
say(`  goals: plan ≤ 5 s and ≤ 1 GB; no-op run ≤ 2 s`)
say(
  `  empty-ledger plan ${plan.emptyPlan.wallS.toFixed(2)} s / ${plan.emptyPlan.peakRssMb.toFixed(0)} MB; provisioned plan ${plan.provisionedPlan.wallS.toFixed(2)} s / ${plan.provisionedPlan.peakRssMb.toFixed(0)} MB; no-op run ${plan.noopRun.wallS.toFixed(2)} s (sources read), ${plan.unchangedRun.wallS.toFixed(2)} s (sources unchanged)`,
)
const planLoad = load1()
const planMet = (f: { wallS: number; peakRssMb: number }) => f.wallS <= 5 && f.peakRssMb <= GB
goals.push(
  {
    id: 'P1',
    measure: `plan, ${persons} persons, empty ledger`,
    goal: '≤ 5 s, ≤ 1 GB',
    figure: wallAndRss(plan.emptyPlan),
    met: planMet(plan.emptyPlan),
    load: planLoad,
  },
  {
    id: 'P1',
    measure: `plan, ${persons} persons, provisioned, listing the directory`,
    goal: '≤ 5 s, ≤ 1 GB',
    figure: wallAndRss(plan.provisionedPlan),
    met: planMet(plan.provisionedPlan),
    load: planLoad,
  },
  {
    id: 'P2',
    measure: 'scheduled no-op run, sources unchanged',
    goal: '≤ 2 s',
    figure: `${plan.unchangedRun.wallS.toFixed(2)} s`,
    met: plan.unchangedRun.wallS <= 2,
    load: planLoad,
  },
)

if (p1GroupPersons > 0) {
  say(
    `\n## Plan of ${p1GroupPersons} persons with every class provisioned as a group, plan only (bench/plan.bench.ts --groups --plan-only)`,
  )
  const f = await runLargePlanBench(p1GroupPersons, (l) => say(`  ${l}`), { groups: true })
  const ok = f.exitCode === 0 || f.exitCode === 2
  goals.push({
    id: 'P1',
    measure: `plan with groups, ${p1GroupPersons} persons, empty ledger${f.actions !== undefined ? ` (${f.actions} actions)` : ''}`,
    goal: '≤ 5 s, ≤ 1 GB',
    figure: wallAndRss(f),
    met: ok && planMet(f),
    load: load1(),
    ...(ok ? {} : { note: `exit ${f.exitCode}` }),
  })
} else
  goals.push({
    id: 'P1',
    measure: 'plan with groups, empty ledger',
    goal: '≤ 5 s, ≤ 1 GB',
    note: 'not measured (KOPPEL_BENCH_P1_GROUPS=0)',
  })

if (p6Persons > 0) {
  say(`\n## Plan of ${p6Persons} persons, no target reads (bench/plan.bench.ts runLargePlanBench)`)
  const f = await runLargePlanBench(p6Persons, (l) => say(`  ${l}`))
  const ok = f.exitCode === 0 || f.exitCode === 2
  goals.push({
    id: 'P6',
    measure: `plan, ${p6Persons} persons`,
    goal: '≤ 60 s, ≤ 8 GB',
    figure: wallAndRss(f),
    met: ok && f.wallS <= 60 && f.peakRssMb <= 8 * GB,
    load: load1(),
    ...(ok ? {} : { note: `exit ${f.exitCode}` }),
  })
} else
  goals.push({
    id: 'P6',
    measure: 'plan, 1,000,000 persons',
    goal: '≤ 60 s, ≤ 8 GB',
    note: 'not measured (KOPPEL_BENCH_P6_PERSONS=0)',
  })

say(`\n## Apply into real slapd next to ldapadd, ${ldapCount} entries (bench/ldap-apply.bench.ts)`)
const noSlapd = slapdSkipReason()
if (noSlapd !== undefined) {
  say(`  skipped: ${noSlapd}`)
  for (const [measure, goal] of [
    ['apply into slapd / ldapadd, idle', '≥ 0.95'],
    ['apply into slapd / ldapadd, one core busy', '≥ 0.8'],
    ['slapd creates as the directory grows', `last tenth ≥ ${FLAT} × first`],
  ])
    goals.push({ id: 'P4', measure: measure!, goal: goal!, note: noSlapd })
} else {
  for (const busy of [false, true]) {
    const load = load1()
    const f = await runLdapApplyBench(ldapCount, (l) => say(`  ${l}`), { busyCore: busy })
    const goal = busy ? 0.8 : 0.95
    say(
      `  ${busy ? 'one core busy' : 'idle'}: koppel ${f.koppel.toFixed(0)}/s, ldapadd ${f.ldapadd.toFixed(0)}/s, connector alone ${f.connector.toFixed(0)}/s; ratio ${f.ratio.toFixed(2)} (goal ≥ ${goal})`,
    )
    goals.push({
      id: 'P4',
      measure: `apply into slapd / ldapadd, ${ldapCount} creates, ${busy ? 'one core kept busy by a load generator' : 'idle'}`,
      goal: `≥ ${goal}`,
      figure: `ratio ${f.ratio.toFixed(2)} (${f.koppel.toFixed(0)}/s vs ${f.ldapadd.toFixed(0)}/s)`,
      met: f.ratio >= goal,
      // before the run: the generator's own load is part of the busy figure, not of the machine's
      load,
      ...(!busy && load >= 0.5 ? { note: 'machine not idle' } : {}),
    })
  }
  if (ldapGrowth > 0) {
    say(
      `\n## slapd as the directory grows: one apply of ${ldapGrowth} creates (bench/ldap-apply.bench.ts)`,
    )
    const g = await runLdapGrowthBench(ldapGrowth)
    say(`  ${formatGrowth(g)}, ${g.rate.toFixed(0)}/s overall`)
    goals.push({
      id: 'P4',
      measure: `slapd creates as the directory grows to ${ldapGrowth}: last tenth's rate / first's`,
      goal: `≥ ${FLAT}`,
      figure: formatGrowth(g),
      met: g.flatness >= FLAT,
      load: load1(),
    })
  } else
    goals.push({
      id: 'P4',
      measure: 'slapd creates as the directory grows',
      goal: `≥ ${FLAT}`,
      note: 'KOPPEL_BENCH_LDAP_GROWTH=0',
    })
}

say(
  `\n## Somtoday read, ${somtodayPupils} pupils with vakkeuzes from the simulator (bench/somtoday-read.bench.ts)`,
)
const somtoday = await runSomtodayReadBench(somtodayPupils)
say(`  ${formatSomtodayRead(somtoday)}`)
say('  goal: ≤ 1 GB peak RSS, ≤ 30 s on an idle machine')
goals.push({
  id: 'P7',
  measure: `Somtoday read, ${somtodayPupils} pupils`,
  goal: '≤ 30 s idle, ≤ 1 GB',
  figure: `${somtoday.readS.toFixed(1)} s, client ${somtoday.peakRssMb.toFixed(0)} MB (simulator in its own process, ${somtoday.concurrency} listings at once)`,
  met: somtoday.readS <= 30 && somtoday.peakRssMb <= GB,
  load: load1(),
})

if (readPersons > 0) {
  // each in a child of its own, so that its peak RSS is its own
  const reads: [string, string, string[]][] = [
    // each script runs its simulator in a process of its own: the peak is the connector's
    [
      'OneRoster REST full read, client alone',
      'bench/measure-oneroster-rest-client.ts',
      [String(readPersons)],
    ],
    ['AFAS read, client alone', 'bench/measure-afas-read.ts', [String(readPersons)]],
    [
      'Magister read, client alone',
      'bench/sis-read.bench.ts',
      [String(readPersons), '500', 'magister'],
    ],
    [
      'Eduarte read, client alone',
      'bench/sis-read.bench.ts',
      [String(readPersons), '500', 'eduarte'],
    ],
  ]
  for (const [measure, script, args] of reads) {
    say(`\n## ${measure}, board of ${readPersons} persons (${script})`)
    const f = await runChild(script, args)
    say(f.stdout.trim().replace(/^/gm, '  '))
    say(`  ${wallAndRss(f)} (whole script), exit ${f.exitCode}`)
    goals.push({
      id: 'P7',
      measure: `${measure}, ${readPersons} persons`,
      goal: '≤ 1 GB',
      figure: wallAndRss(f),
      met: f.exitCode === 0 && f.peakRssMb <= GB,
      load: f.load,
      // the read's own wall time is in the script's line above; the goal is memory alone
      note: 'wall of the whole script, building the simulator included',
    })
  }
}

const adCount = Number(process.env['KOPPEL_BENCH_AD'] ?? 300)
say(
  `\n## Creates with passwords into Samba AD next to ldapadd, ${adCount} users per mode (bench/ad-apply.bench.ts)`,
)
const noSamba = sambaSkipReason()
if (noSamba !== undefined) {
  say(`  skipped: ${noSamba}`)
  goals.push(
    { id: 'P4', measure: 'apply into Samba AD / ldapadd', goal: '≥ 0.8', note: noSamba },
    {
      id: 'P4',
      measure: 'Samba AD creates as the directory grows',
      goal: `≥ ${FLAT}`,
      note: noSamba,
    },
  )
} else {
  const f = await runAdApplyBench(adCount, (l) => say(`  ${l}`), {
    growth: adGrowth,
    indexAnchor: adIndex,
  })
  say(
    `  koppel ${f.koppel.toFixed(1)}/s, connector alone ${f.connector.toFixed(1)}/s, ldapadd ${f.ldapadd.toFixed(1)}/s; ratio ${f.ratio.toFixed(2)}`,
  )
  goals.push({
    id: 'P4',
    measure: `apply into Samba AD / ldapadd, ${adCount} users with passwords${adIndex ? ', anchor indexed' : ''}`,
    goal: '≥ 0.8',
    figure: `ratio ${f.ratio.toFixed(2)} (${f.koppel.toFixed(1)}/s vs ${f.ldapadd.toFixed(1)}/s)`,
    met: f.ratio >= 0.8,
    load: load1(),
  })
  goals.push(
    f.growth === undefined
      ? {
          id: 'P4',
          measure: 'Samba AD creates as the directory grows',
          goal: `≥ ${FLAT}`,
          note: 'KOPPEL_BENCH_AD_GROWTH=0',
        }
      : {
          id: 'P4',
          measure: `Samba AD creates as the directory grows by ${adGrowth} (after ${9 * adCount} users): last tenth's rate / first's${adIndex ? ', anchor indexed' : ''}`,
          goal: `≥ ${FLAT}`,
          figure: formatGrowth(f.growth),
          met: f.growth.flatness >= FLAT,
          load: load1(),
        },
  )
}

const storeLine = (f: StoreBenchFigures) =>
  `  ${f.dialect}: upsert ${f.rows} accounts ${f.upsertInsert.ms.toFixed(0)} ms (update ${f.upsertUpdate.ms.toFixed(0)} ms), list ${f.listAccounts.ms.toFixed(0)} ms, save plan (${f.planMegabytes.toFixed(0)} MB) ${f.savePlan.ms.toFixed(0)} ms, journal start/finish ${f.journalStart.ms.toFixed(0)}/${f.journalFinish.ms.toFixed(0)} ms, 10k audit events ${f.appendAudit10k.ms.toFixed(0)} ms, verify ${f.verifyAudit10k.ms.toFixed(0)} ms`

say(`\n## Store bulk paths, ${storeRows} rows (src/store/store-bench.ts)`)
const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-store-'))
try {
  say(
    storeLine(
      await benchStore({ kind: 'sqlite', path: join(dir, 'koppel.db') }, { rows: storeRows }),
    ),
  )
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

say(`\n## Goals (issue 17), ${new Date().toISOString()}, load average now ${load1().toFixed(1)}`)
say(formatGoalTable([...goals].sort((a, b) => a.id.localeCompare(b.id))))
