// Every example config in examples/ validates against the shipped connectors, so the examples cannot rot.
// Secret references resolve to a placeholder: the examples name ${env:…}/${file:…}, never a secret.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { formatConfigError, loadConfig } from '../src/config/index.ts'
import { compileConfig } from '../src/cli/compile-config.ts'
import { formatProblem } from '../src/rules/index.ts'

const dir = resolve(import.meta.dirname, '..', 'examples')
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
const env = new Proxy({} as Record<string, string>, { get: (_t, name) => (typeof name === 'string' ? 'placeholder-secret' : undefined), has: () => true })

describe('examples/', () => {
  for (const file of files) {
    test(`${file} validates`, async () => {
      const path = join(dir, file)
      const r = await loadConfig(path, connectorDefinitions, {
        readFile: (p) => (resolve(p) === path ? readFileSync(path, 'utf8') : 'placeholder-secret\n'),
        env,
      })
      if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
      // and every CEL expression in it compiles (rules, mappings, provisioned groups)
      const compiled = compileConfig(r.config)
      if (!compiled.ok) assert.fail(compiled.problems.map(formatProblem).join('\n'))
    })
  }
})
