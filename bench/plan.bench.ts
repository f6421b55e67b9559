// The whole `koppel` CLI on a generated board, as an admin runs it: a seeded OneRoster 1.2 export of N persons
// (default 100,000), the demo's koppel.yaml (rules, CEL mappings, unique usernames, groups), the embedded SQLite
// store and the in-process LDAP directory. Each command runs in its own child process; wall time is measured
// around it (Node start-up included) and peak RSS is the child's own.
//   1. plan against an empty ledger and an empty directory (every person a create)
//   2. apply that plan (informative: creates/s into the in-process directory, journal and audit included)
//   3. plan against the fully provisioned ledger, listing the directory: nothing to do
//   4. `koppel run --no-target-read`: a no-op run from the ledger alone, reading the sources in full
//   5. the same again: the sources' fingerprints are unchanged, so they are not re-read (the scheduled no-op run)
// With `--groups`, every OneRoster class is also provisioned as a group of its own (provisionGroups:) and a rule
// per membership puts each pupil in her classes (≈13 enrollments per person in the generated board): the
// plan with real memberships (issue 14).
// With `--plan-only`, only the plan against the empty ledger, without target reads and without --json (steps 2–5
// skipped): P1 with groups and P6 (1,000,000 persons) without a 300 s apply (issue 17).
// Prints figures, asserts nothing. Usage: node bench/plan.bench.ts [persons=100000] [--groups] [--plan-only]
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer } from '@koppel/sim/ldap-server'

const ROOT = resolve(import.meta.dirname, '..')

export interface CommandFigures {
  readonly wallS: number
  readonly peakRssMb: number
  readonly exitCode: number | null
  readonly actions?: number
}

export interface PlanBenchFigures {
  readonly persons: number
  /** Whether classes were provisioned as groups with a membership rule (`--groups`). */
  readonly groups: boolean
  readonly generateS: number
  readonly emptyPlan: CommandFigures
  readonly apply: CommandFigures & { readonly perSecond: number }
  readonly provisionedPlan: CommandFigures
  readonly noopRun: CommandFigures
  readonly unchangedRun: CommandFigures
}

function koppel(
  dir: string,
  args: readonly string[],
): Promise<CommandFigures & { stdout: string }> {
  const rssFile = join(dir, 'rss.txt')
  rmSync(rssFile, { force: true })
  const started = performance.now()
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        join(ROOT, 'bench', 'report-rss.ts'),
        join(ROOT, 'bin', 'koppel.ts'),
        ...args,
      ],
      {
        cwd: dir,
        env: { ...process.env, KOPPEL_BENCH_RSS_FILE: rssFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const chunks: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => chunks.push(b))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('error', fail)
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000
      let peakRssMb = Number.NaN
      try {
        peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024
      } catch {
        // the child died before its exit hook: no figure
      }
      if (code !== 0 && code !== 2) process.stderr.write(stderr.slice(-2000))
      done({ wallS, peakRssMb, exitCode: code, stdout: Buffer.concat(chunks).toString() })
    })
  })
}

/** The demo's config with every class provisioned as a group and pupils and teachers in theirs, per membership. */
export function withProvisionedGroups(config: string): string {
  const sets = `    provisionGroups:
      - name: classes
        when: group.type == "class" || group.type == "teaching-group"
        title: group.name
        description: '"Klas " + group.name + (has(group.schoolYear) ? " " + group.schoolYear : "")'
`
  const rules = `
  - name: Leerlingen in hun lesgroepen
    for: membership
    when: membership.role == "student"
    grant:
      - member: { target: directory, groups: classes, role: member }
  - name: Docenten eigenaar van hun lesgroepen
    for: membership
    when: membership.role == "teacher"
    grant:
      - member: { target: directory, groups: classes, role: owner }
`
  if (!config.includes('\nrules:\n')) throw new Error('demo config without a rules: section')
  return `${config.replace('\nrules:\n', `${sets}rules:\n`).trimEnd()}\n${rules}`
}

export async function runPlanBench(
  persons = 100_000,
  log: (line: string) => void = () => {},
  options: { readonly groups?: boolean } = {},
): Promise<PlanBenchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-plan-'))
  const password = 'bench-password'
  const ldap = await startLdapServer({ adminPassword: password })
  try {
    let t = performance.now()
    const board = generateBoard({ seed: 'bench', persons, today: '2026-11-23' })
    mkdirSync(join(dir, 'export'))
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    const generateS = (performance.now() - t) / 1000
    log(`generated ${persons} persons as OneRoster CSV in ${generateS.toFixed(1)} s`)
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), password)
    writeFileSync(
      join(dir, 'koppel.yaml'),
      options.groups === true ? withProvisionedGroups(demoConfig(ldap.url)) : demoConfig(ldap.url),
    )

    const first = await koppel(dir, ['plan', '--json'])
    const plan = JSON.parse(first.stdout) as { id: string; actions: unknown[] }
    const emptyPlan = {
      wallS: first.wallS,
      peakRssMb: first.peakRssMb,
      exitCode: first.exitCode,
      actions: plan.actions.length,
    }
    log(
      `plan, empty ledger: ${emptyPlan.actions} actions in ${emptyPlan.wallS.toFixed(2)} s, peak RSS ${emptyPlan.peakRssMb.toFixed(0)} MB`,
    )

    t = performance.now()
    const applied = await koppel(dir, ['apply', '--plan', plan.id, '--yes', '--json'])
    const apply = {
      wallS: applied.wallS,
      peakRssMb: applied.peakRssMb,
      exitCode: applied.exitCode,
      actions: plan.actions.length,
      perSecond: plan.actions.length / applied.wallS,
    }
    log(
      `apply: ${apply.actions} actions in ${apply.wallS.toFixed(1)} s (${apply.perSecond.toFixed(0)}/s), peak RSS ${apply.peakRssMb.toFixed(0)} MB, exit ${apply.exitCode}`,
    )

    const again = await koppel(dir, ['plan', '--json'])
    const provisionedPlan = {
      wallS: again.wallS,
      peakRssMb: again.peakRssMb,
      exitCode: again.exitCode,
      actions: (JSON.parse(again.stdout) as { actions: unknown[] }).actions.length,
    }
    log(
      `plan, provisioned ledger + directory listing: ${provisionedPlan.actions} actions in ${provisionedPlan.wallS.toFixed(2)} s, peak RSS ${provisionedPlan.peakRssMb.toFixed(0)} MB`,
    )

    const run = await koppel(dir, ['run', '--no-target-read', '--json'])
    const noopRun = { wallS: run.wallS, peakRssMb: run.peakRssMb, exitCode: run.exitCode }
    log(
      `no-op run (ledger only, sources read): ${noopRun.wallS.toFixed(2)} s, peak RSS ${noopRun.peakRssMb.toFixed(0)} MB, exit ${noopRun.exitCode}`,
    )
    const second = await koppel(dir, ['run', '--no-target-read', '--json'])
    const unchangedRun = {
      wallS: second.wallS,
      peakRssMb: second.peakRssMb,
      exitCode: second.exitCode,
    }
    log(
      `no-op run, sources unchanged (not re-read): ${unchangedRun.wallS.toFixed(2)} s, peak RSS ${unchangedRun.peakRssMb.toFixed(0)} MB, exit ${unchangedRun.exitCode}`,
    )
    return {
      persons,
      groups: options.groups === true,
      generateS,
      emptyPlan,
      apply,
      provisionedPlan,
      noopRun,
      unchangedRun,
    }
  } finally {
    await ldap.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Only the plan, without target reads and without --json (a million persons' JSON is more than one string can
 * hold in the parent): generator → OneRoster CSV → `koppel plan --no-target-read` (issue 17: P6, and P1 with
 * groups, `--plan-only`). The number of actions is read from the plan's first line.
 */
export async function runLargePlanBench(
  persons: number,
  log: (line: string) => void = () => {},
  options: { readonly groups?: boolean } = {},
): Promise<CommandFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-large-'))
  try {
    const t = performance.now()
    await writeOneRosterCsv(
      join(dir, 'export'),
      generateBoard({ seed: 'bench', persons, today: '2026-11-23' }),
      { version: '1.2' },
    )
    log(
      `generated ${persons} persons as OneRoster CSV in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'never-used')
    // never contacted: no target reads
    const config = demoConfig('ldap://127.0.0.1:9')
    writeFileSync(
      join(dir, 'koppel.yaml'),
      options.groups === true ? withProvisionedGroups(config) : config,
    )
    const r = await koppel(dir, ['plan', '--no-target-read', '--limit', '1'])
    const actions = planActionCount(r.stdout)
    log(
      `plan --no-target-read${options.groups === true ? ' (groups provisioned)' : ''}: ${actions ?? '?'} actions in ${r.wallS.toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB, exit ${r.exitCode} (load average ${loadavg()[0]?.toFixed(2)})`,
    )
    return {
      wallS: r.wallS,
      peakRssMb: r.peakRssMb,
      exitCode: r.exitCode,
      ...(actions !== undefined ? { actions } : {}),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The action count of `koppel plan`'s first line ("Plan plan-… (176000 actions, hash …)"). */
export function planActionCount(stdout: string): number | undefined {
  const m = /^Plan \S+ \((\d+) actions?\b/m.exec(stdout)
  return m === null ? undefined : Number(m[1])
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const size = Number(args.find((a) => !a.startsWith('--')) ?? 100_000)
  const log = (line: string) => console.log(line)
  const groups = args.includes('--groups')
  const figures = args.includes('--plan-only')
    ? await runLargePlanBench(size, log, { groups })
    : await runPlanBench(size, log, { groups })
  console.log(JSON.stringify(figures))
}
