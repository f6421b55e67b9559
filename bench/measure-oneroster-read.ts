// The OneRoster CSV read (connector `read`: files, records, mapping) of a generated board on one thread and with
// the parsing thread (issue 17, P1 wall time), each round in a fresh process so that the thread's start is
// paid as in `koppel plan`: wall time of the read, CPU of the main thread and of the whole process, peak RSS,
// the 1-minute load average at the start. Rounds alternate; medians at the end. Prints figures, asserts nothing.
// Usage: node bench/measure-oneroster-read.ts [persons=20000] [rounds=3]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { oneRosterCsvConnector } from '../src/connectors/oneroster-csv/index.ts'

const TODAY = '2026-11-23'
const MODES = ['never', 'auto'] as const

interface Figures {
  readonly wall: number
  readonly mainCpu: number
  readonly cpu: number
  readonly rssMb: number
}

const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000

async function child(dir: string, mode: string): Promise<void> {
  const options = oneRosterCsvConnector.schema.parse({ path: dir, parseThread: mode })
  const source = oneRosterCsvConnector.create('school', options, {
    baseDir: '/',
    log: () => {},
    now: () => new Date(`${TODAY}T05:00:00.000Z`),
  })
  const main = process.threadCpuUsage()
  const all = process.cpuUsage()
  const started = performance.now()
  const r = await source.read({ today: TODAY })
  const wall = performance.now() - started
  if (!r.ok) throw new Error(JSON.stringify(r.issues.slice(0, 3)))
  const figures: Figures = {
    wall,
    mainCpu: ms(process.threadCpuUsage(main)),
    cpu: ms(process.cpuUsage(all)),
    rssMb: process.resourceUsage().maxRSS / 1024,
  }
  console.log(JSON.stringify(figures))
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

async function main(): Promise<void> {
  const numbers = process.argv.slice(2).filter((a) => /^\d+$/.test(a))
  const persons = Number(numbers[0] ?? 20_000)
  const rounds = Number(numbers[1] ?? 3)
  const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-oneroster-read-'))
  try {
    await writeOneRosterCsv(dir, generateBoard({ seed: 'bench', persons, today: TODAY }), {
      version: '1.2',
    })
    const all = new Map<string, Figures[]>(MODES.map((m) => [m, []]))
    for (let round = 1; round <= rounds; round++) {
      for (const mode of MODES) {
        const load = loadavg()[0]?.toFixed(2) ?? '?'
        const out = execFileSync(process.execPath, [import.meta.filename, '--child', dir, mode], {
          encoding: 'utf8',
          env: process.env,
        })
        const f = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Figures
        all.get(mode)?.push(f)
        console.log(
          `${persons} persons, parseThread ${mode.padEnd(5)} round ${round}: read ${f.wall.toFixed(0)} ms wall, ` +
            `main thread ${f.mainCpu.toFixed(0)} ms CPU, process ${f.cpu.toFixed(0)} ms CPU, ` +
            `peak RSS ${f.rssMb.toFixed(0)} MB (load average ${load})`,
        )
      }
    }
    for (const [mode, fs] of all) {
      console.log(
        `median of ${fs.length}, parseThread ${mode}: ${median(fs.map((f) => f.wall)).toFixed(0)} ms wall, ` +
          `main ${median(fs.map((f) => f.mainCpu)).toFixed(0)} ms CPU, ` +
          `process ${median(fs.map((f) => f.cpu)).toFixed(0)} ms CPU, ` +
          `peak RSS ${median(fs.map((f) => f.rssMb)).toFixed(0)} MB`,
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? '', process.argv[4] ?? 'auto')
else await main()
