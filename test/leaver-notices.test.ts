// Leaver notices (issue 15 item 4): a real SMTP server (smtp-server) on loopback receives, through the real mailer
// (nodemailer) and the engine's injected clock, the mails to mentors and managers that a person leaves — each
// moment once, each recipient only their own leavers, nothing for a person whose other contract runs on.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import { startSmtpInbox, type SmtpInbox } from './harness/smtp-inbox.ts'
import { sendLeaverNotices } from '../src/engine/index.ts'
import type { Person } from '../src/model/index.ts'
import { leaverMail } from '../src/notify/leaver-mail.ts'
import { createMailer, type Mailer } from '../src/notify/mailer.ts'
import { engineFixture, pupil, type Fixture } from './support/engine-fixture.ts'

function staff(key: string, given: string, family: string, email?: string): Person {
  return {
    kind: 'person',
    key,
    sourceIds: { school: key },
    givenName: given,
    familyName: family,
    ...(email !== undefined ? { email } : {}),
    attributes: {},
    contracts: [],
    memberships: [],
  }
}

describe('leaver notices by mail', () => {
  const inbox: { to: string[]; raw: string }[] = []
  let server: SmtpInbox
  let mailer: Mailer
  let f: Fixture | undefined
  before(async () => {
    server = await startSmtpInbox(inbox)
    const port = server.port
    mailer = createMailer(
      { host: '127.0.0.1', port, secure: false, requireTls: false },
      'ict@school.test',
    )
  })
  afterEach(async () => {
    await f?.cleanup()
    f = undefined
    inbox.length = 0
  })
  after(async () => {
    mailer.close()
    await server.stop()
  })

  const send = (fx: Fixture) =>
    sendLeaverNotices(fx.engine, {
      daysBefore: [14, 0],
      actor: 'cli:scheduler',
      send: async (batch) => {
        const m = leaverMail(batch)
        await mailer.send({
          to: batch.recipient.email,
          subject: m.subject,
          text: m.text,
          html: m.html,
        })
      },
    })

  test('14 days before and on the end date the mentor is told, once each; another mentor gets only their own pupil', async () => {
    f = await engineFixture()
    f.persons.push(
      staff('t1', 'Els', 'Bakker', 'e.bakker@school.test'),
      staff('t2', 'Kees', 'Jong', 'k.jong@school.test'),
      pupil('p1', 'Anna', 'Wit', 'H2a', { end: '2027-03-15', manager: 't1' }, 'de'),
      pupil('p2', 'Bram', 'Visser', 'H3b', { end: '2027-03-15', manager: 't2' }),
      pupil('p3', 'Noor', '<b>Smit</b>', 'H3b', { manager: 't1' }),
    )
    f.clock.today = '2027-02-28'
    assert.deepEqual(await send(f), { sent: 0, problems: [] }, '15 days before: nothing yet')
    f.clock.today = '2027-03-01'
    assert.deepEqual(await send(f), { sent: 2, problems: [] })
    assert.deepEqual(inbox.map((m) => m.to).sort(), [
      ['e.bakker@school.test'],
      ['k.jong@school.test'],
    ])
    const els = inbox.find((m) => m.to[0] === 'e.bakker@school.test')?.raw ?? ''
    assert.match(els, /Subject: Koppel: Anna de Wit: last day 2027-03-14 \(in 13 days\)/)
    assert.match(els, /Dear Els Bakker,/)
    assert.match(els, /Anna de Wit, student at 12AB00, H2a: last day 2027-03-14/)
    assert.doesNotMatch(
      els,
      /Bram|Visser|Smit|Kees/,
      "only the recipient's own leaver and their own name",
    )
    assert.doesNotMatch(els, /password/i)

    // a second run the same day: nothing new
    assert.deepEqual(await send(f), { sent: 0, problems: [] })
    assert.equal(inbox.length, 2)
    f.clock.today = '2027-03-15'
    assert.equal((await send(f)).sent, 2)
    assert.match(inbox[2]?.raw ?? '', /has left, the last day was 2027-03-14/)
    f.clock.today = '2027-03-16'
    assert.deepEqual(await send(f), { sent: 0, problems: [] }, 'after the end date: nothing')

    const events = await f.engine.store.listAudit({ kind: 'notice.leaver', limit: 10 })
    assert.deepEqual(events.map((e) => [e.person, e.data?.['to'], e.data?.['daysLeft']]).sort(), [
      ['p1', 't1', 0],
      ['p1', 't1', 14],
      ['p2', 't2', 0],
      ['p2', 't2', 14],
    ])
  })

  test('a missed day is caught up once; a contract ending while another runs on is no leaver; no mentor address is said', async () => {
    f = await engineFixture()
    const mover = pupil('p1', 'Anna', 'Wit', 'H2a', { end: '2027-03-15', manager: 't1' })
    const next = { ...mover.contracts[0]!, id: 'p1-c2', start: '2027-03-15', classGroup: 'H3a' }
    delete (next as { end?: string }).end
    f.persons.push(
      staff('t1', 'Els', 'Bakker', 'e.bakker@school.test'),
      staff('t9', 'Zonder', 'Adres'),
      { ...mover, contracts: [...mover.contracts, next] },
      pupil('p2', 'Bram', 'Visser', 'H3b', { end: '2027-03-15', manager: 't1' }),
      pupil('p4', 'Mo', 'Ali', 'H3b', { end: '2027-03-15', manager: 't9' }),
    )
    f.clock.today = '2027-03-10'
    const r = await send(f)
    assert.equal(r.sent, 1)
    assert.deepEqual(r.problems, [
      'leaver notice for p4 not sent: manager/mentor t9 has no e-mail address in the sources',
    ])
    assert.equal(inbox.length, 1)
    assert.match(
      inbox[0]?.raw ?? '',
      /Bram Visser, student at 12AB00, H3b: last day 2027-03-14 \(in 4 days\)/,
    )
    assert.doesNotMatch(inbox[0]?.raw ?? '', /Anna/)
    assert.equal((await send(f)).sent, 0, 'the 14-day notice was sent late, once')
  })

  test('an end date inside the school-year turnover hold (disables held in every target) is not told; one outside is', async () => {
    f = await engineFixture({
      lifecycle: { holds: [{ from: '07-15', to: '08-31', kinds: ['disable', 'delete'] }] },
    })
    f.persons.push(
      staff('t1', 'Els', 'Bakker', 'e.bakker@school.test'),
      pupil('p1', 'Anna', 'Wit', 'H2a', { end: '2027-08-01', manager: 't1' }),
      pupil('p2', 'Bram', 'Visser', 'H3b', { end: '2027-07-10', manager: 't1' }),
    )
    f.clock.today = '2027-07-05'
    assert.deepEqual(await send(f), { sent: 1, problems: [] })
    assert.match(inbox[0]?.raw ?? '', /Bram Visser/)
    assert.doesNotMatch(inbox[0]?.raw ?? '', /Anna/)
  })

  test('a name with a line break (a header injection attempt) refuses the read: no mail, the problem said', async () => {
    f = await engineFixture()
    f.persons.push(
      staff('t1', 'Els', 'Bakker', 'e.bakker@school.test'),
      pupil('p1', 'Anna\r\nBcc: all@school.test', 'Wit', 'H2a', {
        end: '2026-11-30',
        manager: 't1',
      }),
    )
    const r = await send(f)
    assert.equal(r.sent, 0)
    assert.match(r.problems[0] ?? '', /^leaver notices: the sources could not be read/)
    assert.equal(inbox.length, 0)
  })

  test('a name with markup reaches the HTML part escaped', () => {
    const m = leaverMail({
      recipient: { key: 't1', name: 'Els <i>Bakker</i>', email: 'e@x.test' },
      notices: [
        {
          leaver: { key: 'p1', name: 'Noor <script>x</script>' },
          contract: { id: 'c', role: 'student', end: '2027-03-15' },
          daysLeft: 1,
          covers: [14],
        },
      ],
    })
    assert.match(m.html, /Noor &lt;script&gt;x&lt;\/script&gt;/)
    assert.match(m.html, /Dear Els &lt;i&gt;Bakker&lt;\/i&gt;/)
    assert.doesNotMatch(m.html, /<script>/)
    assert.match(m.subject, /last day today \(2027-03-14\)/)
  })

  test('the end date is exclusive: the mail names the day before it as the last day, in English and Dutch', () => {
    const mail = (daysLeft: number, language: 'en' | 'nl') =>
      leaverMail(
        {
          recipient: { key: 't1', name: 'Els Bakker', email: 'e@x.test' },
          notices: [
            {
              leaver: { key: 'p1', name: 'Noor Smit', number: '4711' },
              contract: { id: 'c', role: 'student', end: '2027-03-15', where: '12AB00, H3b' },
              daysLeft,
              covers: [daysLeft],
            },
          ],
        },
        language,
      )
    // the contract ends (exclusive) on 15 March: 14 March is the last day
    assert.equal(mail(14, 'en').subject, 'Koppel: Noor Smit: last day 2027-03-14 (in 13 days)')
    assert.equal(mail(2, 'en').subject, 'Koppel: Noor Smit: last day 2027-03-14 (tomorrow)')
    assert.equal(mail(1, 'en').subject, 'Koppel: Noor Smit: last day today (2027-03-14)')
    assert.equal(mail(0, 'en').subject, 'Koppel: Noor Smit: has left, the last day was 2027-03-14')
    assert.equal(
      mail(14, 'nl').subject,
      'Koppel: Noor Smit: laatste dag 2027-03-14 (over 13 dagen)',
    )
    assert.equal(mail(2, 'nl').subject, 'Koppel: Noor Smit: laatste dag 2027-03-14 (morgen)')
    assert.equal(mail(1, 'nl').subject, 'Koppel: Noor Smit: laatste dag vandaag (2027-03-14)')
    assert.equal(
      mail(0, 'nl').subject,
      'Koppel: Noor Smit: is vertrokken, de laatste dag was 2027-03-14',
    )
    const nl = mail(14, 'nl')
    assert.match(nl.text, /^Beste Els Bakker,\n/)
    assert.match(
      nl.text,
      /- Noor Smit \(4711\), student bij 12AB00, H3b: laatste dag 2027-03-14 \(over 13 dagen\)/,
    )
    assert.match(nl.html, /<li>Noor Smit \(4711\), student bij 12AB00, H3b: laatste dag 2027-03-14/)
    assert.doesNotMatch(`${nl.subject}${nl.text}${nl.html}`, /2027-03-15|leaves|Dear/)
  })
})
