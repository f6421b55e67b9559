// Counts the client connections to a PostgreSQL database while something runs: the peak, and at the peak how
// many each application_name held (Koppel names its connections `koppel[-worker|-serve] <purpose>`). Used by the
// tenants' connection test and bench/tenants.bench.ts.
import pg from 'pg'

export interface ConnectionWatch {
  readonly peak: number
  readonly peakByName: Readonly<Record<string, number>>
  stop(): Promise<void>
}

/** Samples pg_stat_activity every `everyMs`; its own session is not counted. */
export async function connectionWatch(url: string, everyMs = 20): Promise<ConnectionWatch> {
  const observer = new pg.Client({ connectionString: url, application_name: 'observer' })
  await observer.connect()
  let peak = 0
  let peakByName: Record<string, number> = {}
  let stopped = false
  const sample = async () => {
    const { rows } = await observer.query<{ name: string; n: number }>(
      `select application_name as name, count(*)::int as n from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
        group by application_name`,
    )
    const total = rows.reduce((sum, r) => sum + r.n, 0)
    if (total > peak) {
      peak = total
      peakByName = Object.fromEntries(rows.map((r) => [r.name, r.n]))
    }
  }
  const loop = (async () => {
    while (!stopped) {
      await sample()
      await new Promise((r) => setTimeout(r, everyMs))
    }
  })()
  return {
    get peak() {
      return peak
    },
    get peakByName() {
      return peakByName
    },
    async stop() {
      stopped = true
      await loop
      await observer.end()
    },
  }
}
