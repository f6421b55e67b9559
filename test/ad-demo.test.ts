// `koppel demo --target ad`: the demo provisions the Active Directory simulator (LDAPS, AD schema) with the
// active-directory connector; its config validates, and the whole demo runs with a quiet second plan.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { formatConfigError, loadConfig } from '../src/config/index.ts'
import { demoConfig } from '../src/cli/demo-config.ts'

const bin = resolve(import.meta.dirname, '..', 'bin', 'koppel.ts')

describe('koppel demo --target ad', () => {
  test('the AD demo config validates; its rules name groups in lower case, which AD reports in capitals', async () => {
    const text = demoConfig(
      'ldaps://127.0.0.1:6360',
      { kind: 'oneroster' },
      { kind: 'ad', caFile: '/tmp/ca.pem' },
    )
    const r = await loadConfig('koppel.yaml', connectorDefinitions, {
      readFile: (p) => (p.endsWith('ldap-password') ? 'pw\n' : text),
    })
    if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
    assert.equal(r.config.targets[0]?.type, 'active-directory')
    // the quiet second plan of the run below then proves that permission ids are compared as DNs, not as strings
    assert.match(text, /"cn=docenten,ou=groups,dc=school,dc=test"/)
  })

  test('runs plan, apply, a quiet second plan and a day of churn against the AD simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-ad-demo-'))
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [bin, 'demo', '--target', 'ad', '--dir', join(dir, 'demo'), '--persons', '200'],
        { cwd: dir, maxBuffer: 32 * 1024 * 1024 },
      )
      assert.match(
        stdout,
        /Active Directory simulator \(LDAPS\) in-process at ldaps:\/\/127\.0\.0\.1:\d+/,
      )
      assert.match(stdout, /4\. koppel plan[^\n]*\n(?:[^\n]*\n)*?No changes\./)
      assert.match(stdout, /5\. The next day/)
      assert.equal(
        (stdout.match(/^Run run-\S+: done \(plan /gm) ?? []).length,
        2,
        'both applies are done',
      )
      assert.doesNotMatch(stdout, /^failed /m, 'no failed actions')
      assert.match(readFileSync(join(dir, 'demo', 'koppel.yaml'), 'utf8'), /type: active-directory/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
