// `koppel audit verify --head`: the head a run report printed anchors the log from outside the store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { connectorDefinitions } from '../connectors/index.ts'
import { auditVerifyCommand } from './commands-admin.ts'
import { demoConfig } from './demo-config.ts'
import { loadEngine } from '../app/load-engine.ts'
import { EXIT } from './output.ts'

test('audit verify --head: passes while the anchored event is in the log, fails once the log was cut before it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-audit-cli-'))
  process.env['KOPPEL_TEST_AUDIT_KEY'] = 'cli-audit-key-0123456789'
  try {
    await mkdir(join(dir, 'secrets'))
    await writeFile(join(dir, 'secrets', 'ldap-password'), 'unused\n', { mode: 0o600 })
    const config = join(dir, 'koppel.yaml')
    await writeFile(
      config,
      demoConfig('ldap://127.0.0.1:1').replace(
        'version: 1\n',
        'version: 1\naudit:\n  key: ${env:KOPPEL_TEST_AUDIT_KEY}\n',
      ),
    )
    const loaded = await loadEngine(config, connectorDefinitions)
    assert.ok(loaded.ok)
    const { store } = loaded.loaded.engine
    const [, anchor] = await store.appendAudit([
      { type: 'apply.started', actor: 'cli:jan', runId: 'run-1' },
      { type: 'run.finished', actor: 'cli:jan', runId: 'run-1' },
    ])
    await store.appendAudit([{ type: 'plan.approved', actor: 'cli:jan' }])
    await loaded.loaded.close()
    assert.ok(anchor)

    assert.equal(await auditVerifyCommand(config, connectorDefinitions), EXIT.ok)
    assert.equal(await auditVerifyCommand(config, connectorDefinitions, anchor.hash), EXIT.ok)
    assert.equal(
      await auditVerifyCommand(config, connectorDefinitions, anchor.hash.slice(0, 16)),
      EXIT.ok,
    )
    assert.equal(
      await auditVerifyCommand(config, connectorDefinitions, 'f'.repeat(64)),
      EXIT.error,
      'a head that is not in the log',
    )
    assert.equal(
      await auditVerifyCommand(config, connectorDefinitions, 'abc'),
      EXIT.error,
      'too short to identify an event',
    )

    // cut the log back to its first event and move the head with it: consistent, and no plan or run to miss it
    const db = new DatabaseSync(join(dir, 'data', 'koppel.db'))
    try {
      db.exec(
        `delete from audit where seq > 1; update audit_head set seq = 1, hash = (select hash from audit where seq = 1)`,
      )
    } finally {
      db.close()
    }
    assert.equal(
      await auditVerifyCommand(config, connectorDefinitions),
      EXIT.ok,
      'without the anchor the cut is not visible',
    )
    assert.equal(
      await auditVerifyCommand(config, connectorDefinitions, anchor.hash),
      EXIT.error,
      'the anchor shows it',
    )
  } finally {
    delete process.env['KOPPEL_TEST_AUDIT_KEY']
    await rm(dir, { recursive: true, force: true })
  }
})
