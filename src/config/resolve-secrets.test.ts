import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { formatConfigError } from './config-error.ts'
import type { KoppelConfig } from './config-types.ts'
import { sourceOptions, targetOptions } from './connector-options.ts'
import { fakeDefinitions } from './fake-definitions.ts'
import { loadConfig } from './load-config.ts'
import { redact } from './redact.ts'
import { resolveSecrets } from './resolve-secrets.ts'

const CONFIG = `version: 1
store:
  kind: postgres
  url: postgres://koppel:\${env:PGPASSWORD}@db.school.test/koppel
sources:
  - name: school
    type: oneroster-csv
    path: ./export
targets:
  - name: directory
    type: ldap
    url: ldaps://dc01.school.test
    bindDn: cn=koppel,dc=school,dc=test
    password: \${file:secrets/ldap-password}
    baseDn: dc=school,dc=test
    anchor: { attribute: employeeNumber, value: person.key }
    attributes:
      description: '"\${env:PGPASSWORD}"'
  - name: lms
    type: scim
    baseUrl: https://lms.test/scim/v2
    token: \${env:SCIM_TOKEN}
    anchor: { attribute: externalId, value: person.key }
`

function fileSystem(files: Record<string, string>) {
  return (p: string): string => {
    const content = files[p]
    if (content === undefined)
      throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' })
    return content
  }
}

const FILES = {
  '/srv/koppel/koppel.yaml': CONFIG,
  '/srv/koppel/secrets/ldap-password': 'ldap-s3cret\n',
}
const ENV = { PGPASSWORD: 'pg-s3cret', SCIM_TOKEN: 'tok-s3cret' }

function load(
  files: Record<string, string> = FILES,
  env: Record<string, string | undefined> = ENV,
) {
  return loadConfig('/srv/koppel/koppel.yaml', fakeDefinitions, {
    env,
    readFile: fileSystem(files),
  })
}

async function loaded() {
  const r = await load()
  if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
  return r
}

describe('secret resolution', () => {
  test('env, file (relative to the config, newline trimmed) and embedded references are resolved', async () => {
    const { config } = await loaded()
    assert.deepEqual(config.store, {
      kind: 'postgres',
      url: 'postgres://koppel:pg-s3cret@db.school.test/koppel',
    })
    assert.equal(config.targets[0]?.['password'], 'ldap-s3cret')
    assert.equal(config.targets[1]?.['token'], 'tok-s3cret')
  })

  test('engine fields (CEL) are never resolved, so a secret cannot become an attribute value', async () => {
    const { config } = await loaded()
    assert.deepEqual(config.targets[0]?.attributes, { description: '"${env:PGPASSWORD}"' })
  })

  test('the validated config keeps the references and is what is hashed', async () => {
    const r = await loaded()
    assert.equal(r.validated.targets[0]?.['password'], '${file:secrets/ldap-password}')
    assert.doesNotMatch(JSON.stringify(r.validated), /s3cret/)
  })

  test('a missing env var and an unreadable file name the field and the variable or file', async () => {
    const r = await load({ '/srv/koppel/koppel.yaml': CONFIG }, { PGPASSWORD: 'pg-s3cret' })
    assert.equal(r.ok, false)
    const lines = r.ok ? [] : r.errors.map(formatConfigError)
    assert.deepEqual(lines, [
      '/srv/koppel/koppel.yaml:14:15 targets[0].password: cannot read secret file secrets/ldap-password (ENOENT)',
      '/srv/koppel/koppel.yaml:22:12 targets[1].token: environment variable SCIM_TOKEN is not set',
    ])
    assert.doesNotMatch(lines.join('\n'), /s3cret/)
  })

  test('an empty variable or file is an error, not an empty password', async () => {
    const r = await load(
      { ...FILES, '/srv/koppel/secrets/ldap-password': '\n' },
      { ...ENV, PGPASSWORD: '' },
    )
    assert.deepEqual(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`), [
      'store.url: environment variable PGPASSWORD is empty',
      'targets[0].password: secret file secrets/ldap-password is empty',
    ])
  })

  test('the input is not changed and the result is frozen', () => {
    const config = {
      version: 1,
      tenant: 'default',
      store: { kind: 'sqlite', path: './data/${env:DB_NAME}.db' },
      audit: { key: '${env:AUDIT_KEY}' },
      sources: [],
      merge: { match: [], primaryContract: ['employment', 'enrolment'] },
      targets: [],
      rules: [],
    } as const satisfies KoppelConfig
    const before = structuredClone(config)
    const r = resolveSecrets(config, {
      env: { DB_NAME: 'koppel', AUDIT_KEY: 'k'.repeat(32) },
      readFile: fileSystem({}),
      baseDir: '/x',
    })
    assert.ok(r.ok)
    assert.deepEqual(r.config.store, { kind: 'sqlite', path: './data/koppel.db' })
    assert.equal(r.config.audit.key, 'k'.repeat(32), 'the audit key is resolved from its reference')
    assert.deepEqual(redact(r.config).audit, { key: '***' }, 'and never shown')
    assert.deepEqual(config, before)
    assert.ok(Object.isFrozen(r.config.store))
  })
})

describe('redact', () => {
  test('resolved secrets show as *** and the rest as written', async () => {
    const { config } = await loaded()
    const shown = redact(config)
    assert.equal(
      shown.store.kind === 'postgres' && shown.store.url,
      'postgres://koppel:***@db.school.test/koppel',
    )
    assert.equal(shown.targets[0]?.['password'], '***')
    assert.equal(shown.targets[1]?.['token'], '***')
    assert.equal(shown.targets[0]?.['bindDn'], 'cn=koppel,dc=school,dc=test')
    assert.doesNotMatch(JSON.stringify(shown), /s3cret/)
  })

  test('a copy of the top level is still redacted', async () => {
    const { config } = await loaded()
    assert.doesNotMatch(JSON.stringify(redact({ ...config, tenant: 'other' })), /s3cret/)
  })

  test('a config that was never resolved is shown unchanged', async () => {
    const { validated } = await loaded()
    assert.deepEqual(redact(validated), validated)
  })
})

test('connector options leave out the engine fields', async () => {
  const { config } = await loaded()
  assert.deepEqual(sourceOptions(config.sources[0] ?? assert.fail()), { path: './export' })
  assert.deepEqual(targetOptions(config.targets[1] ?? assert.fail()), {
    baseUrl: 'https://lms.test/scim/v2',
    token: 'tok-s3cret',
  })
})
