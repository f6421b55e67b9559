// store.workers: defaults filled in, PostgreSQL only, bounds named by path.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildConfigSchema } from './config-schema.ts'
import { formatPath } from './config-error.ts'
import { fakeDefinitions } from './fake-definitions.ts'
import { configErrorMap, flattenIssues } from './issue-messages.ts'

const schema = buildConfigSchema(fakeDefinitions)
const config = (store: Record<string, unknown>) => ({
  version: 1,
  store,
  sources: [{ name: 'school', type: 'oneroster-csv', path: './export' }],
  targets: [
    {
      name: 'directory',
      type: 'ldap',
      url: 'ldap://localhost',
      bindDn: 'cn=admin',
      password: '${env:LDAP_PASSWORD}',
      baseDn: 'dc=x',
      anchor: { attribute: 'employeeNumber', value: 'person.key' },
    },
  ],
})
const problems = (input: unknown): string[] => {
  const r = schema.safeParse(input, { error: configErrorMap })
  assert.equal(r.success, false, 'expected the config to be invalid')
  return flattenIssues(r.error?.issues ?? []).map((i) => `${formatPath(i.path)}: ${i.message}`)
}

test('store.workers: defaults on a PostgreSQL store', () => {
  const r = schema.safeParse(
    config({ kind: 'postgres', url: '${env:DB}', workers: { enabled: true } }),
  )
  assert.ok(r.success)
  assert.deepEqual(r.data.store, {
    kind: 'postgres',
    url: '${env:DB}',
    workers: {
      enabled: true,
      inProcess: true,
      heartbeatSeconds: 30,
      checkSeconds: 10,
      retries: 5,
      jobsPerTarget: 4,
      lanesPerProcess: 64,
      jobsPoolMax: 10,
    },
  })
})

test('store.workers: refused on SQLite, and out-of-range values are named by path', () => {
  assert.ok(
    problems(config({ kind: 'sqlite', path: './k.db', workers: { enabled: true } })).some(
      (p) => p.startsWith('store') && /workers/.test(p),
    ),
  )
  const found = problems(
    config({
      kind: 'postgres',
      url: '${env:DB}',
      workers: { enabled: true, heartbeatSeconds: 5, jobsPerTarget: 0, extra: 1 },
    }),
  )
  assert.ok(
    found.some((p) => p.startsWith('store.workers.heartbeatSeconds')),
    found.join('\n'),
  )
  assert.ok(
    found.some((p) => p.startsWith('store.workers.jobsPerTarget')),
    found.join('\n'),
  )
  assert.ok(
    found.some((p) => /extra/.test(p)),
    found.join('\n'),
  )
})

test('store.pool.max: the default filled in, out-of-range sizes named by path', () => {
  const parsed = schema.safeParse(config({ kind: 'postgres', url: '${env:DB}', pool: {} }), {
    error: configErrorMap,
  })
  assert.ok(parsed.success)
  assert.deepEqual((parsed.data.store as { pool?: unknown }).pool, { max: 8 })
  const found = problems(config({ kind: 'postgres', url: '${env:DB}', pool: { max: 1 } }))
  assert.ok(
    found.some((p) => p.startsWith('store.pool.max')),
    found.join('\n'),
  )
})
