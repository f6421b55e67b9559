import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Action, GuardFinding, Issue } from '../model/index.ts'
import { canonicalJson, sha256 } from '../util/canonical-json.ts'
import { planHash } from './build-plan.ts'

test('planHash streams the same bytes as hashing the canonical JSON of actions, inputs, findings and issues', () => {
  const actions = Array.from(
    { length: 3000 },
    (_, i) =>
      ({
        kind: i % 2 === 0 ? 'create' : 'grant',
        id: `directory/p${i}/${i % 2 === 0 ? 'create' : 'grant/g'}`,
        target: 'directory',
        person: `p${i}`,
        label: `Noë van den Berg ${i}`,
        changes:
          i % 2 === 0
            ? [
                { field: 'uid', new: `n.berg${i}` },
                { field: 'mail', new: [`a${i}`, 'b'] },
              ]
            : [],
        ...(i % 2 === 1
          ? { permission: 'g', permissionType: 'group', after: `directory/p${i - 1}/create` }
          : {}),
        reason: { rule: 'Leerlingen', change: 'joiner', detail: 'new student 2B' },
      }) as Action,
  )
  const inputs = { 'source:school': 'abc', config: 'def', today: '2026-11-23', ledger: 'e3b0' }
  const findings: GuardFinding[] = []
  const issues: Issue[] = [
    {
      severity: 'error',
      code: 'mapping_failed',
      message: 'uid: no candidate',
      record: 'p9',
      field: 'uid',
    },
  ]
  assert.equal(
    planHash(actions, inputs, findings, issues),
    sha256(canonicalJson({ actions, inputs, findings, issues })),
  )
  assert.equal(
    planHash([], {}, [], []),
    sha256(canonicalJson({ actions: [], inputs: {}, findings: [], issues: [] })),
  )
})
