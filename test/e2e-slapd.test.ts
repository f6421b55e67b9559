// End to end through the real CLI (child processes, as an admin runs it) against a real slapd and the embedded
// store: a generated OneRoster export is planned, applied, planned again (no changes); an export with half of
// the pupils missing is blocked and disables nothing; an apply killed with SIGKILL mid-way converges on the
// next run without a duplicate or a lost entry.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from 'ldapts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { dropHalfThePupils } from './support/oneroster-export.ts'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

const skip = slapdSkipReason()

const koppel = (cwd: string, args: readonly string[], onStart?: (kill: () => void) => void) =>
  runKoppel(args, { cwd, ...(onStart !== undefined ? { onStart } : {}) })

/** A workspace like the demo's: export, koppel.yaml pointing at the slapd, password in a secret file. */
async function workspace(s: Slapd, persons: number, extraTarget = ''): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-e2e-'))
  await mkdir(join(dir, 'export'))
  // the CLI runs on the wall clock, as an admin's does: the board is made for that day, so this holds on any date
  const board = generateBoard({ seed: `e2e-${persons}`, persons, today: toIsoDate(new Date()) })
  await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'ldap-password'), `${s.adminPassword}\n`, { mode: 0o600 })
  let config = demoConfig(s.url)
  if (extraTarget !== '')
    config = config.replace('    lifecycle:\n', `${extraTarget}    lifecycle:\n`)
  await writeFile(join(dir, 'koppel.yaml'), config)
  return dir
}

async function people(s: Slapd): Promise<{ dn: string; employeeNumber: string }[]> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    const { searchEntries } = await c.search(s.baseDn, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['employeeNumber'],
      paged: { pageSize: 500 },
    })
    return searchEntries.map((e) => ({ dn: e.dn, employeeNumber: String(e['employeeNumber']) }))
  } finally {
    await c.unbind()
  }
}

async function addOu(s: Slapd, ou: string): Promise<void> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    await c.add(`ou=${ou},${s.baseDn}`, { objectClass: 'organizationalUnit', ou })
  } finally {
    await c.unbind()
  }
}

/** Member values below ou=groups that name an entry that does not exist, or an account in ou=disabled. */
async function deadOrDisabledMembers(
  s: Slapd,
): Promise<{ dead: string[]; disabled: string[]; total: number }> {
  const c = new Client({ url: s.url })
  try {
    await c.bind(s.adminDn, s.adminPassword)
    const { searchEntries: groups } = await c.search(s.groupsDn, {
      filter: '(member=*)',
      attributes: ['member'],
      paged: { pageSize: 500 },
    })
    const { searchEntries: accounts } = await c.search(s.baseDn, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['1.1'],
      paged: { pageSize: 500 },
    })
    const live = new Set(accounts.map((e) => e.dn.toLowerCase()))
    const values = groups
      .flatMap((g) => [g['member'] ?? []].flat().map(String))
      .filter((v) => !v.toLowerCase().startsWith('cn='))
    return {
      dead: values.filter((v) => !live.has(v.toLowerCase())),
      disabled: values.filter((v) => v.toLowerCase().includes(',ou=disabled,')),
      total: values.length,
    }
  } finally {
    await c.unbind()
  }
}

describe('koppel CLI against a real slapd', { skip }, () => {
  let s: Slapd
  const dirs: string[] = []
  before(async () => {
    s = await startSlapd()
    await addOu(s, 'disabled')
  })
  after(async () => {
    await s?.stop()
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  test('plan, apply, plan again: no changes; a half-empty export is blocked and disables nothing', async () => {
    const dir = await workspace(s, 400)
    dirs.push(dir)

    const first = await koppel(dir, ['plan', '--json', '--detailed-exitcode'])
    assert.equal(first.code, 2, first.stderr)
    const plan = JSON.parse(first.stdout) as {
      id: string
      status: string
      summary: Record<string, Record<string, number>>
      actions: { kind: string }[]
    }
    assert.equal(plan.status, 'planned')
    const creates = plan.summary['directory']?.['create'] ?? 0
    assert.ok(creates > 300, `expected creates for most of 400 persons, got ${creates}`)

    const applied = await koppel(dir, ['apply', '--plan', plan.id, '--yes'])
    assert.equal(applied.code, 0, applied.stderr + applied.stdout)
    const entries = await people(s)
    assert.equal(entries.length, creates)
    assert.equal(
      new Set(entries.map((e) => e.employeeNumber)).size,
      entries.length,
      'one entry per person',
    )

    const again = await koppel(dir, ['plan', '--detailed-exitcode'])
    assert.equal(again.code, 0, again.stdout)
    assert.match(again.stdout, /No changes/)

    const dropped = await dropHalfThePupils(join(dir, 'export'))
    assert.ok(dropped > 100)
    const blocked = await koppel(dir, ['plan', '--json', '--detailed-exitcode'])
    assert.ok(blocked.stdout.startsWith('{'), `plan --json printed no plan: ${blocked.stderr}`)
    const blockedPlan = JSON.parse(blocked.stdout) as {
      id: string
      status: string
      findings: { kind: string; message: string }[]
      summary: Record<string, Record<string, number>>
    }
    assert.equal(blockedPlan.status, 'blocked')
    assert.ok(blockedPlan.findings.length > 0)
    const refused = await koppel(dir, ['apply', '--yes'])
    assert.equal(refused.code, 3, `apply of a blocked plan exits 3 (blocked): ${refused.stderr}`)
    const after = await people(s)
    assert.equal(after.length, creates, 'nothing deleted')
    assert.equal(after.filter((e) => e.dn.includes('ou=disabled')).length, 0, 'nothing disabled')

    // the admin checks the export, decides it is right after all, and releases the plan
    const approved = await koppel(dir, ['approve', blockedPlan.id])
    assert.equal(approved.code, 0, approved.stderr)
    const released = await koppel(dir, ['apply', '--plan', blockedPlan.id, '--yes'])
    assert.equal(released.code, 0, released.stderr + released.stdout.slice(-1000))
    const disables = blockedPlan.summary['directory']?.['disable'] ?? 0
    assert.ok(disables > 100)
    assert.equal((await people(s)).filter((e) => e.dn.includes('ou=disabled')).length, disables)
    // slapd here has no refint overlay: the leavers moved to ou=disabled must not stay behind in the groups
    assert.ok(
      (blockedPlan.summary['directory']?.['revoke'] ?? 0) >= disables,
      'every leaver loses its class group (revokeOnDisable)',
    )
    const members = await deadOrDisabledMembers(s)
    assert.ok(members.total > 100, `groups still hold the active pupils (${members.total})`)
    assert.deepEqual(members.dead, [], 'no member value names a DN that no longer exists')
    assert.deepEqual(members.disabled, [], 'no disabled account is left in a group')
    const settled = await koppel(dir, ['plan', '--detailed-exitcode'])
    assert.equal(settled.code, 0, 'the approved snapshot is the new baseline: no block, no changes')

    // a helpful colleague moves a leaver back out of ou=disabled: Koppel disables it again, as drift
    const leaver = (await people(s)).find((e) => e.dn.includes(',ou=disabled,'))
    assert.ok(leaver !== undefined)
    const back = leaver.dn.replace(/,ou=disabled,/, ',ou=people,')
    const c = new Client({ url: s.url })
    try {
      await c.bind(s.adminDn, s.adminPassword)
      await c.modifyDN(leaver.dn, back)
    } finally {
      await c.unbind()
    }
    const drift = await koppel(dir, ['plan', '--json', '--detailed-exitcode'])
    const driftPlan = JSON.parse(drift.stdout) as {
      id: string
      status: string
      actions: { kind: string; reason: { change: string; detail: string } }[]
    }
    assert.deepEqual(
      driftPlan.actions.map((a) => [a.kind, a.reason.change]),
      [['disable', 'drift']],
      drift.stdout.slice(0, 2000),
    )
    assert.match(driftPlan.actions[0]?.reason.detail ?? '', /enabled in the target by someone else/)
    // the source guard still compares with the largest export of the last 7 days (the full one): approve again
    if (driftPlan.status === 'blocked')
      assert.equal((await koppel(dir, ['approve', driftPlan.id])).code, 0)
    const fixed = await koppel(dir, ['apply', '--plan', driftPlan.id, '--yes'])
    assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout.slice(-1000))
    assert.ok(
      (await people(s)).some((e) => e.dn === leaver.dn),
      'back in ou=disabled',
    )
  })

  test('an apply killed with SIGKILL mid-way converges on the next run: no duplicate, nothing lost', async () => {
    // its own branch of the directory so the first test's entries do not count
    await addOu(s, 'kill')
    const dir = await workspace(s, 1500, '    apply:\n      concurrency: 2\n')
    dirs.push(dir)
    const yaml = await readFile(join(dir, 'koppel.yaml'), 'utf8')
    await writeFile(
      join(dir, 'koppel.yaml'),
      yaml
        .replaceAll(',ou=people,dc=school,dc=test', ',ou=kill,dc=school,dc=test')
        .replace('baseDn: dc=school,dc=test', 'baseDn: ou=kill,dc=school,dc=test'),
    )

    const planned = await koppel(dir, ['plan', '--json'])
    const plan = JSON.parse(planned.stdout) as {
      id: string
      summary: Record<string, Record<string, number>>
    }
    const expected = plan.summary['directory']?.['create'] ?? 0
    assert.ok(expected > 1000)

    let atKill = -1
    const killed = await koppel(dir, ['apply', '--plan', plan.id, '--yes'], (kill) => {
      const poll = setInterval(() => {
        void people(s).then((e) => {
          const n = e.filter((x) => x.dn.includes('ou=kill')).length
          if (atKill === -1 && n >= 50) {
            atKill = n
            clearInterval(poll)
            kill()
          }
        })
      }, 25)
    })
    assert.equal(
      killed.signal,
      'SIGKILL',
      `the apply finished before it could be killed: ${killed.stdout.slice(-300)}`,
    )
    assert.ok(atKill > 0 && atKill < expected, `killed mid-way (${atKill} of ${expected})`)

    const resumed = await koppel(dir, ['apply', '--yes'])
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout.slice(-2000))
    const entries = (await people(s)).filter((e) => e.dn.includes('ou=kill'))
    assert.equal(entries.length, expected, 'every person has exactly one entry')
    assert.equal(new Set(entries.map((e) => e.employeeNumber)).size, expected, 'no duplicate')

    const settled = await koppel(dir, ['plan', '--detailed-exitcode'])
    assert.equal(settled.code, 0, settled.stdout.slice(0, 3000))
    const audit = await koppel(dir, ['audit', 'verify'])
    assert.equal(audit.code, 0, audit.stderr)
  })
})
