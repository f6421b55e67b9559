// `koppel explain <person>` through the real CLI on a generated school provisioned into an in-process LDAP
// server: the pupil's account and class group with the rule and the value its condition read, the staff rules
// that did not match and why, and an ambiguous name listing candidates. The CLI runs on the wall clock, as an
// admin's would; the board is generated for that day, so the test holds on any date.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoConfig } from '../src/cli/demo-config.ts'
import { renderExplanation } from '../src/cli/commands-explain.ts'
import type { Explanation } from '../src/engine/index.ts'
import { collectBoard, generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { toIsoDate } from '../src/util/dates.ts'
import { runKoppel } from './support/koppel-cli.ts'

const TODAY = toIsoDate(new Date())

const koppel = (dir: string, args: string[]) => runKoppel(args, { cwd: dir })

const PUPIL_RULE = 'Leerlingen krijgen een account en hun stamgroep'

describe('koppel explain', () => {
  let dir: string
  let ldap: RunningLdapServer
  const board = generateBoard({ seed: 'cli-explain', persons: 100, today: TODAY })
  const pupil = collectBoard(board).pupils[0]
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-cli-explain-'))
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    ldap = await startLdapServer({ adminPassword: 'secret' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'secret\n')
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig(ldap.url))
    const run = await koppel(dir, ['run', '--json'])
    assert.equal(run.code, 0, run.stderr)
  })
  after(async () => {
    await ldap.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('--json: the account, the class group with rule and value read, the rules that did not match', async () => {
    assert.ok(pupil !== undefined)
    const r = await koppel(dir, ['explain', pupil.id, '--json'])
    assert.equal(r.code, 0, r.stderr)
    const { kind, explanation: e } = JSON.parse(r.stdout) as {
      kind: string
      explanation: Explanation
    }
    assert.equal(kind, 'found')
    assert.equal(e.person.key, pupil.id)
    assert.equal(e.today, TODAY)
    assert.deepEqual(
      e.contracts.map((c) => c.status),
      ['active'],
    )
    const directory = e.targets.find((t) => t.target === 'directory')
    assert.equal(directory?.account?.state, 'active')
    assert.match(directory?.account?.locator ?? '', /^uid=.*,dc=school,dc=test$/i)
    assert.equal(directory?.grant?.rule, PUPIL_RULE)
    const group = directory?.permissions.find((p) => p.type === 'group')
    assert.equal(group?.held, true)
    assert.equal(group?.rule, PUPIL_RULE)
    assert.deepEqual(group?.reads, [{ path: 'contract.role', value: 'student' }])
    const missed = e.nearMisses.map((m) => [m.rule, m.why, m.reads])
    assert.deepEqual(missed, [
      [
        'Docenten krijgen een account en de groep docenten',
        'false',
        [{ path: 'contract.role', value: 'student' }],
      ],
      [
        'Ondersteunend personeel krijgt een account',
        'false',
        [{ path: 'contract.role', value: 'student' }],
      ],
    ])
    assert.deepEqual(e.nextActions, [])
  })

  test('text: by name, case and accents aside; an unknown person and an ambiguous name exit 1', async () => {
    assert.ok(pupil !== undefined)
    const full = `${pupil.givenName} ${pupil.familyNamePrefix === '' ? '' : `${pupil.familyNamePrefix} `}${pupil.familyName}`
    const r = await koppel(dir, ['explain', full.toUpperCase()])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`granted by rule ${PUPIL_RULE} on contract`))
    assert.match(r.stdout, /read contract\.role = "student"/)
    assert.match(r.stdout, /Docenten krijgen een account en de groep docenten on .*: false/)
    assert.match(r.stdout, /Next plan[^\n]*\n {2}nothing to do/)

    const none = await koppel(dir, ['explain', 'no-such-person-xyz'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /No person .* matches "no-such-person-xyz"/)
    // a single letter is part of many names
    const many = await koppel(dir, ['explain', 'e'])
    assert.equal(many.code, 1)
    assert.match(many.stderr, /^\d+ persons match "e"; explain one by key or number:/)
  })

  test('person data is printed escaped: no control character reaches the terminal', () => {
    const esc = '\u001b[2J'
    const e: Explanation = {
      today: '2026-11-23',
      person: { key: `k${esc}`, name: `Ann${esc}`, sourceIds: {} },
      inSources: true,
      contracts: [
        {
          contract: {
            kind: 'enrolment',
            id: `c${esc}`,
            source: 's',
            role: 'student',
            organisation: 'o',
            classGroup: `1A${esc}`,
            attributes: {},
          },
          status: 'active',
        },
      ],
      memberships: [],
      targets: [
        {
          target: 'dir',
          account: {
            state: 'active',
            targetId: 't',
            locator: `uid=a${esc}`,
            attributes: { cn: `Ann${esc}` },
            permissions: [],
            updatedAt: '',
          },
          permissions: [],
        },
      ],
      nearMisses: [
        {
          rule: 'r',
          contract: 'c',
          when: 'contract.location == "L3"',
          why: 'false',
          reads: [{ path: 'contract.location', value: `L2${esc}` }],
        },
      ],
      nextActions: [],
      issues: [],
    }
    const text = renderExplanation(e)
    assert.ok(!text.includes(esc.slice(0, 1)), 'no ESC in the text')
    assert.match(text, /Ann\\u001b\[2J/)
    // JSON.stringify of a read value escapes it already; terminalSafe leaves the escape as text
    assert.match(text, /contract\.location = "L2\\u001b\[2J"/)
  })
})
