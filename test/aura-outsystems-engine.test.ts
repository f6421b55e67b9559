// The two targets through the real engine (rules, plan, apply, SQLite ledger) against their simulators: joiners,
// a second plan without changes, a leaver (Aura: end date; OutSystems: inactive), a returner that Aura cannot
// re-enable (reported, not silently skipped), and an OutSystems role change that plans grant + revoke in one apply.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { SourceConnector, TargetConnector } from '../src/contract/index.ts'
import { applyStoredPlan, makePlan, type Engine, type EngineTarget } from '../src/engine/index.ts'
import type { Person, Plan } from '../src/model/index.ts'
import { compileMapping, compileRules, type MappingSpec } from '../src/rules/index.ts'
import { openStore } from '../src/store/index.ts'
import { auraOptionsSchema, auraConnector } from '../src/connectors/aura/index.ts'
import { outSystemsOptionsSchema, outSystemsConnector } from '../src/connectors/outsystems/index.ts'
import { startAuraSim, type AuraSim } from '@koppel/sim/aura'
import { testClock } from './support/test-clock.ts'
import { startOutSystemsSim, type OutSystemsSim } from '@koppel/sim/outsystems'

// one clock for the engine and the connectors (Aura dates a leaver's end by it)
const { now } = testClock('2026-11-23')
const context = { baseDir: '.', log: () => {}, now }

function person(
  key: string,
  role: 'student' | 'teacher',
  extra: { classGroup?: string; title?: string } = {},
): Person {
  return {
    kind: 'person',
    key,
    sourceIds: { school: key },
    givenName: 'Sam',
    familyName: `Achternaam ${key}`,
    email: `${key}@school.test`,
    attributes: {},
    contracts: [
      {
        kind: role === 'student' ? 'enrolment' : 'employment',
        id: `${key}-c`,
        source: 'school',
        role,
        organisation: 'org/1',
        department: 'Bovenbouw',
        ...extra,
        attributes: {},
      },
    ],
    memberships: [],
  }
}

function engineTarget(
  name: string,
  connector: TargetConnector,
  anchor: string,
  anchorValue: string,
  mapping: MappingSpec,
): EngineTarget {
  return {
    name,
    connector,
    anchorAttribute: anchor,
    mapping: compileMapping(name, mapping),
    anchorMapping: compileMapping(name, { [anchor]: anchorValue }),
    lifecycle: { provisionDaysBefore: 14, disableAfterDays: 0, deleteAfterDays: null, holds: [] },
    guard: {},
    apply: { concurrency: 4, retries: 2, backoffMs: 1, maxBackoffMs: 5 },
  }
}

describe('aura-online and outsystems through the engine', () => {
  let aura: AuraSim
  let os: OutSystemsSim
  let engine: Engine
  let dir: string
  const persons: Person[] = []

  before(async () => {
    aura = await startAuraSim({ password: 'pw', partner: 'partner' })
    os = await startOutSystemsSim({ token: 'tok' })
    const auraOptions = {
      ...auraOptionsSchema.parse({ baseUrl: aura.url, password: '${env:A}', partner: '${env:B}' }),
      password: 'pw',
      partner: 'partner',
    }
    const osOptions = {
      ...outSystemsOptionsSchema.parse({
        baseUrl: os.url,
        token: '${env:T}',
        extraFields: { department: 'Department' },
      }),
      token: 'tok',
    }
    dir = mkdtempSync(join(tmpdir(), 'koppel-aura-os-'))
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') })
    const source: SourceConnector = {
      name: 'school',
      type: 'test',
      capabilities: { delta: false, writeBack: false },
      read: async () => ({
        ok: true,
        snapshot: {
          kind: 'snapshot',
          source: 'school',
          mode: 'full',
          takenAt: '2026-11-23T00:00:00Z',
          persons: [...persons],
          groups: [],
          removed: [],
          warnings: [],
        },
      }),
    }
    engine = {
      now,
      store,
      sources: [
        { connector: source, safety: { maxShrinkPercent: 100, baselineDays: 7, allowEmpty: true } },
      ],
      setup: {
        targets: [
          engineTarget(
            'bibliotheek',
            auraConnector.create('bibliotheek', auraOptions, context),
            'LENERSCODE',
            'person.key',
            {
              LENERSCODE: 'person.key',
              VOORN: 'person.givenName',
              LENERSNAAM: 'person.familyName',
              KAMERNR: 'contract.classGroup',
            },
          ),
          engineTarget(
            'portaal',
            outSystemsConnector.create('portaal', osOptions, context),
            'username',
            'person.email',
            {
              username: 'person.email',
              name: 'fullName(person)',
              email: 'person.email',
              department: 'contract.department',
            },
          ),
        ],
        rules: compileRules([
          {
            name: 'pupils',
            when: 'contract.role == "student"',
            grant: [{ account: 'bibliotheek' }],
          },
          {
            name: 'teachers',
            when: 'contract.role == "teacher"',
            grant: [
              { account: 'portaal' },
              { permission: { target: 'portaal', type: 'role', id: 'contract.title' } },
            ],
          },
        ]),
        primaryContract: ['employment', 'enrolment'],
        configHash: 'test',
      },
    }
  })
  after(async () => {
    await engine.store.close()
    await aura.close()
    await os.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const plan = async (): Promise<Plan> => {
    const r = await makePlan(engine, { actor: 'test' })
    assert.ok(r.ok, 'plan failed')
    return r.plan
  }
  const apply = async (p: Plan) => {
    const r = await applyStoredPlan(engine, p.id, { actor: 'test' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    return r.report
  }
  const kinds = (p: Plan, target: string) =>
    p.actions.filter((a) => a.target === target).map((a) => a.kind)
  const osUser = (username: string) => [...os.users.values()].find((u) => u.Username === username)
  const roleName = (key: unknown) => os.roles.find((r) => r.Key === key)?.Name

  test('joiners are created in both; a second plan has nothing to do', async () => {
    persons.push(
      person('p1', 'student', { classGroup: '3A' }),
      person('p2', 'student', { classGroup: '3B' }),
      person('t1', 'teacher', { title: 'Docent' }),
    )
    const p1 = await plan()
    assert.deepEqual(kinds(p1, 'bibliotheek'), ['create', 'create'])
    assert.deepEqual(kinds(p1, 'portaal'), ['create', 'grant'])
    const report = await apply(p1)
    assert.equal(report.state, 'done', JSON.stringify(report.failures))
    assert.equal(aura.persons.get('p1')?.KAMERNR, '3A')
    assert.equal(roleName(osUser('t1@school.test')?.RoleKey), 'Docent')
    assert.equal(osUser('t1@school.test')?.Department, 'Bovenbouw')
    assert.equal((await plan()).actions.length, 0)
  })

  test('a role change plans grant + revoke and ends with the new role', async () => {
    persons.splice(2, 1, person('t1', 'teacher', { title: 'Beheerder' }))
    const p = await plan()
    assert.deepEqual(kinds(p, 'portaal').sort(), ['grant', 'revoke'])
    const report = await apply(p)
    assert.equal(report.state, 'done', JSON.stringify(report.failures))
    assert.equal(roleName(osUser('t1@school.test')?.RoleKey), 'Beheerder')
    assert.equal((await plan()).actions.length, 0)
  })

  test('leavers: Aura gets the end date, OutSystems goes inactive', async () => {
    const gone = persons.splice(1, 2)
    const p = await plan()
    assert.deepEqual(kinds(p, 'bibliotheek'), ['disable'])
    assert.deepEqual(kinds(p, 'portaal'), ['disable'])
    assert.equal((await apply(p)).state, 'done')
    assert.match(aura.persons.get('p2')?.UITSDATUM ?? '', /^\d{8}$/)
    assert.equal(aura.persons.get('p2')?.KAMERNR, '3B')
    assert.equal(osUser('t1@school.test')?.IsActive, false)
    persons.push(...gone)
  })

  test('returners: OutSystems is enabled; Aura cannot be, so the plan names the pupil instead of planning an enable that must fail', async () => {
    const p = await plan()
    assert.deepEqual(kinds(p, 'bibliotheek'), [])
    assert.ok(kinds(p, 'portaal').includes('enable'))
    const issue = p.issues.find((i) => i.code === 'cannot_enable')
    assert.ok(issue, 'the Aura returner is reported in the plan')
    assert.equal(issue.record, 'p2')
    assert.match(
      issue.message,
      /bibliotheek: .* is back .* aura-online cannot enable accounts; enable .* by hand/,
    )
    const report = await apply(p)
    assert.equal(report.failures.length, 0)
    assert.equal(osUser('t1@school.test')?.IsActive, true)
    assert.match(aura.persons.get('p2')?.UITSDATUM ?? '', /^\d{8}$/, 'the end date stays')
  })
})
