// The plan names the OUs a directory target will create: a create or move into a container that no account in
// the ledger or the listing lives in says "creates OU … if it is missing" (the first time) in its reason.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TargetAccount } from '../contract/index.ts'
import type { Account, Contract, Person } from '../model/index.ts'
import { compileMapping } from '../rules/index.ts'
import { MemoryTarget } from '../../test/support/memory-target.ts'
import type { DesiredAccount } from './desire.ts'
import type { EngineTarget } from './engine-types.ts'
import { planTarget } from './plan-target.ts'

/** A directory-like memory target: DN locators whose container is everything after the first comma. */
class OuTarget extends MemoryTarget {
  containerOf(locator: string): string | undefined {
    const i = locator.indexOf(',')
    return i < 0 ? undefined : locator.slice(i + 1)
  }
}

function person(
  key: string,
  given: string,
  classGroup: string,
): { person: Person; desired: DesiredAccount } {
  const contract: Contract = {
    kind: 'enrolment',
    id: `${key}-c`,
    source: 'school',
    role: 'student',
    organisation: 'org/1',
    classGroup,
    attributes: {},
  }
  const p: Person = {
    kind: 'person',
    key,
    sourceIds: { school: key },
    givenName: given,
    familyName: 'Visser',
    attributes: {},
    contracts: [contract],
    memberships: [],
  }
  return {
    person: p,
    desired: { person: p, rule: 'pupils', contract, contracts: [contract], permissions: new Map() },
  }
}

function setup(createsContainers: boolean) {
  const spec = {
    employeeNumber: 'person.key',
    cn: 'person.givenName',
    dn: '"cn=" + person.givenName + ",ou=" + contract.classGroup + ",ou=people,dc=school"',
  }
  const target: EngineTarget = {
    name: 'dir',
    connector: new OuTarget('dir', { createsContainers }),
    anchorAttribute: 'employeeNumber',
    mapping: compileMapping('dir', spec),
    anchorMapping: compileMapping('dir', { employeeNumber: 'person.key' }),
    lifecycle: { provisionDaysBefore: 14, disableAfterDays: 0, deleteAfterDays: 30, holds: [] },
    guard: {},
    apply: { concurrency: 1, retries: 0, backoffMs: 1, maxBackoffMs: 1 },
  }
  const all = [
    person('p1', 'Anna', '1A'),
    person('p2', 'Bram', '1A'),
    person('p3', 'Cas', '2B'),
    person('p4', 'Dirk', '2B'),
    person('p5', 'Eva', '3C'),
  ]
  const locator = 'cn=Anna,ou=1A,ou=people,dc=school'
  const ledger: Account[] = [
    {
      kind: 'account',
      target: 'dir',
      person: 'p1',
      targetId: 'id-1',
      locator,
      state: 'active',
      attributes: { employeeNumber: 'p1', cn: 'Anna', dn: locator },
      permissions: [],
      createdAt: '2026-11-01',
      updatedAt: '2026-11-01',
    },
  ]
  const listing: TargetAccount[] = [
    { id: 'id-1', locator, attributes: { employeeNumber: 'p1', cn: 'Anna' }, enabled: true },
  ]
  return {
    target,
    persons: new Map(all.map((a) => [a.person.key, a.person])),
    desired: new Map(all.map((a) => [a.person.key, a.desired])),
    ledger,
    listing,
  }
}

test('a create into an OU no known account lives in names the OU once; a known OU says nothing', () => {
  const s = setup(true)
  const plan = planTarget({ ...s, frozen: new Set(), today: '2026-11-23' })
  const details = Object.fromEntries(
    plan.actions.filter((a) => a.kind === 'create').map((a) => [a.person, a.reason.detail]),
  )
  assert.deepEqual(details, {
    p2: 'new student 1A',
    p3: 'new student 2B; creates OU ou=2B,ou=people,dc=school if it is missing (createOus)',
    p4: 'new student 2B; in new OU ou=2B,ou=people,dc=school',
    p5: 'new student 3C; creates OU ou=3C,ou=people,dc=school if it is missing (createOus)',
  })
})

test('a move into a new OU says so too; a target that does not create OUs says nothing', () => {
  const s = setup(true)
  const moved = person('p1', 'Anna', '4D')
  s.desired.set('p1', moved.desired)
  const plan = planTarget({ ...s, frozen: new Set(), today: '2026-11-23' })
  const update = plan.actions.find((a) => a.kind === 'update' && a.person === 'p1')
  assert.match(
    update?.reason.detail ?? '',
    /; creates OU ou=4D,ou=people,dc=school if it is missing \(createOus\)$/,
  )

  const off = setup(false)
  const quiet = planTarget({ ...off, frozen: new Set(), today: '2026-11-23' })
  assert.ok(
    quiet.actions.every((a) => !a.reason.detail.includes('OU')),
    JSON.stringify(quiet.actions.map((a) => a.reason.detail)),
  )
})
