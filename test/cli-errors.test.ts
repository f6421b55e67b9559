// Errors as an admin sees them (issue 11 item 7): a resolved secret never appears in a message, expected
// failures have no stack trace, and a PostgreSQL store that cannot be opened is named (without its password)
// with the reason, exit 1. Real PostgreSQL from test/harness/postgres.ts.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { toIsoDate } from '../src/util/dates.ts'
import { freePort } from './harness/free-port.ts'
import { postgresSkipReason, startPostgres } from './harness/postgres.ts'
import type { PostgresServer } from './harness/postgres.ts'
import { runKoppel } from './support/koppel-cli.ts'

// the CLI plans and applies on the wall clock's day (a plan for another day is a preview apply refuses), so the
// board is generated for that day too
const TODAY = toIsoDate(new Date())
const SECRET = 'LdapPw-geheim-7Qx'
const DB_PASSWORD = 'Db-Pw/s3cr3t+9'
let dir = ''

const koppel = (env: Record<string, string>, ...args: string[]) =>
  runKoppel([...args, '-c', join(dir, 'koppel.yaml')], { cwd: dir, env })

const config = (store: string) => `version: 1
store: ${store}
sources:
  - name: school
    type: oneroster-csv
    path: ./export
targets:
  - name: directory
    type: ldap
    url: \${env:LDAP_URL}
    bindDn: cn=admin,dc=school,dc=test
    password: \${env:LDAP_PASSWORD}
    baseDn: dc=school,dc=test
    anchor: { attribute: employeeNumber, value: person.key }
    attributes:
      uid: person.key
      dn: '"uid=" + account.uid + ",ou=people,dc=school,dc=test"'
rules:
  - name: pupils
    when: contract.role == "student"
    grant: [{ account: directory }]
`

function assertNoTrace(text: string): void {
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace:\n${text}`)
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-cli-errors-'))
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'cli-errors', persons: 100, today: TODAY }),
    { version: '1.2' },
  )
})
after(() => rmSync(dir, { recursive: true, force: true }))

describe('CLI errors and secrets', () => {
  test('a secret that a library quotes in its error (the password given as the URL) is masked; no stack trace', async () => {
    writeFileSync(join(dir, 'koppel.yaml'), config('{ kind: sqlite, path: ./data/koppel.db }'))
    const r = await koppel({ LDAP_URL: SECRET, LDAP_PASSWORD: SECRET }, 'plan', '--today', TODAY)
    assert.equal(r.code, 1)
    assert.match(r.stderr, /\*\*\* is an invalid LDAP URL/)
    assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET), r.stderr)
    assertNoTrace(r.stderr)
  })

  describe('a PostgreSQL store that cannot be opened', { skip: postgresSkipReason() }, () => {
    let pg: PostgresServer | undefined
    let url: URL
    before(async () => {
      pg = await startPostgres({ password: DB_PASSWORD })
      url = new URL(pg.url)
    })
    after(async () => {
      await pg?.stop()
    })

    async function openFails(dbUrl: string, reason: RegExp): Promise<void> {
      writeFileSync(
        join(dir, 'koppel.yaml'),
        config('{ kind: postgres, url: "${env:KOPPEL_DATABASE_URL}" }'),
      )
      const r = await koppel(
        { KOPPEL_DATABASE_URL: dbUrl, LDAP_URL: 'ldap://127.0.0.1:1', LDAP_PASSWORD: SECRET },
        'plan',
        '--today',
        TODAY,
      )
      assert.equal(r.code, 1, r.stderr)
      const lines = r.stderr.trim().split('\n')
      assert.equal(lines.length, 1, r.stderr)
      assert.match(
        lines[0] ?? '',
        /^the store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+ could not be opened: /,
      )
      assert.match(lines[0] ?? '', reason)
      assert.ok(
        !r.stderr.includes(DB_PASSWORD) && !r.stderr.includes(encodeURIComponent(DB_PASSWORD)),
        r.stderr,
      )
      assertNoTrace(r.stderr)
    }

    test('the right password opens it (the cases below fail for their own reason)', async () => {
      writeFileSync(
        join(dir, 'koppel.yaml'),
        config('{ kind: postgres, url: "${env:KOPPEL_DATABASE_URL}" }'),
      )
      const r = await koppel(
        {
          KOPPEL_DATABASE_URL: url.toString(),
          LDAP_URL: 'ldap://127.0.0.1:1',
          LDAP_PASSWORD: SECRET,
        },
        'audit',
        'verify',
      )
      assert.equal(r.code, 0, r.stderr)
    })
    test('unreachable', async () => {
      const u = new URL(url)
      u.port = String(await freePort())
      await openFails(u.toString(), /ECONNREFUSED/)
    })
    test('wrong password', async () => {
      const u = new URL(url)
      u.password = 'wrong-Pw-1234'
      await openFails(
        u.toString().replace('wrong-Pw-1234', encodeURIComponent(DB_PASSWORD) + 'x'),
        /password authentication failed for user "postgres"/,
      )
    })
    test('missing database', async () => {
      const u = new URL(url)
      u.pathname = '/nosuchdb'
      await openFails(u.toString(), /database "nosuchdb" does not exist/)
    })
    test('a URL that is not one', async () => {
      writeFileSync(
        join(dir, 'koppel.yaml'),
        config('{ kind: postgres, url: "${env:KOPPEL_DATABASE_URL}" }'),
      )
      const bad = `postgres://postgres:${encodeURIComponent(DB_PASSWORD)}@127.0.0.1:notaport/postgres`
      const r = await koppel(
        { KOPPEL_DATABASE_URL: bad, LDAP_URL: 'ldap://127.0.0.1:1', LDAP_PASSWORD: SECRET },
        'plan',
        '--today',
        TODAY,
      )
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, /^the store at .* could not be opened: /)
      assert.ok(
        !r.stderr.includes(DB_PASSWORD) && !r.stderr.includes(encodeURIComponent(DB_PASSWORD)),
        r.stderr,
      )
      assertNoTrace(r.stderr)
    })
  })
})
