import { redactSecrets } from '../util/secret-redaction.ts'

/**
 * Where the CLI writes: data to stdout, progress and diagnostics to stderr, so `--json` output stays clean.
 * Both mask every configured secret: a message from a library or a service may quote one.
 */
export const out = (text: string): void => {
  const safe = redactSecrets(text)
  process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`)
}
export const err = (text: string): void => {
  const safe = redactSecrets(text)
  process.stderr.write(safe.endsWith('\n') ? safe : `${safe}\n`)
}

/** Exit codes scripts can rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  error: 1,
  changes: 2,
  blocked: 3,
  failures: 4,
} as const
