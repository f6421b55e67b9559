// docs/rules.md is generated (npm run docs:fields) from src/rules and the source connectors' declared fields;
// here, not in src/rules, because a core module may not import the connectors.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { rulesDoc } from '../src/rules/rules-doc.ts'

test('docs/rules.md is what `npm run docs:fields` generates from the code', () => {
  const sources = connectorDefinitions.filter((d) => d.role === 'source')
  const doc = readFileSync(resolve(import.meta.dirname, '..', 'docs', 'rules.md'), 'utf8')
  assert.equal(doc, rulesDoc(sources), 'docs/rules.md is stale: run npm run docs:fields')
})
