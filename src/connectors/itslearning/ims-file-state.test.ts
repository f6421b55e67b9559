import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { writeAtomic } from './ims-file-state.ts'

const busy = (code: string) =>
  Object.assign(new Error(`${code}: operation not permitted, rename`), { code })

test('writeAtomic waits out a file Windows holds open for a moment (EPERM/EBUSY on rename), then replaces it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-atomic-'))
  try {
    const path = join(dir, 'state.json')
    let refusals = 2
    await writeAtomic(path, '{"a":1}', async (from, to) => {
      if (refusals-- > 0) throw busy(refusals === 1 ? 'EPERM' : 'EBUSY')
      await rename(from, to)
    })
    assert.equal(readFileSync(path, 'utf8'), '{"a":1}')
    // a file that stays locked fails in the end, and leaves no temporary file behind
    await assert.rejects(
      writeAtomic(path, '{"a":2}', () => Promise.reject(busy('EACCES'))),
      /EACCES/,
    )
    assert.deepEqual(readdirSync(dir), ['state.json'])
    assert.equal(readFileSync(path, 'utf8'), '{"a":1}')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
