// The plan for fixed inputs must not change when the planning code is made faster (issue 17: no correctness
// traded for speed). A generated board of 3,000 persons, the demo's koppel.yaml, an injected clock and no target
// reads: the plan's hash (canonical JSON of actions, findings, inputs and issues), the bytes of its actions as
// stored and printed (JSON.stringify keeps key order) and the stored plan read back are compared with figures
// recorded from main before the performance work (commit db80199). A change to the plan's meaning must change
// these figures on purpose, with the reason in the commit. The plan hashes were re-recorded once, when the
// config gained defaults (guard limits of the group kinds, drift.adopt, `for: contract` on rules) that change
// the hash of the same koppel.yaml; the actions' bytes are still the ones recorded at db80199.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoConfig } from '../src/cli/demo-config.ts'
import { loadEngine, type LoadedEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { makePlan } from '../src/engine/index.ts'
import type { Account, Plan } from '../src/model/index.ts'
import { applyChurn, generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'

const TODAY = '2026-11-23'
const NOW = new Date(`${TODAY}T05:00:00.000Z`)

const RECORDED = {
  hash: '049aa818e4ae11fffe9c3295a7b20beb6b3b36b6f8a3f37c9edb405846d0211c',
  actions: 5280,
  actionsJsonSha256: '0a358bcab2e49c88724cf88605aa1ac1bf765524e36c6b248292bf10d4ca2705',
  summary: '{"directory":{"create":2640,"grant":2640}}',
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('the plan of a generated board is byte-identical to the one recorded before the performance work', () => {
  let dir: string
  let loaded: LoadedEngine
  let plan: Plan
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-plan-golden-'))
    await writeOneRosterCsv(
      join(dir, 'export'),
      generateBoard({ seed: 'plan-golden', persons: 3000, today: TODAY }),
      { version: '1.2' },
    )
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'never-used\n')
    // never contacted: the plan is made without target reads
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig('ldap://127.0.0.1:9'))
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      env: {},
      now: () => NOW,
    })
    if (!r.ok) throw new Error(r.errors.join('\n'))
    loaded = r.loaded
    const made = await makePlan(loaded.engine, { readTargets: false, actor: 'test' })
    if (!made.ok) throw new Error(JSON.stringify(made.issues))
    plan = made.plan
  })
  after(async () => {
    await loaded?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('same hash, same number of actions, same summary', () => {
    const figures = {
      hash: plan.hash,
      actions: plan.actions.length,
      summary: JSON.stringify(plan.summary),
    }
    assert.deepEqual(figures, {
      hash: RECORDED.hash,
      actions: RECORDED.actions,
      summary: RECORDED.summary,
    })
  })

  test('the actions serialise to the same bytes, and the stored plan reads back equal', async () => {
    assert.equal(sha256(JSON.stringify(plan.actions)), RECORDED.actionsJsonSha256)
    const stored = await loaded.engine.store.getPlan(plan.id)
    assert.ok(stored !== undefined)
    assert.equal(stored.hash, RECORDED.hash)
    assert.equal(sha256(JSON.stringify(stored.actions)), RECORDED.actionsJsonSha256)
  })
})

/**
 * The ledger as if the first plan had been applied, with ids made from the person key (a real directory's
 * entryUUIDs are random, which would make the ledger hash, and so the plan hash, differ on every run).
 */
function provisioned(plan: Plan, at: string): Account[] {
  const byPerson = new Map<
    string,
    { attributes: Record<string, unknown>; permissions: string[]; target: string }
  >()
  for (const a of plan.actions) {
    if (a.kind === 'create') {
      const attributes = Object.fromEntries(a.changes.map((c) => [c.field, c.new]))
      byPerson.set(a.person, { attributes, permissions: [], target: a.target })
    } else if (a.kind === 'grant' && a.permission !== undefined) {
      byPerson.get(a.person)?.permissions.push(`${a.permissionType ?? 'group'}:${a.permission}`)
    }
  }
  return [...byPerson].map(([person, p], i): Account => ({
    kind: 'account',
    target: p.target,
    person,
    targetId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    locator: String(p.attributes['dn']),
    state: 'active',
    attributes: p.attributes as Account['attributes'],
    permissions: p.permissions.sort(),
    createdAt: at,
    updatedAt: at,
  }))
}

const PROVISIONED = {
  hash: '8cdf045000e8e3a5f93c3898152d9da3740185937a0a46bafd54ab12e7f71c2e',
  actions: 320,
  actionsJsonSha256: 'd9c16cf063e2f5a08db7b728d6478f104a7be3ee7ac8c15297564b5edfbac8d2',
  summary: '{"directory":{"update":60,"grant":90,"revoke":100,"disable":40,"create":30}}',
}

describe('the plan against a provisioned ledger after movers, leavers and joiners is byte-identical too', () => {
  let dir: string
  let loaded: LoadedEngine
  let plan: Plan
  const LATER = '2026-12-14'
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-plan-golden-churn-'))
    const board = generateBoard({ seed: 'plan-golden-churn', persons: 1500, today: TODAY })
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'never-used\n')
    writeFileSync(join(dir, 'koppel.yaml'), demoConfig('ldap://127.0.0.1:9'))
    let clock = NOW
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      env: {},
      now: () => clock,
    })
    if (!r.ok) throw new Error(r.errors.join('\n'))
    loaded = r.loaded
    const first = await makePlan(loaded.engine, { readTargets: false, actor: 'test' })
    if (!first.ok) throw new Error(JSON.stringify(first.issues))
    await loaded.engine.store.upsertAccounts(provisioned(first.plan, NOW.toISOString()))
    const churned = applyChurn(board, {
      seed: 'golden',
      today: LATER,
      movers: 60,
      leavers: 40,
      joiners: 30,
    })
    rmSync(join(dir, 'export'), { recursive: true })
    await writeOneRosterCsv(join(dir, 'export'), churned, { version: '1.2' })
    clock = new Date(`${LATER}T05:00:00.000Z`)
    const made = await makePlan(loaded.engine, { readTargets: false, actor: 'test' })
    if (!made.ok) throw new Error(JSON.stringify(made.issues))
    plan = made.plan
  })
  after(async () => {
    await loaded?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('same hash, actions and summary; the same action bytes stored and read back', async () => {
    const figures = {
      hash: plan.hash,
      actions: plan.actions.length,
      summary: JSON.stringify(plan.summary),
    }
    assert.deepEqual(figures, {
      hash: PROVISIONED.hash,
      actions: PROVISIONED.actions,
      summary: PROVISIONED.summary,
    })
    assert.equal(sha256(JSON.stringify(plan.actions)), PROVISIONED.actionsJsonSha256)
    const stored = await loaded.engine.store.getPlan(plan.id)
    assert.equal(sha256(JSON.stringify(stored?.actions)), PROVISIONED.actionsJsonSha256)
  })
})
