// Starts a throwaway OpenSSH sshd on a free 127.0.0.1 port in a temp folder (RUNNING-SERVERS.md §6): a fresh
// ed25519 host key and client key, key login for the user running the tests (no account is created), and
// `ForceCommand internal-sftp`, so the key can do nothing but SFTP. It does not install sshd: callers check
// `sshdSkipReason()` and skip with that reason when openssh-server is missing (CI sets KOPPEL_REQUIRE_SERVERS=1).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from './free-port.ts'

const SSHD = '/usr/sbin/sshd'
const KEYGEN = '/usr/bin/ssh-keygen'

export interface Sshd {
  readonly host: string
  readonly port: number
  readonly username: string
  /** The client's private key (OpenSSH format) and a second key the server does not know. */
  readonly privateKey: string
  readonly strangerKey: string
  /** SHA256:<base64> of the host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string
  /** An empty folder the SFTP user may write to (an absolute path, also on the server). */
  readonly uploadDir: string
  stop(): Promise<void>
}

export function sshdSkipReason(): string | undefined {
  if (process.env['KOPPEL_REQUIRE_SERVERS'] === '1') return undefined
  return existsSync(SSHD) && existsSync(KEYGEN)
    ? undefined
    : 'sshd not installed: apt-get install openssh-server'
}

export async function startSshd(): Promise<Sshd> {
  const reason = sshdSkipReason()
  if (reason !== undefined) throw new Error(reason)
  const dir = await mkdtemp(join(tmpdir(), 'koppel-sshd-'))
  const f = (n: string) => join(dir, n)
  const keygen = (file: string) =>
    execFileSync(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'koppel-test', '-f', file], {
      stdio: 'ignore',
    })
  keygen(f('host_ed25519'))
  keygen(f('client_ed25519'))
  keygen(f('stranger_ed25519'))
  await writeFile(f('authorized_keys'), await readFile(f('client_ed25519.pub')))
  const uploadDir = f('upload')
  await mkdir(uploadDir)
  // the privilege-separation folder sshd insists on when it runs as root
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true })
  const user = userInfo().username
  const port = await freePort()
  await writeFile(
    f('sshd_config'),
    `ListenAddress 127.0.0.1
Port ${port}
HostKey ${f('host_ed25519')}
PidFile ${f('sshd.pid')}
AuthorizedKeysFile ${f('authorized_keys')}
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers ${user}
Subsystem sftp internal-sftp
ForceCommand internal-sftp
`,
  )
  const hostPub = (await readFile(f('host_ed25519.pub'), 'utf8')).split(' ')[1] as string
  const hostKeyFingerprint = `SHA256:${createHash('sha256').update(Buffer.from(hostPub, 'base64')).digest('base64').replace(/=+$/, '')}`
  // -D keeps sshd in the foreground as our child; -e logs to stderr; the absolute path is required for re-exec
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', f('sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${stderr.trim()}`))),
  )
  exited.catch(() => {})
  await Promise.race([waitForPort(port), exited])
  let stopped = false
  return {
    host: '127.0.0.1',
    port,
    username: user,
    privateKey: await readFile(f('client_ed25519'), 'utf8'),
    strangerKey: await readFile(f('stranger_ed25519'), 'utf8'),
    hostKeyFingerprint,
    uploadDir,
    async stop() {
      if (stopped) return
      stopped = true
      if (proc.exitCode === null) {
        const gone = new Promise<void>((r) => proc.once('exit', () => r()))
        proc.kill('SIGTERM')
        await gone
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
