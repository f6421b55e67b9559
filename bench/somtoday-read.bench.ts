// Reads a generated board's pupils (with plaatsingen, lesgroepen and vakkeuzes) from the Somtoday simulator
// through the Somtoday connector: wall time of the read, pages fetched, persons and memberships returned, the
// client's CPU and peak RSS, and the simulator's CPU. The simulator runs in a process of its own (as the real
// service is elsewhere), so the client's peak RSS is its own and parallel pages overlap with serving.
// Prints figures, asserts nothing. Usage: node bench/somtoday-read.bench.ts [pupils=100000] [concurrency]
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { somtodayConnector } from '../src/connectors/somtoday/index.ts'
import { PUPIL_SHARE, generateBoard } from '@koppel/sim/generator'
import { startSomtodaySim } from '@koppel/sim/somtoday'

export interface SomtodayReadFigures {
  readonly pupils: number
  readonly persons: number
  readonly memberships: number
  readonly groups: number
  readonly pages: number
  readonly concurrency: number
  readonly readS: number
  readonly clientCpuS: number
  readonly simCpuS: number
  readonly peakRssMb: number
  /** Heap in use after the read with its snapshot still held, after a full GC: what the snapshot costs. */
  readonly liveHeapMb: number
  readonly simPeakRssMb: number
  readonly load: number
}

const TODAY = '2026-11-23'

/** The simulator's process: serves until its stdin ends, then prints its own CPU and peak RSS. */
async function serve(pupils: number): Promise<void> {
  const board = generateBoard({
    seed: 'bench-somtoday',
    persons: Math.round(pupils / PUPIL_SHARE),
    today: TODAY,
  })
  const sim = await startSomtodaySim({ board })
  const cpu = process.cpuUsage()
  console.log(
    JSON.stringify({
      baseUrl: sim.baseUrl,
      tokenUrl: sim.tokenUrl,
      organisation: sim.instelling.uuid,
      persons: board.totals.persons,
    }),
  )
  process.stdin.resume()
  process.stdin.on('end', () => {
    const used = process.cpuUsage(cpu)
    const violations = sim.violations.length
    void sim.close().then(() => {
      console.log(
        JSON.stringify({
          simCpuS: (used.user + used.system) / 1e6,
          simPeakRssMb: process.resourceUsage().maxRSS / 1024,
          violations,
        }),
      )
      process.exit(0)
    })
  })
}

/** The client's process: starts the simulator's, reads once, prints the figures. */
async function measure(
  pupils: number,
  concurrency: number | undefined,
): Promise<SomtodayReadFigures> {
  const server = spawn(
    process.execPath,
    ['--no-warnings=ExperimentalWarning', import.meta.filename, String(pupils), '--serve'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  let out = ''
  server.stdout.on('data', (d: Buffer) => (out += d.toString()))
  while (!out.includes('\n')) await once(server.stdout, 'data')
  const sim = JSON.parse(out.split('\n')[0] as string) as {
    baseUrl: string
    tokenUrl: string
    organisation: string
    persons: number
  }
  let pages = 0
  const options = somtodayConnector.schema.parse({
    baseUrl: sim.baseUrl,
    tokenUrl: sim.tokenUrl,
    clientId: 'koppel',
    clientSecret: '${env:SOMTODAY_CLIENT_SECRET}',
    organisation: sim.organisation,
    persons: ['leerlingen'],
    pageSize: 200,
    ...(concurrency !== undefined ? { concurrency } : {}),
  })
  const source = somtodayConnector.create(
    'somtoday',
    { ...options, clientSecret: 'koppel-secret' },
    {
      baseDir: '.',
      log: (_level, _message, fields) => {
        if (typeof fields?.['pages'] === 'number') pages = fields['pages']
      },
      now: () => new Date(),
    },
  )
  const cpu = process.cpuUsage()
  const started = performance.now()
  const r = await source.read({ today: TODAY })
  const readS = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const load = loadavg()[0] ?? Number.NaN
  ;(globalThis as { gc?: () => void }).gc?.()
  const liveHeapMb = process.memoryUsage().heapUsed / 1024 / 1024
  const ended = once(server, 'close')
  server.stdin.end()
  await ended
  const tail = JSON.parse(out.trim().split('\n').pop() as string) as {
    simCpuS: number
    simPeakRssMb: number
    violations: number
  }
  if (!r.ok)
    throw new Error(
      `read failed: ${r.issues
        .slice(0, 3)
        .map((i) => i.message)
        .join('; ')}`,
    )
  if (tail.violations > 0) throw new Error(`the simulator served ${tail.violations} bad bodies`)
  let memberships = 0
  for (const p of r.snapshot.persons) memberships += p.memberships.length
  return {
    pupils: r.snapshot.persons.length,
    persons: sim.persons,
    memberships,
    groups: r.snapshot.groups.length,
    pages,
    concurrency: options.concurrency,
    readS,
    clientCpuS: (used.user + used.system) / 1e6,
    simCpuS: tail.simCpuS,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    liveHeapMb,
    simPeakRssMb: tail.simPeakRssMb,
    load,
  }
}

/** Runs the measurement in a child process (which starts the simulator's) and returns its figures. */
export function runSomtodayReadBench(
  pupils: number,
  concurrency?: number,
): Promise<SomtodayReadFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--no-warnings=ExperimentalWarning',
        '--expose-gc',
        import.meta.filename,
        String(pupils),
        ...(concurrency !== undefined ? [String(concurrency)] : []),
        '--child',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code !== 0)
        return reject(new Error(`somtoday bench child exited ${code}: ${out.slice(-500)}`))
      resolve(JSON.parse(line) as SomtodayReadFigures)
    })
  })
}

export function formatSomtodayRead(f: SomtodayReadFigures): string {
  const n = (x: number) => x.toLocaleString('en')
  return (
    `read ${n(f.pupils)} pupils (board of ${n(f.persons)} persons) with ${n(f.memberships)} memberships in ` +
    `${n(f.groups)} groups: ${f.readS.toFixed(1)} s wall, ${f.pages} pages of ≤200, ${f.concurrency} at once; ` +
    `client ${f.clientCpuS.toFixed(1)} s CPU, peak RSS ${f.peakRssMb.toFixed(0)} MB, ` +
    `${f.liveHeapMb.toFixed(0)} MB heap live after the read; ` +
    `simulator (own process) ${f.simCpuS.toFixed(1)} s CPU, ${f.simPeakRssMb.toFixed(0)} MB; load ${f.load.toFixed(1)}`
  )
}

if (import.meta.main) {
  const pupils = Number(process.argv[2] ?? 100_000)
  const third = process.argv[3]
  const concurrency = third !== undefined && /^\d+$/.test(third) ? Number(third) : undefined
  if (process.argv.includes('--serve')) await serve(pupils)
  else if (process.argv.includes('--child'))
    console.log(JSON.stringify(await measure(pupils, concurrency)))
  else console.log(formatSomtodayRead(await runSomtodayReadBench(pupils, concurrency)))
}
