// Opens the store: embedded SQLite (node:sqlite, a file in the data folder) or PostgreSQL (pg Pool, optional
// schema), for one tenant, with migrations applied. The only way in; the implementation stays private.
import { Kysely, PostgresDialect, sql } from 'kysely'
import type pg from 'pg'
import { postgresLiveLock, sqliteLiveLock } from './live-lock.ts'
import { NodeSqliteDialect, openSqliteDatabase } from './node-sqlite-dialect.ts'
import { acquirePool, applicationName } from './shared-pools.ts'
import { SqlStore } from './sql-store.ts'
import type { Store } from './store.ts'
import type { Tables } from './tables.ts'

export type StoreOptions =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'postgres'
      readonly url: string
      readonly schema?: string
      /** Connections of the process's pool for this database, shared by all its tenants (`store.pool.max`). */
      readonly poolMax?: number
    }

export interface OpenStoreOptions {
  /** The school board whose rows this store reads and writes; `default` when absent. */
  readonly tenant?: string
  /**
   * HMAC key of the audit chain (config `audit.key`, resolved from its secret reference). Kept outside the
   * store on purpose: someone who can write the store cannot then recompute the chain after an edit.
   */
  readonly auditKey?: string
  /** The clock audit events are stamped with: the engine's, so a test on a simulated day audits that day. */
  readonly now?: () => Date
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export async function openStore(
  options: StoreOptions,
  opts: OpenStoreOptions = {},
): Promise<Store> {
  const tenant = opts.tenant ?? 'default'
  if (tenant === '') throw new Error('openStore: tenant must not be empty')
  if (opts.auditKey !== undefined && opts.auditKey.length < 16) {
    throw new Error(
      'openStore: the audit key must be at least 16 characters (e.g. openssl rand -hex 32)',
    )
  }
  const extra = {
    ...(opts.auditKey === undefined ? {} : { auditKey: opts.auditKey }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
  }
  const store =
    options.kind === 'sqlite'
      ? openSqlite(options.path, tenant, extra)
      : await openPostgres(options, tenant, extra)
  try {
    await store.migrate()
  } catch (err) {
    await store.close()
    throw err
  }
  return store
}

type Extra = { readonly auditKey?: string; readonly now?: () => Date }

function openSqlite(path: string, tenant: string, extra: Extra): SqlStore {
  const db = new Kysely<Tables>({ dialect: new NodeSqliteDialect(openSqliteDatabase(path)) })
  const liveLock = path === ':memory:' ? undefined : sqliteLiveLock(path, tenant)
  return new SqlStore(db, 'sqlite', tenant, { ...extra, ...(liveLock ? { liveLock } : {}) })
}

async function openPostgres(
  options: { url: string; schema?: string; poolMax?: number },
  tenant: string,
  extra: Extra,
): Promise<SqlStore> {
  const { schema } = options
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(
      `openStore: schema must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`,
    )
  }
  const connection: pg.ClientConfig = {
    connectionString: options.url,
    application_name: applicationName('locks'),
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  }
  // every tenant's store in this process shares one pool for this database; closing this store lets it go
  const shared = acquirePool({
    url: options.url,
    ...(schema === undefined ? {} : { schema }),
    ...(options.poolMax === undefined ? {} : { max: options.poolMax }),
  })
  const pool = {
    options: shared.pool.options,
    connect: () => shared.pool.connect(),
    end: () => shared.release(),
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
  if (schema !== undefined) {
    try {
      await createSchema(db, schema)
    } catch (err) {
      await db.destroy()
      throw err
    }
  }
  return new SqlStore(db, 'postgres', tenant, {
    ...extra,
    liveLock: postgresLiveLock(connection, tenant),
    ...(schema === undefined ? {} : { schema }),
  })
}

/**
 * PostgreSQL checks IF NOT EXISTS before it inserts the catalog row, so processes starting at once can all pass
 * the check and all but one then fail on pg_namespace's unique index (23505) or as duplicate_schema (42P06):
 * the schema exists then, which is all that was asked.
 */
async function createSchema(db: Kysely<Tables>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code !== '23505' && code !== '42P06') throw err
  }
}
