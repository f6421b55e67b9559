// Measures generate+write throughput: `node bench/measure-generator-throughput.ts <persons> [dir]`.
// Prints persons, rows, seconds and peak RSS; a tool for the README's figures, not part of the API.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateBoard } from '@koppel/sim/generator'
import { writeOneRosterCsv } from '@koppel/sim/generator'

const persons = Number(process.argv[2] ?? 100_000)
const dir = process.argv[3] ?? (await mkdtemp(join(tmpdir(), 'koppel-gen-')))
let peak = 0
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
const started = performance.now()
const cpu = process.cpuUsage()
await writeOneRosterCsv(dir, generateBoard({ seed: 'measure', persons, today: '2026-11-23' }))
const seconds = (performance.now() - started) / 1000
const used = process.cpuUsage(cpu)
clearInterval(timer)
peak = Math.max(peak, process.memoryUsage().rss)
let bytes = 0
for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size
const cpuSeconds = (used.user + used.system) / 1e6
process.stdout.write(
  `${persons} persons: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU, ` +
    `${(bytes / 1e6).toFixed(0)} MB written, ` +
    `peak RSS ${(peak / 1e6).toFixed(0)} MB\n`,
)
if (!process.argv[3]) await rm(dir, { recursive: true })
