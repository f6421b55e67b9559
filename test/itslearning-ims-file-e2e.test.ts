// End to end through the real CLI: a generated OneRoster export, the example config examples/itslearning-ims-file.yaml
// pointed at a real sshd, `koppel plan` + `koppel apply`: the apply's delivery puts one IMS Enterprise 1.1 file on
// the SFTP server with every account and the memberships the rules granted, and the file passes the structural check.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { readImsXml } from '../src/connectors/itslearning/index.ts'
import { checkImsStructure } from '../src/connectors/itslearning/ims-structure-check.ts'
import { sshdSkipReason, startSshd, type Sshd } from './harness/sshd.ts'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

const ROOT = resolve(import.meta.dirname, '..')

const koppel = (cwd: string, args: readonly string[]) => runKoppel(args, { cwd })

describe('koppel CLI → itslearning IMS file over a real sshd', { skip: sshdSkipReason() }, () => {
  let s: Sshd
  let dir: string
  before(async () => {
    s = await startSshd()
    dir = await mkdtemp(join(tmpdir(), 'koppel-ims-e2e-'))
  })
  after(async () => {
    await s?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  test('plan and apply deliver one file with every account and its memberships', async () => {
    await mkdir(join(dir, 'export'))
    // the CLI runs on the wall clock, as an admin's does: the board is made for that day, so this holds on any date
    await writeOneRosterCsv(
      join(dir, 'export'),
      generateBoard({ seed: 'ims-e2e', persons: 300, today: toIsoDate(new Date()) }),
      { version: '1.2' },
    )
    await mkdir(join(dir, 'secrets'))
    await writeFile(join(dir, 'secrets', 'itslearning_ed25519'), s.privateKey, { mode: 0o600 })
    const config = (await readFile(join(ROOT, 'examples', 'itslearning-ims-file.yaml'), 'utf8'))
      .replace('host: sftp.itslearning.example', `host: ${s.host}`)
      .replace('port: 22', `port: ${s.port}`)
      .replace('username: koppel-school', `username: ${s.username}`)
      .replace(/hostKeyFingerprint: \S+/, `hostKeyFingerprint: ${s.hostKeyFingerprint}`)
      .replace('remoteDir: /import', `remoteDir: ${s.uploadDir}`)
    await writeFile(join(dir, 'koppel.yaml'), config)

    const planned = await koppel(dir, ['plan', '--json', '--detailed-exitcode'])
    assert.equal(planned.code, 2, planned.stderr)
    const plan = JSON.parse(planned.stdout) as {
      id: string
      summary: Record<string, Record<string, number>>
    }
    const creates = plan.summary['itslearning']?.['create'] ?? 0
    const grants = plan.summary['itslearning']?.['grant'] ?? 0
    assert.ok(creates > 200 && grants > 100, JSON.stringify(plan.summary))

    const applied = await koppel(dir, ['apply', '--plan', plan.id, '--yes'])
    assert.equal(applied.code, 0, applied.stderr + applied.stdout)
    assert.match(applied.stdout + applied.stderr, /delivered koppel-ims\.xml/)

    const xml = await readFile(join(s.uploadDir, 'koppel-ims.xml'), 'utf8')
    assert.deepEqual(checkImsStructure(xml, { itslearning: true }), [])
    const doc = readImsXml(xml)
    assert.equal(doc.persons.length, creates)
    assert.equal(
      doc.memberships.reduce((n, m) => n + m.members.length, 0),
      grants,
    )
    assert.ok(doc.groups.some((g) => g.type === 'School'))
    assert.ok(doc.persons.every((p) => p.userid !== undefined && p.given !== undefined))
  })
})
