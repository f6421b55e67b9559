// Every example config in examples/ validates against the shipped connectors, and is planned and applied against
// the simulators of its source and target — or the real server where one runs here: sshd for the IMS file, and
// OpenLDAP (slapd, bound as the example's non-admin service account with the ACL docs/connectors/ldap.md lists)
// for the LDAP examples whose accounts live in ou=people — so an example cannot rot: the
// first plan creates accounts with the mapped attributes, the apply succeeds, and a second plan has no changes.
// Secret references resolve to a placeholder for validation: the examples name ${env:…}/${file:…}, never a secret.
//
// How an example is pointed at its simulators (the only substitutions): each system's address and credentials
// (urls, ids, secrets via the same ${env:…} names, a CA file for LDAPS), the store path, and for the Somtoday
// example the instelling and vestigingen of the generated board. Everything else — rules, mappings, lifecycle,
// guard — runs as written. Where an example expects something an admin sets up once (AD groups when
// `createMissing: false`), the test does that step, as the example's comments tell the admin to.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { formatConfigError, loadConfig } from '../src/config/index.ts'
import { loadEngine } from '../src/app/load-engine.ts'
import { applyStoredPlan, makePlan, type Engine } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { examplePreparations, type Prepared } from './support/example-preparations.ts'
import { compileConfig } from '../src/app/compile-config.ts'
import { formatProblem } from '../src/rules/index.ts'

const dir = resolve(import.meta.dirname, '..', 'examples')
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
const env = new Proxy({} as Record<string, string>, {
  get: (_t, name) => (typeof name === 'string' ? 'placeholder-secret' : undefined),
  has: () => true,
})

describe('examples/', () => {
  for (const file of files) {
    test(`${file} validates`, async () => {
      const path = join(dir, file)
      const r = await loadConfig(path, connectorDefinitions, {
        readFile: (p) =>
          resolve(p) === path ? readFileSync(path, 'utf8') : 'placeholder-secret\n',
        env,
      })
      if (!r.ok) assert.fail(r.errors.map(formatConfigError).join('\n'))
      // and every CEL expression in it compiles (rules, mappings, provisioned groups)
      const compiled = compileConfig(r.config)
      if (!compiled.ok) assert.fail(compiled.problems.map(formatProblem).join('\n'))
    })
  }
})

const TODAY = '2026-11-23'
const now = () => new Date(`${TODAY}T06:00:00Z`)
const work = mkdtempSync(join(tmpdir(), 'koppel-examples-'))
after(() => rmSync(work, { recursive: true, force: true }))

async function planned(engine: Engine): Promise<Plan> {
  const r = await makePlan(engine, { actor: 'examples-test' })
  if (!r.ok)
    assert.fail(
      r.issues
        .map((i) => `${i.source ?? ''} ${i.record ?? ''} ${i.field ?? ''}: ${i.message}`)
        .join('\n'),
    )
  return r.plan
}

describe('examples/ planned and applied against their simulators', () => {
  test('every example has a preparation (a new example must be added here)', () => {
    assert.deepEqual(
      files.filter((f) => !(f in examplePreparations)),
      [],
    )
  })

  for (const file of files) {
    const prepare = examplePreparations[file]
    if (prepare === undefined) continue
    test(`${file}: plan creates the accounts, apply succeeds, a second plan has no changes`, async (t) => {
      const folder = join(work, file.replace(/\.yaml$/, ''))
      mkdirSync(folder, { recursive: true })
      let prepared: Prepared | undefined
      try {
        prepared = await prepare({ dir: folder, today: TODAY })
        if (prepared.skip !== undefined) return t.skip(prepared.skip)
        const config = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>
        prepared.edit(config)
        writeFileSync(join(folder, 'koppel.yaml'), stringify(config))
        const loaded = await loadEngine(join(folder, 'koppel.yaml'), connectorDefinitions, {
          env: prepared.env,
          now,
        })
        if (!loaded.ok) assert.fail(loaded.errors.join('\n'))
        const { engine } = loaded.loaded
        try {
          await prepared.beforePlan?.()
          const first = await planned(engine)
          assert.equal(first.status, 'planned', JSON.stringify(first.findings))
          assert.deepEqual(first.issues, [])
          const creates = first.actions.filter((a) => a.kind === 'create')
          assert.ok(
            creates.length >= prepared.minCreates,
            `${creates.length} creates: ${JSON.stringify(first.summary)}`,
          )
          await prepared.beforeApply?.(first)
          const applied = await applyStoredPlan(engine, first.id, { actor: 'examples-test' })
          if (!applied.ok) assert.fail(applied.message)
          assert.deepEqual(applied.report.failures, [])
          assert.equal(applied.report.state, 'done')
          const second = await planned(engine)
          assert.deepEqual(
            second.actions.map((a) => `${a.kind} ${a.target}/${a.person}: ${a.reason}`),
            [],
            'a second plan has no changes',
          )
          await prepared.check(first)
        } finally {
          await loaded.loaded.close()
        }
      } finally {
        await prepared?.stop()
      }
    })
  }
})
