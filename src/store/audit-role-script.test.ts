// docs/postgres-audit-role.sql names its tables one by one (a blanket grant would give koppel_app UPDATE on the
// audit log): a migration that adds a table must add its grant there. Checked here without a PostgreSQL
// server, on the tables the migrations create in SQLite; store.test.ts checks the privileges themselves.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { test } from 'node:test'
import { openStore } from './index.ts'

const SCRIPT = join(import.meta.dirname, '../../docs/postgres-audit-role.sql')

/** The tables named in the script's `GRANT … ON a, b TO koppel_app` statements. */
function grantedTables(script: string): Set<string> {
  const code = script.replace(/--.*$/gm, '')
  const tables = new Set<string>()
  for (const m of code.matchAll(/\bGRANT\s+[^;]*?\bON\s+([a-z_,\s]+?)\s+TO\s+koppel_app\s*;/gi))
    for (const t of m[1]!.split(',')) tables.add(t.trim())
  return tables
}

test('docs/postgres-audit-role.sql grants koppel_app something on every table the migrations create', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-role-'))
  try {
    const path = join(dir, 'koppel.db')
    await (await openStore({ kind: 'sqlite', path })).close()
    const db = new DatabaseSync(path)
    const tables = db
      .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)
      .all()
      .map((r) => String(r['name']))
    db.close()
    assert.ok(tables.length >= 18, tables.join())
    const granted = grantedTables(await readFile(SCRIPT, 'utf8'))
    const missing = tables.filter((t) => !granted.has(t))
    assert.deepEqual(missing, [], `no grant for ${missing.join(', ')} in ${SCRIPT}`)
    // the parse would see a grant that is there: the check can fail
    assert.deepEqual(
      [
        ...grantedTables(
          'GRANT SELECT ON x_new, y TO koppel_app; -- GRANT SELECT ON z TO koppel_app;',
        ),
      ],
      ['x_new', 'y'],
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
