// `koppel user add` through the real CLI: the password comes from standard input, the store keeps only its
// argon2id hash, a second add changes the role, and bad input is refused naming the field (issue 16 item 1).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { demoConfig } from '../src/cli/demo-config.ts'
import { openStore } from '../src/store/index.ts'
import { KOPPEL_BIN } from './support/koppel-cli.ts'

function userAdd(
  cwd: string,
  args: readonly string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return koppelUser(cwd, ['add', ...args], stdin)
}

function koppelUser(
  cwd: string,
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--no-warnings', KOPPEL_BIN, 'user', ...args], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

describe('koppel user add', () => {
  let dir = ''
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-user-'))
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    // the LDAP server is never contacted: adding a user only opens the store
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig('ldap://127.0.0.1:1'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const openTenant = (tenant: string, auditKey?: string) =>
    openStore(
      { kind: 'sqlite', path: join(dir, 'data', 'koppel.db') },
      { tenant, ...(auditKey === undefined ? {} : { auditKey }) },
    )
  /** A tenant's user events, newest first: type and the tenant the event names. */
  const userEvents = async (tenant: string) => {
    const store = await openTenant(tenant)
    try {
      return (await store.listAudit({ limit: 10, kind: 'user' })).map((e) => [
        e.type,
        (e.data as { tenant?: string } | undefined)?.tenant,
      ])
    } finally {
      await store.close()
    }
  }
  const verified = async (tenant: string) => {
    const store = await openTenant(tenant)
    try {
      return await store.verifyAudit()
    } finally {
      await store.close()
    }
  }

  test('adds a user with the password from stdin; the store and the audit log never hold the password', async () => {
    const added = await userAdd(dir, ['beheer', '--role', 'admin'], 'a long secret pass\n')
    assert.equal(added.code, 0, added.stderr)
    assert.match(added.stdout, /Added user beheer \(admin\)/)
    const changed = await userAdd(dir, ['beheer', '--role', 'operator'], 'another long secret\n')
    assert.equal(changed.code, 0, changed.stderr)
    assert.match(changed.stdout, /Updated user beheer \(operator\)/)
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'data', 'koppel.db') })
    try {
      const user = await store.access.getUser('beheer')
      assert.equal(user?.role, 'operator')
      assert.match(user?.passwordHash ?? '', /^\$argon2id\$/)
      const audit = await store.listAudit({ limit: 10, kind: 'user' })
      assert.deepEqual(
        audit.map((e) => e.type),
        ['user.changed', 'user.added'],
      )
    } finally {
      await store.close()
    }
    const bytes = readFileSync(join(dir, 'data', 'koppel.db')).toString('latin1')
    assert.ok(
      !bytes.includes('a long secret pass') && !bytes.includes('another long secret'),
      'no password in the store file',
    )
  })

  test('refuses a short password and an unknown role, naming them; exit 1', async () => {
    const short = await userAdd(dir, ['jan', '--role', 'viewer'], 'short\n')
    assert.equal(short.code, 1)
    assert.match(short.stderr, /user jan: the password must be at least 12 characters/)
    const role = await userAdd(dir, ['jan', '--role', 'root'], 'a long secret pass\n')
    assert.equal(role.code, 1)
    assert.match(role.stderr, /--role "root": must be one of viewer, operator, admin/)
  })

  test('grant gives an existing user a role in another tenant of the store; revoke takes it away', async () => {
    assert.equal(
      (await userAdd(dir, ['helpdesk', '--role', 'admin'], 'a long secret pass\n')).code,
      0,
    )
    const granted = await koppelUser(dir, [
      'grant',
      'helpdesk',
      '--role',
      'viewer',
      '--tenant',
      'school-b',
    ])
    assert.equal(granted.code, 0, granted.stderr)
    assert.match(granted.stdout, /User helpdesk is viewer in school-b/)
    assert.match(granted.stdout, /^ {2}default {2}admin$/m)
    assert.match(granted.stdout, /^ {2}school-b {2}viewer$/m)
    const store = await openStore(
      { kind: 'sqlite', path: join(dir, 'data', 'koppel.db') },
      { tenant: 'school-b' },
    )
    try {
      const user = await store.access.getUser('helpdesk')
      assert.equal(user?.role, 'viewer')
      assert.match(user?.passwordHash ?? '', /^\$argon2id\$/, 'the same login, the same password')
    } finally {
      await store.close()
    }
    assert.deepEqual(await userEvents('school-b'), [['user.granted', 'school-b']])
    assert.deepEqual(
      (await userEvents('default')).filter(([type]) => type === 'user.granted'),
      [],
      "nothing of school-b's in the config's tenant",
    )
    const unknown = await koppelUser(dir, [
      'grant',
      'nobody',
      '--role',
      'viewer',
      '--tenant',
      'school-b',
    ])
    assert.equal(unknown.code, 1)
    assert.match(
      unknown.stderr,
      /user nobody: no such user; create them with koppel user add first/,
    )
    const badTenant = await koppelUser(dir, [
      'grant',
      'helpdesk',
      '--role',
      'viewer',
      '--tenant',
      'B',
    ])
    assert.equal(badTenant.code, 1)
    assert.match(badTenant.stderr, /--tenant "B": must be lowercase letters, digits and hyphens/)
    const revoked = await koppelUser(dir, ['revoke', 'helpdesk', '--tenant', 'school-b'])
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.deepEqual((await userEvents('school-b'))[0], ['user.revoked', 'school-b'])
    assert.equal((await verified('school-b')).ok, true, 'the chain of school-b is whole')
    const again = await koppelUser(dir, ['revoke', 'helpdesk', '--tenant', 'school-b'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /user helpdesk: has no role in school-b/)
  })
  test('grant --tenant refuses a tenant whose audit log is under another key, changing nothing', async () => {
    assert.equal(
      (await userAdd(dir, ['steward', '--role', 'admin'], 'a long secret pass\n')).code,
      0,
    )
    const other = await openTenant('school-c', 'the key of school c, 0123456789')
    try {
      await other.appendAudit([{ type: 'config.loaded', actor: 'koppel' }])
    } finally {
      await other.close()
    }
    const refused = await koppelUser(dir, [
      'grant',
      'steward',
      '--role',
      'viewer',
      '--tenant',
      'school-c',
    ])
    assert.equal(refused.code, 1)
    assert.match(
      refused.stderr,
      /tenant school-c: its audit log is kept under another audit key than .*koppel\.yaml's audit\.key; run this with school-c's own config/,
    )
    const store = await openTenant('school-c')
    try {
      assert.deepEqual(
        (await store.access.tenantsOf('steward')).map((g) => g.tenant),
        ['default'],
        'not granted',
      )
    } finally {
      await store.close()
    }
  })
})
