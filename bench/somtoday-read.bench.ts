// Reads a generated board's pupils (with plaatsingen, lesgroepen and vakkeuzes) from the Somtoday simulator
// through the Somtoday connector, both in one process as in the demo: wall time of the read, pages fetched,
// persons and memberships returned, and the process's peak RSS (simulator included). The measurement runs in
// a child process so that peak RSS is this read's alone.
// Prints figures, asserts nothing. Usage: node bench/somtoday-read.bench.ts [pupils=100000]
import { spawn } from 'node:child_process'
import { somtodayConnector } from '../src/connectors/somtoday/index.ts'
import { PUPIL_SHARE, generateBoard } from '@koppel/sim/generator'
import { startSomtodaySim } from '@koppel/sim/somtoday'

export interface SomtodayReadFigures {
  readonly pupils: number
  readonly persons: number
  readonly memberships: number
  readonly groups: number
  readonly pages: number
  readonly readS: number
  readonly peakRssMb: number
}

const TODAY = '2026-11-23'

/** The measurement itself (run in the child). */
async function measure(pupils: number): Promise<SomtodayReadFigures> {
  const board = generateBoard({
    seed: 'bench-somtoday',
    persons: Math.round(pupils / PUPIL_SHARE),
    today: TODAY,
  })
  const sim = await startSomtodaySim({ board })
  try {
    const options = somtodayConnector.schema.parse({
      baseUrl: sim.baseUrl,
      tokenUrl: sim.tokenUrl,
      clientId: 'koppel',
      clientSecret: '${env:SOMTODAY_CLIENT_SECRET}',
      organisation: sim.instelling.uuid,
      persons: ['leerlingen'],
      pageSize: 200,
    })
    const source = somtodayConnector.create(
      'somtoday',
      { ...options, clientSecret: 'koppel-secret' },
      { baseDir: '.', log: () => undefined, now: () => new Date() },
    )
    const started = performance.now()
    const r = await source.read({ today: TODAY })
    const readS = (performance.now() - started) / 1000
    if (!r.ok)
      throw new Error(
        `read failed: ${r.issues
          .slice(0, 3)
          .map((i) => i.message)
          .join('; ')}`,
      )
    const pages = [...sim.pages.values()].reduce((a, b) => a + b, 0)
    let memberships = 0
    for (const p of r.snapshot.persons) memberships += p.memberships.length
    return {
      pupils: r.snapshot.persons.length,
      persons: board.totals.persons,
      memberships,
      groups: r.snapshot.groups.length,
      pages,
      readS,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }
  } finally {
    await sim.close()
  }
}

/** Runs the measurement in a child process and returns its figures. */
export function runSomtodayReadBench(pupils: number): Promise<SomtodayReadFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--no-warnings=ExperimentalWarning', import.meta.filename, String(pupils), '--child'],
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
  return `read ${f.pupils.toLocaleString('en')} pupils (board of ${f.persons.toLocaleString('en')} persons) with ${f.memberships.toLocaleString('en')} memberships in ${f.groups.toLocaleString('en')} groups: ${f.readS.toFixed(1)} s, ${f.pages} pages of ≤200, peak RSS ${f.peakRssMb.toFixed(0)} MB (simulator in the same process)`
}

if (import.meta.main) {
  const pupils = Number(process.argv[2] ?? 100_000)
  if (process.argv.includes('--child')) {
    console.log(JSON.stringify(await measure(pupils)))
  } else {
    console.log(formatSomtodayRead(await runSomtodayReadBench(pupils)))
  }
}
