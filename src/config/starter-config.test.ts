import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { formatConfigError } from './config-error.ts'
import { fakeDefinitions, fakeLdap, fakeOneRoster } from './fake-definitions.ts'
import { loadConfig } from './load-config.ts'
import { starterConfig } from './starter-config.ts'
import type { StarterOptions } from './starter-config.ts'
import type { GrantConfig } from './config-types.ts'

async function loadStarter(options?: StarterOptions) {
  const text = starterConfig(options)
  const r = await loadConfig('koppel.yaml', [fakeOneRoster, fakeLdap], {
    readFile: () => text,
    env: { LDAP_PASSWORD: 'x' },
  })
  if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
  return r.config
}

describe('starterConfig', () => {
  test('validates against connector definitions shaped like oneroster-csv and ldap', async () => {
    const config = await loadStarter()
    assert.deepEqual(
      config.sources.map((s) => [s.name, s.type, s['path']]),
      [['school', 'oneroster-csv', './export']],
    )
    const ldap = config.targets[0]
    assert.equal(ldap?.type, 'ldap')
    assert.deepEqual(ldap?.['disable'], { moveTo: 'ou=disabled,dc=school,dc=test' })
    assert.deepEqual(ldap?.anchor, { attribute: 'employeeNumber', value: 'person.key' })
  })

  test('writes the password as a reference, never as a value', () => {
    assert.match(starterConfig(), /^ {4}password: \$\{env:LDAP_PASSWORD\}$/m)
  })

  test('has rules for pupils (account, class group) and staff (account, staff group)', async () => {
    const { rules } = await loadStarter()
    const grants = rules.flatMap((r) =>
      r.grant.map((g) =>
        'account' in g ? 'account' : 'permission' in g ? g.permission.type : 'member',
      ),
    )
    assert.ok(rules.length >= 2 && rules.length <= 4)
    assert.ok(
      rules.some((r) => r.when.includes('"student"') && r.grant.some((g) => 'account' in g)),
    )
    const classGroup = (g: GrantConfig) =>
      'permission' in g && g.permission.id.includes('classGroup')
    assert.ok(rules.some((r) => r.when.includes('"student"') && r.grant.some(classGroup)))
    assert.ok(
      rules.some((r) => r.when.includes('"teacher"') && r.grant.some((g) => 'account' in g)),
    )
    assert.deepEqual([...new Set(grants)].sort(), ['account', 'group'])
  })

  test('uses the given LDAP URL and export path, quoting them when YAML needs it', async () => {
    const config = await loadStarter({
      ldapUrl: 'ldap://127.0.0.1:3389',
      exportPath: './exports/school #1: 2026',
    })
    assert.equal(config.targets[0]?.['url'], 'ldap://127.0.0.1:3389')
    assert.equal(config.sources[0]?.['path'], './exports/school #1: 2026')
    assert.match(
      starterConfig({ ldapUrl: 'ldap://127.0.0.1:3389' }),
      /^ {4}url: ldap:\/\/127\.0\.0\.1:3389$/m,
    )
  })

  test('comments every top-level section and explains the Dutch terms admins know', () => {
    const lines = starterConfig().split('\n')
    const sections = lines.flatMap((l, i) =>
      /^[a-z]+:/.test(l) && !l.startsWith('version') ? [i] : [],
    )
    assert.deepEqual(
      sections.map((i) => lines[i]?.split(':')[0]),
      ['store', 'sources', 'merge', 'targets', 'rules'],
    )
    for (const i of sections)
      assert.match(lines[i - 1] ?? '', /^#/, `no comment above ${lines[i] ?? ''}`)
    for (const term of ['stamgroep', 'lesgroep', 'BRIN', 'naamgebruik'])
      assert.ok(starterConfig().includes(term), term)
  })

  test('also validates with more connector types registered', async () => {
    const text = starterConfig()
    const r = await loadConfig('k.yaml', fakeDefinitions, {
      readFile: () => text,
      resolveSecrets: false,
    })
    assert.ok(r.ok)
  })
})
