import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, describe, test } from 'node:test'
import { filesFingerprint, SETTLED_MS } from './file-fingerprint.ts'

const dir = mkdtempSync(join(tmpdir(), 'koppel-fingerprint-'))
after(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
function files(): { name: string; path: string }[] {
  n++
  const list = ['users.csv', 'enrollments.csv'].map((name) => ({
    name,
    path: join(dir, `${n}-${name}`),
  }))
  for (const f of list) writeFileSync(f.path, `sourcedId,name\n${f.name},Zoë ${n}\n`)
  return list
}

/** The system clock as it will be once the files written now have settled. */
const later = () => Date.now() + SETTLED_MS + 1_000

describe('file fingerprint: content, vouched for by the stat of settled files', () => {
  test('settled files: a stat part; given back while the stat is the same, the bytes are not read again', async () => {
    const fs = files()
    const first = await filesFingerprint('h', fs, { systemNow: later })
    assert.match(first, /^sha256:[0-9a-f]{64};stat:[0-9a-f]{64}$/)
    assert.equal(await filesFingerprint('h', fs, { previous: first, systemNow: later }), first)
    // a recorded content digest the bytes do not have is returned as it is: proof they were not hashed
    const statPart = first.slice(first.indexOf(';'))
    const vouched = `sha256:${'0'.repeat(64)}${statPart}`
    assert.equal(await filesFingerprint('h', fs, { previous: vouched, systemNow: later }), vouched)
    // the same files under another header (the folder's names) are hashed again
    assert.notEqual(
      await filesFingerprint('h2', fs, { previous: vouched, systemNow: later }),
      vouched,
    )
  })

  test('a same-size rewrite with the old mtime put back is seen (ctime), and so is a removed file', async () => {
    const fs = files()
    const first = await filesFingerprint('h', fs, { systemNow: later })
    // past the coarsest tick the kernel stamps ctime with (10 ms at HZ=100)
    await sleep(30)
    const users = fs[0]!.path
    const { mtime, size } = statSync(users)
    writeFileSync(users, readFileSync(users, 'utf8').replace('Zoë', 'Zoá'))
    utimesSync(users, mtime, mtime)
    assert.equal(statSync(users).size, size)
    const second = await filesFingerprint('h', fs, { previous: first, systemNow: later })
    assert.notEqual(second.split(';')[0], first.split(';')[0], 'the content was hashed again')
    rmSync(fs[1]!.path)
    const third = await filesFingerprint('h', fs, { previous: second, systemNow: later })
    assert.notEqual(third, second)
    assert.match(third, /;stat:/)
  })

  test('files changed less than SETTLED_MS ago: content only, and a previous fingerprint is not taken on trust', async () => {
    const fs = files()
    const changed = Math.max(...fs.map((f) => statSync(f.path).ctimeMs))
    const fresh = () => changed + SETTLED_MS / 2
    const first = await filesFingerprint('h', fs, { systemNow: fresh })
    assert.match(first, /^sha256:[0-9a-f]{64}$/)
    // the same bytes later, settled: the fingerprint recorded while fresh still stands (hashed, not vouched)
    assert.equal(await filesFingerprint('h', fs, { previous: first, systemNow: later }), first)
    const settled = await filesFingerprint('h', fs, { systemNow: later })
    assert.equal(settled.split(';')[0], first)
    const statPart = settled.slice(settled.indexOf(';'))
    // the stat part matches, but the recorded fingerprint had none: nothing vouches for it
    assert.equal(
      await filesFingerprint('h', fs, { previous: `sha256:${'0'.repeat(64)}`, systemNow: fresh }),
      first,
    )
    assert.equal(
      await filesFingerprint('h', fs, {
        previous: `sha256:${'0'.repeat(64)}${statPart}`,
        systemNow: later,
      }),
      `sha256:${'0'.repeat(64)}${statPart}`,
    )
  })
})
