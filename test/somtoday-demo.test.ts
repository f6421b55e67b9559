// `koppel demo --source somtoday`: the demo's config for Somtoday validates against the real connectors, and
// the whole demo runs with the Somtoday simulator in-process instead of a OneRoster export.
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

describe('koppel demo --source somtoday', () => {
  test('the Somtoday demo config validates and resolves both secret files', async () => {
    const text = demoConfig('ldap://127.0.0.1:3890', {
      kind: 'somtoday',
      baseUrl: 'http://127.0.0.1:4000/rest/v1',
      tokenUrl: 'http://127.0.0.1:4000/oauth2/token',
      organisation: '53878715-4d2e-53c6-9c9a-7d38ca2042f7',
    })
    const r = await loadConfig('koppel.yaml', connectorDefinitions, {
      readFile: (p) =>
        p.endsWith('ldap-password')
          ? 'secret\n'
          : p.endsWith('somtoday-client-secret')
            ? 'client-secret\n'
            : text,
      env: {},
    })
    if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
    assert.equal(r.config.sources[0]?.type, 'somtoday')
    assert.equal(r.config.sources[0]?.['clientSecret'], 'client-secret')
    assert.equal(
      r.validated.sources[0]?.['clientSecret'],
      '${file:./secrets/somtoday-client-secret}',
    )
  })

  test('the OneRoster demo config is unchanged by the option', () => {
    assert.equal(demoConfig('ldap://x:1'), demoConfig('ldap://x:1', { kind: 'oneroster' }))
    assert.match(demoConfig('ldap://x:1'), /type: oneroster-csv\n {4}path: \.\/export/)
  })

  test('runs plan, apply, a quiet second plan and a day of churn against the Somtoday simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-somtoday-demo-'))
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [bin, 'demo', '--source', 'somtoday', '--dir', join(dir, 'demo'), '--persons', '200'],
        { cwd: dir, maxBuffer: 32 * 1024 * 1024 },
      )
      assert.match(stdout, /Somtoday simulator at http:\/\/127\.0\.0\.1:\d+\/rest\/v1/)
      assert.match(stdout, /5\. The next day/)
      assert.match(stdout, /The directory now holds \d+ entries/)
      const config = readFileSync(join(dir, 'demo', 'koppel.yaml'), 'utf8')
      assert.match(config, /type: somtoday/)
      assert.match(config, /clientSecret: \$\{file:\.\/secrets\/somtoday-client-secret\}/)
      assert.doesNotMatch(config, /koppel-secret/, 'the secret is in its file, not in the config')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
