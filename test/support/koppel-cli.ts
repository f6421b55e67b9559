// The real `koppel` command as a child process, as an admin or a scheduler runs it.
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'

export const KOPPEL_BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'koppel.ts')

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  readonly cwd: string
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>
  /** Called once the child runs, with a way to SIGKILL it (crash tests). */
  readonly onStart?: (kill: () => void) => void
}

export function runKoppel(args: readonly string[], o: CliOptions): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--no-warnings', KOPPEL_BIN, ...args], {
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.env !== undefined ? { env: { ...process.env, ...o.env } } : {}),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }))
    o.onStart?.(() => child.kill('SIGKILL'))
  })
}
