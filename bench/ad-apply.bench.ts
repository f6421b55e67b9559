// Creates into a real Samba AD DC (test/harness/samba-ad.ts), in one run and on one DC: through the whole Koppel
// apply stage (a plan of N creates from the engine's buildPlan, applyPlan with a SQLite store, the AD connector
// at its default 8 in flight), through the AD connector alone (8 in flight), and `ldapadd -f` of the same users
// over LDAPS. Every user gets a password (unicodePwd; the connector generates one, the LDIF carries one), which
// dominates Samba's cost (Kerberos key derivation). Each mode writes its own OU with its own names, so one DC
// serves all rounds (provisioning one takes 5 to 60 s depending on load). The LDIF's passwords are drawn from the
// connector's own default policy (generatePassword), so both sides pay for the same passwords. With `growth`, one
// more apply of that many creates into its own OU compares the last tenth's rate with the first's (the
// directory holds the rounds' users too by then). With `index`, the anchor attribute (employeeID, not indexed in the
// stock schema) is indexed first, as docs/connectors/active-directory.md tells an admin; ldapadd then pays for
// that index too. Prints figures with the load average, asserts nothing.
// Usage: node bench/ad-apply.bench.ts [count=300] [growth=0] [index]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePassword } from '../src/connectors/ad/ad-password.ts'
import { adOptionsSchema, createAdTarget } from '../src/connectors/ad/index.ts'
import { applyPlan, buildPlan, type EngineTarget } from '../src/engine/index.ts'
import type { Action, AttributeValue, Person, Plan } from '../src/model/index.ts'
import { compileMapping, compileRules, type MappingSpec } from '../src/rules/index.ts'
import { openStore } from '../src/store/index.ts'
import { startSambaAd, type SambaAd } from '../test/harness/samba-ad.ts'
import { formatGrowth, timedCreates, type Growth } from './apply-growth.ts'

export interface AdApplyFigures {
  readonly koppel: number
  readonly connector: number
  readonly ldapadd: number
  readonly ratio: number
  readonly startMs: number
  /** With `growth`: that apply's first and last tenth. */
  readonly growth?: Growth
}

const ROUNDS = 3
const IN_FLIGHT = 8
const TARGET = 'ad'
const ANCHOR = 'employeeID'

const mapping = (ou: string): MappingSpec => ({
  employeeID: 'person.key',
  sAMAccountName: 'person.key',
  userPrincipalName: 'person.key + "@school.test"',
  mail: 'person.key + "@school.test"',
  displayName: 'fullName(person)',
  givenName: 'person.givenName',
  sn: 'familyName(person)',
  dn: `"CN=" + account.sAMAccountName + ",${ou}"`,
})

function pupils(count: number, prefix: string): Person[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}${String(i + 1).padStart(6, '0')}`
    return {
      kind: 'person',
      key,
      sourceIds: { school: key },
      givenName: 'Jan',
      familyName: 'Jansen',
      attributes: {},
      contracts: [
        {
          kind: 'enrolment',
          id: `${key}-c`,
          source: 'school',
          role: 'student',
          organisation: 'org/1',
          classGroup: '1a',
          grade: 1,
          attributes: {},
        },
      ],
      memberships: [],
    }
  })
}

function connectorFor(s: SambaAd) {
  const options = adOptions(s)
  return createAdTarget(TARGET, { ...options, password: s.adminPassword }, process.cwd())
}

function adOptions(s: SambaAd) {
  return adOptionsSchema.parse({
    url: s.url,
    tlsCaFile: s.caFile,
    tlsServerName: s.tlsServerName,
    bindDn: s.adminDn,
    password: '${env:KOPPEL_BENCH_AD_PASSWORD}',
    baseDn: s.baseDn,
  })
}

function engineTarget(s: SambaAd, ou: string): EngineTarget {
  return {
    name: TARGET,
    connector: connectorFor(s),
    anchorAttribute: ANCHOR,
    mapping: compileMapping(TARGET, mapping(ou)),
    anchorMapping: compileMapping(TARGET, { employeeID: 'person.key' }),
    lifecycle: { provisionDaysBefore: 14, disableAfterDays: 0, deleteAfterDays: 30, holds: [] },
    guard: {},
    apply: { concurrency: IN_FLIGHT, retries: 3, backoffMs: 100, maxBackoffMs: 2000 },
  }
}

function makePlan(persons: Person[], target: EngineTarget): Plan {
  const plan = buildPlan({
    setup: {
      targets: [target],
      rules: compileRules([
        { name: 'pupils', when: 'contract.role == "student"', grant: [{ account: TARGET }] },
      ]),
      primaryContract: ['employment', 'enrolment'],
      configHash: 'bench',
    },
    persons,
    ledger: [],
    listings: new Map(),
    today: '2026-09-01',
    inputs: {},
    sourceFindings: [],
    createdAt: new Date().toISOString(),
  })
  if (plan.actions.length !== persons.length || plan.issues.length > 0)
    throw new Error(`plan: ${plan.actions.length} actions, ${plan.issues.length} issues`)
  return plan
}

const attributesOf = (a: Action): Record<string, AttributeValue> =>
  Object.fromEntries(a.changes.flatMap((c) => (c.new === undefined ? [] : [[c.field, c.new]])))

async function addOu(s: SambaAd, dn: string) {
  await (await s.admin()).add(dn, { objectClass: 'organizationalUnit' })
}

async function timeKoppel(s: SambaAd, count: number, round: number): Promise<number> {
  return (await applyTimed(s, count, `apply${round}`, `k${round}`)).rate
}

/** One apply of `count` creates into a new OU through applyPlan: creates per second, and the tenths' rates. */
async function applyTimed(
  s: SambaAd,
  count: number,
  name: string,
  prefix: string,
): Promise<{ rate: number; growth: Growth }> {
  const ou = `OU=${name},${s.baseDn}`
  await addOu(s, ou)
  const timed = timedCreates(engineTarget(s, ou))
  const target = timed.target
  const plan = makePlan(pupils(count, prefix), target)
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-ad-'))
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
  try {
    await store.savePlan(plan)
    const started = performance.now()
    const applied = await applyPlan(plan, {
      store,
      targets: [target],
      runId: `bench-${name}`,
      actor: 'bench',
    })
    const seconds = (performance.now() - started) / 1000
    const failed = applied.filter((a) => a.outcome !== 'applied')
    if (failed.length > 0)
      throw new Error(
        `${failed.length} actions not applied, e.g. ${failed[0]?.message ?? failed[0]?.outcome}`,
      )
    return { rate: count / seconds, growth: timed.growth() }
  } finally {
    await target.connector.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function timeConnector(s: SambaAd, count: number, round: number): Promise<number> {
  const ou = `OU=connector${round},${s.baseDn}`
  await addOu(s, ou)
  const plan = makePlan(pupils(count, `c${round}`), engineTarget(s, ou))
  const connector = connectorFor(s)
  try {
    let next = 0
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
            throw new Error(`create ${String(attributes['dn'])}: ${r.outcome}`)
        }
      }),
    )
    return count / ((performance.now() - started) / 1000)
  } finally {
    await connector.close()
  }
}

async function timeLdapadd(s: SambaAd, count: number, round: number): Promise<number> {
  const ou = `OU=ldapadd${round},${s.baseDn}`
  await addOu(s, ou)
  const plan = makePlan(pupils(count, `l${round}`), engineTarget(s, ou))
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-ldif-'))
  try {
    const ldif = join(dir, 'users.ldif')
    const pwFile = join(dir, 'pw')
    writeFileSync(pwFile, s.adminPassword)
    const { passwordPolicy, mustChangePassword } = adOptions(s)
    const ldifOf = (a: Action) =>
      toLdif(attributesOf(a), generatePassword(passwordPolicy), mustChangePassword)
    writeFileSync(ldif, plan.actions.map(ldifOf).join('\n'))
    const started = performance.now()
    execFileSync('ldapadd', ['-x', '-H', s.url, '-D', s.adminDn, '-y', pwFile, '-f', ldif], {
      stdio: 'ignore',
      env: { ...process.env, LDAPTLS_CACERT: s.caFile, LDAPTLS_REQCERT: 'allow' },
    })
    return count / ((performance.now() - started) / 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function toLdif(
  attributes: Record<string, AttributeValue>,
  password: string,
  mustChange: boolean,
): string {
  const lines = [`dn: ${String(attributes['dn'])}`, 'objectClass: user', 'userAccountControl: 512']
  if (mustChange) lines.push('pwdLastSet: 0')
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'dn') continue
    for (const v of [value].flat())
      lines.push(`${name}:: ${Buffer.from(v, 'utf8').toString('base64')}`)
  }
  lines.push(`unicodePwd:: ${Buffer.from(`"${password}"`, 'utf16le').toString('base64')}`)
  return `${lines.join('\n')}\n`
}

const load = () => (loadavg()[0] ?? 0).toFixed(2)

const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

export async function runAdApplyBench(
  count = 300,
  log: (line: string) => void = () => {},
  options: { readonly growth?: number; readonly indexAnchor?: boolean } = {},
): Promise<AdApplyFigures> {
  const s = await startSambaAd()
  log(`Samba AD DC provisioned and started in ${(s.startedInMs / 1000).toFixed(1)} s`)
  if (options.indexAnchor === true) {
    await s.indexAttribute('Employee-ID')
    log(`${ANCHOR} indexed (searchFlags fATTINDEX)`)
  }
  try {
    const rounds: { koppel: number; connector: number; ldapadd: number }[] = []
    for (let r = 1; r <= ROUNDS; r++) {
      const koppel = await timeKoppel(s, count, r)
      const connector = await timeConnector(s, count, r)
      const ldapadd = await timeLdapadd(s, count, r)
      rounds.push({ koppel, connector, ldapadd })
      log(
        `round ${r}: koppel apply ${koppel.toFixed(1)}/s, connector alone ${connector.toFixed(1)}/s, ldapadd ${ldapadd.toFixed(1)}/s, ratio ${(koppel / ldapadd).toFixed(2)} (load ${load()})`,
      )
    }
    const growth =
      (options.growth ?? 0) > 0
        ? (await applyTimed(s, options.growth ?? 0, 'growth', 'g')).growth
        : undefined
    if (growth !== undefined)
      log(`growth apply of ${options.growth}: ${formatGrowth(growth)} (load ${load()})`)
    return {
      koppel: median(rounds.map((x) => x.koppel)),
      connector: median(rounds.map((x) => x.connector)),
      ldapadd: median(rounds.map((x) => x.ldapadd)),
      ratio: median(rounds.map((x) => x.koppel / x.ldapadd)),
      startMs: s.startedInMs,
      ...(growth === undefined ? {} : { growth }),
    }
  } finally {
    await s.stop()
  }
}

if (import.meta.main) {
  const count = Number(process.argv[2] ?? 300)
  const growth = Number(process.argv[3] ?? 0)
  const indexAnchor = process.argv[4] === 'index'
  console.log(
    `AD creates with passwords: ${count} users per mode, ${IN_FLIGHT} in flight, ${ROUNDS} rounds, one Samba DC`,
  )
  const f = await runAdApplyBench(count, (line) => console.log(line), { growth, indexAnchor })
  console.log(
    `median: koppel apply ${f.koppel.toFixed(1)}/s, connector alone ${f.connector.toFixed(1)}/s, ldapadd -f ${f.ldapadd.toFixed(1)}/s, koppel/ldapadd ${f.ratio.toFixed(2)}`,
  )
}
