// Initial passwords mailed to the mentor: a real SMTP server (smtp-server) receives them through the real
// mailer (nodemailer); the password appears in that mail and nowhere in the store.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startSmtpInbox, type SmtpInbox } from './harness/smtp-inbox.ts'
import { applyStoredPlan, makePlan, type EngineTarget } from '../src/engine/index.ts'
import type { Person } from '../src/model/index.ts'
import { createMailer, type Mailer } from '../src/notify/mailer.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

describe('initial password by mail to the mentor', () => {
  const inbox: { to: string[]; raw: string }[] = []
  let server: SmtpInbox
  let port = 0
  let mailer: Mailer
  let fx: Fixture
  before(async () => {
    server = await startSmtpInbox(inbox, { refuse: (address) => address.endsWith('@unknown.test') })
    port = server.port
    mailer = createMailer(
      { host: '127.0.0.1', port, secure: false, requireTls: false },
      'ict@school.test',
    )
  })
  after(async () => {
    mailer.close()
    await fx?.cleanup()
    await server.stop()
  })

  test('each new pupil’s password reaches the mentor; a pupil without a mentor e-mail is noted in the plan', async () => {
    fx = await engineFixture()
    ;(fx.engine.setup.targets as EngineTarget[])[0] = {
      ...fx.engine.setup.targets[0]!,
      secretDelivery: {
        kind: 'mail',
        loginAttribute: 'uid',
        subject: 'Account for {name}',
        send: (m) => mailer.send(m),
      },
    }
    fx.target.initialPassword = (i) => `Pw-${i}-Zq8!`
    const mentor: Person = {
      kind: 'person',
      key: 't1',
      sourceIds: { school: 't1' },
      givenName: 'Els',
      familyName: 'Bakker',
      email: 'e.bakker@school.test',
      attributes: {},
      contracts: [],
      memberships: [],
    }
    fx.persons.push(
      mentor,
      pupil('p1', 'Jan', 'Vries', '3A', { manager: 't1' }),
      pupil('p2', 'Mo', 'Ali', '3A'),
    )
    const planned = await makePlan(fx.engine, { actor: 'test', today: '2026-11-23' })
    assert.ok(planned.ok)
    assert.deepEqual(
      planned.plan.actions.filter((a) => a.kind === 'create').map((a) => a.deliverSecretsTo),
      [{ mail: 'e.bakker@school.test' }, undefined],
    )
    assert.ok(planned.plan.notes.some((n) => /dir\/p2: no manager or mentor/.test(n)))
    const applied = await applyStoredPlan(fx.engine, planned.plan.id, { actor: 'test' })
    assert.ok(applied.ok && applied.report.state === 'done')
    assert.equal(inbox.length, 1)
    assert.deepEqual(inbox[0]?.to, ['e.bakker@school.test'])
    assert.match(inbox[0]?.raw ?? '', /Subject: Account for Jan Vries/)
    assert.match(inbox[0]?.raw ?? '', /Login: jan\.vries/)
    assert.match(inbox[0]?.raw ?? '', /Initial password: Pw-1-Zq8!/)
    const stored = JSON.stringify([
      await fx.engine.store.listAccounts(),
      await fx.engine.store.journalFor(planned.plan.id),
      applied.report,
    ])
    assert.ok(!/Pw-\d-Zq8!/.test(stored))
  })

  test('a refused recipient fails the create with the address, keeps the account, and never shows the password', async () => {
    await fx.cleanup()
    fx = await engineFixture()
    ;(fx.engine.setup.targets as EngineTarget[])[0] = {
      ...fx.engine.setup.targets[0]!,
      secretDelivery: {
        kind: 'mail',
        loginAttribute: 'uid',
        subject: 'x',
        send: (m) => mailer.send(m),
      },
    }
    fx.target.initialPassword = () => 'Pw-secret-Zq8!'
    const mentor: Person = {
      kind: 'person',
      key: 't9',
      sourceIds: { school: 't9' },
      givenName: 'X',
      familyName: 'Y',
      email: 'nobody@unknown.test',
      attributes: {},
      contracts: [],
      memberships: [],
    }
    fx.persons.push(mentor, pupil('p1', 'Jan', 'Vries', '3A', { manager: 't9' }))
    const planned = await makePlan(fx.engine, { actor: 'test', today: '2026-11-23' })
    assert.ok(planned.ok)
    const applied = await applyStoredPlan(fx.engine, planned.plan.id, { actor: 'test' })
    assert.ok(applied.ok)
    assert.equal(applied.report.state, 'failed')
    const text = JSON.stringify(applied.report)
    assert.match(text, /initial password could not be delivered by mail to nobody@unknown\.test/)
    assert.ok(!text.includes('Pw-secret-Zq8!'))
    assert.equal((await fx.engine.store.getAccount('dir', 'p1'))?.state, 'active')
  })
})
