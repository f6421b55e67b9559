// Actions of one person that run at the same time (the engine sends a person's grants concurrently) must not
// overwrite each other in the file target's state: each reads the record and writes its change in one tick.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { imsFileOptionsSchema } from './ims-file-options.ts'
import { ImsFileTarget } from './ims-file-target.ts'

test('concurrent grants, revokes and an update of one person all land in the state', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-conc-'))
  try {
    const options = imsFileOptionsSchema.parse({
      stateDir: dir,
      sftp: {
        host: '127.0.0.1',
        username: 'x',
        privateKey: '${env:KOPPEL_TEST_KEY}',
        hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`,
      },
    })
    const t = new ImsFileTarget('ims', options, {
      baseDir: '/',
      log: () => undefined,
      now: () => new Date('2026-11-23T10:00:00Z'),
    })
    const anchor = { attribute: 'syncPersonKey', value: 'p1' }
    const ref = await t.create({
      attributes: { syncPersonKey: 'p1', givenName: 'Jan', familyName: 'Jansen' },
      anchor,
      enabled: true,
    })
    const ids = [
      '12AB/2026-2027/stamgroep/1A#learner',
      '12AB/2026-2027/docentenkamer#instructor',
      '12AB/2026-2027/stamgroep/2B#mentor',
    ]
    await Promise.all([
      ...ids.map((id) => t.grant(ref, { type: 'membership', id })),
      t.update(ref, [{ field: 'email', new: 'jan@school.test' }]),
    ])
    const found = await t.find(anchor)
    assert.deepEqual(found?.permissions, [...ids].sort())
    assert.equal(found?.attributes['email'], 'jan@school.test')
    await Promise.all([
      t.revoke(ref, { type: 'membership', id: ids[0] ?? '' }),
      t.revoke(ref, { type: 'membership', id: ids[1] ?? '' }),
      t.disable(ref),
    ])
    const after = await t.find(anchor)
    assert.deepEqual(after?.permissions, [ids[2]])
    assert.equal(after?.enabled, false)
    // and after a reload from disk (snapshot + journal)
    const again = new ImsFileTarget('ims', options, {
      baseDir: '/',
      log: () => undefined,
      now: () => new Date('2026-11-23T10:00:00Z'),
    })
    assert.deepEqual((await again.find(anchor))?.permissions, [ids[2]])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
