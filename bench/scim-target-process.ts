// The latency-bound SCIM target of the worker benches in a process of its own: the SCIM simulator behind a
// proxy that adds LATENCY_MS to every request. Started with fork(); says `{ url }` once listening, answers
// `stats` with its users, its most requests in flight and its own CPU time, and ends on `stop`. Apart from the
// applying process, the figures of that process measure Koppel, not the simulator sharing its thread.
//   fork('bench/scim-target-process.ts', [token, latencyMs])
import { startScimSim } from '@koppel/sim/scim'
import { startLatencyProxy } from '../test/harness/latency-proxy.ts'

export interface TargetStats {
  readonly users: number
  readonly maxInFlight: number
  readonly cpuMs: number
}

const [token = 'bench-token', latency = '50'] = process.argv.slice(2)
const sim = await startScimSim({ token })
const proxy = await startLatencyProxy(Number(new URL(sim.url).port), Number(latency))
process.on('message', (m: unknown) => {
  if (m === 'stats') {
    const cpu = process.cpuUsage()
    const stats: TargetStats = {
      users: sim.users.size,
      maxInFlight: proxy.maxInFlight(),
      cpuMs: (cpu.user + cpu.system) / 1000,
    }
    process.send?.({ stats })
  } else if (m === 'stop') {
    void Promise.all([proxy.close(), sim.close()]).then(() => process.exit(0))
  }
})
process.send?.({ url: proxy.url })
