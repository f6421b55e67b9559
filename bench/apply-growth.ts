// What the P4 rows of `npm run bench` need beside a plain rate (issue 17): whether creates stay as fast as the
// directory grows (the rate of the last tenth of an apply against the first's), and a load generator that keeps
// one core busy while a ratio is measured (the directory's host shares its CPU with Koppel).
import { spawn } from 'node:child_process'
import type { EngineTarget } from '../src/engine/index.ts'

export interface Growth {
  /** Creates per second over the first and the last tenth of the apply, by completion order. */
  readonly first: number
  readonly last: number
  /** last / first: 1 is flat, below 1 slows as the directory grows. */
  readonly flatness: number
}

/**
 * The target with its connector's creates timed as they complete; `growth()` then gives the rates of the first
 * and the last tenth.
 */
export function timedCreates(target: EngineTarget): {
  readonly target: EngineTarget
  growth(): Growth
} {
  const done: number[] = []
  const connector = target.connector
  const create: typeof connector.create = async (request, options) => {
    const r = await connector.create(request, options)
    done.push(performance.now())
    return r
  }
  // methods bound to the connector itself: its #private fields are not on the proxy
  const timed = new Proxy(connector, {
    get: (c, key) => {
      if (key === 'create') return create
      const v = Reflect.get(c, key, c) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v
    },
  })
  return { target: { ...target, connector: timed }, growth: () => growthOf(done) }
}

/**
 * The first and last tenth's rates of creates that completed at `done` (ms, ascending). Each spans a tenth of
 * the creates counted from a completion, so the first leaves out the connection's setup before the first one.
 */
export function growthOf(done: readonly number[]): Growth {
  const tenth = Math.floor(done.length / 10)
  if (tenth === 0) throw new Error(`${done.length} creates: too few to split into tenths`)
  const first = tenth / ((done[tenth]! - done[0]!) / 1000)
  const last = tenth / ((done.at(-1)! - done[done.length - 1 - tenth]!) / 1000)
  return { first, last, flatness: last / first }
}

/** Keeps one core busy (a child spinning) until the returned stop is called. */
export function busyCore(): { stop(): void } {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
  return { stop: () => void child.kill('SIGKILL') }
}

/** "first tenth 2,950/s, last 2,810/s: 0.95" */
export const formatGrowth = (g: Growth): string =>
  `first tenth ${g.first.toFixed(0)}/s, last ${g.last.toFixed(0)}/s: ${g.flatness.toFixed(2)}`
