// `koppel backup` and `koppel restore` as an admin runs them: the store named by koppel.yaml, exit codes, output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { demoConfig } from '../cli/demo-config.ts'
import { openStore } from '../store/index.ts'
import { runKoppel } from '../../test/support/koppel-cli.ts'

let dir = ''
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-backup-cli-'))
  mkdirSync(join(dir, 'secrets'))
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
  // the store is all these commands touch: the directory behind this URL is never contacted
  writeFileSync(join(dir, 'koppel.yaml'), demoConfig('ldap://127.0.0.1:9'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

async function auditEvents(n: number): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'data', 'koppel.db') })
  try {
    await store.appendAudit(
      Array.from({ length: n }, (_, i) => ({ type: 'plan.created', actor: `admin-${i}` })),
    )
  } finally {
    await store.close()
  }
}

test('koppel backup writes a copy; koppel restore --force puts it back and reports the verified audit head', async () => {
  await auditEvents(3)
  const backup = await runKoppel(['backup', 'backups/nightly.db'], { cwd: dir })
  assert.equal(backup.code, 0, backup.stderr)
  assert.match(backup.stdout, /Backup written: .*nightly\.db \(\d+ bytes\)/)
  const again = await runKoppel(['backup', 'backups/nightly.db'], { cwd: dir })
  assert.equal(again.code, 1)
  assert.match(again.stderr, /exists already/)

  await auditEvents(2)
  const refused = await runKoppel(['restore', 'backups/nightly.db'], { cwd: dir })
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /--force replaces it/)
  const restore = await runKoppel(['restore', 'backups/nightly.db', '--force'], { cwd: dir })
  assert.equal(restore.code, 0, restore.stderr)
  assert.match(restore.stdout, /Audit log intact: 3 events, head [0-9a-f]+ \(unkeyed\)/)
  const missing = await runKoppel(['restore', 'backups/none.db', '--force'], { cwd: dir })
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no backup file at/)
})
