// `koppel run` tells the board's administrators how each run ended: a real SMTP receiver (smtp-server) on
// loopback gets the status mail of a completed run and of a run the guard blocked (a half-empty export), with
// the numbers that tripped the guard and the command that releases the plan; a webhook receiver gets the same
// summary as JSON signed with HMAC-SHA256. The CLI runs on the wall clock, as
// an admin's would; the board is generated for that day, so the test holds on any date.
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startSmtpInbox, type SmtpInbox } from './harness/smtp-inbox.ts'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { toIsoDate } from '../src/util/dates.ts'
import { dropHalfThePupils } from './support/oneroster-export.ts'
import { runKoppel } from './support/koppel-cli.ts'

const koppel = (cwd: string, args: readonly string[]) => runKoppel(args, { cwd })

describe('status mail after each `koppel run`', () => {
  const inbox: { to: string[]; raw: string }[] = []
  // the message as a reader sees it: quoted-printable soft line breaks joined
  const decoded = (i: number): string =>
    (inbox[i]?.raw ?? '').replace(/=\r?\n/g, '').replace(/=3D/g, '=')
  let smtp: SmtpInbox
  let hookServer: Server
  const hooks: { headers: Record<string, string | string[] | undefined>; body: string }[] = []
  const HOOK_SECRET = 'hook-secret-0123456789'
  const hook = (i: number): Record<string, unknown> => {
    const h = hooks[i]
    assert.ok(h !== undefined, `webhook ${i} received`)
    const expected = `sha256=${createHmac('sha256', HOOK_SECRET)
      .update(`${String(h.headers['x-koppel-timestamp'])}.${h.body}`)
      .digest('hex')}`
    assert.equal(
      h.headers['x-koppel-signature'],
      expected,
      'the signature verifies with the shared secret',
    )
    return JSON.parse(h.body) as Record<string, unknown>
  }
  let ldap: RunningLdapServer
  let dir: string
  before(async () => {
    smtp = await startSmtpInbox(inbox)
    const port = smtp.port
    hookServer = createServer((req, res) => {
      let body = ''
      req
        .on('data', (d: Buffer) => (body += d.toString()))
        .on('end', () => {
          hooks.push({ headers: req.headers, body })
          res.writeHead(204).end()
        })
    })
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r))
    const hookPort = (hookServer.address() as AddressInfo).port
    ldap = await startLdapServer({ adminPassword: 'Adm1n-secret' })
    dir = await mkdtemp(join(tmpdir(), 'koppel-status-mail-'))
    await mkdir(join(dir, 'export'))
    const board = generateBoard({ seed: 'status-mail', persons: 120, today: toIsoDate(new Date()) })
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    await mkdir(join(dir, 'secrets'))
    await writeFile(join(dir, 'secrets', 'ldap-password'), 'Adm1n-secret\n', { mode: 0o600 })
    const notify = `
notify:
  from: koppel@school.test
  smtp: { host: 127.0.0.1, port: ${port}, requireTls: false }
  statusMail:
    to: [ict@school.test, beheer@school.test]
  webhook:
    url: http://127.0.0.1:${hookPort}/koppel
    secret: \${file:./secrets/hook}
`
    await writeFile(join(dir, 'secrets', 'hook'), `${HOOK_SECRET}\n`, { mode: 0o600 })
    await writeFile(join(dir, 'koppel.yaml'), demoConfig(ldap.url) + notify)
  })
  after(async () => {
    await ldap?.stop()
    await smtp.stop()
    await new Promise<void>((r) => hookServer.close(() => r()))
    await rm(dir, { recursive: true, force: true })
  })

  test('a completed run: one mail to every recipient with the counts and the audit head', async () => {
    const r = await koppel(dir, ['run', '--no-target-read'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(inbox.length, 1)
    assert.deepEqual(inbox[0]?.to, ['ict@school.test', 'beheer@school.test'])
    const mail = decoded(0)
    assert.match(mail, /Subject: Koppel default: completed \(\d+ changes\)/)
    assert.match(mail, /- directory, create: (\d+) \/ \1 \/ 0/)
    assert.match(mail, /Audit head: event \d+, [0-9a-f]{64}/)
    assert.match(mail, /Content-Type: text\/html/)
    const posted = hook(0)
    assert.equal(posted['outcome'], 'completed')
    assert.equal(posted['tenant'], 'default')
    assert.deepEqual(Object.keys(posted['applied'] as object), ['directory'])
    // a run with nothing to do sends nothing by default
    const quiet = await koppel(dir, ['run', '--no-target-read'])
    assert.equal(quiet.code, 0, quiet.stderr)
    assert.equal(inbox.length, 1)
  })

  test('an export that refers to records it lacks: failed, and the mail names record and field', async () => {
    const users = join(dir, 'export', 'users.csv')
    await copyFile(users, `${users}.good`)
    const lines = (await readFile(users, 'utf8')).trimEnd().split('\n')
    await writeFile(
      users,
      [lines[0], ...lines.slice(1, Math.ceil(lines.length / 2))].join('\n') + '\n',
    )
    const r = await koppel(dir, ['run', '--no-target-read'])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(inbox.length, 2)
    const mail = decoded(1)
    assert.match(mail, /Subject: Koppel default: failed/)
    assert.match(mail, /No plan was made\./)
    assert.match(mail, /users\.csv:\d+, record [0-9a-f-]+, field agentSourcedIds: refers to/)
    await copyFile(`${users}.good`, users)
  })

  test('a half-empty export: blocked, a "blocked" mail with the guard’s numbers and the approve command', async () => {
    await dropHalfThePupils(join(dir, 'export'))
    const r = await koppel(dir, ['run', '--no-target-read'])
    assert.equal(r.code, 3, r.stdout + r.stderr)
    assert.equal(inbox.length, 3)
    const mail = decoded(2)
    assert.match(mail, /Subject: Koppel default: blocked by the safety guard/)
    assert.match(mail, /Safety guard:/)
    assert.match(mail, /\(\d+ of \d+, limit /)
    const id = /koppel approve (plan-[0-9a-f]+)/.exec(mail)?.[1]
    assert.ok(id !== undefined, 'the mail names the approve command')
    assert.match(r.stdout + r.stderr, new RegExp(id))
    const posted = hook(hooks.length - 1)
    assert.equal(posted['outcome'], 'blocked')
    assert.equal(posted['planId'], id)
    assert.ok((posted['findings'] as unknown[]).length > 0)
  })
})
