// `koppel run` as a scheduler sees it, through the real CLI on a generated school and an in-process LDAP server:
// `--json` always prints the run report (issue 12.14).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoConfig } from '../src/cli/demo-config.ts'
import { applyChurn, generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

// the CLI plans for the day it runs on (a plan for another day is a preview apply refuses): so is the board
const TODAY = toIsoDate(new Date())

const koppel = (dir: string, args: string[]) => runKoppel(args, { cwd: dir })

describe('koppel run', () => {
  let dir: string
  let ldap: RunningLdapServer
  const board = generateBoard({ seed: 'cli-run', persons: 100, today: TODAY })
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-run-'))
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    ldap = await startLdapServer({ adminPassword: 'secret' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig(ldap.url))
  })
  let stopped = false
  after(async () => {
    if (!stopped) await ldap.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('--json prints the run report, also when there is nothing to do', async () => {
    const first = await koppel(dir, ['run', '--json'])
    assert.equal(first.code, 0, first.stderr)
    const applied = JSON.parse(first.stdout) as {
      kind: string
      state: string
      counts: Record<string, unknown>
    }
    assert.equal(applied.kind, 'run-report')
    assert.equal(applied.state, 'done')
    assert.ok(Object.keys(applied.counts).includes('directory'))

    const quiet = await koppel(dir, ['run', '--json'])
    assert.equal(quiet.code, 0, quiet.stderr)
    const report = JSON.parse(quiet.stdout) as {
      kind: string
      state: string
      planId: string
      counts: object
      messages: string[]
    }
    assert.equal(report.kind, 'run-report')
    assert.equal(report.state, 'done')
    assert.deepEqual(report.counts, {})
    assert.match(report.planId, /^plan-[0-9a-f]{12}$/)
    assert.match(report.messages.join('\n'), /no changes/)
  })

  test('approve --reason records the OS user and the reason; audit log shows them and finds persons by name', async () => {
    // a fifth of the pupils leave at once: the guard blocks the plan
    rmSync(join(dir, 'export'), { recursive: true, force: true })
    await writeOneRosterCsv(
      join(dir, 'export'),
      applyChurn(board, { seed: 'cli-run-2', today: TODAY, leavers: 0.2 }),
      { version: '1.2' },
    )
    const blocked = await koppel(dir, ['plan', '--json'])
    const plan = JSON.parse(blocked.stdout) as {
      id: string
      status: string
      actions: { kind: string; label: string }[]
    }
    assert.equal(plan.status, 'blocked')
    const approved = await koppel(dir, [
      'approve',
      plan.id,
      '--reason',
      'leavers of the exam classes',
    ])
    assert.equal(approved.code, 0, approved.stderr)
    const me = `cli:${userInfo().username}`
    assert.match(approved.stdout, new RegExp(`Approved ${plan.id} as ${me}`))

    const log = await koppel(dir, ['audit', 'log', '--kind', 'plan.approved', '--json'])
    assert.equal(log.code, 0, log.stderr)
    const { events } = JSON.parse(log.stdout) as {
      events: { type: string; actor: string; planId: string; data: { reason: string } }[]
    }
    assert.equal(events.length, 1)
    assert.equal(events[0]?.actor, me)
    assert.equal(events[0]?.data.reason, 'leavers of the exam classes')

    const applied = await koppel(dir, ['apply', '--plan', plan.id, '--yes'])
    assert.equal(applied.code, 0, applied.stderr)
    const leaver = plan.actions.find((a) => a.kind === 'disable')
    assert.ok(leaver !== undefined)
    const family = leaver.label.split(' ').at(-1) ?? ''
    const mine = await koppel(dir, [
      'audit',
      'log',
      '--person',
      family.toLowerCase(),
      '--since',
      '1d',
    ])
    assert.equal(mine.code, 0, mine.stderr)
    assert.match(mine.stdout, /action\.applied/)
    assert.match(mine.stdout, new RegExp(leaver.label))
    const asJson = await koppel(dir, ['audit', 'log', '--person', family, '--json'])
    const found = (
      JSON.parse(asJson.stdout) as {
        events: { type: string; personLabel: string; data: { kind: string } }[]
      }
    ).events
    assert.ok(
      found.some(
        (e) =>
          e.type === 'action.applied' &&
          e.data.kind === 'disable' &&
          e.personLabel === leaver.label,
      ),
      asJson.stdout,
    )
    assert.ok(
      found.every((e) => e.personLabel.endsWith(family)),
      'only persons with that name',
    )
    const nobody = await koppel(dir, ['audit', 'log', '--person', 'Nobody Nowhere'])
    assert.equal(nobody.code, 1)
    assert.match(nobody.stderr, /No person .* matches "Nobody Nowhere"/)
  })

  test('a target that is down: one message naming target and address, nothing retried per action, exit 4', async () => {
    const port = new URL(ldap.url).port
    await ldap.stop()
    stopped = true
    rmSync(join(dir, 'export'), { recursive: true, force: true })
    await writeOneRosterCsv(
      join(dir, 'export'),
      applyChurn(board, { seed: 'cli-run-3', today: TODAY, joiners: 12, movers: 5 }),
      { version: '1.2' },
    )
    const started = performance.now()
    const r = await koppel(dir, ['run', '--json', '--no-target-read'])
    const seconds = (performance.now() - started) / 1000
    assert.equal(r.code, 4, r.stderr)
    const report = JSON.parse(r.stdout) as {
      state: string
      failures: unknown[]
      messages: string[]
      counts: { directory: Record<string, { pending?: number }> }
    }
    assert.equal(report.state, 'failed')
    assert.deepEqual(report.failures, [], 'no failure per action')
    const down = report.messages.filter((m) => m.includes('unreachable'))
    assert.equal(down.length, 1, report.messages.join('\n'))
    const waiting = Object.values(report.counts.directory).reduce((n, c) => n + (c.pending ?? 0), 0)
    assert.ok(waiting >= 12, `${waiting} actions wait`)
    assert.match(
      down[0] ?? '',
      new RegExp(
        `^directory is unreachable at 127\\.0\\.0\\.1:${port}; ${waiting} action\\(s\\) not sent, they stay for the next run$`,
      ),
    )
    assert.ok(seconds < 20, `took ${seconds.toFixed(1)} s`)
    assert.doesNotMatch(r.stderr, /ECONNREFUSED[\s\S]*ECONNREFUSED/, 'not one line per action')
  })
})
