// A target's operations-per-second limit (`apply.operationsPerSecond`). Each operation reserves the next free
// moment on the target's schedule, 1/rate apart, and waits for it: one reservation per operation, no polling,
// no retry loop. In one process the schedule is in memory; `koppel worker` processes share one in PostgreSQL
// (src/worker/target-rate.ts), so the limit holds for all of them together.

export interface TargetRate {
  /** Resolves when this operation may start on `target`, at most `perSecond` starting per second. */
  take(target: string, perSecond: number, signal?: AbortSignal): Promise<void>
}

export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

/** The schedule of one process; `clock` is monotonic milliseconds (injectable for tests). */
export function memoryRate(clock: () => number = () => performance.now()): TargetRate {
  const next = new Map<string, number>()
  return {
    async take(target, perSecond, signal) {
      signal?.throwIfAborted()
      const now = clock()
      const at = Math.max(now, next.get(target) ?? now)
      next.set(target, at + 1000 / perSecond)
      await sleepFor(at - now, signal)
    },
  }
}
