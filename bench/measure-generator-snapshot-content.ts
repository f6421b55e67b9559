// Measures what keeping a full snapshot as the base for the next delta costs: generates a board (or takes a
// OneRoster CSV folder), reads it through the real connector, then times encodeSnapshot/decodeSnapshot (JSON +
// gzip level 1, as the engine does), plain JSON and gzip at the default level 6 for comparison, and applyDelta
// of a small delta. A tool for the figures in the engine's report, not part of the API.
// Usage: node bench/measure-generator-snapshot-content.ts [persons=100000] [oneroster-folder] [runs=3]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import {
  oneRosterCsvConnector,
  oneRosterCsvOptions,
} from '../src/connectors/oneroster-csv/index.ts'
import { applyDelta, decodeSnapshot, encodeSnapshot } from '../src/engine/apply-delta.ts'
import { generateBoard } from '@koppel/sim/generator'
import { writeOneRosterCsv } from '@koppel/sim/generator'

const count = Number(process.argv[2] ?? 100_000)
const given = process.argv[3]
const runs = Number(process.argv[4] ?? 3)
const dir = given ?? (await mkdtemp(join(tmpdir(), 'koppel-content-')))
if (given === undefined)
  await writeOneRosterCsv(
    dir,
    generateBoard({ seed: 'measure', persons: count, today: '2026-11-23' }),
  )
const source = oneRosterCsvConnector.create('school', oneRosterCsvOptions.parse({ path: dir }), {
  baseDir: process.cwd(),
  log: () => {},
  now: () => new Date(),
})
const r = await source.read({ today: '2026-11-23' })
if (!r.ok)
  throw new Error(
    `read failed: ${r.issues
      .slice(0, 3)
      .map((i) => i.message)
      .join('; ')}`,
  )
const s = r.snapshot
const memberships = s.persons.reduce((n, p) => n + p.memberships.length, 0)
process.stdout.write(
  `${s.persons.length} persons, ${s.groups.length} groups, ${memberships} memberships\n`,
)

async function time<T>(label: string, f: () => Promise<T>, size?: (t: T) => number): Promise<T> {
  let out: T | undefined
  const ms: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage()
    const t = performance.now()
    out = await f()
    ms.push(performance.now() - t)
    const u = process.cpuUsage(c)
    cpu.push((u.user + u.system) / 1000)
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/')
  const extra =
    size !== undefined && out !== undefined ? `, ${(size(out) / 1e6).toFixed(1)} MB` : ''
  process.stdout.write(`${label}: wall ${fmt(ms)} ms, cpu ${fmt(cpu)} ms${extra}\n`)
  return out as T
}

const json = await time(
  'JSON.stringify',
  async () => JSON.stringify(s),
  (x) => Buffer.byteLength(x),
)
await time(
  'gzip level 6 (default) of that JSON',
  async () => promisify(gzip)(json),
  (x) => x.length,
)
const bytes = await time(
  'encodeSnapshot (JSON + gzip level 1)',
  () => encodeSnapshot(s),
  (x) => x.length,
)
const back = await time('decodeSnapshot', () => decodeSnapshot(bytes))
if (back.persons.length !== s.persons.length) throw new Error('round trip lost persons')
const delta = {
  ...s,
  mode: 'delta' as const,
  persons: s.persons.slice(0, 100).map((p) => ({ ...p, givenName: `${p.givenName}x` })),
  removed: s.persons.slice(100, 200).map((p) => p.key),
}
await time('applyDelta (100 changed, 100 removed)', async () => applyDelta(back, delta))
if (given === undefined) await rm(dir, { recursive: true })
