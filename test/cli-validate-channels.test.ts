// `koppel validate` refuses a secret delivery or write-back into a source that cannot take it, as the engine
// would at `plan` (issue 12.4): the admin learns it from validate.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { demoConfig } from '../src/cli/demo-config.ts'

const bin = resolve(import.meta.dirname, '..', 'bin', 'koppel.ts')

async function validate(yaml: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-validate-'))
  try {
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'Ld4p-pw-9f2c\n')
    writeFileSync(join(dir, 'koppel.yaml'), yaml)
    const r = await promisify(execFile)(process.execPath, ['--no-warnings', bin, 'validate'], {
      cwd: dir,
    })
    return { code: 0, ...r }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const withTarget = (lines: string) =>
  demoConfig('ldap://127.0.0.1:1').replace('    lifecycle:\n', `${lines}    lifecycle:\n`)

test('initial passwords delivered into a OneRoster source fail validate, naming target and source', async () => {
  const r = await validate(
    withTarget(
      '    secretDelivery:\n      source: school\n      fields: { password: initialPassword }\n',
    ),
  )
  assert.equal(r.code, 1, r.stdout)
  assert.match(
    r.stderr,
    /targets\.directory\.secretDelivery: source "school" \(oneroster-csv\) cannot write back/,
  )
})

test('a write-back into a OneRoster source fails validate too; the unchanged demo config passes', async () => {
  const r = await validate(
    withTarget('    writeBack:\n      - source: school\n        fields: { username: uid }\n'),
  )
  assert.equal(r.code, 1, r.stdout)
  assert.match(
    r.stderr,
    /targets\.directory\.writeBack\[0\]: source "school" \(oneroster-csv\) cannot write back/,
  )
  const ok = await validate(demoConfig('ldap://127.0.0.1:1'))
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /is valid/)
})

const mailTo =
  '    secretDelivery:\n      mail:\n        to: manager\n        from: ict@school.test\n        subject: Nieuw account\n        loginAttribute: uid\n        smtp: { host: smtp.school.test, port: 587 }\n'
const csvSource = (mentor: string) =>
  `  - name: school\n    type: csv\n    file: ./leerlingen.csv\n    columns: { key: nr, givenName: voornaam, familyName: achternaam${mentor} }\n    defaults: { role: student, organisation: school }`

test('mail to the mentor fails validate when no source names a mentor (csv without a mentor column), passes with one', async () => {
  const oneroster = '  - name: school\n    type: oneroster-csv\n    path: ./export'
  const without = withTarget(mailTo).replace(oneroster, csvSource(''))
  const r = await validate(without)
  assert.equal(r.code, 1, r.stdout)
  assert.match(
    r.stderr,
    /targets\.directory\.secretDelivery: mail goes to the mentor or manager, but no source names one \("school" \(csv\)\)/,
  )
  const ok = await validate(withTarget(mailTo).replace(oneroster, csvSource(', manager: mentor')))
  assert.equal(ok.code, 0, ok.stderr)
  // OneRoster names the homeroom's primary teacher
  const roster = await validate(withTarget(mailTo))
  assert.equal(roster.code, 0, roster.stderr)
})
