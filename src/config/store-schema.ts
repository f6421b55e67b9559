/**
 * Schemas of the `store:` and `audit:` sections: where Koppel keeps its ledger, plans and audit log, and the
 * audit chain's key. A PostgreSQL URL may name a password only by reference, since koppel.yaml must never hold
 * one; the audit key is only ever a reference. Does not open the store.
 */
import { z } from 'zod'
import { SECRET_REFERENCE } from '../contract/index.ts'
import { workersSchema } from './workers-schema.ts'

/** Connections of a process's shared pool to one PostgreSQL database (src/store/shared-pools.ts). */
export const DEFAULT_POOL_MAX = 8

export const DEFAULT_STORE = { kind: 'sqlite', path: './data/koppel.db' } as const

/** Whether a connection string carries a password that is not a `${env:…}` / `${file:…}` reference. */
export function hasLiteralPassword(url: string): boolean {
  if (SECRET_REFERENCE.test(url)) return false
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(url)?.[1]
  const colon = userinfo?.indexOf(':') ?? -1
  if (userinfo !== undefined && colon >= 0) {
    const password = userinfo.slice(colon + 1)
    if (password !== '' && !SECRET_REFERENCE.test(password)) return true
  }
  // libpq keyword form and query parameters: password=…
  for (const m of url.matchAll(/(?:^|[\s?&])password=([^\s&]*)/gi)) {
    if (m[1] !== '' && !SECRET_REFERENCE.test(m[1] ?? '')) return true
  }
  return false
}

const sqliteSchema = z
  .strictObject({
    kind: z.literal('sqlite').describe('An embedded database file; nothing to install.'),
    path: z
      .string()
      .min(1)
      .default(DEFAULT_STORE.path)
      .describe('Database file, relative to this config file.'),
  })
  .describe('Embedded SQLite store (the default).')

const postgresSchema = z
  .strictObject({
    kind: z
      .literal('postgres')
      .describe('A PostgreSQL server, for large boards and several workers.'),
    url: z
      .string()
      .min(1)
      .refine((u) => !hasLiteralPassword(u), {
        message:
          'must not contain a password: write url: ${env:KOPPEL_DATABASE_URL}, or ${env:NAME} in its place',
      })
      .describe(
        'Connection URL, e.g. ${env:KOPPEL_DATABASE_URL}; a password in it only as a reference.',
      ),
    pool: z
      .strictObject({
        max: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .default(DEFAULT_POOL_MAX)
          .describe(
            'Connections of the pool a process opens to this database, shared by all its tenants (the largest ' +
              "of the tenants' values wins). The job queue and a worker's target slots have their own.",
          ),
      })
      .optional()
      .describe("The process's connection pool to this database (docs/operations.md)."),
    workers: workersSchema.optional(),
  })
  .describe('PostgreSQL store.')

export const storeSchema = z
  .discriminatedUnion('kind', [sqliteSchema, postgresSchema])
  .default(DEFAULT_STORE)
  .describe(
    'Where Koppel keeps its ledger, plans and audit log (default: SQLite in ./data/koppel.db).',
  )

export const auditSchema = z
  .strictObject({
    key: z
      .string()
      .regex(SECRET_REFERENCE, {
        message: 'must be a secret reference: ${env:NAME} or ${file:/path}, never the key itself',
      })
      .optional()
      .describe(
        'HMAC key of the audit chain, by reference (${env:…} or ${file:…}), kept outside the store: with it, ' +
          'someone who can write the store cannot recompute the chain after an edit. At least 16 characters.',
      ),
  })
  .default({})
  .describe('The audit log (hash chain of every plan, approval and action).')
