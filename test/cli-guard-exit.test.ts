// The guard through the CLI as a scheduler sees it (issue 11 item 4): exit codes and --json output of `plan`
// and `run` for a blocked plan, and an approval that the next scheduled `run` honours.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { demoConfig } from '../src/cli/demo-config.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { toIsoDate } from '../src/util/dates.ts'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { runKoppel } from './support/koppel-cli.ts'

// the CLI plans and applies on the wall clock's day (a plan for another day is a preview apply refuses), so the
// board is generated for that day too
const TODAY = toIsoDate(new Date())
let dir = ''
let ldap: Awaited<ReturnType<typeof startLdapServer>> | undefined

/** Runs the CLI in a child process; asynchronously, because the LDAP server answers from this process. */
const koppel = (...args: string[]) =>
  runKoppel([...args, '-c', join(dir, 'koppel.yaml')], { cwd: dir })

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koppel-cli-guard-'))
  ldap = await startLdapServer({ adminPassword: 'admin-pw' })
  await writeOneRosterCsv(
    join(dir, 'export'),
    generateBoard({ seed: 'cli-guard', persons: 100, today: TODAY }),
    { version: '1.2' },
  )
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 })
  writeFileSync(join(dir, 'secrets', 'ldap-password'), 'admin-pw\n', { mode: 0o600 })
  // a guard any first load trips: a blocked plan without having to shrink a source first
  const config = demoConfig(ldap.url).replace(
    '    lifecycle:\n',
    '    guard: { create: { maxCount: 5 } }\n    lifecycle:\n',
  )
  writeFileSync(join(dir, 'koppel.yaml'), config)
})

after(async () => {
  await ldap?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('CLI: a blocked plan, as a scheduler sees it', async () => {
  let blockedId = ''
  test('plan exits 3, with and without --detailed-exitcode', async () => {
    const plain = await koppel('plan', '--today', TODAY)
    assert.equal(plain.code, 3, plain.stderr)
    assert.match(plain.stdout, /blocked/i)
    const detailed = await koppel('plan', '--today', TODAY, '--detailed-exitcode', '--json')
    assert.equal(detailed.code, 3, detailed.stderr)
    const plan = JSON.parse(detailed.stdout) as {
      id: string
      status: string
      findings: { kind: string }[]
    }
    assert.equal(plan.status, 'blocked')
    blockedId = plan.id
  })

  test('run --json prints the plan with its findings and exits 3', async () => {
    const r = await koppel('run', '--today', TODAY, '--json')
    assert.equal(r.code, 3, r.stderr)
    const plan = JSON.parse(r.stdout) as {
      format: string
      id: string
      status: string
      findings: { kind: string; message: string }[]
    }
    assert.equal(plan.format, 'koppel.plan/v1')
    assert.equal(plan.status, 'blocked')
    assert.equal(plan.id, blockedId)
    assert.equal(plan.findings[0]?.kind, 'create')
  })

  test('after approve, the next scheduled run applies the approved plan instead of blocking it again', async () => {
    const a = await koppel('approve', blockedId)
    assert.equal(a.code, 0, a.stderr)
    const r = await koppel('run', '--today', TODAY, '--json')
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as { planId: string; state: string }
    assert.equal(report.planId, blockedId)
    assert.equal(report.state, 'done')
    const again = await koppel('plan', '--today', TODAY, '--detailed-exitcode')
    assert.equal(again.code, 0, again.stdout)
  })

  test('a mapping that fails for every person makes run exit 4, not "No changes" and 0', async () => {
    const config = join(dir, 'koppel.yaml')
    const text = readFileSync(config, 'utf8')
    // person.attributes keys are the source's own, so this passes validate and fails per person at run time
    writeFileSync(
      config,
      text.replace(
        '      cn: fullName(person)\n',
        '      cn: fullName(person)\n      description: person.attributes.nietBestaand\n',
      ),
    )
    try {
      const r = await koppel('run', '--today', TODAY)
      assert.equal(r.code, 4, r.stderr)
      assert.match(r.stderr, /A rule or mapping failed for \d+ persons; they were left untouched/)
    } finally {
      writeFileSync(config, text)
    }
  })
})

describe('CLI: validate compiles every rule and mapping', () => {
  test('syntax errors, unknown functions and misspelt fields, each with file:line:column', async () => {
    const config = join(dir, 'koppel.yaml')
    const text = readFileSync(config, 'utf8')
    const broken = text
      .replace('when: contract.role == "student"', 'when: contract.rol == "student"')
      .replace('      cn: fullName(person)\n', '      cn: volledigeNaam(person)\n')
      .replace(
        '      displayName: fullName(person)\n',
        "      displayName: 'familyName(person) +'\n",
      )
    writeFileSync(config, broken)
    try {
      const r = await koppel('validate')
      assert.equal(r.code, 1, r.stdout)
      const lines = broken.split('\n')
      const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1
      const errors = r.stderr.trim().split('\n')
      assert.equal(errors.length, 3, r.stderr)
      const at = (needle: string, column: number) => `${config}:${lineOf(needle)}:${column}`
      assert.ok(
        errors.some((e) =>
          e.startsWith(
            `${at('contract.rol ==', 11)} rules[0].when: contract.rol is not a field of contract; did you mean contract.role?`,
          ),
        ),
        r.stderr,
      )
      assert.ok(
        errors.some((e) =>
          e.startsWith(
            `${at('volledigeNaam', 11)} targets[0].attributes.cn: found no matching overload for 'volledigeNaam`,
          ),
        ),
        r.stderr,
      )
      assert.ok(
        errors.some((e) =>
          e.startsWith(
            `${at("displayName: 'familyName", 41)} targets[0].attributes.displayName: Unexpected token: EOF`,
          ),
        ),
        r.stderr,
      )
    } finally {
      writeFileSync(config, text)
    }
    const ok = await koppel('validate')
    assert.equal(ok.code, 0, ok.stderr)
  })

  test('a field none of the configured sources fills is a warning naming the sources', async () => {
    const config = join(dir, 'koppel.yaml')
    const text = readFileSync(config, 'utf8')
    writeFileSync(
      config,
      text.replace(
        '      cn: fullName(person)\n',
        '      cn: fullName(person)\n      physicalDeliveryOfficeName: contract.location\n',
      ),
    )
    try {
      const r = await koppel('validate')
      assert.equal(r.code, 0, r.stderr)
      assert.match(
        r.stderr,
        /:\d+:\d+ targets\[0\]\.attributes\.physicalDeliveryOfficeName: warning: contract\.location is filled by none of the sources \(school \(oneroster-csv\)\)/,
      )
      assert.doesNotMatch(
        r.stderr,
        /warning: (person|contract)\.(givenName|role|classGroup|organisationCode)/,
      )
    } finally {
      writeFileSync(config, text)
    }
  })
})
