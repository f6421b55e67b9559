import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parse } from 'yaml'
import { fakeDefinitions } from './fake-definitions.ts'
import { configJsonSchema } from './json-schema.ts'
import { jsonSchemaErrors } from './json-schema-check.ts'
import { starterConfig } from './starter-config.ts'

type Schema = Record<string, unknown>

const schema = configJsonSchema(fakeDefinitions)
const props = (s: unknown): Record<string, Schema> =>
  ((s as Schema)['properties'] ?? {}) as Record<string, Schema>
const itemsOf = (s: unknown): Schema => (s as Schema)['items'] as Schema
const entries = (section: string): Schema[] =>
  (itemsOf(props(schema)[section])['oneOf'] ?? []) as Schema[]

/** Each property below `s` as `[path, has a description]`; `skip` names keys not to look at. */
function described(s: Schema, at: string, skip: ReadonlySet<string>): [string, boolean][] {
  const found: [string, boolean][] = []
  const inner = [
    s['items'],
    s['additionalProperties'],
    ...((s['anyOf'] ?? []) as unknown[]),
    ...((s['oneOf'] ?? []) as unknown[]),
  ]
  for (const i of inner)
    if (typeof i === 'object' && i !== null) found.push(...described(i as Schema, at, skip))
  for (const [k, p] of Object.entries(props(s))) {
    if (skip.has(k)) continue
    found.push(
      [`${at}.${k}`, typeof p['description'] === 'string'],
      ...described(p, `${at}.${k}`, skip),
    )
  }
  return found
}

describe('configJsonSchema', () => {
  test('is draft 2020-12 with the top-level keys, version and sources required', () => {
    assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema')
    assert.deepEqual(Object.keys(props(schema)).sort(), [
      'audit',
      'merge',
      'notify',
      'rules',
      'schedules',
      'serve',
      'sources',
      'store',
      'targets',
      'tenant',
      'version',
    ])
    assert.deepEqual(schema['required'], ['version', 'sources'])
    assert.equal(schema['additionalProperties'], false)
  })

  test('the type of each entry lists exactly the registered connector types', () => {
    assert.deepEqual(
      entries('sources').map((e) => props(e)['type']?.['const']),
      ['oneroster-csv', 'csv'],
    )
    assert.deepEqual(
      entries('targets').map((e) => props(e)['type']?.['const']),
      ['ldap', 'scim'],
    )
    const ldap = entries('targets')[0] ?? {}
    assert.deepEqual(ldap['required'], [
      'url',
      'bindDn',
      'password',
      'baseDn',
      'name',
      'anchor',
      'type',
    ])
    assert.equal(props(ldap)['password']?.['secret'], true)
  })

  test('every engine-level field has a description for editor help', () => {
    const connectorKeys = new Set(fakeDefinitions.flatMap((d) => Object.keys(d.schema.shape)))
    const inEntries = [...entries('sources'), ...entries('targets')].flatMap((e, i) =>
      described(e, `entry${i}`, connectorKeys),
    )
    const all = [...described(schema, '', new Set(['sources', 'targets'])), ...inEntries]
    assert.ok(all.length > 100, `only ${all.length} fields seen`)
    for (const deep of [
      '.store.path',
      '.lifecycle.holds.kinds',
      '.attributes.lowercase',
      '.guard.delete.maxPercent',
    ]) {
      assert.ok(
        all.some(([p]) => p.endsWith(deep)),
        `${deep} not seen`,
      )
    }
    assert.deepEqual(
      all.filter(([, ok]) => !ok).map(([p]) => p),
      [],
    )
  })

  test('the starter config passes it, and a typo does not', () => {
    const starter = parse(starterConfig()) as Record<string, unknown>
    assert.deepEqual(jsonSchemaErrors(schema, starter), [])
    const typo = parse(starterConfig().replace('bindDn:', 'bindDN:'))
    assert.ok(jsonSchemaErrors(schema, typo).some((e) => e.includes('$.targets[0]')))
    const badPercent = parse(
      starterConfig().replace('maxShrinkPercent: 10', 'maxShrinkPercent: 250'),
    )
    assert.deepEqual(jsonSchemaErrors(schema, badPercent), ['$.sources[0]: 0 of oneOf match'])
  })
})
