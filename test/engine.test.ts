import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import { ConnectorError } from '../src/contract/index.ts'
import { engineFixture, pupil } from './support/engine-fixture.ts'
import type { Fixture } from './support/engine-fixture.ts'

const TODAY = '2026-11-23'
let fx: Fixture | undefined
afterEach(async () => {
  await fx?.cleanup()
  fx = undefined
})

async function plan(f: Fixture, today = TODAY): Promise<Plan> {
  f.clock.today = today
  const r = await makePlan(f.engine, { actor: 'test' })
  assert.ok(r.ok, 'plan failed')
  return r.plan
}

async function apply(f: Fixture, p: Plan) {
  const r = await applyStoredPlan(f.engine, p.id, { actor: 'test' })
  assert.ok(r.ok, r.ok ? '' : r.message)
  return r.report
}

const kinds = (p: Plan) => p.actions.map((a) => a.kind)

describe('engine: plan → guard → apply against an in-memory target', () => {
  test('joiners get an account and their class group; a second plan has no changes', async () => {
    fx = await engineFixture()
    fx.persons.push(
      pupil('p1', 'Jan', 'Vries', '3A', {}, 'de'),
      pupil('p2', 'Özlem', 'Çelik', '3B'),
    )
    const p1 = await plan(fx)
    assert.deepEqual(kinds(p1), ['create', 'grant', 'create', 'grant'])
    const create = p1.actions[0]
    assert.equal(create?.reason.change, 'joiner')
    assert.equal(create?.reason.rule, 'pupils')
    assert.deepEqual(create?.changes.find((c) => c.field === 'uid')?.new, 'jan.devries')
    assert.equal(p1.actions[1]?.after, create?.id)
    const report = await apply(fx, p1)
    assert.equal(report.state, 'done')
    assert.equal(fx.target.entries.size, 2)
    const p2 = await plan(fx)
    assert.equal(p2.actions.length, 0)
    assert.equal(p2.status, 'planned')
  })

  test('a plan for another day than the clock is a preview: never applied, so grace periods start on the real day', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A', {}, 'de'))
    fx.clock.today = TODAY
    const preview = await makePlan(fx.engine, { actor: 'test', today: '2027-08-01' })
    assert.ok(preview.ok)
    const refused = await applyStoredPlan(fx.engine, preview.plan.id, { actor: 'test' })
    assert.equal(refused.ok, false)
    assert.equal(refused.ok ? '' : refused.reason, 'preview')
    assert.match(
      refused.ok ? '' : refused.message,
      /previews 2027-08-01 \(it was made on 2026-11-23\)/,
    )
    assert.equal(fx.target.entries.size, 0)
    // a plan of the clock's own day is applied, also a day later (approved the next morning)
    const real = await plan(fx)
    fx.clock.today = '2026-11-24'
    await apply(fx, real)
    assert.equal(fx.target.entries.size, 1)
  })

  test('two grants of one account finishing out of order both reach the ledger', async () => {
    fx = await engineFixture({
      rules: [
        {
          name: 'pupils',
          when: 'contract.role == "student"',
          grant: [
            { account: 'dir' },
            { permission: { target: 'dir', type: 'group', id: '"cn=klas,ou=groups"' } },
            { permission: { target: 'dir', type: 'group', id: '"cn=leerlingen,ou=groups"' } },
          ],
        },
      ],
    })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    // the first grant sent is held back until the second has finished: both are in flight at once
    let grants = 0
    let release: () => void = () => {}
    const secondDone = new Promise<void>((r) => (release = r))
    fx.target.beforeWrite = async (op) => {
      if (op !== 'grant') return
      grants++
      if (grants === 1) await secondDone
      else setTimeout(release, 5)
    }
    await apply(fx, await plan(fx))
    const row = await fx.engine.store.getAccount('dir', 'p1')
    assert.deepEqual(row?.permissions, ['group:cn=klas,ou=groups', 'group:cn=leerlingen,ou=groups'])
  })

  test('the same inputs give a byte-identical plan with the same id', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Jan', 'Jansen', '1A'), pupil('p2', 'Jan', 'Jansen', '1B'))
    const a = await plan(fx)
    const b = await plan(fx)
    assert.equal(a.id, b.id)
    assert.equal(a.hash, b.hash)
    assert.equal(JSON.stringify(a.actions), JSON.stringify(b.actions))
  })

  test('two persons with the same name get distinct usernames, kept once given', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Jan', 'Jansen', '1A'), pupil('p2', 'Jan', 'Jansen', '1B'))
    const p = await plan(fx)
    const uids = p.actions
      .filter((a) => a.kind === 'create')
      .map((a) => a.changes.find((c) => c.field === 'uid')?.new)
    assert.deepEqual(uids, ['jan.jansen', 'jan.jansen2'])
    await apply(fx, p)
    // p1 leaves, p3 joins with the same name: p2 keeps jan.jansen2, the newcomer gets a fresh value
    fx.persons.splice(0, 1)
    fx.persons.push(pupil('p3', 'Jan', 'Jansen', '1C'))
    const next = await plan(fx)
    assert.ok(
      !next.actions.some((a) => a.person === 'p2' && a.kind === 'update'),
      'p2 keeps its username',
    )
    const p3uid = next.actions
      .find((a) => a.person === 'p3' && a.kind === 'create')
      ?.changes.find((c) => c.field === 'uid')?.new
    assert.equal(p3uid, 'jan.jansen3', 'jan.jansen is still held by the disabled account of p1')
  })

  test('a mover changes group: grant the new, revoke the old; a name change renames', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Anna', 'Bakker', '2A'))
    await apply(fx, await plan(fx))
    fx.persons[0] = { ...pupil('p1', 'Anna', 'Bakker', '3A'), familyName: 'Smit' }
    const p = await plan(fx)
    assert.deepEqual(kinds(p), ['update', 'grant', 'revoke'])
    const update = p.actions[0]
    assert.deepEqual(
      update?.changes.map((c) => c.field),
      ['cn'],
      'uid is once: kept; dn derives from uid',
    )
    assert.equal(update?.reason.change, 'mover')
    await apply(fx, p)
    const entry = [...fx.target.entries.values()][0]
    assert.deepEqual([...(entry?.permissions ?? [])], ['cn=3A,ou=groups'])
    assert.equal((await plan(fx)).actions.length, 0)
  })

  test('a leaver is disabled, and deleted after the grace period; a hold window keeps the delete back', async () => {
    fx = await engineFixture({
      lifecycle: { holds: [{ from: '07-15', to: '08-31', kinds: ['delete'] }] },
    })
    for (let i = 0; i < 20; i++) fx.persons.push(pupil(`p${i}`, `Kind${i}`, 'Visser', '1A'))
    await apply(fx, await plan(fx))
    fx.persons.pop()
    const leave = await plan(fx)
    assert.deepEqual(kinds(leave), ['disable', 'revoke'])
    assert.equal(leave.actions[0]?.reason.change, 'leaver')
    assert.equal(leave.actions[0]?.reason.detail, 'no longer in any source')
    await apply(fx, leave)
    assert.equal((await plan(fx, '2026-12-10')).actions.length, 0, 'within the grace period')
    const later = await plan(fx, '2026-12-24')
    assert.deepEqual(kinds(later), ['delete'])
    assert.equal(later.actions[0]?.reason.change, 'grace-expired')
    const summer = await plan(fx, '2027-08-01')
    assert.equal(summer.actions.length, 0)
    assert.match(summer.notes[0] ?? '', /held back/)
  })

  test('an ended contract disables on its end date, not before', async () => {
    fx = await engineFixture()
    for (let i = 0; i < 20; i++)
      fx.persons.push(
        pupil(`p${i}`, `Kind${i}`, 'Visser', '1A', i === 0 ? { end: '2026-12-01' } : {}),
      )
    await apply(fx, await plan(fx))
    assert.equal((await plan(fx, '2026-11-30')).actions.length, 0)
    const p = await plan(fx, '2026-12-01')
    assert.deepEqual(kinds(p), ['disable', 'revoke'])
    assert.equal(p.actions[0]?.reason.detail, 'last contract ended 2026-12-01')
  })

  test('half of the pupils missing: the plan is blocked and nothing is disabled', async () => {
    fx = await engineFixture()
    for (let i = 0; i < 40; i++)
      fx.persons.push(pupil(`p${String(i).padStart(2, '0')}`, `Kind${i}`, 'Mulder', '1A'))
    await apply(fx, await plan(fx))
    fx.persons.splice(20)
    const p = await plan(fx)
    assert.equal(p.status, 'blocked')
    assert.deepEqual(p.findings.map((f) => f.kind).sort(), ['disable', 'source'])
    const refused = await applyStoredPlan(fx.engine, p.id, { actor: 'test' })
    assert.equal(refused.ok, false)
    assert.equal(fx.target.calls.filter((c) => c.op === 'disable').length, 0)
    assert.equal([...fx.target.entries.values()].filter((e) => !e.enabled).length, 0)
  })

  test('a NUL or an ANSI escape in a source value refuses the read, naming record and field; nothing is planned or sent (issue 11.5)', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Jan', 'Bos', '1A'))
    await apply(fx, await plan(fx))
    fx.persons.push(
      pupil('p2', 'Eva\x1b[8m', 'Mulder', '1A'),
      pupil('p3', 'Piet', 'Sn\0ijder', '1A'),
    )
    fx.persons.splice(0, 1)
    const calls = fx.target.calls.length
    const r = await makePlan(fx.engine, { actor: 'test', today: TODAY })
    assert.equal(r.ok, false)
    assert.deepEqual(r.ok ? [] : r.issues.map((i) => [i.code, i.source, i.record, i.field]), [
      ['control_character', 'school', 'p2', 'givenName'],
      ['control_character', 'school', 'p3', 'familyName'],
    ])
    assert.equal(fx.target.calls.length, calls, 'nothing sent, p1 not disabled')
    assert.equal(fx.target.entries.size, 1)
  })

  test('a source refusing its own input cannot put an ANSI escape on the admin’s terminal through the issue', async () => {
    fx = await engineFixture()
    const [first] = fx.engine.sources
    assert.ok(first !== undefined)
    const issue = {
      severity: 'error' as const,
      code: 'bad_date',
      message: 'not a date: \x1b[2J',
      source: 'school',
      file: 'pupils.csv',
      line: 3,
      record: 'p\u202e1',
      field: 'begin',
      value: '\x1b[2J',
    }
    const failing = {
      ...first.connector,
      read: async () => ({ ok: false as const, issues: [issue] }),
    }
    const r = await makePlan(
      { ...fx.engine, sources: [{ ...first, connector: failing }] },
      { actor: 'test', today: TODAY },
    )
    assert.equal(r.ok, false)
    assert.deepEqual(r.ok ? [] : r.issues.map((i) => [i.message, i.record, i.value, i.line]), [
      ['not a date: \\u{1B}[2J', 'p\\u{202E}1', '\\u{1B}[2J', 3],
    ])
  })

  test('transient errors are retried; a refused create fails and its grant is skipped', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Sem', 'Bos', '1A'), pupil('p2', 'Noor', 'Dekker', '1A'))
    fx.target.faults.set('create', { kind: 'transient', times: 2 })
    const p = await plan(fx)
    const first = await apply(fx, p)
    assert.equal(first.state, 'done')
    assert.equal(first.counts['dir']?.create?.applied, 2)
    fx.persons.push(pupil('p3', 'Luuk', 'Peters', '1A'))
    fx.target.faults.set('create', { kind: 'invalid', times: 1 })
    const r = await apply(fx, await plan(fx))
    assert.equal(r.state, 'failed')
    assert.equal(r.counts['dir']?.create?.failed, 1)
    assert.equal(r.counts['dir']?.grant?.skipped, 1)
    assert.match(r.failures[0]?.message ?? '', /invalid: injected invalid on create/)
    // the next run tries again
    const again = await plan(fx)
    assert.deepEqual(kinds(again), ['create', 'grant'])
  })

  test('an existing account with the anchor is correlated, not created again', async () => {
    fx = await engineFixture()
    fx.target.entries.set('pre', {
      id: 'pre',
      attributes: { employeeNumber: 'p1', uid: 'jbos', cn: 'old', dn: 'uid=jbos,ou=people' },
      enabled: true,
      permissions: new Set(),
    })
    fx.persons.push(pupil('p1', 'Jan', 'Bos', '1A'))
    const p = await plan(fx)
    assert.deepEqual(kinds(p), ['correlate', 'update', 'grant'])
    const update = p.actions[1]
    assert.deepEqual(update?.changes.map((c) => c.field).sort(), ['cn', 'dn', 'uid'].sort())
    await apply(fx, p)
    assert.equal(fx.target.entries.size, 1)
    assert.equal((await plan(fx)).actions.length, 0)
  })

  test('drift: an attribute changed by hand in the target is set back', async () => {
    fx = await engineFixture()
    fx.persons.push(pupil('p1', 'Eva', 'Meijer', '1A'))
    await apply(fx, await plan(fx))
    const entry = [...fx.target.entries.values()][0]
    if (entry !== undefined) entry.attributes['cn'] = 'Hacked'
    const p = await plan(fx)
    assert.deepEqual(kinds(p), ['update'])
    assert.equal(p.actions[0]?.reason.change, 'drift')
  })
})

describe('engine: write-back of target values into the source', () => {
  test('a new account’s username is written back after its create; the next plan is quiet; a hand edit is written again', async () => {
    fx = await engineFixture({ writeBack: true })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A', {}, 'de'))
    const p1 = await plan(fx)
    assert.deepEqual(kinds(p1), ['create', 'grant', 'write-back'])
    const wb = p1.actions[2]
    assert.equal(wb?.after, p1.actions[0]?.id)
    assert.deepEqual(wb?.kind === 'write-back' ? wb.writeBack : undefined, {
      source: 'school',
      record: 'p1',
    })
    assert.deepEqual(wb?.changes, [{ field: 'username', new: 'jan.devries' }])
    assert.equal(wb?.reason.change, 'write-back')
    const report = await apply(fx, p1)
    assert.equal(report.state, 'done')
    assert.deepEqual(fx.writeBacks, [{ sourceId: 'p1', fields: { username: 'jan.devries' } }])
    assert.equal((await plan(fx)).actions.length, 0)
    // someone edits the username in the source by hand: Koppel writes its value again
    fx.persons[0] = { ...(fx.persons[0] as Person), username: 'typo' }
    const p3 = await plan(fx)
    assert.deepEqual(
      p3.actions.map((a) => [a.kind, a.changes]),
      [['write-back', [{ field: 'username', old: 'typo', new: 'jan.devries' }]]],
    )
  })

  test('a failed write-back fails the run but leaves the account, and is planned again', async () => {
    fx = await engineFixture({ writeBack: true })
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    fx.failWriteBack = new ConnectorError('invalid', 'leerling p1: username rejected')
    const report = await apply(fx, await plan(fx))
    assert.equal(report.state, 'failed')
    assert.equal(fx.target.entries.size, 1)
    fx.failWriteBack = undefined
    const again = await plan(fx)
    assert.deepEqual(kinds(again), ['write-back'])
    assert.equal(again.actions[0]?.after, undefined)
    assert.equal((await apply(fx, again)).state, 'done')
    assert.equal(fx.writeBacks.length, 1)
  })
})

describe('engine: initial passwords', () => {
  test('a generated password goes to the configured source field and nowhere else', async () => {
    fx = await engineFixture({ writeBack: true })
    fx.target.initialPassword = (i) => `Secret-${i}-xyz!`
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    const p = await plan(fx)
    const create = p.actions[0]
    assert.deepEqual(create?.kind === 'create' ? create.deliverSecretsTo : undefined, {
      source: 'school',
      record: 'p1',
    })
    const report = await apply(fx, p)
    assert.equal(report.state, 'done')
    assert.deepEqual(fx.writeBacks[0], {
      sourceId: 'p1',
      fields: { initialPassword: 'Secret-1-xyz!' },
    })
    const stored = JSON.stringify([
      await fx.engine.store.listAccounts(),
      await fx.engine.store.journalFor(p.id),
      await fx.engine.store.getPlan(p.id),
      report,
    ])
    assert.ok(!stored.includes('Secret-1-xyz!'), 'the password reached the store or the report')
  })

  test('a failed delivery keeps the new account in the ledger, still grants its groups, and fails the run', async () => {
    fx = await engineFixture({ writeBack: true })
    fx.target.initialPassword = () => 'Secret-xyz!'
    fx.persons.push(pupil('p1', 'Jan', 'Vries', '3A'))
    fx.failWriteBack = new ConnectorError('transient', 'somtoday unavailable')
    const p = await plan(fx)
    const report = await apply(fx, p)
    assert.equal(report.state, 'failed')
    assert.match(
      JSON.stringify(report),
      /initial password could not be delivered to school record p1/,
    )
    assert.ok(!JSON.stringify(report).includes('Secret-xyz!'))
    assert.equal((await fx.engine.store.getAccount('dir', 'p1'))?.state, 'active')
    assert.deepEqual((await fx.engine.store.getAccount('dir', 'p1'))?.permissions, [
      'group:cn=3A,ou=groups',
    ])
    fx.failWriteBack = undefined
    // no second account; only the username write-back is left to do
    assert.deepEqual(kinds(await plan(fx)), ['write-back'])
    assert.equal(fx.target.entries.size, 1)
  })
})
