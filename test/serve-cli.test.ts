// `koppel serve` as the process an admin's systemd runs (issue 15 item 2): killed with SIGKILL mid-apply and
// started again it resumes at start and converges without a duplicate; SIGTERM stops it with exit 0; every
// stdout line is a JSON object (pino).
import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client } from 'ldapts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { toIsoDate } from '../src/util/dates.ts'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { KOPPEL_BIN, runKoppel } from './support/koppel-cli.ts'

const skip = slapdSkipReason()

interface Serve {
  readonly child: ChildProcessWithoutNullStreams
  readonly lines: Record<string, unknown>[]
  readonly stdout: () => string
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function serve(dir: string, args: readonly string[]): Serve {
  const child = spawn(
    process.execPath,
    ['--no-warnings', KOPPEL_BIN, 'serve', '-c', 'koppel.yaml', '--port', '0', ...args],
    { cwd: dir },
  )
  const lines: Record<string, unknown>[] = []
  let out = ''
  let partial = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d
    partial += d
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>)
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  )
  return { child, lines, stdout: () => out, exit }
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  s: Serve,
  ms = 90_000,
): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; output:\n${s.stdout().slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function people(s: Slapd): Promise<string[]> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    const { searchEntries } = await c.search(s.baseDn, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['employeeNumber'],
      paged: { pageSize: 500 },
    })
    return searchEntries.map((e) => String(e['employeeNumber']))
  } finally {
    await c.unbind()
  }
}

describe('koppel serve (the process)', { skip: skip ?? false }, () => {
  let slapd: Slapd
  let dir = ''
  before(async () => {
    slapd = await startSlapd()
    dir = await mkdtemp(join(tmpdir(), 'koppel-serve-cli-'))
    await mkdir(join(dir, 'export'))
    // the CLI runs on the wall clock, as an admin's does: the board is made for that day
    await writeOneRosterCsv(
      join(dir, 'export'),
      generateBoard({ seed: 'serve-cli', persons: 400, today: toIsoDate(new Date()) }),
      { version: '1.2' },
    )
    await mkdir(join(dir, 'secrets'))
    await writeFile(join(dir, 'secrets', 'ldap-password'), `${slapd.adminPassword}\n`, {
      mode: 0o600,
    })
    const config = demoConfig(slapd.url).replace(
      '    lifecycle:\n',
      '    apply:\n      concurrency: 1\n    lifecycle:\n',
    )
    await writeFile(
      join(dir, 'koppel.yaml'),
      `${config}\nschedules:\n  - name: nightly\n    cron: "0 2 * * *"\n`,
    )
  })
  after(async () => {
    await slapd?.stop()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  test('SIGKILL mid-apply, started again: resumed at start without duplicates; SIGTERM exits 0', async () => {
    const first = serve(dir, ['--run-at-start'])
    await until('accounts to appear', async () => (await people(slapd)).length >= 25, first)
    first.child.kill('SIGKILL')
    const killed = await first.exit
    assert.equal(killed.signal, 'SIGKILL')
    const midway = (await people(slapd)).length
    assert.ok(
      first.lines.some((l) => l['msg'] === 'planned' && String(l['planId']).startsWith('plan-')),
      'the plan line names its plan',
    )

    const second = serve(dir, [])
    await until(
      'the resume',
      () => second.lines.some((l) => l['msg'] === 'resumed interrupted applies'),
      second,
    )
    await until(
      'listening',
      () => second.lines.some((l) => l['msg'] === 'koppel serve started'),
      second,
    )
    second.child.kill('SIGTERM')
    const stopped = await second.exit
    assert.equal(stopped.code, 0, second.stdout().slice(-2000))
    assert.ok(second.lines.some((l) => l['msg'] === 'stopped'))
    for (const l of second.lines) assert.equal(typeof l['level'], 'number', 'pino JSON lines')

    const accounts = await people(slapd)
    assert.ok(
      accounts.length > midway,
      `${midway} accounts when killed, ${accounts.length} after the resume`,
    )
    assert.equal(new Set(accounts).size, accounts.length, 'no person twice')
    // converged: the next plan has nothing to do
    const plan = await runKoppel(['plan', '--detailed-exitcode'], { cwd: dir })
    assert.equal(plan.code, 0, plan.stdout + plan.stderr)
  })
})
