import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { formatConfigError } from './config-error.ts'
import type { ConfigError } from './config-error.ts'
import { fakeDefinitions } from './fake-definitions.ts'
import { loadConfig } from './load-config.ts'
import type { LoadResult } from './load-config.ts'

// line numbers in the tests below refer to this file (1-based)
const GOOD = `# yaml-language-server: $schema=./koppel.schema.json
version: 1
sources:
  - name: school
    type: oneroster-csv
    path: ./export
targets:
  - name: directory
    type: ldap
    url: ldaps://dc01.school.test
    bindDn: cn=koppel,dc=school,dc=test
    password: \${env:LDAP_PASSWORD}
    baseDn: dc=school,dc=test
    anchor:
      attribute: employeeNumber
      value: person.key
    guard:
      delete: { maxCount: 50, maxPercent: 10 }
rules:
  - name: Pupils get an account
    when: contract.role == "student"
    grant:
      - account: directory
`

/** GOOD with line `n` (1-based) replaced by `lines` (none: deleted). */
function edit(n: number, ...lines: string[]): string {
  const all = GOOD.split('\n')
  all.splice(n - 1, 1, ...lines)
  return all.join('\n')
}

function load(
  text: string,
  env: Record<string, string> = { LDAP_PASSWORD: 'pw' },
): Promise<LoadResult> {
  const files: Record<string, string> = { '/etc/koppel/koppel.yaml': text }
  return loadConfig('/etc/koppel/koppel.yaml', fakeDefinitions, {
    env,
    readFile: (p) => {
      const content = files[p]
      if (content === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' })
      return content
    },
  })
}

async function errorsOf(text: string): Promise<readonly ConfigError[]> {
  const r = await load(text)
  if (r.ok) assert.fail('expected errors')
  return r.errors
}

/** `line:column path: message` of each error, without the file name. */
async function located(text: string): Promise<string[]> {
  return (await errorsOf(text)).map((e) => formatConfigError({ ...e, file: '' }).replace(/^:/, ''))
}

describe('loadConfig', () => {
  test('a good file loads, with baseDir the config folder', async () => {
    const r = await load(GOOD)
    assert.ok(r.ok)
    assert.equal(r.baseDir, '/etc/koppel')
    assert.equal(r.config.targets[0]?.['password'], 'pw')
    assert.equal(r.validated.targets[0]?.['password'], '${env:LDAP_PASSWORD}')
    assert.match(r.hash, /^[0-9a-f]{64}$/)
    assert.ok(Object.isFrozen(r.config.targets[0]))
  })

  test('a wrong type deep in a target points at the value', async () => {
    assert.deepEqual(await located(edit(18, "      delete: { maxCount: 50, maxPercent: 'ten' }")), [
      '18:43 targets[0].guard.delete.maxPercent: expected a number, got a string',
    ])
    assert.deepEqual(await located(edit(18, '      delete: { maxCount: 50, maxPercent: 110 }')), [
      '18:43 targets[0].guard.delete.maxPercent: must be ≤ 100',
    ])
  })

  test('an unknown key points at the key and suggests the right one', async () => {
    assert.deepEqual(await located(edit(13, '    baseDN: dc=school,dc=test')), [
      '8:5 targets[0].baseDn: required field is missing',
      '13:5 targets[0].baseDN: unknown key "baseDN" (did you mean "baseDn"?)',
    ])
  })

  test('a missing key points at its parent key, or at the start of its list item', async () => {
    assert.deepEqual(await located(edit(16)), [
      '14:5 targets[0].anchor.value: required field is missing',
    ])
    assert.deepEqual(
      await located(
        edit(14).replace('      attribute: employeeNumber\n      value: person.key\n', ''),
      ),
      ['8:5 targets[0].anchor: required field is missing'],
    )
  })

  test('an empty value is reported at its key', async () => {
    assert.deepEqual(
      await located(edit(14, '    anchor:').replace(/ {6}attribute.*\n {6}value.*\n/, '')),
      ['14:5 targets[0].anchor: expected a mapping, got an empty value'],
    )
  })

  test('a duplicate target name and a rule naming an unknown target', async () => {
    const text = GOOD.replace(
      /targets:\n([\s\S]*?)rules:/,
      (_m, t: string) => `targets:\n${t}${t}rules:`,
    )
    assert.deepEqual(
      await located(text.replace('      - account: directory', '      - account: ad')),
      [
        '19:11 targets[1].name: duplicate target name "directory" (also targets[0])',
        '34:18 rules[0].grant[0].account: unknown target "ad" (targets: directory)',
      ],
    )
  })

  test('a plain password names the field and never the value', async () => {
    const errors = await errorsOf(edit(12, '    password: Welkom2026!'))
    assert.equal(errors.length, 1)
    const line = formatConfigError(errors[0] as ConfigError)
    assert.match(line, /^\/etc\/koppel\/koppel\.yaml:12:15 targets\[0\]\.password: holds a secret/)
    assert.doesNotMatch(line, /Welkom/)
  })

  test('YAML syntax errors have a line and column and no excerpt of the file', async () => {
    const errors = await errorsOf(edit(12, '    password: "Welkom2026!'))
    assert.ok(errors.length >= 1)
    assert.equal(errors[0]?.line, 12)
    for (const e of errors) assert.doesNotMatch(formatConfigError(e), /Welkom/)
  })

  test('a reference inside a flow mapping gets a hint to quote it', async () => {
    const errors = await errorsOf(edit(12, '    tls: { password: ${env:X} }'))
    assert.match(errors[0]?.message ?? '', /quote secret references/)
  })

  test('duplicate keys are errors with their position', async () => {
    assert.deepEqual(
      await located(edit(13, '    baseDn: dc=school,dc=test', '    baseDn: dc=other')),
      ['14:5: duplicate key'],
    )
  })

  test('an unreadable config file is one error without position', async () => {
    const r = await loadConfig('/nope/koppel.yaml', fakeDefinitions, {
      readFile: () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' })
      },
    })
    const error = {
      file: '/nope/koppel.yaml',
      path: '',
      message: 'cannot read the config file (ENOENT)',
    }
    assert.deepEqual(r, { ok: false, errors: [error] })
  })

  test('an empty file asks for a mapping', async () => {
    assert.deepEqual(await located(''), ['1:1: expected a mapping, got an empty value'])
  })

  test('references may be left unresolved for validation without secrets', async () => {
    const r = await loadConfig('k.yaml', fakeDefinitions, {
      readFile: () => GOOD,
      env: {},
      resolveSecrets: false,
    })
    assert.ok(r.ok)
    assert.equal(r.config.targets[0]?.['password'], '${env:LDAP_PASSWORD}')
  })
})

describe('config hash', () => {
  const hashOf = async (text: string, env?: Record<string, string>) => {
    const r = await load(text, env)
    if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
    return r.hash
  }

  test('same file, same hash; comments, layout and key order do not count', async () => {
    const h = await hashOf(GOOD)
    assert.equal(await hashOf(GOOD), h)
    assert.equal(
      await hashOf(`# Koppel for De Linde\n${GOOD.replace('version: 1', 'version: 1 # always 1')}`),
      h,
    )
    assert.equal(
      await hashOf(edit(18, '      delete:', '        maxPercent: 10', '        maxCount: 50')),
      h,
    )
    const swapped = GOOD.replace(
      '    type: oneroster-csv\n    path: ./export',
      '    path: ./export\n    type: oneroster-csv',
    )
    assert.notEqual(swapped, GOOD)
    assert.equal(await hashOf(swapped), h)
  })

  test('a changed value changes the hash; writing out a default does not', async () => {
    const h = await hashOf(GOOD)
    assert.notEqual(await hashOf(edit(18, '      delete: { maxCount: 40, maxPercent: 10 }')), h)
    assert.equal(
      await hashOf(
        edit(
          18,
          '      delete: { maxCount: 50, maxPercent: 10 }',
          '      revoke: { maxPercent: 25 }',
        ),
      ),
      h,
    )
  })

  test("a secret's value never changes the hash; its reference does", async () => {
    const h = await hashOf(GOOD, { LDAP_PASSWORD: 'one' })
    assert.equal(await hashOf(GOOD, { LDAP_PASSWORD: 'two' }), h)
    assert.notEqual(
      await hashOf(edit(12, '    password: ${env:AD_PASSWORD}'), { AD_PASSWORD: 'one' }),
      h,
    )
  })
  test('schedules and serve do not change the hash (a plan stays valid); a rule does', async () => {
    const h = await hashOf(GOOD)
    const service = (cron: string, port: number) =>
      `${GOOD}schedules:\n  - name: nightly\n    cron: "${cron}"\nserve:\n  listen: { port: ${port} }\n`
    assert.equal(await hashOf(service('0 2 * * *', 8470)), h, 'adding schedules and serve')
    assert.equal(await hashOf(service('*/15 7-17 * * 1-5', 9000)), h, 'changing them')
    assert.notEqual(await hashOf(edit(21, '    when: contract.role == "teacher"')), h)
    assert.notEqual(
      await hashOf(edit(21, '    when: contract.role == "teacher"') + 'schedules: []\n'),
      h,
      'a rule change counts with a schedule section too',
    )
  })
})
