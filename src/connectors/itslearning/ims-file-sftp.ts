// Atomic upload over SFTP: the file goes to a temporary name in the remote folder, then is renamed over the
// final name (OpenSSH's posix-rename@openssh.com, which replaces atomically). A reader of the folder sees the
// old file or the new one under the final name, never a part; a failed upload leaves the old file.
import { createHash, randomBytes } from 'node:crypto'
import SftpClient from 'ssh2-sftp-client'
import { ConnectorError } from '../../contract/index.ts'
import { messageOf } from '../../util/message-of.ts'

export interface SftpTarget {
  readonly host: string
  readonly port: number
  readonly username: string
  readonly privateKey?: string
  readonly passphrase?: string
  readonly password?: string
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it for the server's host key. */
  readonly hostKeyFingerprint: string
  readonly remoteDir: string
  readonly timeoutMs: number
}

/** Test seam: runs after the upload to the temporary name, before the rename. */
export type BeforeRename = (tempPath: string) => Promise<void>

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

export async function uploadAtomic(
  t: SftpTarget,
  fileName: string,
  content: string,
  beforeRename?: BeforeRename,
): Promise<void> {
  const client = new SftpClient('koppel-itslearning')
  let hostKeyRejected: string | undefined
  const expected = t.hostKeyFingerprint.replace(/=+$/, '')
  const dir = t.remoteDir.replace(/\/+$/, '') || '/'
  const finalPath = `${dir === '/' ? '' : dir}/${fileName}`
  const tempPath = `${dir === '/' ? '' : dir}/.${fileName}.${randomBytes(6).toString('hex')}.part`
  try {
    try {
      await client.connect({
        host: t.host,
        port: t.port,
        username: t.username,
        readyTimeout: t.timeoutMs,
        // a stalled transfer is noticed by the keepalives (three missed answers) and fails as transient
        keepaliveInterval: Math.max(1000, Math.floor(t.timeoutMs / 3)),
        keepaliveCountMax: 3,
        ...(t.privateKey !== undefined ? { privateKey: t.privateKey } : {}),
        ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
        ...(t.password !== undefined ? { password: t.password } : {}),
        hostVerifier: (key: Buffer) => {
          const got = fingerprintOf(key)
          if (got === expected) return true
          hostKeyRejected = got
          return false
        },
      })
    } catch (e) {
      if (hostKeyRejected !== undefined)
        throw new ConnectorError(
          'config',
          `SFTP ${t.host}:${t.port}: the host key ${hostKeyRejected} is not the configured hostKeyFingerprint; nothing was sent`,
          { cause: e },
        )
      throw connectError(t, e)
    }
    try {
      await client.put(Buffer.from(content, 'utf8'), tempPath)
      if (beforeRename !== undefined) await beforeRename(tempPath)
      await client.posixRename(tempPath, finalPath)
    } catch (e) {
      await client.delete(tempPath, true).catch(() => undefined)
      throw transferError(t, finalPath, e)
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

function connectError(t: SftpTarget, e: unknown): ConnectorError {
  const msg = messageOf(e)
  const where = `SFTP ${t.username}@${t.host}:${t.port}`
  if (/authentication|auth methods|permission denied/i.test(msg))
    return new ConnectorError('auth', `${where}: login refused: ${msg}`, { cause: e })
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(msg))
    return new ConnectorError('config', `${where}: unknown host: ${msg}`, { cause: e })
  if (/privateKey|Cannot parse/i.test(msg))
    return new ConnectorError('config', `${where}: the private key cannot be used: ${msg}`, {
      cause: e,
    })
  return new ConnectorError('transient', `${where}: connection failed: ${msg}`, { cause: e })
}

function transferError(t: SftpTarget, path: string, e: unknown): ConnectorError {
  const msg = messageOf(e)
  const where = `SFTP upload of ${path} to ${t.host}:${t.port}`
  if (ConnectorError.isInstance(e)) return e
  if (/No such file|ENOENT/i.test(msg))
    return new ConnectorError('config', `${where}: remote folder missing: ${msg}`, { cause: e })
  if (/Permission denied|EACCES/i.test(msg))
    return new ConnectorError('auth', `${where}: not allowed: ${msg}`, { cause: e })
  return new ConnectorError(
    'transient',
    `${where} failed (the previous file stays in place): ${msg}`,
    { cause: e },
  )
}
