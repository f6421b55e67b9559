import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number, total?: number): void
  stop(): void
}

/** A progress bar on a terminal; silence when output is piped or in CI, so logs stay readable. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env['CI'] !== undefined) return { update: () => {}, stop: () => {} }
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
