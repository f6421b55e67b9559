import assert from 'node:assert/strict'
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { oneRosterCsvConnector } from './oneroster-csv-connector.ts'
import { bulk12, removePackage, writePackage } from './oneroster-csv-test-package.ts'

const dirs: string[] = []
after(() => {
  for (const d of dirs) removePackage(d)
})

function fingerprintOf(path: string): Promise<string | undefined> {
  const source = oneRosterCsvConnector.create(
    'school',
    oneRosterCsvConnector.schema.parse({ path }),
    { baseDir: '/', log: () => {}, now: () => new Date() },
  )
  assert.ok(source.fingerprint !== undefined)
  return source.fingerprint({ today: '2025-10-01' })
}

describe('OneRoster CSV fingerprint', () => {
  test('stable while nothing changes; a same-size rewrite with the old mtime changes it', async () => {
    const dir = writePackage(bulk12())
    dirs.push(dir)
    const a = await fingerprintOf(dir)
    // the stat part only once the files have settled (at once under a clock set ahead, as in CI's faketime pass)
    assert.match(a ?? '', /^sha256:[0-9a-f]{64}(;stat:[0-9a-f]{64})?$/)
    assert.equal(await fingerprintOf(dir), a)
    const users = join(dir, 'users.csv')
    const { mtime } = statSync(users)
    const text = readFileSync(users, 'utf8')
    const i = text.lastIndexOf('a')
    assert.ok(i > 0)
    writeFileSync(users, `${text.slice(0, i)}b${text.slice(i + 1)}`)
    utimesSync(users, mtime, mtime)
    assert.equal(statSync(users).size, Buffer.byteLength(text))
    assert.notEqual(await fingerprintOf(dir), a)
  })

  test('a file added to the folder changes it (the manifest is checked against the folder); no folder: undefined', async () => {
    const dir = writePackage(bulk12())
    dirs.push(dir)
    const a = await fingerprintOf(dir)
    writeFileSync(join(dir, 'README.txt'), 'export of monday')
    assert.notEqual(await fingerprintOf(dir), a)
    assert.equal(await fingerprintOf(join(dir, 'nope')), undefined)
  })
})
