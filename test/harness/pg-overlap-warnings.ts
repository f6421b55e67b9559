// pg@8 queues a query handed to a client that is still running one, and warns (once per process) that pg@9
// will refuse it. Tests that drive a shared session from many callers at once fail on that warning.

export interface OverlapWarnings {
  /** The messages of such warnings since the start. */
  seen(): string[]
  stop(): void
}

export function overlappingQueryWarnings(): OverlapWarnings {
  const seen: string[] = []
  const onWarning = (w: Error) => {
    if (/already executing a query/.test(w.message)) seen.push(w.message)
  }
  process.on('warning', onWarning)
  return {
    seen: () => [...seen],
    stop: () => void process.off('warning', onWarning),
  }
}
