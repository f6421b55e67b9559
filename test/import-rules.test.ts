// Each import rule of .ci/import-rules.ts refuses its violation and lets the allowed edges through.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { importProblems } from '../.ci/import-rules.ts'

const check = (path: string, line: string): string[] =>
  importProblems([{ path, text: `${line}\n` }])

test('core never imports a connector, the CLI or the simulator package', () => {
  assert.match(
    check('src/engine/plan.ts', "import { x } from '../connectors/ldap/index.ts'")[0] ?? '',
    /core module imports src\/connectors/,
  )
  assert.match(
    check('src/rules/r.ts', "import { x } from '../cli/main.ts'")[0] ?? '',
    /core module imports src\/cli/,
  )
  assert.match(
    check('src/util/u.ts', "import { x } from '@koppel/sim/generator'")[0] ?? '',
    /core module imports the simulator/,
  )
  assert.deepEqual(
    check('src/engine/plan.ts', "import { x } from '../protocol/ldap-escape.ts'"),
    [],
  )
})

test('a connector imports no other connector, except ad → ldap', () => {
  assert.match(
    check('src/connectors/scim/scim-target.ts', "import { x } from '../ldap/ldap-client.ts'")[0] ??
      '',
    /another connector/,
  )
  assert.match(
    check('src/connectors/ldap/ldap-target.ts', "import { x } from '../ad/ad-uac.ts'")[0] ?? '',
    /another connector/,
  )
  assert.deepEqual(
    check(
      'src/connectors/ad/ad-target.ts',
      "import type { LdapClient } from '../ldap/ldap-client.ts'",
    ),
    [],
  )
  // the registry is the one place that imports every connector
  assert.deepEqual(check('src/connectors/index.ts', "import { x } from './ad/index.ts'"), [])
})

test('a connector imports neither the engine nor the CLI, even in its tests', () => {
  assert.match(
    check(
      'src/connectors/afas/afas-connector.ts',
      "import { x } from '../../engine/index.ts'",
    )[0] ?? '',
    /connector imports src\/engine/,
  )
  assert.match(
    check(
      'src/connectors/afas/afas-connector.test.ts',
      "import { x } from '../../cli/main.ts'",
    )[0] ?? '',
    /connector imports src\/cli/,
  )
})

test('only connector tests and fixtures may import the simulator package', () => {
  assert.match(
    check('src/connectors/afas/afas-client.ts', "import { x } from '@koppel/sim/afas'")[0] ?? '',
    /only tests and fixtures/,
  )
  assert.deepEqual(
    check('src/connectors/afas/afas-connector.test.ts', "import { x } from '@koppel/sim/afas'"),
    [],
  )
  assert.deepEqual(
    check('src/connectors/google/google-test-fixture.ts', "import { x } from '@koppel/sim/google'"),
    [],
  )
})

test('under src/ only the demo and sim-generate import the simulator package, and only by name', () => {
  assert.match(
    check('src/cli/commands-plan.ts', "import { x } from '@koppel/sim/generator'")[0] ?? '',
    /only the demo and sim-generate/,
  )
  assert.deepEqual(check('src/cli/demo.ts', "import { x } from '@koppel/sim/generator'"), [])
  assert.deepEqual(check('src/cli/demo-config.ts', "import { x } from '@koppel/sim/generator'"), [])
  assert.deepEqual(
    check('src/cli/sim-generate.ts', "import { x } from '@koppel/sim/generator'"),
    [],
  )
  assert.match(
    check('src/cli/demo.ts', "import { x } from '../../packages/sim/src/generator/index.ts'")[0] ??
      '',
    /by path/,
  )
})

test('the simulator package never imports our connectors, engine or CLI', () => {
  const sim = 'packages/sim/src/scim/scim-server.ts'
  assert.match(
    check(sim, "import { x } from '../../../../src/connectors/scim/index.ts'")[0] ?? '',
    /simulator package imports src\/connectors/,
  )
  assert.match(
    check(sim, "import { x } from '../../../../src/engine/index.ts'")[0] ?? '',
    /simulator package imports src\/engine/,
  )
  assert.match(
    check(sim, "const m = await import('../../../../src/cli/main.ts')")[0] ?? '',
    /simulator package imports src\/cli/,
  )
  assert.deepEqual(check(sim, "import { x } from '../../../../src/protocol/index.ts'"), [])
})

test('ldapjs is never imported', () => {
  assert.match(
    check('packages/sim/src/ldap-server/listen.ts', "import ldap from 'ldapjs'")[0] ?? '',
    /ldapjs/,
  )
})

test('the composition root imports neither the CLI nor koppel serve', () => {
  assert.match(
    check('src/app/load-engine.ts', "import { x } from '../cli/output.ts'")[0] ?? '',
    /composition root imports src\/cli/,
  )
  assert.match(
    check('src/app/unattended-run.ts', "import { x } from '../serve/serve.ts'")[0] ?? '',
    /composition root imports src\/serve/,
  )
  assert.deepEqual(check('src/serve/serve.ts', "import { x } from '../app/load-engine.ts'"), [])
})
