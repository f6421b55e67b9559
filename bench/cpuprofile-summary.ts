// Where a CPU profile's time went, as text: self time per function (name, file, line) and the garbage collector's
// share, from a `.cpuprofile` written by `node --cpu-prof`. The engineers of issue 17 each wrote this as a throwaway
// script; this one stays so that a miss can be shown with its profile in one command:
//   KOPPEL_KEEP_HEAP=1 node --cpu-prof --cpu-prof-dir=/tmp/prof bin/koppel.ts plan --no-target-read --limit 1
//   node bench/cpuprofile-summary.ts /tmp/prof/<file>.cpuprofile [rows=25]
// (KOPPEL_KEEP_HEAP=1 keeps bin/koppel.ts from restarting itself with a heap cap, which would profile only the parent.)
// Prints figures, asserts nothing.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly startTime: number
  readonly endTime: number
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Self time in ms per function (name · file:line), largest first, and the profile's whole span in ms. */
export function selfTimes(profile: CpuProfile): { spanMs: number; rows: [string, number][] } {
  const label = new Map<number, string>()
  for (const n of profile.nodes) {
    const f = n.callFrame
    const where = f.url === '' ? '' : ` · ${basename(f.url)}:${f.lineNumber + 1}`
    label.set(n.id, `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`)
  }
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const name = label.get(id) ?? '(unknown)'
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  const rows = [...self].sort((a, b) => b[1] - a[1])
  return { spanMs: (profile.endTime - profile.startTime) / 1000, rows }
}

if (import.meta.main) {
  const file = process.argv[2]
  if (file === undefined) {
    console.error('usage: node bench/cpuprofile-summary.ts <file.cpuprofile> [rows=25]')
    process.exit(2)
  }
  const rows = Number(process.argv[3] ?? 25)
  const { spanMs, rows: all } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  const total = all.reduce((n, [, ms]) => n + ms, 0)
  console.log(
    `${basename(file)}: ${(spanMs / 1000).toFixed(2)} s profiled, ${(total / 1000).toFixed(2)} s sampled`,
  )
  for (const [name, ms] of all.slice(0, rows))
    console.log(
      `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}`,
    )
}
