// `koppel reject` through the CLI (issue 15 item 1): a blocked plan refused with a reason is never applied, the
// next scheduled run does not apply or re-ask for the same work, and approving it afterwards is refused.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { demoConfig } from '../src/cli/demo-config.ts'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

// the CLI runs on the wall clock's day, so the board is made for that day
const TODAY = toIsoDate(new Date())
let dir = ''
let ldap: Awaited<ReturnType<typeof startLdapServer>> | undefined
const koppel = (...args: string[]) =>
  runKoppel([...args, '-c', join(dir, 'koppel.yaml')], { cwd: dir })

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-cli-reject-'))
  ldap = await startLdapServer({ adminPassword: 'admin-pw' })
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'cli-reject', persons: 60, today: TODAY }),
    { version: '1.2' },
  )
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 })
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'admin-pw\n', { mode: 0o600 })
  writeFileSync(
    join(dir, 'koppel.yaml'),
    demoConfig(ldap.url).replace(
      '    lifecycle:\n',
      '    guard: { create: { maxCount: 5 } }\n    lifecycle:\n',
    ),
  )
})

after(async () => {
  await ldap?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('reject needs a reason, keeps it in the audit log, and the rejected work is neither applied nor approvable', async () => {
  const planned = await koppel('plan', '--json')
  assert.equal(planned.code, 3, planned.stderr)
  const id = (JSON.parse(planned.stdout) as { id: string }).id
  const bare = await koppel('reject', id)
  assert.equal(bare.code, 1)
  assert.match(bare.stderr, /needs --reason/)
  const r = await koppel('reject', id, '--reason', 'the export lost its classes')
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`Rejected ${id} as cli:`))
  const run = await koppel('run')
  assert.equal(run.code, 3, run.stdout + run.stderr)
  assert.match(run.stderr, new RegExp(`Plan ${id} is work an admin already rejected`))
  const approve = await koppel('approve', id)
  assert.equal(approve.code, 1)
  assert.match(approve.stderr, /is rejected and cannot become approved/)
  const log = await koppel('audit', 'log', '--kind', 'plan.rejected', '--json')
  const events = (
    JSON.parse(log.stdout) as {
      events: { planId: string; data: { reason: string; from: string } }[]
    }
  ).events
  assert.deepEqual(
    events.map((e) => [e.planId, e.data.from, e.data.reason]),
    [[id, 'blocked', 'the export lost its classes']],
  )
  const status = await koppel('status', '--json')
  assert.equal(
    (JSON.parse(status.stdout) as { runs: unknown[] }).runs.length,
    0,
    'nothing was applied',
  )
})
