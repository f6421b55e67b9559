// The shipped connectors together with the config layer: their option schemas merge into koppel.yaml's
// schema without clashing with engine keys, and the configs Koppel writes itself (`koppel init`, the demo)
// validate against the real connectors, not only against the config layer's fakes.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connectorDefinitions } from '../src/connectors/index.ts'
import {
  configJsonSchema,
  formatConfigError,
  loadConfig,
  starterConfig,
} from '../src/config/index.ts'
import { demoConfig } from '../src/cli/demo-config.ts'

async function validate(text: string) {
  const r = await loadConfig('koppel.yaml', connectorDefinitions, {
    readFile: (p) => (p.endsWith('ldap-password') ? 'secret\n' : text),
    env: { LDAP_PASSWORD: 'secret' },
  })
  if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
  return r
}

describe('registered connectors', () => {
  test('build one JSON Schema with every connector type', () => {
    const schema = JSON.stringify(configJsonSchema(connectorDefinitions))
    for (const d of connectorDefinitions) assert.ok(schema.includes(`"${d.type}"`), d.type)
  })

  test('koppel init writes a config the real connectors accept', async () => {
    const r = await validate(starterConfig())
    assert.deepEqual(
      r.config.targets.map((t) => t.type),
      ['ldap'],
    )
  })

  test('the demo config validates and resolves its secret file', async () => {
    const r = await validate(demoConfig('ldap://127.0.0.1:3890'))
    assert.equal(r.config.targets[0]?.['password'], 'secret')
    assert.equal(r.validated.targets[0]?.['password'], '${file:./secrets/ldap-password}')
  })
})
