// `koppel status` and `koppel plan --at` through the real CLI on a generated school and an in-process LDAP
// server (issue 15 item 5): what a monitoring check and an admin planning next year see.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { demoConfig } from '../src/cli/demo-config.ts'
import { applyChurn, generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

// the CLI runs on the wall clock (a plan for another day is a preview): so is the board
const TODAY = toIsoDate(new Date())
const LATER = toIsoDate(new Date(Date.now() + 40 * 86_400_000))

const koppel = (dir: string, args: string[]) => runKoppel(args, { cwd: dir })

interface StatusJson {
  kind: string
  runs: { id: string; state: string; planId: string; counts: Record<string, number> }[]
  blocked: { id: string; findings: { kind: string }[]; approve: string }[]
  audit: { seq: number; hash: string; verified?: { ok: boolean; events: number } }
}

describe('koppel status and plan --at', () => {
  let dir: string
  let ldap: RunningLdapServer
  const board = generateBoard({ seed: 'cli-status', persons: 100, today: TODAY })
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-status-'))
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    ldap = await startLdapServer({ adminPassword: 'secret' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig(ldap.url))
  })
  after(async () => {
    await ldap.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('status on a fresh store, then after a run: the run, its counts and the verified audit head; exit 0', async () => {
    const fresh = await koppel(dir, ['status'])
    assert.equal(fresh.code, 0, fresh.stderr)
    assert.match(fresh.stdout, /Last runs: none/)
    assert.match(fresh.stdout, /Blocked plans: none/)

    const run = await koppel(dir, ['run', '--json'])
    assert.equal(run.code, 0, run.stderr)
    const report = JSON.parse(run.stdout) as {
      runId: string
      planId: string
      auditHead: { seq: number; hash: string }
    }
    const status = await koppel(dir, ['status', '--json'])
    assert.equal(status.code, 0, status.stderr)
    const s = JSON.parse(status.stdout) as StatusJson
    assert.equal(s.kind, 'status')
    assert.deepEqual(
      s.runs.map((r) => [r.id, r.state, r.planId]),
      [[report.runId, 'done', report.planId]],
    )
    assert.ok((s.runs[0]?.counts['applied'] ?? 0) > 0)
    assert.equal(s.audit.verified?.ok, true)
    assert.ok(s.audit.seq >= report.auditHead.seq)
    const text = await koppel(dir, ['status', '--no-verify'])
    assert.match(text.stdout, new RegExp(`${report.runId}\\s+done`))
    assert.match(text.stdout, /not verified \(--no-verify\)/)
  })

  test('plan --at previews a later day, says it will not be applied, and apply refuses it', async () => {
    const p = await koppel(dir, ['plan', '--at', LATER, '--json'])
    assert.ok(p.code === 0 || p.code === 3, p.stderr)
    const plan = JSON.parse(p.stdout) as { id: string; inputs: Record<string, string> }
    assert.equal(plan.inputs['today'], LATER)
    assert.match(p.stderr, new RegExp(`PREVIEW: this is the plan as it would be on ${LATER}`))
    const text = await koppel(dir, ['plan', '--at', LATER])
    assert.match(text.stdout, new RegExp(`^PREVIEW of ${LATER}, not to be applied`))
    assert.match(text.stdout, /It will not be applied/)
    const refused = await koppel(dir, ['apply', '--plan', plan.id, '--yes'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /a preview is never applied: plan again without --at/)
    // the old name still works; today is no preview
    const alias = await koppel(dir, ['plan', '--today', LATER, '--json'])
    assert.equal((JSON.parse(alias.stdout) as { id: string }).id, plan.id)
    const now = await koppel(dir, ['plan', '--at', TODAY])
    assert.doesNotMatch(now.stdout + now.stderr, /PREVIEW/)
  })

  test('plan --at refuses what is not a date, naming the flag', async () => {
    for (const bad of ['2027-02-30', '1-8-2027', 'tomorrow']) {
      const r = await koppel(dir, ['plan', '--at', bad])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /--at must be a date as YYYY-MM-DD/)
    }
    const both = await koppel(dir, ['plan', '--at', LATER, '--today', TODAY])
    assert.equal(both.code, 1)
    assert.match(both.stderr, /disagree/)
  })

  test('a blocked plan: status exits 3 and names the plan, its findings and the approve command', async () => {
    rmSync(join(dir, 'export'), { recursive: true, force: true })
    await writeOneRosterCsv(
      join(dir, 'export'),
      applyChurn(board, { seed: 'cli-status-2', today: TODAY, leavers: 0.2 }),
      { version: '1.2' },
    )
    const run = await koppel(dir, ['run', '--json'])
    assert.equal(run.code, 3, run.stderr)
    const blocked = JSON.parse(run.stdout) as { id: string }
    const status = await koppel(dir, ['status'])
    assert.equal(status.code, 3, status.stderr)
    assert.match(status.stdout, /BLOCKED plans waiting for approval: 1/)
    assert.match(status.stdout, new RegExp(`koppel approve ${blocked.id}`))
    const s = JSON.parse((await koppel(dir, ['status', '--json'])).stdout) as StatusJson
    assert.deepEqual(
      s.blocked.map((b) => b.id),
      [blocked.id],
    )
    assert.ok(s.blocked[0]?.findings.some((f) => f.kind === 'disable'))
  })

  test('an edited audit event: status exits 1 (over the blocked plan) and says the chain is broken', async () => {
    const db = new DatabaseSync(join(dir, 'data', 'koppel.db'))
    try {
      db.prepare(`UPDATE audit SET actor = 'cli:someone-else' WHERE seq = 1`).run()
    } finally {
      db.close()
    }
    const status = await koppel(dir, ['status'])
    assert.equal(status.code, 1, status.stderr)
    assert.match(status.stdout, /chain BROKEN at event 1/)
    assert.equal(
      (await koppel(dir, ['status', '--no-verify'])).code,
      3,
      'without the check the blocked plan decides',
    )
  })
})
