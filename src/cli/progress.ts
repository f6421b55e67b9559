import { createRequire } from 'node:module'
import type CliProgress from 'cli-progress'

export interface Progress {
  update(done: number, total?: number): void
  stop(): void
}

/** A progress bar on a terminal; silence when output is piped or in CI, so logs stay readable. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env['CI'] !== undefined) return { update: () => {}, stop: () => {} }
  // required only for a terminal: it loads its own string-width, whose tables cost CPU at every start
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(10)} {bar} {value}/{total} {percentage}% {eta_formatted}`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update(done, total) {
      if (!started) {
        bar.start(total ?? done, done)
        started = true
      } else {
        if (total !== undefined) bar.setTotal(total)
        bar.update(done)
      }
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
