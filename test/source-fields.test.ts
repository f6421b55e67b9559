// A source connector's declared fields (SourceDefinition.fills: what `koppel validate` and docs/rules.md say it
// fills) against what it really reads from a generated school board: every field it fills must be declared.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { oneRosterCsvConnector } from '../src/connectors/oneroster-csv/index.ts'
import { somtodayConnector } from '../src/connectors/somtoday/index.ts'
import type { SourceConnector, SourceFields } from '../src/contract/index.ts'
import type { SourceSnapshot } from '../src/model/index.ts'
import { generateBoard, writeOneRosterCsv } from '@koppel/sim/generator'
import { startSomtodaySim } from '@koppel/sim/somtoday'

const TODAY = '2026-11-23'
const context = { baseDir: '.', log: () => undefined, now: () => new Date(`${TODAY}T06:00:00Z`) }
const board = generateBoard({ seed: 'source-fields', persons: 400, today: TODAY, schools: 2 })

/** The fields that hold a value in at least one person, contract or membership of the snapshot. */
function filled(s: SourceSnapshot): {
  person: Set<string>
  contract: Set<string>
  membership: Set<string>
} {
  const out = {
    person: new Set<string>(),
    contract: new Set<string>(),
    membership: new Set<string>(),
  }
  const add = (set: Set<string>, record: object) => {
    for (const [k, v] of Object.entries(record))
      if (k !== 'kind' && v !== undefined && v !== '') set.add(k)
  }
  for (const p of s.persons) {
    add(out.person, p)
    for (const c of p.contracts) add(out.contract, c)
    for (const m of p.memberships) add(out.membership, m)
  }
  return out
}

async function snapshotOf(c: SourceConnector): Promise<SourceSnapshot> {
  const r = await c.read({ today: TODAY })
  if (!r.ok) assert.fail(r.issues.map((i) => i.message).join('\n'))
  return r.snapshot
}

function assertDeclared(declared: SourceFields | undefined, s: SourceSnapshot): void {
  assert.ok(declared !== undefined, 'the connector declares its fields')
  const found = filled(s)
  for (const kind of ['person', 'contract', 'membership'] as const) {
    const known: readonly string[] = declared[kind]
    const missing = [...found[kind]].filter((f) => !known.includes(f))
    assert.deepEqual(missing, [], `${kind} fields filled but not declared`)
  }
  // the declaration is not a blanket list: the core fields are really there
  assert.ok(
    found.person.has('givenName') &&
      found.contract.has('role') &&
      found.contract.has('organisation'),
  )
}

describe('declared source fields', () => {
  test('oneroster-csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-fields-'))
    try {
      await writeOneRosterCsv(dir, board, { version: '1.2' })
      const c = oneRosterCsvConnector.create(
        'school',
        oneRosterCsvConnector.schema.parse({ path: dir }),
        context,
      ) as SourceConnector
      assertDeclared(oneRosterCsvConnector.fills, await snapshotOf(c))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('somtoday', async () => {
    const sim = await startSomtodaySim({ board })
    try {
      const parsed = somtodayConnector.schema.parse({
        baseUrl: sim.baseUrl,
        tokenUrl: sim.tokenUrl,
        clientId: 'koppel',
        clientSecret: '${env:X}',
        organisation: sim.instelling.uuid,
        persons: ['leerlingen', 'medewerkers', 'ouders'],
      })
      const c = somtodayConnector.create(
        'somtoday',
        { ...parsed, clientSecret: 'koppel-secret' },
        context,
      ) as SourceConnector
      assertDeclared(somtodayConnector.fills, await snapshotOf(c))
    } finally {
      await sim.close()
    }
  })
})
