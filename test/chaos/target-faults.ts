// R3 of issue 11: network and server faults between Koppel and a real slapd and PostgreSQL, injected by the
// fault proxy (test/harness/fault-proxy.ts) or by killing and restarting the server during an apply. After
// each fault the next applies must converge: every planned entry once, no duplicate, a quiet plan, an intact
// audit chain. One scenario also checks that a target that hangs does not hold back a healthy one.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyStoredPlan, makePlan } from '../../src/engine/index.ts'
import type { PostgresServer } from '../harness/postgres.ts'
import type { Slapd } from '../harness/slapd.ts'
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.ts'
import { AUDIT_KEY, addOu, converge, people, withEngine, workspace } from './kill-apply.ts'

export interface FaultTrial {
  readonly scenario: string
  readonly expected: number
  readonly present: number
  readonly duplicates: number
  readonly ms: number
  readonly problems: readonly string[]
}

interface Env {
  readonly slapd: Slapd
  readonly postgres: PostgresServer
  readonly ldapProxy: FaultProxy
  readonly pgProxy: FaultProxy
  readonly ou: string
}

export interface FaultScenario {
  readonly name: string
  /** LDAP client timeout for the proxied target (half-open connections need one). */
  readonly timeoutMs?: number
  readonly secondTarget?: boolean
  /** Runs beside the first apply. */
  during(env: Env, trial: TrialContext): Promise<void>
}

interface TrialContext {
  /** The proxied target's entries so far. */
  entries(): Promise<number>
  readonly problems: string[]
  /** Creates planned for the second target. */
  readonly expectedSecond: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function when(
  entries: () => Promise<number>,
  atLeast: number,
  limitMs = 60_000,
): Promise<boolean> {
  const until = Date.now() + limitMs
  while (Date.now() < until) {
    if ((await entries().catch(() => 0)) >= atLeast) return true
    await sleep(20)
  }
  return false
}

export const faultScenarios: readonly FaultScenario[] = [
  {
    name: 'latency on LDAP (20 ms) and PostgreSQL (5 ms) per chunk',
    async during({ ldapProxy, pgProxy }) {
      ldapProxy.set({ kind: 'latency', ms: 20 })
      pgProxy.set({ kind: 'latency', ms: 5 })
    },
  },
  {
    name: 'LDAP connections reset every 300 ms during the apply',
    async during({ ldapProxy }, { entries }) {
      await when(entries, 3)
      for (let i = 0; i < 10; i++) {
        ldapProxy.cut()
        await sleep(300)
      }
    },
  },
  {
    name: 'LDAP replies reset after 2 KB on every connection, then healed',
    async during({ ldapProxy }, { entries }) {
      await when(entries, 3)
      ldapProxy.set({ kind: 'reset', afterBytes: 2048 })
      ldapProxy.cut()
      await sleep(3_000)
      ldapProxy.set({ kind: 'pass' })
    },
  },
  {
    name: 'slapd killed and restarted during the apply',
    async during({ slapd }, { entries }) {
      await when(entries, 5)
      await slapd.halt()
      await sleep(1_000)
      await slapd.restart()
    },
  },
  {
    name: 'PostgreSQL connections reset during the apply',
    async during({ pgProxy }, { entries }) {
      await when(entries, 5)
      pgProxy.cut()
    },
  },
  {
    name: 'PostgreSQL killed (immediate) and restarted during the apply',
    async during({ postgres }, { entries }) {
      await when(entries, 5)
      await postgres.restart()
    },
  },
  {
    name: 'a half-open LDAP target does not hold back a healthy one',
    timeoutMs: 1_500,
    secondTarget: true,
    async during({ ldapProxy, slapd, ou }, { problems, expectedSecond }) {
      ldapProxy.set({ kind: 'half-open' })
      ldapProxy.cut()
      // the healthy target gets all its entries while the other one still hangs
      const healthy = () => people(slapd, `${ou}b`).then((e) => e.length)
      if (!(await when(healthy, expectedSecond, 90_000))) {
        problems.push(
          `the healthy target got ${await healthy()} of ${expectedSecond} entries while the other one hung`,
        )
      }
      ldapProxy.set({ kind: 'pass' })
    },
  },
]

export interface FaultOptions {
  readonly slapd: Slapd
  readonly postgres: PostgresServer
  readonly persons: number
  readonly timeBoxMs: number
  readonly scenarios?: readonly FaultScenario[]
  readonly log?: (line: string) => void
}

export async function runFaultTrials(o: FaultOptions): Promise<FaultTrial[]> {
  const started = Date.now()
  const results: FaultTrial[] = []
  const ldapProxy = await startFaultProxy({ host: '127.0.0.1', port: o.slapd.port })
  const pgPort = Number(new URL(o.postgres.url).port)
  const pgProxy = await startFaultProxy({ host: '127.0.0.1', port: pgPort })
  try {
    await addOu(o.slapd, 'disabled')
    let n = 0
    for (const scenario of o.scenarios ?? faultScenarios) {
      if (Date.now() - started >= o.timeBoxMs) break
      n += 1
      ldapProxy.set({ kind: 'pass' })
      pgProxy.set({ kind: 'pass' })
      const trial = await faultTrial(o, scenario, {
        slapd: o.slapd,
        postgres: o.postgres,
        ldapProxy,
        pgProxy,
        ou: `f${started % 100_000}x${n}`,
      })
      results.push(trial)
      o.log?.(
        `R3 ${scenario.name}: ${trial.present}/${trial.expected} entries, duplicates ${trial.duplicates}, ${trial.ms} ms${trial.problems.length > 0 ? ` PROBLEMS: ${trial.problems.join('; ')}` : ''}`,
      )
    }
  } finally {
    await ldapProxy.close()
    await pgProxy.close()
  }
  return results
}

async function faultTrial(o: FaultOptions, scenario: FaultScenario, env: Env): Promise<FaultTrial> {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-fault-'))
  const problems: string[] = []
  const t0 = Date.now()
  const { ou } = env
  try {
    await addOu(o.slapd, ou)
    if (scenario.secondTarget === true) await addOu(o.slapd, `${ou}b`)
    const pgUrl = o.postgres.url.replace(/127\.0\.0\.1:\d+/, env.pgProxy.address)
    const config = await workspace(
      dir,
      {
        slapd: o.slapd,
        store: { kind: 'postgres', url: pgUrl },
        persons: o.persons,
        ldapUrl: `ldap://${env.ldapProxy.address}`,
        ...(scenario.timeoutMs === undefined ? {} : { timeoutMs: scenario.timeoutMs }),
        ...(scenario.secondTarget === true ? { secondTarget: true } : {}),
      },
      ou,
    )
    const vars = { ...process.env, KOPPEL_CHAOS_AUDIT_KEY: AUDIT_KEY }
    const entries = () => people(o.slapd, ou).then((e) => e.length)
    let expected = 0
    let expected2 = 0
    await withEngine(config, vars, async (l) => {
      const r = await makePlan(l.engine, { actor: 'chaos' })
      if (!r.ok) throw new Error(`the first plan failed: ${r.issues[0]?.message ?? ''}`)
      expected = r.plan.summary['directory']?.['create'] ?? 0
      expected2 = r.plan.summary['directory2']?.['create'] ?? 0
      const fault = scenario.during(env, { entries, problems, expectedSecond: expected2 })
      // the first apply may fail or even throw (a store that went away): what counts is what follows
      await applyStoredPlan(l.engine, r.plan.id, { actor: 'chaos' }).catch(() => undefined)
      await fault
    })
    env.ldapProxy.set({ kind: 'pass' })
    env.pgProxy.set({ kind: 'pass' })
    await converge(config, vars, problems, 3)
    const audit = await withEngine(config, vars, (l) => l.engine.store.verifyAudit())
    if (!audit.ok) problems.push(`audit: ${audit.problem}`)
    const found = await people(o.slapd, ou)
    const unique = new Set(found).size
    if (found.length !== unique) problems.push(`${found.length - unique} duplicate entries`)
    if (unique !== expected) problems.push(`${unique} of ${expected} entries`)
    if (scenario.secondTarget === true) {
      const second = await people(o.slapd, `${ou}b`)
      if (new Set(second).size !== expected2 || second.length !== expected2)
        problems.push(`directory2: ${second.length} of ${expected2} entries`)
    }
    return {
      scenario: scenario.name,
      expected,
      present: found.length,
      duplicates: found.length - unique,
      ms: Date.now() - t0,
      problems,
    }
  } catch (e) {
    problems.push(`trial crashed: ${(e as Error).stack ?? String(e)}`)
    return {
      scenario: scenario.name,
      expected: 0,
      present: 0,
      duplicates: 0,
      ms: Date.now() - t0,
      problems,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
