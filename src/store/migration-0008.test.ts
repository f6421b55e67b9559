// Migration 0008 on a store made before it: the users of 0007 (one row per tenant and name) become one login
// per name with a role per tenant, and keep their passwords; a name in two tenants keeps its oldest password.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Kysely, sql } from 'kysely'
import { Migrator } from 'kysely/migration'
import { migrationProvider } from './migrations.ts'
import { NodeSqliteDialect, openSqliteDatabase } from './node-sqlite-dialect.ts'
import { openStore } from './open-store.ts'

test('0008: the users of 0007 keep their role in their tenant and their password, one login per name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-0008-'))
  const path = join(dir, 'koppel.db')
  try {
    const db = new Kysely<unknown>({ dialect: new NodeSqliteDialect(openSqliteDatabase(path)) })
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') })
    const before = await migrator.migrateTo('0007-dashboard-access')
    assert.equal(before.error, undefined)
    await sql`insert into users (tenant, name, role, password_hash, created_at) values
      ('school-a', 'beheer', 'admin', '$argon2id$old', '2026-01-01T00:00:00.000Z'),
      ('school-b', 'beheer', 'viewer', '$argon2id$newer', '2026-02-01T00:00:00.000Z'),
      ('school-b', 'jan', 'operator', null, '2026-03-01T00:00:00.000Z')`.execute(db)
    await db.destroy()

    for (const [tenant, users] of [
      ['school-a', [['beheer', 'admin', '$argon2id$old']]],
      [
        'school-b',
        [
          ['beheer', 'viewer', '$argon2id$old'],
          ['jan', 'operator', undefined],
        ],
      ],
      ['school-c', []],
    ] as const) {
      const store = await openStore({ kind: 'sqlite', path }, { tenant })
      try {
        assert.deepEqual(
          (await store.access.listUsers()).map((u) => [u.name, u.role, u.passwordHash]),
          users,
          tenant,
        )
      } finally {
        await store.close()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
