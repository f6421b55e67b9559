// The first plan with provisioned groups (a group per class, a grant per membership: bench/plan.bench.ts
// --groups) must not change when its memory is made smaller (issue 17, P1: the grants of a 100,000-person board
// are over a million actions). A generated board of 1,000 persons, an injected clock and no target reads; the
// figures were recorded from the tree before the grants shared their reasons (commit 14192b0).
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
import type { Plan } from '../src/model/index.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { withProvisionedGroups } from '../bench/plan.bench.ts'

const TODAY = '2026-11-23'
const NOW = new Date(`${TODAY}T05:00:00.000Z`)

const RECORDED = {
  hash: '00639fcaae46ed58e6187f8b3f786d36d7d7e45637efe03ef25845444be0da41',
  actions: 11557,
  summary: '{"directory":{"create":880,"grant":10255,"group-create":422}}',
  actionsJsonSha256: 'bde1b756ef17465cd8df6485fd72f21c7f9b8a31707d479a7d7d8238ea415c24',
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('the first plan with provisioned groups is byte-identical to the one recorded before', () => {
  let dir: string
  let loaded: LoadedEngine
  let plan: Plan
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-plan-golden-groups-'))
    await writeOneRosterCsv(
      join(dir, 'export'),
      generateBoard({ seed: 'plan-golden-groups', persons: 1000, today: TODAY }),
      { version: '1.2' },
    )
    mkdirSync(join(dir, 'secrets'))
    writeFileSync(join(dir, 'secrets', 'ldap-password'), 'never-used\n')
    // never contacted: the plan is made without target reads
    writeFileSync(join(dir, 'koppel.yaml'), withProvisionedGroups(demoConfig('ldap://127.0.0.1:9')))
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

  test('same hash, actions and summary; the same action bytes stored and read back', async () => {
    const figures = {
      hash: plan.hash,
      actions: plan.actions.length,
      summary: JSON.stringify(plan.summary),
      actionsJsonSha256: sha256(JSON.stringify(plan.actions)),
    }
    assert.deepEqual(figures, RECORDED)
    const stored = await loaded.engine.store.getPlan(plan.id)
    assert.equal(stored?.hash, RECORDED.hash)
    assert.equal(sha256(JSON.stringify(stored?.actions)), RECORDED.actionsJsonSha256)
  })

  test('the grants of one class under one rule share one reason (one object, not one per pupil)', () => {
    const byMembership = new Map<string, Set<object>>()
    for (const a of plan.actions) {
      const m = a.reason.membership
      if (a.kind !== 'grant' || m === undefined) continue
      const key = `${a.reason.change}\u0000${a.reason.rule}\u0000${m.role}\u0000${m.group}`
      const seen = byMembership.get(key) ?? new Set<object>()
      seen.add(a.reason)
      byMembership.set(key, seen)
    }
    const grants = plan.actions.filter((a) => a.kind === 'grant').length
    assert.ok(byMembership.size > 50 && grants > 5 * byMembership.size, 'grants share memberships')
    for (const [key, reasons] of byMembership) assert.equal(reasons.size, 1, key)
  })
})
