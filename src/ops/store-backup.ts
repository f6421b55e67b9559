// Backup and restore of the store: a consistent copy of the SQLite file (VACUUM INTO, which reads one snapshot
// while other processes keep writing) or a pg_dump archive of the PostgreSQL database (or of its schema). A
// restore puts the copy in place, opens it (running the migrations a newer Koppel brings) and verifies the
// audit chain, so a restored store is known to be whole before anything provisions from it.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { promisify } from 'node:util'
import pg from 'pg'
import { openStore, type AuditVerification, type StoreOptions } from '../store/index.ts'
import { makePrivateDirSync } from '../util/private-files.ts'
import { messageOf } from '../util/message-of.ts'

const run = promisify(execFile)

export interface BackupResult {
  readonly file: string
  readonly bytes: number
}

export interface RestoreOptions {
  /** The school board whose audit chain is verified after the restore. */
  readonly tenant?: string
  readonly auditKey?: string
  /** Replace a store that already holds data (Koppel must be stopped: nothing may write it meanwhile). */
  readonly force?: boolean
}

export interface RestoreResult {
  readonly verification: AuditVerification
}

/** Writes a backup of the store to `file`, which must not exist yet; created owner-only (it holds personal data). */
export async function backupStore(options: StoreOptions, file: string): Promise<BackupResult> {
  makePrivateDirSync(dirname(file))
  // 'wx': refuses an existing file, so a backup never overwrites an older one by a typo
  const handle = await open(file, 'wx', 0o600).catch((err: unknown) => {
    throw new Error(`backup: ${file} exists already or cannot be created (${messageOf(err)})`, {
      cause: err,
    })
  })
  await handle.close()
  try {
    if (options.kind === 'sqlite') await backupSqlite(options.path, file)
    else await backupPostgres(options, file)
  } catch (err) {
    await rm(file, { force: true })
    throw err
  }
  return { file, bytes: (await stat(file)).size }
}

/** Puts the backup in `file` in place of the store, then opens it and verifies the tenant's audit chain. */
export async function restoreStore(
  options: StoreOptions,
  file: string,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  if (!existsSync(file)) throw new Error(`restore: no backup file at ${file}`)
  if (options.kind === 'sqlite') await restoreSqlite(options.path, file, opts.force === true)
  else await restorePostgres(options, file, opts.force === true)
  const store = await openStore(options, {
    ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
    ...(opts.auditKey === undefined ? {} : { auditKey: opts.auditKey }),
  })
  try {
    return { verification: await store.verifyAudit() }
  } finally {
    await store.close()
  }
}

async function backupSqlite(path: string, file: string): Promise<void> {
  if (!existsSync(path)) throw new Error(`backup: no store at ${path}`)
  const db = new DatabaseSync(path, { readOnly: true, timeout: 10_000 })
  try {
    db.prepare('vacuum into ?').run(file)
  } finally {
    db.close()
  }
  checkSqliteIntegrity(file)
}

function checkSqliteIntegrity(file: string): void {
  const copy = new DatabaseSync(file, { readOnly: true })
  try {
    const rows = copy.prepare('pragma integrity_check').all() as { integrity_check: string }[]
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok')
    if (problems.length > 0)
      throw new Error(`${file} is not a sound SQLite database: ${problems.slice(0, 3).join('; ')}`)
    copy.prepare('select count(*) from audit').get()
  } catch (err) {
    throw new Error(`${file} is not a Koppel store backup: ${messageOf(err)}`, { cause: err })
  } finally {
    copy.close()
  }
}

async function restoreSqlite(path: string, file: string, force: boolean): Promise<void> {
  checkSqliteIntegrity(file)
  // a -wal file stays only while a process has the store open (or after a crash): restoring under it loses data
  if (existsSync(`${path}-wal`) && !force) {
    throw new Error(
      `restore: ${path}-wal exists: stop every Koppel process using the store first (or --force after a crash)`,
    )
  }
  if (existsSync(path) && !force)
    throw new Error(`restore: a store exists at ${path}; --force replaces it`)
  makePrivateDirSync(dirname(path))
  const temporary = `${path}.restoring`
  await rm(temporary, { force: true })
  const handle = await open(temporary, 'wx', 0o600)
  await handle.close()
  // VACUUM INTO again rather than a file copy: the result is a fresh file in this SQLite's format
  const source = new DatabaseSync(file, { readOnly: true })
  try {
    source.prepare('vacuum into ?').run(temporary)
  } finally {
    source.close()
  }
  // the old store's WAL and index must not be applied to the restored file
  await rm(`${path}-wal`, { force: true })
  await rm(`${path}-shm`, { force: true })
  await rename(temporary, path)
}

/** libpq settings from the store URL: the password goes by environment, never on a command line (ps shows it). */
function libpq(url: string): { readonly dbname: string; readonly env: NodeJS.ProcessEnv } {
  const parsed = new URL(url)
  const password = decodeURIComponent(parsed.password)
  parsed.password = ''
  return {
    dbname: parsed.toString(),
    env: { ...process.env, ...(password === '' ? {} : { PGPASSWORD: password }) },
  }
}

async function backupPostgres(
  options: { url: string; schema?: string },
  file: string,
): Promise<void> {
  const { dbname, env } = libpq(options.url)
  const args = [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    `--file=${file}`,
    ...(options.schema ? [`--schema=${options.schema}`] : []),
    `--dbname=${dbname}`,
  ]
  await tool('pg_dump', args, env)
}

async function restorePostgres(
  options: { url: string; schema?: string },
  file: string,
  force: boolean,
): Promise<void> {
  await tool('pg_restore', ['--list', file], process.env)
  const client = new pg.Client({ connectionString: options.url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(
      'select count(*) as n from information_schema.tables where table_name = $1 and table_schema = $2',
      ['audit', options.schema ?? 'public'],
    )
    if (Number(rows[0]?.n) > 0 && !force) {
      throw new Error(
        `restore: the database already holds a store; --force replaces it (stop every Koppel process first)`,
      )
    }
  } finally {
    await client.end()
  }
  const { dbname, env } = libpq(options.url)
  // one transaction: a restore that fails half-way leaves the database as it was
  const args = [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    '--exit-on-error',
    `--dbname=${dbname}`,
    file,
  ]
  await tool('pg_restore', args, env)
}

async function tool(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run(name, args, { env, maxBuffer: 16 * 1024 * 1024 })
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim()
    const missing = (err as { code?: unknown }).code === 'ENOENT'
    const detail = missing
      ? `${name} is not installed (apt-get install postgresql-client)`
      : stderr || messageOf(err)
    throw new Error(`${name} failed: ${detail.slice(0, 2000)}`, { cause: err })
  }
}
