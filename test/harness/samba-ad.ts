// Starts a throwaway Samba AD DC (realm SCHOOL.TEST) in a temp folder on loopback and waits until LDAPS
// answers a bind (RUNNING-SERVERS.md §3). Samba's LDAP ports (389, 636, 3268, 3269) cannot be changed, so
// instead of a free port each DC gets a free loopback address of its own (127.a.b.c, checked with a connect),
// which lets several test files run DCs side by side and next to other servers. It does not install Samba:
// callers check `sambaSkipReason()` and skip with that reason when it is missing, except under
// KOPPEL_REQUIRE_SERVERS=1 (CI), where a missing Samba makes the start fail.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Client } from 'ldapts'

const run = promisify(execFile)
const SAMBA = '/usr/sbin/samba'
const SAMBA_TOOL = '/usr/bin/samba-tool'
const LDBADD = '/usr/bin/ldbadd'

export const AD_BASE_DN = 'DC=school,DC=test'

export interface SambaAd {
  /** ldaps://<ip>:636 */
  readonly url: string
  /** ldap://<ip>:389, for StartTLS */
  readonly startTlsUrl: string
  readonly host: string
  /** PEM file of the CA Samba generated for its certificate (issued for DC1.school.test). */
  readonly caFile: string
  readonly ca: string
  /** The name Samba's certificate is issued for: DC1.school.test (the url uses the loopback IP). */
  readonly tlsServerName: string
  readonly baseDn: string
  readonly adminDn: string
  readonly adminPassword: string
  /** Extra seconds spent, for the log: provision and start. */
  readonly startedInMs: number
  /** A bound admin client for test set-up; the caller must not unbind it (stop does). */
  admin(): Promise<Client>
  /**
   * Adds LDIF straight into the running DC's database with ldbadd (package ldb-tools): one transaction, about
   * 5 times faster than LDAP adds, for bulk test data such as a group of thousands of members.
   */
  ldbAdd(ldif: string): Promise<void>
  /** Adds ACEs (SDDL) to an object's security descriptor with `samba-tool dsacl set`, as delegation does. */
  dsacl(objectDn: string, sddl: string): Promise<void>
  /**
   * Indexes an attribute (searchFlags fATTINDEX) as docs/connectors/active-directory.md tells an admin to do for
   * the anchor attribute; `schemaCn` is the schema object's cn (employeeID: Employee-ID). The DC reindexes at once.
   */
  indexAttribute(schemaCn: string): Promise<void>
  /** Stops Samba and removes its folder. Safe to call twice. */
  stop(): Promise<void>
}

/** Undefined when Samba AD can run here; otherwise the reason to put into `{ skip }`. */
export function sambaSkipReason(): string | undefined {
  if (process.env['KOPPEL_REQUIRE_SERVERS'] === '1') return undefined
  return existsSync(SAMBA) && existsSync(SAMBA_TOOL) && existsSync(LDBADD)
    ? undefined
    : 'Samba AD not installed: apt-get install samba-ad-dc samba-ad-provision ldb-tools'
}

export interface SambaAdOptions {
  /** Default password policy off (complexity, length, history, age) so tests can reset freely; default true. */
  readonly weakPasswords?: boolean
}

export async function startSambaAd(options: SambaAdOptions = {}): Promise<SambaAd> {
  const reason = sambaSkipReason()
  if (reason !== undefined) throw new Error(reason)
  if (!existsSync(SAMBA) || !existsSync(SAMBA_TOOL))
    throw new Error(`KOPPEL_REQUIRE_SERVERS=1 but ${SAMBA} is missing: apt-get install samba-ad-dc`)
  const started = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'koppel-samba-'))
  const password = `Adm1n!${Math.random().toString(36).slice(2, 10)}`
  const host = await freeLoopbackAddress()
  const conf = join(dir, 'etc', 'smb.conf')
  try {
    await writeFile(join(dir, 'empty.conf'), '') // do not inherit /etc/samba/smb.conf
    await run(
      SAMBA_TOOL,
      [
        'domain',
        'provision',
        '-s',
        join(dir, 'empty.conf'),
        `--targetdir=${dir}`,
        '--realm=SCHOOL.TEST',
        '--domain=SCHOOL',
        '--server-role=dc',
        '--dns-backend=NONE',
        `--adminpass=${password}`,
        '--host-name=dc1',
        `--host-ip=${host}`,
        `--option=interfaces = ${host}/8`,
        '--option=bind interfaces only = yes',
        `--option=log file = ${join(dir, 'log.%m')}`,
        '--option=server services = ldap',
      ],
      { maxBuffer: 16 << 20 },
    )
    // the old password keeps working for 60 minutes after a reset unless this is 0; provision does not persist it
    const text = await readFile(conf, 'utf8')
    // and the pid file and RPC sockets go to /run/samba unless told otherwise, which allows only one DC per host
    const extra = [
      'old password allowed period = 0',
      `pid directory = ${dir}`,
      `ncalrpc dir = ${join(dir, 'ncalrpc')}`,
    ]
    await writeFile(
      conf,
      text.replace(/^\[global\]$/m, `[global]\n${extra.map((l) => `\t${l}`).join('\n')}`),
    )
    if (options.weakPasswords !== false) {
      await run(SAMBA_TOOL, [
        'domain',
        'passwordsettings',
        'set',
        '-H',
        join(dir, 'private', 'sam.ldb'),
        '-s',
        conf,
        '--complexity=off',
        '--min-pwd-length=1',
        '--history-length=0',
        '--min-pwd-age=0',
        '--max-pwd-age=0',
      ])
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    const err = e as { stderr?: string; message: string }
    throw new Error(`samba-tool failed: ${err.message} ${String(err.stderr ?? '').slice(-2000)}`, {
      cause: e,
    })
  }

  // its own process group, so that stop reaches whatever Samba forks
  const child: ChildProcess = spawn(SAMBA, ['-i', '-M', 'single', '-s', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  // a test process that dies without stop() (killed, crashed) must not leave a DC behind
  const killOnExit = () => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  process.once('exit', killOnExit)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`samba exited with ${code}: ${stderr.trim()}`))),
  )
  exited.catch(() => {})

  const caFile = join(dir, 'private', 'tls', 'ca.pem')
  const url = `ldaps://${host}:636`
  let admin: Client | undefined
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    process.off('exit', killOnExit)
    await admin?.unbind().catch(() => {})
    if (child.exitCode === null && child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL')
        } catch {
          // already gone
        }
      }, 10_000)
      await gone
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }

  const adminDn = `CN=Administrator,CN=Users,${AD_BASE_DN}`
  try {
    await Promise.race([
      waitForBind(url, caFile, adminDn, password, () => child.exitCode !== null),
      exited,
    ])
  } catch (e) {
    await stop()
    throw e
  }
  const ca = await readFile(caFile, 'utf8')
  return {
    url,
    startTlsUrl: `ldap://${host}:389`,
    host,
    caFile,
    ca,
    tlsServerName: 'DC1.school.test',
    baseDn: AD_BASE_DN,
    adminDn,
    adminPassword: password,
    startedInMs: Math.round(performance.now() - started),
    admin: async () => {
      if (admin === undefined) {
        admin = new Client({
          url,
          timeout: 30_000,
          tlsOptions: { ca: [ca], checkServerIdentity: () => undefined },
        })
        await admin.bind(adminDn, password)
      }
      return admin
    },
    ldbAdd: async (ldif: string) => {
      const file = join(dir, `seed-${Date.now()}.ldif`)
      await writeFile(file, ldif)
      await run(LDBADD, ['-H', join(dir, 'private', 'sam.ldb'), file], { maxBuffer: 16 << 20 })
    },
    dsacl: async (objectDn: string, sddl: string) => {
      await run(SAMBA_TOOL, [
        'dsacl',
        'set',
        '-H',
        join(dir, 'private', 'sam.ldb'),
        '-s',
        conf,
        `--objectdn=${objectDn}`,
        `--sddl=${sddl}`,
      ])
    },
    indexAttribute: async (schemaCn: string) => {
      await run(SAMBA_TOOL, [
        'schema',
        'attribute',
        'modify',
        schemaCn,
        '--searchflags=fATTINDEX',
        '-H',
        join(dir, 'private', 'sam.ldb'),
        '-s',
        conf,
        // Samba refuses schema writes unless told; a Windows DC takes this one from a Schema Admin as it is
        '--option=dsdb:schema update allowed=true',
      ])
    },
    stop,
  }
}

/** A 127.x.y.z address where nothing listens on 389 or 636 yet. */
async function freeLoopbackAddress(): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`
    if (!(await listening(host, 389)) && !(await listening(host, 636))) return host
  }
  throw new Error('no free loopback address for Samba')
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Until an LDAPS bind as the administrator works (the TLS certificate is made on first start). */
async function waitForBind(
  url: string,
  caFile: string,
  dn: string,
  password: string,
  exited: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline && !exited()) {
    if (existsSync(caFile)) {
      const client = new Client({
        url,
        timeout: 5_000,
        connectTimeout: 2_000,
        tlsOptions: { ca: [await readFile(caFile)], checkServerIdentity: () => undefined },
      })
      try {
        await client.bind(dn, password)
        await client.unbind()
        return
      } catch (e) {
        last = e
        await client.unbind().catch(() => {})
      }
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(
    `Samba did not answer an LDAPS bind on ${url} within ${timeoutMs} ms: ${(last as Error | undefined)?.message ?? 'no CA file'}`,
  )
}
