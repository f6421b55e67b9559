/** Where the CLI writes: data to stdout, progress and diagnostics to stderr, so `--json` output stays clean. */
export const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}
export const err = (text: string): void => {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Exit codes scripts can rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  error: 1,
  changes: 2,
  blocked: 3,
  failures: 4,
} as const
