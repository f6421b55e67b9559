// The client side of bench/scim-target-process.ts: forks the latency-bound SCIM target into a process of its own,
// so a bench's own process measures Koppel, not the simulator sharing its thread (workers and tenants benches).
import { fork } from 'node:child_process'
import { join } from 'node:path'
import type { TargetStats } from './scim-target-process.ts'

/** The simulator and its latency proxy in their own process; `ask` gets its figures. */
export async function startTarget(
  token: string,
  latencyMs: number,
): Promise<{
  readonly url: string
  ask(): Promise<TargetStats>
  stop(): Promise<void>
}> {
  const child = fork(
    join(import.meta.dirname, 'scim-target-process.ts'),
    [token, String(latencyMs)],
    {
      execArgv: ['--no-warnings'],
    },
  )
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: unknown) => {
        if (typeof m === 'object' && m !== null && key in m) {
          child.off('message', on)
          resolve((m as Record<string, T>)[key] as T)
        }
      }
      child.on('message', on)
      child.once('exit', (code) => reject(new Error(`the target process exited (${code})`)))
    })
  const url = await next<string>('url')
  return {
    url,
    ask: () => {
      const answer = next<TargetStats>('stats')
      child.send('stats')
      return answer
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.send('stop')
      await exited
    },
  }
}
