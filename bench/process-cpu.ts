// CPU time of the bench's other processes, read from /proc (Linux): on a busy machine wall time says little, and a
// process's own CPU time says where the work goes. Shared by the worker and tenant benches.
import { readFileSync, readdirSync } from 'node:fs'
import pg from 'pg'

/** A process's CPU time (user + system) in ms, from /proc: what a busy machine does not distort. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    // fields after the command's closing parenthesis: utime and stime are the 12th and 13th
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/** Fields of /proc/<pid>/stat after the command's closing parenthesis (state is [0], ppid [1], utime [11]). */
function statFields(pid: number | string): string[] {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  } catch {
    return []
  }
}

/**
 * CPU time of the PostgreSQL server so far (ms): the postmaster's own and its ended children's (cutime,
 * cstime), plus its live children's (backends, autovacuum, walwriter …). The bench's server serves the bench
 * only, so this is PostgreSQL's share of the 2 cores.
 */
export function postgresCpuMs(postmaster: number): number {
  const f = statFields(postmaster)
  let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const c = statFields(pid)
    if (Number(c[1]) === postmaster) ticks += Number(c[11]) + Number(c[12])
  }
  return (ticks * 1000) / 100
}

/** The postmaster's pid: the parent of a backend. */
export async function postmasterPid(url: string): Promise<number> {
  const c = new pg.Client(url)
  await c.connect()
  try {
    const { rows } = await c.query<{ pid: number }>('select pg_backend_pid() as pid')
    return Number(statFields(rows[0]?.pid ?? 0)[1])
  } finally {
    await c.end()
  }
}
