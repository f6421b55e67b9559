// R1 of issue 11: `koppel apply` killed with SIGKILL at a random point, then resumed, against a real slapd and
// either store. Each trial has its own branch of the directory (ou=c<n>) and its own store (SQLite file) or
// tenant (PostgreSQL), so trials do not see each other. The killed apply is the real CLI in a child process;
// the resume, the next plan and the audit check run in-process through the same engine calls the CLI makes
// (starting the CLI costs seconds on a loaded machine). Counted per trial: entries expected, present, duplicated.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { AlreadyExistsError, Client } from 'ldapts'
import { demoConfig } from '../../src/cli/demo-config.ts'
import { loadEngine, type LoadedEngine } from '../../src/app/load-engine.ts'
import { connectorDefinitions } from '../../src/connectors/index.ts'
import { applyStoredPlan, interruptedPlans, makePlan } from '../../src/engine/index.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import type { Slapd } from '../harness/slapd.ts'

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'koppel.ts')
/**
 * The day the board is generated for: the day the clock says, since the CLI that is killed plans and applies on
 * its own clock (with faketime a year ahead, that year). Plans are made on the same clock.
 */
export const today = (): string => new Date().toISOString().slice(0, 10)
export const AUDIT_KEY = 'chaos-audit-key-0123456789abcdef'

export type ChaosStore =
  { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly url: string }

export interface KillTrial {
  readonly store: 'sqlite' | 'postgres'
  readonly trial: number
  /** Entries in the directory when the apply was killed; `finished` when it completed first. */
  readonly killedAt: number | 'finished'
  readonly expected: number
  readonly present: number
  readonly duplicates: number
  readonly lost: number
  readonly quietNextPlan: boolean
  readonly auditIntact: boolean
  readonly problems: readonly string[]
}

export interface KillOptions extends WorkspaceOptions {
  readonly trials: number
  /** No new trial starts after this many ms. */
  readonly timeBoxMs: number
  /** Seeds the kill points, so a failing series can be replayed. */
  readonly seed: number
  readonly log?: (line: string) => void
}

/** A small seeded generator (mulberry32): the kill points of a series are reproducible from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function runKillTrials(o: KillOptions): Promise<KillTrial[]> {
  const random = seeded(o.seed)
  const started = Date.now()
  const results: KillTrial[] = []
  // the demo config moves disabled accounts there and reads it when listing
  await addOu(o.slapd, 'disabled')
  for (let n = 1; n <= o.trials && Date.now() - started < o.timeBoxMs; n++) {
    const trial = await killTrial(o, n, random)
    results.push(trial)
    o.log?.(
      `${trial.store} trial ${n}: killed at ${trial.killedAt}/${trial.expected}, present ${trial.present}, ` +
        `duplicates ${trial.duplicates}, lost ${trial.lost}, quiet ${trial.quietNextPlan}, audit ${trial.auditIntact}` +
        (trial.problems.length > 0 ? ` PROBLEMS: ${trial.problems.join('; ')}` : ''),
    )
  }
  return results
}

async function killTrial(o: KillOptions, n: number, random: () => number): Promise<KillTrial> {
  const ou = `c${o.store.kind[0]}${o.seed}x${n}`
  const dir = await mkdtemp(join(tmpdir(), 'koppel-chaos-'))
  const problems: string[] = []
  try {
    await addOu(o.slapd, ou)
    const config = await workspace(dir, o, ou)
    const env = { ...process.env, KOPPEL_CHAOS_AUDIT_KEY: AUDIT_KEY }
    const planned = await withEngine(config, env, async (l) => {
      const r = await makePlan(l.engine, { actor: 'chaos' })
      if (!r.ok)
        throw new Error(`the first plan failed: ${r.issues.map((i) => i.message).join('; ')}`)
      return r.plan
    })
    const expected = planned.summary['directory']?.['create'] ?? 0

    // kill when the directory holds a random share of the entries; a target of 0 kills during start-up
    const target = Math.floor(random() * (expected + 1))
    const startupDelay = Math.floor(random() * 1500)
    // with every entry there, grants, journal and audit writes are still going on: kill somewhere in those
    const lateDelay = target === expected ? Math.floor(random() * 1500) : 0
    const killedAt = await applyAndKill(o.slapd, ou, dir, planned.id, env, {
      target,
      startupDelay,
      lateDelay,
    })

    const quiet = await converge(config, env, problems)
    const audit = await withEngine(config, env, (l) => l.engine.store.verifyAudit())
    if (!audit.ok) problems.push(`audit: ${audit.problem}`)
    const entries = await people(o.slapd, ou)
    const unique = new Set(entries).size
    const duplicates = entries.length - unique
    const lost = Math.max(0, expected - unique)
    if (duplicates > 0) problems.push(`${duplicates} duplicate entries`)
    if (lost > 0) problems.push(`${lost} persons without an entry`)
    if (unique > expected) problems.push(`${unique - expected} entries more than planned`)
    return {
      store: o.store.kind,
      trial: n,
      killedAt,
      expected,
      present: entries.length,
      duplicates,
      lost,
      quietNextPlan: quiet,
      auditIntact: audit.ok,
      problems,
    }
  } catch (e) {
    problems.push(`trial crashed: ${(e as Error).stack ?? String(e)}`)
    return {
      store: o.store.kind,
      trial: n,
      killedAt: 0,
      expected: 0,
      present: 0,
      duplicates: 0,
      lost: 0,
      quietNextPlan: false,
      auditIntact: false,
      problems,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * What the admin's next `koppel apply` does, up to `rounds` times while something is left: resume what was
 * interrupted, then plan and apply the rest. True when the plan after that is quiet; problems are collected.
 */
export async function converge(
  config: string,
  env: Record<string, string | undefined>,
  problems: string[],
  rounds = 1,
): Promise<boolean> {
  return withEngine(config, env, async (l) => {
    for (let round = 1; round <= rounds; round++) {
      const last = round === rounds
      const note = (m: string) => {
        if (last) problems.push(m)
      }
      for (const p of await interruptedPlans(l.engine.store)) {
        const r = await applyStoredPlan(l.engine, p.id, { actor: 'chaos' }).catch((e: unknown) => ({
          ok: false as const,
          message: String(e),
        }))
        if (!r.ok) note(`resume of ${p.id} refused: ${r.message}`)
        else if (r.report.state !== 'done')
          note(`resume of ${p.id} ended ${r.report.state}: ${r.report.failures[0]?.message ?? ''}`)
      }
      const rest = await makePlan(l.engine, { actor: 'chaos' })
      if (!rest.ok) note(`the plan after the fault failed: ${rest.issues[0]?.message ?? ''}`)
      else if (rest.plan.actions.length > 0) {
        if (rest.plan.status === 'blocked')
          note(`the plan after the fault is blocked: ${rest.plan.findings[0]?.message ?? ''}`)
        const r = await applyStoredPlan(l.engine, rest.plan.id, { actor: 'chaos' }).catch(
          (e: unknown) => ({ ok: false as const, message: String(e) }),
        )
        if (!r.ok) note(`apply after the fault refused: ${r.message}`)
        else if (r.report.state !== 'done')
          note(
            `apply after the fault ended ${r.report.state}: ${r.report.failures[0]?.message ?? ''}`,
          )
      }
      const next = await makePlan(l.engine, { actor: 'chaos' })
      if (next.ok && next.plan.actions.length === 0) return true
      if (last) {
        if (!next.ok) problems.push(`the next plan failed: ${next.issues[0]?.message ?? ''}`)
        else
          problems.push(
            `next plan not quiet: ${next.plan.actions
              .slice(0, 3)
              .map((a) => a.id)
              .join(', ')}`,
          )
      }
    }
    return false
  })
}

export async function withEngine<T>(
  config: string,
  env: Record<string, string | undefined>,
  body: (l: LoadedEngine) => Promise<T>,
): Promise<T> {
  const r = await loadEngine(config, connectorDefinitions, { env })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  try {
    return await body(r.loaded)
  } finally {
    await r.loaded.close()
  }
}

export interface WorkspaceOptions {
  readonly slapd: Slapd
  readonly store: ChaosStore
  readonly persons: number
  /** The LDAP URL Koppel uses (a fault proxy in front of the slapd); the slapd's own by default. */
  readonly ldapUrl?: string
  /** LDAP client timeouts, for half-open connections. */
  readonly timeoutMs?: number
  /** A second LDAP target `directory2` straight to the slapd, under ou=<ou>b, granted to every person. */
  readonly secondTarget?: boolean
}

/** The export, the secret and a koppel.yaml whose people live under ou=<ou>; returns the config path. */
export async function workspace(dir: string, o: WorkspaceOptions, ou: string): Promise<string> {
  await mkdir(join(dir, 'export'))
  const board = generateBoard({ seed: `chaos-${o.persons}`, persons: o.persons, today: today() })
  await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'ldap-password'), `${o.slapd.adminPassword}\n`, {
    mode: 0o600,
  })
  const timeouts =
    o.timeoutMs === undefined
      ? ''
      : `    timeoutMs: ${o.timeoutMs}\n    connectTimeoutMs: ${o.timeoutMs}\n`
  let yaml = demoConfig(o.ldapUrl ?? o.slapd.url)
    .replace('    lifecycle:\n', `    apply:\n      concurrency: 2\n${timeouts}    lifecycle:\n`)
    .replaceAll(',ou=people,dc=school,dc=test', `,ou=${ou},dc=school,dc=test`)
    .replace('baseDn: dc=school,dc=test', `baseDn: ou=${ou},dc=school,dc=test`)
    .replace('store:\n  kind: sqlite\n  path: ./data/koppel.db\n', storeYaml(o.store, ou))
  yaml = yaml.replace(
    'version: 1\n',
    `version: 1\ntenant: ${ou}\naudit:\n  key: \${env:KOPPEL_CHAOS_AUDIT_KEY}\n`,
  )
  if (o.secondTarget === true) yaml = withSecondTarget(yaml, o.slapd.url, ou)
  const path = join(dir, 'koppel.yaml')
  await writeFile(path, yaml)
  return path
}

/** Copies the `directory` target as `directory2` (straight to the slapd, under ou=<ou>b) and grants it to all. */
function withSecondTarget(yaml: string, slapdUrl: string, ou: string): string {
  const start = yaml.indexOf('  - name: directory\n')
  const end = yaml.indexOf('\nrules:\n')
  const second = yaml
    .slice(start, end)
    .replace('  - name: directory\n', '  - name: directory2\n')
    .replace(/url: .*\n/, `url: ${slapdUrl}\n`)
    .replace(/ {4}timeoutMs: .*\n {4}connectTimeoutMs: .*\n/, '')
    .replaceAll(`ou=${ou},`, `ou=${ou}b,`)
  return `${yaml.slice(0, end)}\n${second}${yaml.slice(end)}`.replace(
    'rules:\n',
    'rules:\n  - name: Iedereen krijgt ook een account in directory2\n    when: "true"\n    grant:\n      - account: directory2\n',
  )
}

function storeYaml(store: ChaosStore, ou: string): string {
  if (store.kind === 'sqlite') return `store:\n  kind: sqlite\n  path: ./data/${ou}.db\n`
  return `store:\n  kind: postgres\n  url: ${store.url}\n`
}

/** Runs `koppel apply --plan` and SIGKILLs it once the directory holds `target` entries (or after the delay). */
function applyAndKill(
  s: Slapd,
  ou: string,
  cwd: string,
  planId: string,
  env: Record<string, string | undefined>,
  when: { readonly target: number; readonly startupDelay: number; readonly lateDelay: number },
): Promise<number | 'finished'> {
  const { target, startupDelay, lateDelay } = when
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--no-warnings', BIN, 'apply', '--plan', planId, '--yes'],
      { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    let killedAt: number | undefined
    const kill = (at: number) => {
      if (killedAt !== undefined) return
      killedAt = at
      child.kill('SIGKILL')
    }
    let timer: NodeJS.Timeout | undefined
    if (target === 0) timer = setTimeout(() => kill(0), startupDelay)
    else {
      let polling = false
      let reached: number | undefined
      timer = setInterval(() => {
        if (polling) return
        polling = true
        people(s, ou).then(
          (e) => {
            polling = false
            if (e.length >= target) reached ??= Date.now()
            if (reached !== undefined && Date.now() - reached >= lateDelay) kill(e.length)
          },
          () => (polling = false),
        )
      }, 10)
    }
    child.on('error', fail)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      clearInterval(timer)
      if (signal === 'SIGKILL') done(killedAt ?? 0)
      else if (code === 0) done('finished')
      else fail(new Error(`koppel apply exited ${code}: ${stderr.slice(-1000)}`))
    })
  })
}

/** Adds ou=<ou> under the base; one that exists already is fine. */
export async function addOu(s: Slapd, ou: string): Promise<void> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    await c
      .add(`ou=${ou},${s.baseDn}`, { objectClass: 'organizationalUnit', ou })
      .catch((e: unknown) => {
        if (!(e instanceof AlreadyExistsError)) throw e
      })
  } finally {
    await c.unbind()
  }
}

/** employeeNumber (the person key) of every entry under ou=<ou>, duplicates kept. */
export async function people(s: Slapd, ou: string): Promise<string[]> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    const { searchEntries } = await c.search(`ou=${ou},${s.baseDn}`, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['employeeNumber'],
      paged: { pageSize: 500 },
    })
    return searchEntries.map((e) => String(e['employeeNumber']))
  } finally {
    await c.unbind()
  }
}
