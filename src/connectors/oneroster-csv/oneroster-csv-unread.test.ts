// Issue 9.6: a required OneRoster column that nothing in the configuration reads (username, in exports made
// before anyone had an account) is a warning with a count and the first rows, not a refusal; `strict: true`,
// the person key and a configuration that reads the field keep it an error.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { SourceReadResult } from '../../model/index.ts'
import { oneRosterCsvConnector } from './oneroster-csv-connector.ts'
import { bulk11, removePackage, writePackage, type Files } from './oneroster-csv-test-package.ts'

const dirs: string[] = []
after(() => dirs.forEach(removePackage))

/** The 1.1 bulk package with every username emptied. */
function withoutUsernames(): string {
  const files: Files = bulk11()
  const users = files['users.csv'] ?? []
  const c = (users[0] ?? []).indexOf('username')
  for (const row of users.slice(1)) row[c] = ''
  const dir = writePackage(files)
  dirs.push(dir)
  return dir
}

function read(
  path: string,
  options: Record<string, unknown>,
  isRead?: (field: string) => boolean,
): Promise<SourceReadResult> {
  const parsed = oneRosterCsvConnector.schema.parse({ path, ...options })
  const source = oneRosterCsvConnector.create('school', parsed, {
    baseDir: '/',
    log: () => {},
    now: () => new Date('2025-10-01T06:00:00Z'),
  })
  return source.read({ today: '2025-10-01', ...(isRead !== undefined ? { isRead } : {}) })
}

describe('oneroster-csv: required but unread fields', () => {
  const nothingReadsUsername = (field: string) => field !== 'person.username'

  test('empty usernames nobody reads: the export is read, with one warning counting the rows and naming the first', async () => {
    const dir = withoutUsernames()
    const r = await read(dir, {}, nothingReadsUsername)
    assert.ok(r.ok, r.ok ? '' : r.issues.map((i) => i.message).join('\n'))
    const users = (bulk11()['users.csv'] ?? []).length - 1
    assert.equal(r.snapshot.persons.length, users)
    assert.ok(r.snapshot.persons.every((p) => p.username === undefined))
    const w = r.snapshot.warnings.filter((i) => i.code === 'required_field_empty_unread')
    assert.equal(w.length, 1)
    assert.equal(w[0]?.field, 'username')
    assert.equal(w[0]?.file, 'users.csv')
    assert.equal(w[0]?.value, String(users))
    assert.match(
      w[0]?.message ?? '',
      new RegExp(`^${users} row\\(s\\) have no username.*First: users\\.csv:2 \\(`),
    )
  })

  test('strict: true, a configuration that reads username, username as person key, or no knowledge of reads: still an error', async () => {
    const dir = withoutUsernames()
    const refused = async (r: Promise<SourceReadResult>) => {
      const out = await r
      assert.equal(out.ok, false)
      if (!out.ok)
        assert.ok(
          out.issues.some(
            (i) =>
              i.code === 'missing_field' &&
              i.field === 'username' &&
              i.file === 'users.csv' &&
              i.line === 2,
          ),
        )
    }
    await refused(read(dir, { strict: true }, nothingReadsUsername))
    await refused(read(dir, {}, () => true))
    await refused(read(dir, { personKey: 'username' }, nothingReadsUsername))
    await refused(read(dir, {}))
  })

  test('required fields that fill the model (names, roles, references) stay errors whatever is read', async () => {
    const files: Files = bulk11()
    const users = files['users.csv'] ?? []
    const c = (users[0] ?? []).indexOf('familyName')
    ;(users[1] as (string | number)[])[c] = ''
    const dir = writePackage(files)
    dirs.push(dir)
    const r = await read(dir, {}, () => false)
    assert.equal(r.ok, false)
    if (!r.ok)
      assert.ok(r.issues.some((i) => i.code === 'missing_field' && i.field === 'familyName'))
  })
})
