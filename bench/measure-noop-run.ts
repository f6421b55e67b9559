// The scheduled no-op run (issue 17, P2) with and without the heap-cap restart of bin/koppel.ts: a generated board
// of N persons is planned and applied into the in-process LDAP directory, one `koppel run --no-target-read` reads
// the sources (and records their fingerprints), and then the unchanged run — nothing re-read — is timed in
// alternating rounds with KOPPEL_KEEP_HEAP unset and set. Each run's wall time, CPU (user + system) and peak RSS
// come from /usr/bin/time around the child; the 1-minute load average is printed beside them.
// Prints figures, asserts nothing. Usage: node bench/measure-noop-run.ts [persons=10000] [rounds=3] [--profile] [--keep]
// (--profile: one more unchanged run of each kind with --cpu-prof, the profiles kept in the printed folder)
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { demoConfig } from '../src/cli/demo-config.ts'

const ROOT = resolve(import.meta.dirname, '..')
const numbers = process.argv.slice(2).filter((a) => /^\d+$/.test(a))
const persons = Number(numbers[0] ?? 10_000)
const rounds = Number(numbers[1] ?? 3)
const profile = process.argv.includes('--profile')
// --keep: leave the board, its store and config in place (printed) for further runs by hand
const keep = process.argv.includes('--keep')

interface Figures {
  readonly wallS: number
  readonly cpuS: number
  readonly rssMb: number
  readonly code: number | null
}

function koppel(
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<Figures & { stdout: string }> {
  const timeFile = join(dir, 'time.txt')
  const started = performance.now()
  return new Promise((done, fail) => {
    const child = spawn(
      '/usr/bin/time',
      [
        '-o',
        timeFile,
        '-f',
        '%U %S %M',
        process.execPath,
        '--no-warnings',
        ...nodeArgs,
        join(ROOT, 'bin', 'koppel.ts'),
        ...args,
      ],
      { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const out: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    let stderr = ''
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('error', fail)
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000
      const [user = NaN, system = NaN, rssKb = NaN] = readFileSync(timeFile, 'utf8')
        .trim()
        .split('\n')
        .at(-1)!
        .split(' ')
        .map(Number)
      if (code !== 0 && code !== 2) process.stderr.write(stderr.slice(-2000))
      done({
        wallS,
        cpuS: user + system,
        rssMb: rssKb / 1024,
        code,
        stdout: Buffer.concat(out).toString(),
      })
    })
  })
}

const show = (label: string, f: Figures) =>
  console.log(
    `${label.padEnd(34)} wall ${f.wallS.toFixed(2)} s, CPU ${f.cpuS.toFixed(2)} s, ` +
      `peak RSS ${f.rssMb.toFixed(0)} MB, exit ${f.code} (load ${loadavg()[0]?.toFixed(1)})`,
  )
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-noop-'))
const ldap = await startLdapServer({ adminPassword: 'bench-password' })
try {
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'bench', persons, today: '2026-11-23' }),
    { version: '1.2' },
  )
  mkdirSync(join(dir, 'secrets'))
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'bench-password')
  writeFileSync(join(dir, 'koppel.yaml'), demoConfig(ldap.url))
  const planned = await koppel(dir, ['plan', '--json'])
  show('plan, empty ledger', planned)
  const { id } = JSON.parse(planned.stdout) as { id: string }
  show('apply', await koppel(dir, ['apply', '--plan', id, '--yes', '--json']))
  show('run --no-target-read, sources read', await koppel(dir, ['run', '--no-target-read']))
  const runs: Record<string, Figures[]> = { restart: [], KOPPEL_KEEP_HEAP: [] }
  for (let i = 0; i < rounds; i++) {
    for (const kind of Object.keys(runs)) {
      const env: Record<string, string> = kind === 'restart' ? {} : { KOPPEL_KEEP_HEAP: '1' }
      const f = await koppel(dir, ['run', '--no-target-read'], env)
      runs[kind]!.push(f)
      show(`unchanged run, ${kind}`, f)
    }
  }
  for (const [kind, fs] of Object.entries(runs)) {
    console.log(
      `median of ${fs.length}, ${kind}: wall ${median(fs.map((f) => f.wallS)).toFixed(2)} s, ` +
        `CPU ${median(fs.map((f) => f.cpuS)).toFixed(2)} s, peak RSS ${median(fs.map((f) => f.rssMb)).toFixed(0)} MB`,
    )
  }
  if (profile) {
    const out = mkdtempSync(join(tmpdir(), 'koppel-noop-prof-'))
    for (const kind of Object.keys(runs)) {
      const env: Record<string, string> = kind === 'restart' ? {} : { KOPPEL_KEEP_HEAP: '1' }
      const args = ['--cpu-prof', `--cpu-prof-dir=${join(out, kind)}`]
      show(`profiled, ${kind}`, await koppel(dir, ['run', '--no-target-read'], env, args))
    }
    console.log(`profiles in ${out}`)
  }
} finally {
  await ldap.stop()
  if (keep) console.log(`board kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
