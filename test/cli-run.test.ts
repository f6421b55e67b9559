// `koppel run` as a scheduler sees it, through the real CLI on a generated school and an in-process LDAP server:
// `--json` always prints the run report (issue 12.14).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '../src/sim/generator/index.ts'
import { startLdapServer, type RunningLdapServer } from '../src/sim/ldap-server/index.ts'

const bin = resolve(import.meta.dirname, '..', 'bin', 'koppel.ts')
const TODAY = '2026-11-23'

async function koppel(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--no-warnings', bin, ...args], { cwd: dir, maxBuffer: 32 * 1024 * 1024 })
    return { code: 0, ...r }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr }
  }
}

describe('koppel run', () => {
  let dir: string
  let ldap: RunningLdapServer
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-run-'))
    await writeOneRosterCsv(join(dir, 'export'), generateBoard({ seed: 'cli-run', persons: 100, today: TODAY }), { version: '1.2' })
    ldap = await startLdapServer({ adminPassword: 'secret' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig(ldap.url))
  })
  after(async () => {
    await ldap.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('--json prints the run report, also when there is nothing to do', async () => {
    const first = await koppel(dir, ['run', '--json', '--today', TODAY])
    assert.equal(first.code, 0, first.stderr)
    const applied = JSON.parse(first.stdout) as { kind: string; state: string; counts: Record<string, unknown> }
    assert.equal(applied.kind, 'run-report')
    assert.equal(applied.state, 'done')
    assert.ok(Object.keys(applied.counts).includes('directory'))

    const quiet = await koppel(dir, ['run', '--json', '--today', TODAY])
    assert.equal(quiet.code, 0, quiet.stderr)
    const report = JSON.parse(quiet.stdout) as { kind: string; state: string; planId: string; counts: object; messages: string[] }
    assert.equal(report.kind, 'run-report')
    assert.equal(report.state, 'done')
    assert.deepEqual(report.counts, {})
    assert.match(report.planId, /^plan-[0-9a-f]{12}$/)
    assert.match(report.messages.join('\n'), /no changes/)
  })
})
