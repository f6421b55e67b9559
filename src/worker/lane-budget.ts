// A worker process's lanes across all its tenants and targets (`store.workers.lanesPerProcess`, `koppel worker
// --max-lanes`): each tenant's targets fetch their own jobs (so one board's backlog never stands in front of
// another's), and this bounds how many of them send at once, so a worker serving 100 boards does not open
// 100 × jobsPerTarget target connections and database sessions. Waiters are served in arrival order, so a
// board with a long backlog cannot take every lane that comes free.

export interface LaneBudget {
  /** Waits until a lane is free and takes up to `want` of the free ones; resolves with how many it got. */
  take(want: number, signal?: AbortSignal): Promise<number>
  /** Gives lanes taken back. */
  give(count: number): void
  /** Lanes in use now. */
  readonly inUse: number
  readonly limit: number
}

export function laneBudget(limit: number): LaneBudget {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`a lane limit must be ≥ 1, not ${limit}`)
  let inUse = 0
  const waiting: { readonly want: number; readonly grant: (n: number) => void }[] = []
  const serve = () => {
    while (inUse < limit && waiting.length > 0) {
      const next = waiting.shift() as (typeof waiting)[number]
      const n = Math.min(next.want, limit - inUse)
      inUse += n
      next.grant(n)
    }
  }
  return {
    limit,
    get inUse() {
      return inUse
    },
    take(want, signal) {
      signal?.throwIfAborted()
      const most = Math.max(1, Math.floor(want))
      if (waiting.length === 0 && inUse < limit) {
        const n = Math.min(most, limit - inUse)
        inUse += n
        return Promise.resolve(n)
      }
      return new Promise((resolve, reject) => {
        const entry = {
          want: most,
          grant: (n: number) => {
            signal?.removeEventListener('abort', onAbort)
            resolve(n)
          },
        }
        const onAbort = () => {
          const at = waiting.indexOf(entry)
          if (at >= 0) waiting.splice(at, 1)
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'))
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        waiting.push(entry)
      })
    },
    give(count) {
      inUse = Math.max(0, inUse - count)
      serve()
    },
  }
}
