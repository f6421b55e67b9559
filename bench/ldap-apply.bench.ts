// Creates through the whole Koppel apply stage against a real slapd, next to `ldapadd -f` of the same entries:
// a plan of N create actions (made by the engine's own buildPlan from N pupils) applied by applyPlan with a SQLite
// store (journal, ledger and audit writes included) and the LDAP connector at its default 20 in flight; then the
// same DNs and attributes as LDIF through ldapadd; then the connector alone (createLdapTarget, 20 in flight).
// Every measurement gets a fresh slapd (dbnosync). 3 rounds; medians. Prints figures, asserts nothing.
// With `busyCore`, a load generator keeps one core busy through the rounds (P4's second condition), and
// runLdapGrowthBench applies N creates into one slapd and compares the last tenth's rate with the first's.
// Usage: node bench/ldap-apply.bench.ts [count=5000] [busy] [growth=0]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLdapTarget, ldapOptionsSchema } from '../src/connectors/ldap/index.ts'
import { applyPlan, buildPlan, type EngineTarget } from '../src/engine/index.ts'
import type { Action, AttributeValue, Person, Plan } from '../src/model/index.ts'
import { compileMapping, compileRules, type MappingSpec } from '../src/rules/index.ts'
import { openStore } from '../src/store/index.ts'
import { startSlapd, type Slapd } from '../test/harness/slapd.ts'
import { busyCore, formatGrowth, timedCreates, type Growth } from './apply-growth.ts'

export interface LdapApplyFigures {
  /** Creates per second through applyPlan (median of the rounds). */
  readonly koppel: number
  /** Entries per second through `ldapadd -x -f` (median). */
  readonly ldapadd: number
  /** Creates per second through the connector alone, 20 in flight (median). */
  readonly connector: number
  /** Median of the per-round koppel/ldapadd ratios (each pair measured back to back, so load drift cancels). */
  readonly ratio: number
  /** This process's CPU per create through applyPlan / the connector alone, µs (median). */
  readonly koppelCpuUs: number
  readonly connectorCpuUs: number
}

const ROUNDS = 3
const IN_FLIGHT = 20
const BASE_DN = 'dc=school,dc=test'
const PEOPLE_DN = `ou=people,${BASE_DN}`
const TARGET = 'dir'
const ANCHOR = 'employeeNumber'

const MAPPING: MappingSpec = {
  uid: 'person.key',
  cn: 'fullName(person)',
  sn: 'familyName(person)',
  givenName: 'person.givenName',
  mail: 'person.key + "@school.test"',
  title: '"leerling"',
  employeeNumber: 'person.key',
  dn: `"uid=" + account.uid + ",${PEOPLE_DN}"`,
}

const GIVEN = ['Jan', 'Sanne', 'Daan', 'Eva', 'Noël', 'Zoë', 'Mohammed', 'Fleur', 'Sem', 'Anouk']
const FAMILY: readonly (readonly [string | undefined, string])[] = [
  ['de', 'Vries'],
  [undefined, 'Jansen'],
  ['van den', 'Berg'],
  [undefined, 'Bakker'],
  ['van', 'Dijk'],
  [undefined, 'Visser'],
  ["'t", 'Hart'],
  [undefined, 'Smit'],
  ['de', 'Boer'],
  [undefined, 'Çelik'],
]

function pupils(count: number): Person[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `p${String(i + 1).padStart(7, '0')}`
    const [prefix, family] = FAMILY[
      Math.floor(i / GIVEN.length) % FAMILY.length
    ] as (typeof FAMILY)[number]
    return {
      kind: 'person',
      key,
      sourceIds: { school: key },
      givenName: GIVEN[i % GIVEN.length] as string,
      familyName: family,
      ...(prefix === undefined ? {} : { familyNamePrefix: prefix }),
      attributes: {},
      contracts: [
        {
          kind: 'enrolment',
          id: `${key}-c`,
          source: 'school',
          role: 'student',
          organisation: 'org/1',
          organisationCode: '12AB00',
          classGroup: '1a',
          grade: 1,
          attributes: {},
        },
      ],
      memberships: [],
    }
  })
}

function engineTarget(s: Slapd): EngineTarget {
  return {
    name: TARGET,
    connector: connectorFor(s),
    anchorAttribute: ANCHOR,
    mapping: compileMapping(TARGET, MAPPING),
    anchorMapping: compileMapping(TARGET, { employeeNumber: 'person.key' }),
    lifecycle: { provisionDaysBefore: 14, disableAfterDays: 0, deleteAfterDays: 30, holds: [] },
    guard: {},
    apply: { concurrency: IN_FLIGHT, retries: 3, backoffMs: 100, maxBackoffMs: 2000 },
  }
}

function connectorFor(s: Slapd) {
  const options = ldapOptionsSchema.parse({
    url: s.url,
    bindDn: s.adminDn,
    password: '${env:KOPPEL_BENCH_LDAP_PASSWORD}',
    baseDn: s.peopleDn,
    attributes: Object.keys(MAPPING).filter((a) => a !== 'dn'),
    concurrency: IN_FLIGHT,
  })
  return createLdapTarget(TARGET, { ...options, password: s.adminPassword }, process.cwd())
}

/** The plan as `koppel plan` makes it: the engine's buildPlan over the pupils, an empty ledger, no listing. */
function makePlan(count: number, target: EngineTarget): Plan {
  const plan = buildPlan({
    setup: {
      targets: [target],
      rules: compileRules([
        { name: 'pupils', when: 'contract.role == "student"', grant: [{ account: TARGET }] },
      ]),
      primaryContract: ['employment', 'enrolment'],
      configHash: 'bench',
    },
    persons: pupils(count),
    ledger: [],
    listings: new Map(),
    today: '2026-09-01',
    inputs: {},
    sourceFindings: [],
    createdAt: new Date().toISOString(),
  })
  const creates = plan.actions.filter((a) => a.kind === 'create').length
  if (creates !== count || plan.actions.length !== count || plan.issues.length > 0) {
    throw new Error(
      `expected ${count} creates, got ${creates} of ${plan.actions.length} actions and ${plan.issues.length} issues`,
    )
  }
  return plan
}

const attributesOf = (a: Action): Record<string, AttributeValue> =>
  Object.fromEntries(a.changes.flatMap((c) => (c.new === undefined ? [] : [[c.field, c.new]])))

async function timeKoppel(plan: Plan): Promise<Timed> {
  const r = await applyTimed(plan)
  return { rate: r.rate, cpuUs: r.cpuUs }
}

/** Creates per second, and this process's CPU (user + system) per create: the figure load does not blur. */
interface Timed {
  readonly rate: number
  readonly cpuUs: number
}

const cpuSince = (start: NodeJS.CpuUsage, count: number) => {
  const { user, system } = process.cpuUsage(start)
  return (user + system) / count
}

/** One apply of `plan` through applyPlan into a fresh slapd: creates per second, and the tenths' rates. */
async function applyTimed(plan: Plan): Promise<Timed & { growth: Growth }> {
  const s = await startSlapd({ nosync: true })
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-'))
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
  const timed = timedCreates(engineTarget(s))
  const target = timed.target
  try {
    await store.savePlan(plan)
    const cpu = process.cpuUsage()
    const started = performance.now()
    const applied = await applyPlan(plan, {
      store,
      targets: [target],
      runId: 'bench-run',
      actor: 'bench',
    })
    const seconds = (performance.now() - started) / 1000
    const cpuUs = cpuSince(cpu, plan.actions.length)
    const failed = applied.filter((a) => a.outcome !== 'applied')
    if (failed.length > 0)
      throw new Error(
        `${failed.length} actions not applied, e.g. ${failed[0]?.message ?? failed[0]?.outcome}`,
      )
    return { rate: plan.actions.length / seconds, cpuUs, growth: timed.growth() }
  } finally {
    await target.connector.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
    await s.stop()
  }
}

async function timeLdapadd(plan: Plan): Promise<number> {
  const s = await startSlapd({ nosync: true })
  const dir = mkdtempSync(join(tmpdir(), 'koppel-ldif-'))
  try {
    const ldif = join(dir, 'people.ldif')
    const pwFile = join(dir, 'pw')
    writeFileSync(pwFile, s.adminPassword)
    writeFileSync(ldif, plan.actions.map((a) => toLdif(attributesOf(a))).join('\n'))
    const started = performance.now()
    execFileSync('ldapadd', ['-x', '-H', s.url, '-D', s.adminDn, '-y', pwFile, '-f', ldif], {
      stdio: 'ignore',
    })
    return plan.actions.length / ((performance.now() - started) / 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await s.stop()
  }
}

async function timeConnector(plan: Plan): Promise<Timed> {
  const s = await startSlapd({ nosync: true })
  const connector = connectorFor(s)
  try {
    let next = 0
    const cpu = process.cpuUsage()
    const started = performance.now()
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < plan.actions.length) {
          const attributes = attributesOf(plan.actions[next++] as Action)
          const r = await connector.create({
            attributes,
            enabled: true,
            anchor: { attribute: ANCHOR, value: String(attributes[ANCHOR]) },
          })
          if (r.outcome !== 'created')
            throw new Error(`create ${String(attributes.dn)}: ${r.outcome}`)
        }
      }),
    )
    const rate = plan.actions.length / ((performance.now() - started) / 1000)
    return { rate, cpuUs: cpuSince(cpu, plan.actions.length) }
  } finally {
    await connector.close()
    await s.stop()
  }
}

// LDIF values that are not plain printable ASCII, or start with space, colon or <, go base64 (`::`, RFC 2849)
function toLdif(attributes: Record<string, AttributeValue>): string {
  const line = (name: string, value: string) =>
    /^[!-9;=-~][ -~]*$/.test(value) && !value.endsWith(' ')
      ? `${name}: ${value}`
      : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`
  const lines = [line('dn', String(attributes.dn)), 'objectClass: inetOrgPerson']
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'dn') continue
    for (const v of [value].flat()) lines.push(line(name, v))
  }
  return `${lines.join('\n')}\n`
}

const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function planOf(count: number): Promise<Plan> {
  const probe = await startSlapd({ nosync: true })
  try {
    return makePlan(count, engineTarget(probe))
  } finally {
    await probe.stop()
  }
}

export async function runLdapApplyBench(
  count = 5000,
  log: (line: string) => void = () => {},
  options: { readonly busyCore?: boolean } = {},
): Promise<LdapApplyFigures> {
  const plan = await planOf(count)
  const rounds: {
    koppel: number
    ldapadd: number
    connector: number
    koppelCpu: number
    connectorCpu: number
  }[] = []
  // the generator spins through all three measurements of every round: each pair shares the same load
  const busy = options.busyCore === true ? busyCore() : undefined
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      const k = await timeKoppel(plan)
      const ldapadd = await timeLdapadd(plan)
      const c = await timeConnector(plan)
      const [koppel, connector] = [k.rate, c.rate]
      rounds.push({ koppel, ldapadd, connector, koppelCpu: k.cpuUs, connectorCpu: c.cpuUs })
      log(
        `round ${r}${busy ? ' (one core busy)' : ''}: koppel apply ${Math.round(koppel)}/s (${Math.round(k.cpuUs)} µs CPU each), ldapadd ${Math.round(ldapadd)}/s, ratio ${(koppel / ldapadd).toFixed(2)}; connector alone ${Math.round(connector)}/s (${Math.round(c.cpuUs)} µs CPU each); load ${(loadavg()[0] ?? 0).toFixed(2)}`,
      )
    }
  } finally {
    busy?.stop()
  }
  return {
    koppel: Math.round(median(rounds.map((x) => x.koppel))),
    ldapadd: Math.round(median(rounds.map((x) => x.ldapadd))),
    connector: Math.round(median(rounds.map((x) => x.connector))),
    ratio: Math.round(median(rounds.map((x) => x.koppel / x.ldapadd)) * 100) / 100,
    koppelCpuUs: Math.round(median(rounds.map((x) => x.koppelCpu))),
    connectorCpuUs: Math.round(median(rounds.map((x) => x.connectorCpu))),
  }
}

/** One apply of `count` creates into an empty slapd: the last tenth's rate against the first's. */
export async function runLdapGrowthBench(
  count: number,
): Promise<Growth & { readonly rate: number }> {
  const r = await applyTimed(await planOf(count))
  return { ...r.growth, rate: r.rate }
}

if (import.meta.main) {
  const count = Number(process.argv[2] ?? 5000)
  const busy = process.argv[3] === 'busy'
  const growth = Number(process.argv[4] ?? 0)
  console.log(
    `LDAP creates: ${count} accounts, ${IN_FLIGHT} in flight, slapd dbnosync, ${ROUNDS} rounds${busy ? ', one core busy' : ''}`,
  )
  const f = await runLdapApplyBench(count, (line) => console.log(line), { busyCore: busy })
  console.log(
    `median: koppel apply ${f.koppel}/s (${f.koppelCpuUs} µs CPU each), ldapadd -f ${f.ldapadd}/s, koppel/ldapadd ${f.ratio.toFixed(2)}; connector alone ${f.connector}/s (${f.connectorCpuUs} µs CPU each)`,
  )
  if (growth > 0) {
    const g = await runLdapGrowthBench(growth)
    console.log(`growth to ${growth} entries: ${formatGrowth(g)} (${g.rate.toFixed(0)}/s overall)`)
  }
}
