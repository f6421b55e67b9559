// `koppel run --person`, `koppel hold` and `koppel plan --draft` through the real CLI on a generated school and an
// in-process LDAP server (issue 15 items 5 and 6): what an admin at the keyboard sees and what the exit codes say.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { toIsoDate } from '../src/util/dates.ts'
import { Client } from 'ldapts'
import { runKoppel } from './support/koppel-cli.ts'

// the CLI runs on the wall clock (a plan for another day is a preview): so is the board
const TODAY = toIsoDate(new Date())
const LATER = toIsoDate(new Date(Date.now() + 40 * 86_400_000))

const koppel = (dir: string, args: string[]) => runKoppel(args, { cwd: dir })

interface PlanJson {
  id: string
  status: string
  inputs: Record<string, string>
  actions: { person: string; kind: string; label: string }[]
}

describe('koppel run --person, hold, plan --draft, drift, revert', () => {
  let dir: string
  let ldap: RunningLdapServer
  let pupilKey = ''
  let otherKey = ''
  let personRun = ''
  const board = generateBoard({ seed: 'cli-admin-tools', persons: 100, today: TODAY })
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-admin-'))
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    ldap = await startLdapServer({ adminPassword: 'secret' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig(ldap.url))
    const p = await koppel(dir, ['plan', '--json'])
    assert.equal(p.code, 0, p.stderr)
    const creates = (JSON.parse(p.stdout) as PlanJson).actions.filter((a) => a.kind === 'create')
    pupilKey = creates[0]?.person ?? ''
    otherKey = creates[1]?.person ?? ''
    assert.ok(pupilKey !== '' && otherKey !== '')
  })
  after(async () => {
    await ldap.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('run --person creates that one person only; the audit names person and reason', async () => {
    const r = await koppel(dir, [
      'run',
      '--person',
      pupilKey,
      '--reason',
      'new pupil, ticket 88',
      '--json',
    ])
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as {
      planId: string
      state: string
      counts: Record<string, Record<string, Record<string, number>>>
    }
    assert.equal(report.state, 'done')
    assert.equal(report.counts['directory']?.['create']?.['applied'], 1)
    personRun = (JSON.parse(r.stdout) as { runId: string }).runId
    const log = await koppel(dir, [
      'audit',
      'log',
      '--person',
      pupilKey,
      '--kind',
      'plan',
      '--json',
    ])
    assert.equal(log.code, 0, log.stderr)
    assert.match(log.stdout, /"reason": ?"new pupil, ticket 88"/)
    const nobody = await koppel(dir, ['run', '--person', 'no such person at all'])
    assert.equal(nobody.code, 1)
    assert.match(
      nobody.stderr,
      /error: field person: no person in the sources or the ledger matches "no such person at all"/,
    )
  })

  test('hold: refused without --reason/--until; placed, shown in status and in the plan, lifted', async () => {
    const nobody = await koppel(dir, ['hold', '--lift'])
    assert.equal(nobody.code, 1)
    assert.match(nobody.stderr, /Name the person/)
    const missing = await koppel(dir, ['hold', otherKey])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /A hold needs --reason "…" and --until YYYY-MM-DD/)
    const held = await koppel(dir, ['hold', otherKey, '--reason', 'legal hold', '--until', LATER])
    assert.equal(held.code, 0, held.stderr)
    assert.match(
      held.stdout,
      new RegExp(`Held: ${otherKey} .* until ${LATER} {2}by cli:[^:]+: legal hold`),
    )
    const status = await koppel(dir, ['status', '--json', '--no-verify'])
    const s = JSON.parse(status.stdout) as {
      holds: { person: string; active: boolean; until: string }[]
    }
    assert.deepEqual(
      s.holds.map((h) => [h.person, h.until, h.active]),
      [[otherKey, LATER, true]],
    )
    const plan = await koppel(dir, ['plan', '--json'])
    const p = JSON.parse(plan.stdout) as PlanJson & { notes: string[] }
    assert.ok(!p.actions.some((a) => a.person === otherKey), 'nothing planned for the held person')
    assert.ok(p.notes.some((n) => n.includes(`(${otherKey}) is held until ${LATER}`)))
    const lifted = await koppel(dir, ['hold', otherKey, '--lift'])
    assert.equal(lifted.code, 0, lifted.stderr)
    const list = await koppel(dir, ['hold'])
    assert.equal(list.stdout.trim(), 'No holds.')
  })

  test("plan --draft with a draft config: the new rule's actions are shown and apply under the running config refuses them", async () => {
    const live = readFileSync(join(dir, 'koppel.yaml'), 'utf8')
    const draftRule = `  - name: Iedereen in de groep iedereen
    when: contract.role == "student" || contract.role == "teacher" || contract.role == "staff"
    grant:
      - permission: { target: directory, type: group, id: '"cn=iedereen,ou=groups,dc=school,dc=test"' }
`
    writeFileSync(join(dir, 'draft.yaml'), `${live}${draftRule}`)
    const d = await koppel(dir, ['plan', '-c', 'draft.yaml', '--draft', '--json'])
    assert.ok(d.code === 0 || d.code === 3, d.stderr)
    const plan = JSON.parse(d.stdout) as PlanJson
    assert.equal(plan.inputs['draft'], 'true')
    assert.match(
      d.stderr,
      new RegExp(
        `DRAFT: plan ${plan.id} shows what draft.yaml would do; it is never approved or applied`,
      ),
    )
    const refused = await koppel(dir, ['apply', '--plan', plan.id, '--yes'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /is a draft \(plan --draft\); a draft is never applied/)
    const approve = await koppel(dir, ['approve', plan.id])
    assert.equal(approve.code, 1)
  })

  test('drift: an account made by hand is listed as unmanaged with what Koppel will do (nothing); exit 2, then 0 per target', async () => {
    const quiet = await koppel(dir, ['drift'])
    assert.equal(quiet.code, 0, quiet.stderr + quiet.stdout)
    assert.match(
      quiet.stdout,
      /Target directory: \d+ accounts, 1 managed by Koppel; unmanaged matching accounts are adopted\n {2}no drift/,
    )
    const client = new Client({ url: ldap.url })
    await client.bind('cn=admin,dc=school,dc=test', 'secret')
    await client.add('uid=handmade,ou=people,dc=school,dc=test', {
      objectClass: ['inetOrgPerson'],
      uid: 'handmade',
      cn: 'Hand Made',
      sn: 'Made',
      employeeNumber: 'zz-nobody',
    })
    await client.unbind()
    const d = await koppel(dir, ['drift', 'directory', '--json'])
    assert.equal(d.code, 2, d.stderr)
    const report = JSON.parse(d.stdout) as {
      kind: string
      targets: {
        target: string
        items: { kind: string; account: { locator: string }; note?: string; actions: unknown[] }[]
      }[]
    }
    assert.equal(report.kind, 'drift')
    const item = report.targets[0]?.items.find((i) => /uid=handmade/i.test(i.account.locator))
    assert.deepEqual(
      [item?.kind, item?.note, item?.actions],
      ['unmanaged', 'no person matches its anchor; Koppel leaves it alone', []],
    )
    const text = await koppel(dir, ['drift'])
    assert.equal(text.code, 2)
    assert.match(text.stdout, /unmanaged/)
    const unknown = await koppel(dir, ['drift', 'nope'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no target "nope" \(targets: directory\)/)
  })

  test('revert: the inverse of the one-person run as a stored plan (its group revoked, the create kept), guarded, approved, applied', async () => {
    const r = await koppel(dir, ['revert', personRun, '--reason', 'wrong class', '--json'])
    // one revoke of the one managed account is 100 %, over the default revoke limit of 25 %: guarded like any plan
    assert.equal(r.code, 3, r.stderr)
    const plan = JSON.parse(r.stdout) as Omit<PlanJson, 'actions'> & {
      notes: string[]
      actions: { kind: string; person: string; reason: { change: string } }[]
    }
    assert.deepEqual(
      plan.actions.map((a) => [a.person, a.kind, a.reason.change]),
      [[pupilKey, 'revoke', 'revert']],
    )
    assert.ok(
      plan.notes.some((n) => n.includes('1 creates are not reverted')),
      plan.notes.join('\n'),
    )
    assert.match(
      r.stderr,
      new RegExp(`approve it, then apply it with: koppel apply --plan ${plan.id}`),
    )
    const approved = await koppel(dir, ['approve', plan.id, '--reason', 'checked'])
    assert.equal(approved.code, 0, approved.stderr)
    const applied = await koppel(dir, ['apply', '--plan', plan.id, '--yes', '--json'])
    assert.equal(applied.code, 0, applied.stderr)
    const unknown = await koppel(dir, ['revert', 'run-nope'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no run run-nope/)
  })
})
