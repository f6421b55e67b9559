// Issue 9.6, end to end through the engine: a OneRoster 1.1 export whose usernames are empty is planned (the
// mapping makes usernames; nothing reads the export's), with the emptiness as a warning in the plan; a mapping
// that reads person.username makes the same export an error again, and so does `strict: true`.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makePlan, type Engine, type EngineTarget } from '../src/engine/index.ts'
import { oneRosterCsvConnector } from '../src/connectors/oneroster-csv/oneroster-csv-connector.ts'
import {
  bulk11,
  removePackage,
  writePackage,
  type Files,
} from '../src/connectors/oneroster-csv/oneroster-csv-test-package.ts'
import { compileMapping, compileRules, type MappingSpec } from '../src/rules/index.ts'
import { openStore } from '../src/store/index.ts'
import { MemoryTarget } from './support/memory-target.ts'

const cleanups: (() => Promise<void> | void)[] = []
after(async () => {
  for (const c of cleanups) await c()
})

function packageWithoutUsernames(): string {
  const files: Files = bulk11()
  const users = files['users.csv'] ?? []
  const c = (users[0] ?? []).indexOf('username')
  for (const row of users.slice(1)) row[c] = ''
  const dir = writePackage(files)
  cleanups.push(() => removePackage(dir))
  return dir
}

const MAPPING: MappingSpec = {
  uid: {
    candidates: ['slug(person.givenName) + "." + slug(familyName(person))'],
    unique: true,
    once: true,
  },
  cn: 'fullName(person)',
  employeeNumber: 'person.key',
}

async function engineFor(
  path: string,
  sourceOptions: Record<string, unknown>,
  mapping: MappingSpec,
): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-unread-'))
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
  cleanups.push(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const parsed = oneRosterCsvConnector.schema.parse({ path, ...sourceOptions })
  const source = oneRosterCsvConnector.create('school', parsed, {
    baseDir: '/',
    log: () => {},
    now: () => new Date('2025-10-01T06:00:00Z'),
  })
  const target: EngineTarget = {
    name: 'dir',
    connector: new MemoryTarget('dir'),
    anchorAttribute: 'employeeNumber',
    mapping: compileMapping('dir', mapping),
    anchorMapping: compileMapping('dir', { employeeNumber: 'person.key' }),
    lifecycle: { provisionDaysBefore: 14, disableAfterDays: 0, deleteAfterDays: 30, holds: [] },
    guard: {},
    apply: { concurrency: 4, retries: 3, backoffMs: 1, maxBackoffMs: 5 },
  }
  const rules = compileRules([{ name: 'everyone', when: 'true', grant: [{ account: 'dir' }] }])
  return {
    store,
    sources: [
      { connector: source, safety: { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false } },
    ],
    setup: {
      targets: [target],
      rules,
      primaryContract: ['employment', 'enrolment'],
      configHash: 'test',
    },
    now: () => new Date('2025-10-01T06:00:00Z'),
  }
}

test('an export without usernames is planned, with a warning in the plan naming the count and the first rows', async () => {
  const engine = await engineFor(packageWithoutUsernames(), {}, MAPPING)
  const r = await makePlan(engine, { actor: 'test', today: '2025-10-01', readTargets: false })
  assert.ok(
    r.ok,
    r.ok ? '' : r.issues.map((i) => `${i.file}:${i.line} ${i.field} ${i.message}`).join('\n'),
  )
  assert.ok(r.plan.actions.some((a) => a.kind === 'create'))
  const w = r.plan.issues.find((i) => i.code === 'required_field_empty_unread')
  assert.equal(w?.severity, 'warning')
  assert.equal(w?.field, 'username')
  assert.match(w?.message ?? '', /row\(s\) have no username.*First: users\.csv:2/)
})

test('the same export is refused when a mapping reads person.username, or with strict: true', async () => {
  const reading = await engineFor(
    packageWithoutUsernames(),
    {},
    { ...MAPPING, mail: 'person.username + "@school.test"' },
  )
  const r1 = await makePlan(reading, { actor: 'test', today: '2025-10-01', readTargets: false })
  assert.equal(r1.ok, false)
  if (!r1.ok) assert.ok(r1.issues.some((i) => i.code === 'missing_field' && i.field === 'username'))
  const strict = await engineFor(packageWithoutUsernames(), { strict: true }, MAPPING)
  const r2 = await makePlan(strict, { actor: 'test', today: '2025-10-01', readTargets: false })
  assert.equal(r2.ok, false)
})
