// What the live heap holds once a plan is made (issue 17, P1 memory): makes the plan of a generated board
// (optionally with provisioned groups) in this process, keeps it, collects garbage and writes a heap snapshot,
// then prints the snapshot's largest kinds of object by self size (V8 type and constructor or string kind) and
// the live heap per action. Prints figures, asserts nothing.
// Usage: node --expose-gc bench/measure-plan-heap.ts [persons=5000] [--groups] [--keep-snapshot]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { loadEngine } from '../src/app/load-engine.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { makePlan } from '../src/engine/index.ts'
import { withProvisionedGroups } from './plan.bench.ts'

const persons = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5_000)
const groups = process.argv.includes('--groups')
const TODAY = '2026-11-23'
const NOW = new Date(`${TODAY}T05:00:00.000Z`)
const MB = 1024 * 1024
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
  nodes: number[]
  strings: string[]
}

/** Self size per V8 node type and name (strings by type only: their names are their text). */
function summarise(file: string): [string, { count: number; bytes: number }][] {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot
  const fields = s.snapshot.meta.node_fields
  const types = s.snapshot.meta.node_types[0]
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f))
  const out = new Map<string, { count: number; bytes: number }>()
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + (iType as number)] as number] ?? '?'
    const name = s.strings[s.nodes[i + (iName as number)] as number] ?? '?'
    const key =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? type
        : `${type} ${name.slice(0, 40)}`
    const e = out.get(key) ?? { count: 0, bytes: 0 }
    e.count++
    e.bytes += s.nodes[i + (iSize as number)] as number
    out.set(key, e)
  }
  return [...out].sort((a, b) => b[1].bytes - a[1].bytes)
}

const dir = mkdtempSync(join(tmpdir(), 'koppel-bench-plan-heap-'))
try {
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'bench', persons, today: TODAY }),
    {
      version: '1.2',
    },
  )
  mkdirSync(join(dir, 'secrets'))
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'never-used\n')
  const config = demoConfig('ldap://127.0.0.1:9')
  writeFileSync(join(dir, 'koppel.yaml'), groups ? withProvisionedGroups(config) : config)
  const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
    env: {},
    now: () => NOW,
  })
  if (!r.ok) throw new Error(r.errors.join('\n'))
  gc()
  const before = process.memoryUsage().heapUsed
  const made = await makePlan(r.loaded.engine, { readTargets: false, actor: 'bench' })
  if (!made.ok) throw new Error(JSON.stringify(made.issues.slice(0, 3)))
  gc()
  const after = process.memoryUsage().heapUsed
  const n = made.plan.actions.length
  console.log(
    `${persons} persons${groups ? ' with provisioned groups' : ''}: ${n} actions; live heap ${(before / MB).toFixed(0)} → ${(after / MB).toFixed(0)} MB, ` +
      `${((after - before) / n).toFixed(0)} bytes per action held with the plan (load average ${loadavg()[0]?.toFixed(1)})`,
  )
  const file = writeHeapSnapshot(join(dir, 'plan.heapsnapshot'))
  for (const [key, e] of summarise(file).slice(0, 25))
    console.log(
      `${(e.bytes / MB).toFixed(1).padStart(8)} MB ${String(e.count).padStart(9)}  ${key}`,
    )
  if (process.argv.includes('--keep-snapshot')) console.log(`snapshot kept: ${file}`)
  console.log(made.plan.actions.length > 0 ? 'kept until here' : '')
  await r.loaded.close()
} finally {
  if (!process.argv.includes('--keep-snapshot')) rmSync(dir, { recursive: true, force: true })
}
