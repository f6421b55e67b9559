// Locks that live exactly as long as their holder: the OS (SQLite: a lock on a file) or the server (PostgreSQL:
// a session advisory lock) frees them when the holding process or its connection dies. Holding one therefore
// proves that no earlier holder is still running, which a pid seen from another PID namespace cannot.
import { createHash } from 'node:crypto'
import { DatabaseSync } from 'node:sqlite'
import pg from 'pg'
import { inTurn, type InTurn } from '../util/in-turn.ts'
import { ensurePrivateFileSync } from '../util/private-files.ts'
import { RefCounted } from '../util/ref-counted.ts'

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

/** One session per process and database holds every live lock of every tenant in it. */
interface LockSession {
  readonly client: Promise<pg.Client>
  /** Every tenant's lock and unlock statements take turns on the one session. */
  readonly inTurn: InTurn
  /** The lock keys held or being taken on it: a second holder in this process is refused here. */
  readonly keys: Map<string, AbortController>
  /** The connection broke or closed: nothing to end. */
  broken: boolean
}

// A session's users are the locks held or being taken on it: an idle process keeps no lock connection.
const sessions = new RefCounted<string, LockSession>((s) => {
  if (s.broken) return
  void s.client.then(
    (c) => {
      c.removeAllListeners('end')
      return c.end()
    },
    () => undefined,
  )
})

/**
 * PostgreSQL: `pg_try_advisory_lock` on a session kept open while any lock is held. The session is shared by
 * every tenant of the process (advisory locks are per key, so one session holds many), which keeps the
 * connections a process opens independent of how many boards apply at once. The server frees a session lock
 * when the session ends; server-side TCP keepalives make it notice a vanished client machine within about a
 * minute instead of the OS default of hours. A broken session loses every lock on it, and each holder hears so.
 */
export function postgresLiveLock(config: pg.ClientConfig, tenant: string): LiveLockFactory {
  const sessionKey = `${String(config.connectionString)}\u0000${String(config.options ?? '')}`
  const open = (): LockSession => {
    const keys = new Map<string, AbortController>()
    const client = new pg.Client({ ...config, keepAlive: true })
    const down = (why: string) => {
      created.broken = true
      sessions.forget(sessionKey, created)
      for (const lost of keys.values()) lost.abort(new Error(why))
      keys.clear()
    }
    client.on('error', (err) =>
      down(`the live locks' connection to the store broke: ${err.message}`),
    )
    client.on('end', () => down(`the live locks' connection to the store closed`))
    const created: LockSession = {
      keys,
      inTurn: inTurn(),
      broken: false,
      client: client
        .connect()
        .then(() =>
          client.query(
            'set tcp_keepalives_idle = 20; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3',
          ),
        )
        .then(() => client),
    }
    // a failed connect: the next holder starts a new session
    created.client.catch(() => {
      created.broken = true
      sessions.forget(sessionKey, created)
      void client.end().catch(() => undefined)
    })
    return created
  }
  return async (name) => {
    const key = `${tenant}\u0000${name}`
    const lease = sessions.acquire(sessionKey, open)
    const s = lease.value
    if (s.keys.has(key)) {
      await lease.release()
      return undefined
    }
    const lost = new AbortController()
    s.keys.set(key, lost)
    let held = false
    try {
      const client = await s.client
      const res = await s.inTurn(() =>
        client.query<{ ok: boolean }>(
          'select pg_try_advisory_lock(hashtext($1), hashtext($2)) as ok',
          [`koppel ${tenant}`, name],
        ),
      )
      held = res.rows[0]?.ok === true
    } finally {
      if (!held) {
        if (s.keys.get(key) === lost) s.keys.delete(key)
        await lease.release()
      }
    }
    if (!held) return undefined
    let released = false
    return {
      lost: lost.signal,
      async release() {
        if (released) return
        released = true
        if (s.keys.get(key) === lost) {
          s.keys.delete(key)
          try {
            const client = await s.client
            await s.inTurn(() =>
              client.query('select pg_advisory_unlock(hashtext($1), hashtext($2))', [
                `koppel ${tenant}`,
                name,
              ]),
            )
          } catch {
            // the session is gone, and with it the lock
          }
        }
        await lease.release()
      },
    }
  }
}
