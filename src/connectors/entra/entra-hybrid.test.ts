// Issue 12 item 13: the Entra half of the hybrid recipe. Users come from on-premises AD through Entra Connect
// (onPremisesSyncEnabled); the entra-id target adopts them (createUsers: false), gives licences and cloud-group
// memberships, names groups by display name, and leaves what AD masters to the AD target instead of failing.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError, type CreateRequest } from '../../contract/index.ts'
import type { EntraTarget } from './index.ts'
import { startEntraSim, type EntraSim, type SimUser } from '@koppel/sim/entra'
import { entraTarget, SKU_A1_STUDENT, type LogLine } from './entra-fixture.ts'

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p
  } catch (e) {
    assert.ok(ConnectorError.isInstance(e), `expected a ConnectorError, got ${String(e)}`)
    return e
  }
  assert.fail('expected a ConnectorError')
}

const T0 = Date.parse('2026-11-23T12:00:00Z')

describe('entra-id target on a hybrid tenant (users synced from AD)', () => {
  let sim: EntraSim
  let target: EntraTarget
  let piet: SimUser
  let klas1a: string
  const docenten: string[] = []
  let adStaff: string
  const log: LogLine[] = []

  /** What the rules ask for the synced pupil Piet: matched on the UPN AD gave him. */
  const request = (upn: string, extra: Record<string, string> = {}): CreateRequest => ({
    anchor: { attribute: 'userPrincipalName', value: upn },
    attributes: { userPrincipalName: upn, ...extra },
    enabled: true,
  })

  before(async () => {
    sim = await startEntraSim({
      now: () => T0,
      skus: { [SKU_A1_STUDENT]: 'STANDARDWOFFPACK_STUDENT' },
    })
    // as Entra Connect leaves a user synced from AD: no usage location, state and names mastered on premises
    piet = sim.seedUser({
      displayName: 'Piet Pieters',
      userPrincipalName: 'piet@school.test',
      mailNickname: 'piet',
      onPremisesSyncEnabled: true,
      onPremisesImmutableId: 'cGlldC1ndWlk',
      employeeId: '1001',
    })
    klas1a = sim.addGroup('Klas 1A')
    docenten.push(sim.addGroup('Docenten'), sim.addGroup('docenten'))
    adStaff = sim.addGroup('AD Staff', undefined, { onPremisesSyncEnabled: true })
    target = entraTarget(
      sim,
      { createUsers: false, usageLocation: 'NL', licences: { 'a1-student': SKU_A1_STUDENT } },
      log,
    )
  })
  after(() => sim.close())

  test('create adopts the synced user found by the anchor, and never makes a cloud user', async () => {
    const before = sim.users.size
    const r = await target.create(request('piet@school.test'))
    assert.deepEqual(r, { outcome: 'unchanged', id: piet.id, locator: piet.id })
    const waiting = await failure(target.create(request('nog-niet@school.test')))
    assert.equal(waiting.kind, 'transient')
    assert.match(
      waiting.message,
      /no Entra user with userPrincipalName "nog-niet@school.test" yet; createUsers is false/,
    )
    assert.equal(sim.users.size, before)
  })

  test('a licence on a synced user: the usage location is filled in and the licence assigned', async () => {
    const ref = { id: piet.id, locator: piet.id }
    assert.equal(
      (await target.grant(ref, { type: 'licence', id: 'a1-student' })).outcome,
      'updated',
    )
    assert.equal(piet.props.usageLocation, 'NL')
    assert.deepEqual(
      piet.licenses.map((l) => l.skuId),
      [SKU_A1_STUDENT],
    )
  })

  test('cloud groups by display name: grant, grant again, revoke; not found and ambiguous names are clear errors', async () => {
    const ref = { id: piet.id, locator: piet.id }
    assert.equal((await target.grant(ref, { type: 'group', id: 'Klas 1A' })).outcome, 'updated')
    assert.ok(sim.groups.get(klas1a)?.members.has(piet.id))
    assert.equal(
      (await target.grant(ref, { type: 'group', id: 'klas 1a' })).outcome,
      'unchanged',
      'Entra compares names without case',
    )
    assert.equal((await target.revoke(ref, { type: 'group', id: 'Klas 1A' })).outcome, 'updated')
    assert.equal(sim.groups.get(klas1a)?.members.has(piet.id), false)
    assert.equal(
      (await target.grant(ref, { type: 'group', id: klas1a })).outcome,
      'updated',
      'an object id still works',
    )

    const missing = await failure(target.grant(ref, { type: 'group', id: 'Klas 9Z' }))
    assert.equal(missing.kind, 'not-found')
    assert.match(missing.message, /group "Klas 9Z" does not exist in Entra ID/)
    assert.equal((await target.revoke(ref, { type: 'group', id: 'Klas 9Z' })).outcome, 'unchanged')

    const twice = await failure(target.grant(ref, { type: 'group', id: 'Docenten' }))
    assert.equal(twice.kind, 'conflict')
    for (const id of docenten) assert.ok(twice.message.includes(id), twice.message)
    assert.match(twice.message, /name the group by its object id/)
  })

  test('a group synced from AD is refused with a hint to grant it with the AD target', async () => {
    const e = await failure(
      target.grant({ id: piet.id, locator: piet.id }, { type: 'group', id: 'AD Staff' }),
    )
    assert.equal(e.kind, 'invalid')
    assert.match(e.message, new RegExp(`"AD Staff" \\(${adStaff}\\).*grant it with the AD target`))
  })

  test('AD-mastered properties, state and deletion are left to AD with a log line; usageLocation is written', async () => {
    const ref = { id: piet.id, locator: piet.id }
    const r = await target.update(ref, [
      { field: 'displayName', old: 'Piet Pieters', new: 'P. Pieters' },
      { field: 'usageLocation', old: 'NL', new: 'BE' },
    ])
    assert.equal(r.outcome, 'updated')
    assert.equal(piet.props.displayName, 'Piet Pieters')
    assert.equal(piet.props.usageLocation, 'BE')
    assert.ok(
      log.some(
        (l) =>
          l.level === 'warn' &&
          /synced from on-premises AD; displayName is set in AD/.test(l.message),
      ),
    )
    assert.equal(
      (await target.update(ref, [{ field: 'displayName', old: 'Piet Pieters', new: 'P. Pieters' }]))
        .outcome,
      'unchanged',
    )

    assert.equal((await target.disable(ref)).outcome, 'unchanged')
    assert.equal(piet.props.accountEnabled, true)
    assert.equal((await target.delete(ref)).outcome, 'unchanged')
    assert.equal(piet.deletedAt, undefined)
    assert.ok(log.some((l) => /it is deleted there, not in Entra/.test(l.message)))
  })

  test('createMissingGroups: grants of a name no group has make one security group, shared by concurrent grants', async () => {
    const maker = entraTarget(sim, { createMissingGroups: true })
    const a = sim.seedUser({
      displayName: 'A',
      userPrincipalName: 'a@school.test',
      mailNickname: 'a',
    })
    const b = sim.seedUser({
      displayName: 'B',
      userPrincipalName: 'b@school.test',
      mailNickname: 'b',
    })
    const before = sim.groups.size
    const results = await Promise.all(
      [a, b].map((u) =>
        maker.grant({ id: u.id, locator: u.id }, { type: 'group', id: 'Mentorgroep Één' }),
      ),
    )
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['updated', 'updated'],
    )
    assert.equal(sim.groups.size, before + 1)
    const made = [...sim.groups.values()].find((g) => g.displayName === 'Mentorgroep Één')
    assert.deepEqual([...(made?.members ?? [])].sort(), [a.id, b.id].sort())
    assert.equal(made?.props.securityEnabled, true)
    assert.equal(made?.props.mailNickname, 'MentorgroepEen')
    const without = await failure(
      entraTarget(sim).grant({ id: a.id, locator: a.id }, { type: 'group', id: 'Nog een groep' }),
    )
    assert.equal(without.kind, 'not-found', 'off by default')
  })
})
