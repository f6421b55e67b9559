// Leaver notices through `koppel run` (the CLI's glue: config → mailer → engine): a generated school (OneRoster
// CSV, where a pupil's mentor is the primary teacher of the homeroom class) and a real SMTP receiver on loopback.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSmtpInbox, type SmtpInbox } from './harness/smtp-inbox.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { demoConfig } from '../src/cli/demo-config.ts'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

const TODAY = toIsoDate(new Date())

describe('koppel run sends leaver notices', () => {
  let dir: string
  let ldap: RunningLdapServer
  let server: SmtpInbox
  const inbox: { to: string[]; raw: string }[] = []
  before(async () => {
    server = await startSmtpInbox(inbox)
    const port = server.port
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-leavers-'))
    await writeOneRosterCsv(
      join(dir, 'export'),
      generateBoard({ seed: 'cli-leavers', persons: 100, today: TODAY }),
      { version: '1.2' },
    )
    ldap = await startLdapServer({ adminPassword: 'secret' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    // every enrolment ends with the school year, at most a year ahead: 365 days before makes each pupil due now
    const notify = `notify:\n  from: koppel@school.test\n  smtp: { host: 127.0.0.1, port: ${port}, requireTls: false }\n  leaverNotices:\n    daysBefore: [365]\n`
    writeFileSync(
      join(dir, 'koppel.yaml'),
      demoConfig(ldap.url).replace('\nstore:', `\n${notify}store:`),
    )
  })
  after(async () => {
    await ldap.stop()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('each mentor gets one mail about their own pupils; a second run sends nothing', async () => {
    const first = await runKoppel(['run'], { cwd: dir })
    assert.equal(first.code, 0, first.stderr)
    const sent = /leaver notices: (\d+) sent/.exec(first.stderr)
    assert.ok(sent !== null && Number(sent[1]) > 0, first.stderr)
    assert.ok(inbox.length > 0)
    const recipients = inbox.map((m) => m.to.join(','))
    assert.equal(new Set(recipients).size, recipients.length, 'one mail per mentor')
    for (const m of inbox) {
      assert.equal(m.to.length, 1)
      assert.match(m.raw, /Subject: Koppel: /)
      assert.match(m.raw, /You are named as manager or mentor of/)
      assert.doesNotMatch(m.raw, /password/i)
    }
    const second = await runKoppel(['run'], { cwd: dir })
    assert.equal(second.code, 0, second.stderr)
    assert.doesNotMatch(second.stderr, /leaver notices: \d+ sent/)
    assert.equal(inbox.length, recipients.length)
  })
})
