// Node caps the JavaScript heap at about 4 GB whatever the machine has. A board of a million persons needs more
// than that to plan (issue 17, P6), and at the cap Node dies with a raw V8 trace an admin cannot act on. So the
// CLI restarts itself once, in the same process (execve keeps the pid, the open files and the terminal, so a
// scheduler or a kill sees one process), with the cap at three quarters of the machine's (or the container's)
// memory. The cap is a ceiling, not a reservation: a 100,000-person plan still peaks at about 1.2 GB.
// The young generation is capped at 8 MB semi-spaces: V8 grows it to 64 MB ones (128 MB of new space) on a
// 64-bit machine, and a plan fills it with garbage; that was 100-150 MB of a 20,000-person plan's ~460 MB peak
// RSS, for no CPU gained (docs/benchmarks.md, issue 17 P1). 64 MB had been "tried" as larger than V8's
// default; it is V8's default.
import { enableCompileCache, getCompileCacheDir } from 'node:module'
import { totalmem } from 'node:os'
import { getHeapStatistics } from 'node:v8'

/** The share of the machine's memory the heap may grow to. */
export const HEAP_SHARE = 0.75

const MB = 1024 * 1024

/** Semi-space size (MB) of the young generation; see the top of this file. */
export const SEMI_SPACE_MB = 8

/** Commands that never read a source or a plan: not worth the ~0.15 s of a restart. */
const LIGHT = new Set(['init', 'validate', 'schema', 'help', 'approve', 'status', '--help', '-h'])

const given = (flags: readonly string[], name: RegExp) => flags.some((f) => name.test(f))

/**
 * The flags to restart with: a raised heap cap when it buys enough, and the young generation's size unless the
 * user chose one; none when the user chose a heap size (command line or NODE_OPTIONS).
 */
export function heapFlags(o: {
  execArgv: readonly string[]
  nodeOptions: string | undefined
  memoryBytes: number
  heapLimitBytes: number
}): string[] {
  const flags = [...o.execArgv, ...(o.nodeOptions ?? '').split(/\s+/)]
  // whoever sized the heap runs Node as they mean to: no restart
  if (given(flags, /^--max[-_](old[-_]space[-_]size|heap[-_]size)/)) return []
  const out: string[] = []
  const mb = Math.floor((o.memoryBytes * HEAP_SHARE) / MB)
  // only worth it when it buys at least a quarter more heap than Node's own cap
  if (mb > (o.heapLimitBytes / MB) * 1.25) out.push(`--max-old-space-size=${mb}`)
  if (!given(flags, /^--(max|min)[-_]semi[-_]space[-_]size/))
    out.push(`--max-semi-space-size=${SEMI_SPACE_MB}`)
  return out
}

/**
 * Replaces this process with the same command under the flags of heapFlags, when that is possible and useful.
 * Returns only when it does not restart: on Windows (no execve; set NODE_OPTIONS there), for a light command,
 * when KOPPEL_KEEP_HEAP is set, or when there is nothing to add.
 */
export function raiseHeapLimit(script: string): void {
  if (typeof process.execve !== 'function' || process.env['KOPPEL_KEEP_HEAP'] !== undefined) return
  const command = process.argv[2]
  if (command === undefined || LIGHT.has(command)) return
  const constrained = process.constrainedMemory()
  const memoryBytes = constrained > 0 && constrained < totalmem() ? constrained : totalmem()
  const flags = heapFlags({
    execArgv: process.execArgv,
    nodeOptions: process.env['NODE_OPTIONS'],
    memoryBytes,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
  })
  if (flags.length === 0) return
  process.execve(
    process.execPath,
    [process.execPath, ...flags, ...process.execArgv, script, ...process.argv.slice(2)],
    restartEnv(process.env),
  )
}

/**
 * The environment of the restarted process: with Node's compile cache on from its start (NODE_COMPILE_CACHE, the
 * folder bin/koppel.ts would enable anyway), Node takes bin/koppel.ts and every module from the cache and never
 * loads its TypeScript stripper, which costs ~0.1–0.2 s of CPU per start (issue 17, P2). Child processes inherit
 * the variable, which only lets them share the same cache.
 */
export function restartEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env['NODE_COMPILE_CACHE'] !== undefined || env['NODE_DISABLE_COMPILE_CACHE'] !== undefined)
    return env
  enableCompileCache()
  const dir = getCompileCacheDir()
  return dir === undefined ? env : { ...env, NODE_COMPILE_CACHE: dir }
}
