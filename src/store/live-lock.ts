// Locks that live exactly as long as their holder: the OS (SQLite: a lock on a file) or the server (PostgreSQL:
// a session advisory lock) frees them when the holding process or its connection dies. Holding one therefore
// proves that no earlier holder is still running, which a pid seen from another PID namespace cannot.
import { createHash } from 'node:crypto'
import { DatabaseSync } from 'node:sqlite'
import pg from 'pg'
import { ensurePrivateFileSync } from '../util/private-files.ts'

export interface LiveLock {
  /** Aborted when the lock is lost while held (PostgreSQL: the connection that holds it broke). */
  readonly lost: AbortSignal
  release(): Promise<void>
}

export type LiveLockFactory = (name: string) => Promise<LiveLock | undefined>

const SQLITE_BUSY = 5

/**
 * SQLite: an exclusive transaction on a small lock database next to the store (`<store>.<name>.lock`), held
 * open. SQLite locks with fcntl, which the kernel drops when the process exits however it exits; connections
 * within one process see each other's lock too, so a second holder in the same process is refused as well.
 */
export function sqliteLiveLock(storePath: string, tenant: string): LiveLockFactory {
  // tenants sharing one store file apply independently; the file name must not carry the tenant's own text
  const suffix =
    tenant === 'default' ? '' : `-${createHash('sha256').update(tenant).digest('hex').slice(0, 16)}`
  return async (name) => {
    if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`live lock: bad name ${JSON.stringify(name)}`)
    const path = `${storePath}.${name}${suffix}.lock`
    // created owner-only before SQLite opens it: SQLite would create it with the process umask
    ensurePrivateFileSync(path)
    const db = new DatabaseSync(path, { timeout: 0 })
    try {
      db.exec('begin exclusive')
    } catch (err) {
      db.close()
      if ((err as { errcode?: number }).errcode === SQLITE_BUSY) return undefined
      throw err
    }
    return {
      lost: new AbortController().signal,
      async release() {
        if (db.isOpen) db.close()
      },
    }
  }
}

/**
 * PostgreSQL: `pg_try_advisory_lock` on a connection of its own, kept open while held. The server frees a
 * session lock when the session ends; server-side TCP keepalives make it notice a vanished client machine
 * within about a minute instead of the OS default of hours.
 */
export function postgresLiveLock(config: pg.ClientConfig, tenant: string): LiveLockFactory {
  return async (name) => {
    const client = new pg.Client({ ...config, keepAlive: true })
    const lost = new AbortController()
    client.on('error', (err) =>
      lost.abort(new Error(`the ${name} lock's connection to the store broke: ${err.message}`)),
    )
    client.on('end', () =>
      lost.abort(new Error(`the ${name} lock's connection to the store closed`)),
    )
    await client.connect()
    let held = false
    try {
      await client.query(
        'set tcp_keepalives_idle = 20; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3',
      )
      const res = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock(hashtext($1), hashtext($2)) as ok',
        [`koppel ${tenant}`, name],
      )
      held = res.rows[0]?.ok === true
    } finally {
      if (!held) await client.end().catch(() => undefined)
    }
    if (!held) return undefined
    let released = false
    return {
      lost: lost.signal,
      async release() {
        if (released) return
        released = true
        // ending the session frees the lock; no unlock round trip needed
        client.removeAllListeners('end')
        await client.end().catch(() => undefined)
      },
    }
  }
}
