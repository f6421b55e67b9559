// Kysely dialect for Node's built-in node:sqlite. Kysely's SqliteDialect drives a better-sqlite3-shaped
// database; this module gives DatabaseSync that shape, sets the pragmas the store relies on and makes every
// transaction BEGIN IMMEDIATE. It does not know the store's tables.
import { dirname } from 'node:path'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { ensurePrivateFileSync, makePrivateDirSync } from '../util/private-files.ts'
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely'

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000
/** Bulk writes repeat the same few statements; re-preparing a 3,000-row INSERT each batch is wasted work. */
const STATEMENT_CACHE_SIZE = 64

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean
  readonly #stmt: StatementSync

  constructor(stmt: StatementSync) {
    this.#stmt = stmt
    // better-sqlite3's `reader`: the statement returns rows (SELECT, or a write with RETURNING)
    this.reader = stmt.columns().length > 0
  }

  all(parameters: readonly unknown[]): unknown[] {
    return this.#stmt.all(...(parameters as SQLInputValue[]))
  }

  run(parameters: readonly unknown[]): {
    changes: number | bigint
    lastInsertRowid: number | bigint
  } {
    const { changes, lastInsertRowid } = this.#stmt.run(...(parameters as SQLInputValue[]))
    return { changes, lastInsertRowid }
  }

  iterate(parameters: readonly unknown[]): IterableIterator<unknown> {
    return this.#stmt.iterate(...(parameters as SQLInputValue[])) as IterableIterator<unknown>
  }
}

class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync
  readonly #cache = new Map<string, NodeSqliteStatement>()

  constructor(db: DatabaseSync) {
    this.#db = db
  }

  prepare(sql: string): SqliteStatement {
    let stmt = this.#cache.get(sql)
    if (stmt === undefined) {
      stmt = new NodeSqliteStatement(this.#db.prepare(sql))
      if (this.#cache.size >= STATEMENT_CACHE_SIZE)
        this.#cache.delete(this.#cache.keys().next().value as string)
    } else {
      this.#cache.delete(sql)
    }
    this.#cache.set(sql, stmt)
    return stmt
  }

  close(): void {
    this.#cache.clear()
    this.#db.close()
  }
}

/**
 * Opens (creating folder and file if needed) a SQLite database with WAL and the store's pragmas. The file holds
 * personal data: it is created 0600 in a folder created 0700; SQLite gives its -wal and -shm files the
 * database file's mode.
 */
export function openSqliteDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') {
    makePrivateDirSync(dirname(path))
    ensurePrivateFileSync(path)
  }
  const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS })
  db.exec('pragma journal_mode = wal')
  // with WAL, NORMAL loses at most the last commits on power loss, never consistency
  db.exec('pragma synchronous = normal')
  db.exec('pragma foreign_keys = on')
  db.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`)
  return new NodeSqliteDatabase(db)
}

class ImmediateSqliteDriver extends SqliteDriver {
  // A deferred transaction that reads first and writes later cannot wait for another process's lock (SQLite
  // answers SQLITE_BUSY at once); every store transaction writes, so take the write lock at BEGIN.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

/**
 * Kysely's SQLite adapter says SQLite has no transactional DDL and takes no migration lock (one connection, one
 * process, it assumes). Processes starting at once on a new store then all see the migrations pending and the
 * second fails with `table "accounts" already exists`. SQLite's DDL is transactional, so the migrator runs
 * in one transaction — BEGIN IMMEDIATE, the store's write lock — and reads what is done after taking it.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

export class NodeSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase

  constructor(database: SqliteDatabase) {
    super({ database })
    this.#database = database
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database })
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}
