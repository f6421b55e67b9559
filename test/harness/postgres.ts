// A throwaway PostgreSQL cluster for tests: initdb into a temp folder, start on a free 127.0.0.1 port with its
// socket in that folder and durability off, stop and delete on `stop()`. Needs the Debian PostgreSQL binaries
// (/usr/lib/postgresql/<version>/bin); when they are missing, `postgresSkipReason()` says why so tests skip.
// As root the server runs as the `postgres` user (initdb refuses root); otherwise as the current user.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './free-port.ts'

const run = promisify(execFile)
const ROOT = '/usr/lib/postgresql'

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust auth (with a password: `postgres:<password>@…`). */
  readonly url: string
  /** The postmaster's process id (for measuring the server's CPU time in benchmarks). */
  readonly pid: number
  /** Kills the server (`-m immediate`, as a crash) and starts it again on the same port with the same data. */
  restart(): Promise<void>
  stop(): Promise<void>
}

/** The newest installed PostgreSQL bin folder, or undefined. */
export function postgresBin(): string | undefined {
  if (!existsSync(ROOT)) return undefined
  const versions = readdirSync(ROOT)
    .filter(
      (v) =>
        existsSync(join(ROOT, v, 'bin', 'initdb')) && existsSync(join(ROOT, v, 'bin', 'pg_ctl')),
    )
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
  return versions[0] === undefined ? undefined : join(ROOT, versions[0], 'bin')
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  // CI sets this so that a missing server fails the run instead of quietly skipping the PostgreSQL tests
  if (process.env['KOPPEL_REQUIRE_SERVERS'] === '1') return undefined
  if (postgresBin() === undefined)
    return `no PostgreSQL binaries in ${ROOT}/*/bin (apt-get install postgresql)`
  if (process.getuid?.() === 0 && !userExists('postgres'))
    return 'running as root but there is no postgres user'
  return undefined
}

/**
 * `password`: TCP logins need it (scram-sha-256) and `url` carries it, so a test can also log in with a wrong
 * one; without it every login is trusted.
 */
export async function startPostgres(options: { password?: string } = {}): Promise<PostgresServer> {
  const bin = postgresBin()
  if (bin === undefined) throw new Error(postgresSkipReason())
  const dir = await mkdtemp(join(tmpdir(), 'koppel-pg-'))
  const asRoot = process.getuid?.() === 0
  const exec = (file: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args)
  try {
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres'])
      const { stdout: gid } = await run('id', ['-g', 'postgres'])
      await chown(dir, Number(stdout.trim()), Number(gid.trim()))
    }
    const data = join(dir, 'data')
    const auth = ['-A', 'trust']
    if (options.password !== undefined) {
      const pwfile = join(dir, 'pwfile')
      await writeFile(pwfile, `${options.password}\n`, { mode: 0o644 })
      auth.splice(0, 2, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`)
    }
    await exec(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      ...auth,
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ])
    // another process may take the free port between our probe and the server's bind: try a few
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const settings = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        `-k ${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ')
      try {
        await exec(join(bin, 'pg_ctl'), [
          '-D',
          data,
          '-l',
          join(dir, 'server.log'),
          '-w',
          '-o',
          settings,
          'start',
        ])
      } catch (err) {
        if (attempt < 3) continue
        const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '')
        throw new Error(`pg_ctl start failed: ${String(err)}\n${log.slice(-2000)}`, { cause: err })
      }
      const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0])
      return {
        url: `postgres://postgres${options.password !== undefined ? `:${encodeURIComponent(options.password)}` : ''}@127.0.0.1:${port}/postgres`,
        pid,
        async restart() {
          await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
          try {
            await exec(join(bin, 'pg_ctl'), [
              '-D',
              data,
              '-l',
              join(dir, 'server.log'),
              '-w',
              '-o',
              settings,
              'start',
            ])
          } catch (err) {
            const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '')
            throw new Error(`pg_ctl restart failed: ${String(err)}\n${log.slice(-1500)}`, {
              cause: err,
            })
          }
        },
        async stop() {
          await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
            () => undefined,
          )
          await rm(dir, { recursive: true, force: true })
        },
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

function userExists(name: string): boolean {
  if (!existsSync('/etc/passwd')) return false
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .some((line) => line.startsWith(`${name}:`))
}
