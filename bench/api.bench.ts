// The HTTP API and the dashboard of `koppel serve` on a generated board of N persons (issue 16's figures):
//   1. generator → OneRoster CSV → `koppel plan` (N creates, kept as the plan whose actions are paged) →
//      `koppel apply` of a second, identical plan into the in-process LDAP directory (a ledger of N persons)
//   2. `koppel serve` in a child process; a user logs in through the form (a session cookie)
//   3. API p50/p95 over R requests each: the persons list (first page, a cursor 90 % deep), the plan's actions
//      (first page, 90 % deep, filtered by target and kind, filtered by school)
//   4. first load of the overview and the plan page: the HTML and its stylesheet over HTTP (the first request
//      after start and the median of the next ones), and with Chromium (playwright-core, as the browser tests)
//      the time to the load event (skipped where Chromium is missing)
//   5. serve's RSS idle (after the loads) and its peak during a run (a second serve with --run-at-start)
// Goals (docs/benchmarks.md): API p95 ≤ 200 ms and first load ≤ 1 s at 100,000 persons, on loopback.
// Prints figures with the 1-minute load average beside each; asserts nothing.
// Usage: node bench/api.bench.ts [persons=100000] [requests=50]
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { demoConfig } from '../src/cli/demo-config.ts'
import { encodeIndexCursor, encodeKeyCursor } from '../src/http/api/paging.ts'
import { CHROMIUM, chromiumSkipReason } from '../test/harness/chromium.ts'
import { load1 } from './goals-table.ts'

const ROOT = resolve(import.meta.dirname, '..')
const KOPPEL = join(ROOT, 'bin', 'koppel.ts')
const PASSWORD = 'bench password 1'

const persons = Number(process.argv[2] ?? 100_000)
const requests = Number(process.argv[3] ?? 50)
const say = (line: string) => console.log(line)
const loadNote = () => `(load ${load1().toFixed(2)})`

function koppel(
  dir: string,
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--no-warnings', KOPPEL, ...args], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.on('error', fail)
    child.on('close', (code) => {
      if (code !== 0 && code !== 2) process.stderr.write(err.slice(-2000))
      done({ code, stdout: Buffer.concat(out).toString() })
    })
    child.stdin.end(stdin)
  })
}

interface Serve {
  readonly child: ChildProcess
  readonly base: string
  /** Resolves at the first log line with this message. */
  until(message: string): Promise<void>
}

function startServe(dir: string, extra: readonly string[] = []): Promise<Serve> {
  const child = spawn(
    process.execPath,
    ['--no-warnings', KOPPEL, 'serve', '--port', '0', ...extra],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const waiting = new Map<string, () => void>()
  const seen = new Set<string>()
  let buffered = ''
  child.stderr?.on('data', (b: Buffer) => process.stderr.write(b))
  return new Promise((done, fail) => {
    child.on('error', fail)
    child.on('exit', (code) => fail(new Error(`koppel serve exited with ${code}`)))
    child.stdout?.on('data', (b: Buffer) => {
      buffered += b.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        let entry: { msg?: string; port?: number; host?: string }
        try {
          entry = JSON.parse(line) as typeof entry
        } catch {
          continue
        }
        const msg = entry.msg ?? ''
        seen.add(msg)
        waiting.get(msg)?.()
        if (msg === 'listening')
          done({
            child,
            base: `http://127.0.0.1:${entry.port}`,
            until: (message) =>
              seen.has(message)
                ? Promise.resolve()
                : new Promise((r) => waiting.set(message, () => r())),
          })
      }
    })
  })
}

async function stopServe(s: Serve): Promise<void> {
  s.child.removeAllListeners('exit')
  const exited = new Promise((r) => s.child.once('exit', r))
  s.child.kill('SIGTERM')
  await exited
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN

async function timed(url: string, cookie: string): Promise<number> {
  const t = performance.now()
  const r = await fetch(url, { headers: { cookie, accept: 'application/json' } })
  await r.arrayBuffer()
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`)
  return performance.now() - t
}

async function latency(label: string, url: string, cookie: string): Promise<void> {
  await timed(url, cookie) // the first fills caches (the plan's actions); a figure of its own below
  const ms: number[] = []
  for (let i = 0; i < requests; i++) ms.push(await timed(url, cookie))
  ms.sort((a, b) => a - b)
  say(
    `  ${label}: p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms over ${requests} ${loadNote()}`,
  )
}

async function pageWithAssets(base: string, path: string, cookie: string): Promise<number> {
  const t = performance.now()
  const r = await fetch(`${base}${path}`, { headers: { cookie, accept: 'text/html' } })
  const html = await r.text()
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`)
  const assets = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1] ?? '')
  await Promise.all(assets.map(async (a) => (await fetch(`${base}${a}`)).arrayBuffer()))
  return performance.now() - t
}

const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-api-'))
const ldap = await startLdapServer({ adminPassword: 'bench-password' })
let serve: Serve | undefined
try {
  say(
    `# API and dashboard, ${persons} persons — ${new Date().toISOString()}, Node ${process.version}`,
  )
  const board = generateBoard({ seed: 'bench', persons, today: '2026-11-23' })
  mkdirSync(join(dir, 'export'))
  await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
  mkdirSync(join(dir, 'secrets'))
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'bench-password')
  writeFileSync(
    join(dir, 'koppel.yaml'),
    `${demoConfig(ldap.url).trimEnd()}\nschedules:\n  - { name: nightly, cron: "30 5 * * *", timezone: Europe/Amsterdam }\n`,
  )
  const kept = JSON.parse((await koppel(dir, ['plan', '--json'])).stdout) as {
    id: string
    actions: { person: string }[]
  }
  const second = JSON.parse((await koppel(dir, ['plan', '--json'])).stdout) as { id: string }
  const applied = await koppel(dir, ['apply', '--plan', second.id, '--yes'])
  say(`  setup: plan ${kept.id} with ${kept.actions.length} actions; apply exit ${applied.code}`)
  await koppel(dir, ['user', 'add', 'bench', '--role', 'admin'], `${PASSWORD}\n`)

  const t0 = performance.now()
  serve = await startServe(dir)
  say(`  serve listening after ${(performance.now() - t0).toFixed(0)} ms ${loadNote()}`)
  const login = await fetch(`${serve.base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: serve.base },
    body: new URLSearchParams({ name: 'bench', password: PASSWORD, next: '/' }),
  })
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  if (login.status !== 303 || cookie === '') throw new Error(`login: ${login.status}`)

  say('\n## First load (HTTP: the HTML and its stylesheet)')
  for (const path of ['/', `/plans/${kept.id}`]) {
    const first = await pageWithAssets(serve.base, path, cookie)
    const next: number[] = []
    for (let i = 0; i < 5; i++) next.push(await pageWithAssets(serve.base, path, cookie))
    next.sort((a, b) => a - b)
    say(
      `  ${path === '/' ? 'overview' : 'plan page'}: first ${first.toFixed(0)} ms, then median ${percentile(next, 50).toFixed(0)} ms ${loadNote()}`,
    )
  }

  const skip = chromiumSkipReason()
  if (skip !== undefined) say(`  Chromium: skipped (${skip})`)
  else {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    try {
      const context = await browser.newContext()
      const [name, value] = cookie.split('=') as [string, string]
      await context.addCookies([{ name, value, url: serve.base }])
      for (const path of ['/', `/plans/${kept.id}`]) {
        const page = await context.newPage()
        await page.goto(`${serve.base}${path}`, { waitUntil: 'load' })
        // a string, evaluated in the page: the bench is type-checked without the DOM's types
        const loadMs = Number(
          await page.evaluate(
            `(() => { const n = performance.getEntriesByType('navigation')[0]; return n ? n.loadEventEnd - n.startTime : NaN })()`,
          ),
        )
        say(
          `  Chromium ${path === '/' ? 'overview' : 'plan page'}: load event at ${loadMs.toFixed(0)} ms ${loadNote()}`,
        )
        await page.close()
      }
    } finally {
      await browser.close()
    }
  }

  say(`\n## API (p50/p95 of ${requests} requests after one warm-up)`)
  const ids = kept.actions.map((a) => a.person).sort()
  const deepPerson = ids[Math.floor(ids.length * 0.9)] ?? ''
  const api = `${serve.base}/api`
  await latency('persons, first page of 100', `${api}/persons?limit=100`, cookie)
  await latency(
    'persons, a page 90 % deep',
    `${api}/persons?limit=100&cursor=${encodeKeyCursor(deepPerson)}`,
    cookie,
  )
  const actions = `${api}/plans/${kept.id}/actions`
  const deep = encodeIndexCursor(Math.floor(kept.actions.length * 0.9))
  await latency("plan's actions, first page", `${actions}?limit=100`, cookie)
  await latency("plan's actions, 90 % deep", `${actions}?limit=100&cursor=${deep}`, cookie)
  await latency(
    "plan's actions by target and kind",
    `${actions}?limit=100&target=directory&kind=create`,
    cookie,
  )
  await latency("plan's actions by school", `${actions}?limit=100&school=a`, cookie)

  say('\n## Memory of koppel serve')
  say(
    `  idle after the loads above: RSS ${rssMb(serve.child.pid ?? 0).toFixed(0)} MB ${loadNote()}`,
  )
  await stopServe(serve)
  serve = await startServe(dir, ['--run-at-start'])
  const pid = serve.child.pid ?? 0
  let peak = rssMb(pid)
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50)
  const t1 = performance.now()
  await serve.until('schedule finished')
  clearInterval(sampler)
  say(
    `  during a run (--run-at-start, ${((performance.now() - t1) / 1000).toFixed(1)} s): peak RSS ${peak.toFixed(0)} MB ${loadNote()}`,
  )
} finally {
  if (serve !== undefined) await stopServe(serve)
  await ldap.stop()
  rmSync(dir, { recursive: true, force: true })
}
