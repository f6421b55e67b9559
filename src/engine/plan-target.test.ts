// planTarget's branches, one diff at a time: joiner, correlation, mover, returner, drift, leaver, grace, holds.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { TargetAccount, TargetCapabilities } from '../contract/index.ts'
import type { Account, Action, Contract, Person } from '../model/index.ts'
import { accountOf } from '../model/index.ts'
import { compileMapping } from '../rules/index.ts'
import { MemoryTarget } from '../../test/support/memory-target.ts'
import type { DesiredAccount } from './desire.ts'
import type { EngineTarget, Lifecycle } from './engine-types.ts'
import { planTarget, type TargetPlanInput } from './plan-target.ts'

const TODAY = '2026-11-23'

function person(key: string, given: string, classGroup: string, end?: string): Person {
  const contract: Contract = {
    kind: 'enrolment',
    id: `${key}-c`,
    source: 'school',
    role: 'student',
    organisation: 'org/1',
    classGroup,
    attributes: {},
    ...(end !== undefined ? { end } : {}),
  }
  return {
    kind: 'person',
    key,
    sourceIds: { school: key },
    givenName: given,
    familyName: 'Visser',
    attributes: {},
    contracts: [contract],
    memberships: [],
  }
}

function desired(p: Person, groups: string[] = []): DesiredAccount {
  const contract = p.contracts[0] as Contract
  return {
    person: p,
    rule: 'pupils',
    contract,
    contracts: [contract],
    permissions: new Map(groups.map((g) => [g, { type: 'group', rule: 'pupils' }])),
  }
}

function target(
  caps: Partial<TargetCapabilities> = {},
  lifecycle: Partial<Lifecycle> = {},
  connector = new MemoryTarget('dir', caps),
): EngineTarget {
  return {
    name: 'dir',
    connector,
    anchorAttribute: 'employeeNumber',
    mapping: compileMapping('dir', {
      employeeNumber: 'person.key',
      cn: 'person.givenName',
      dn: '"cn=" + person.givenName + ",ou=" + contract.classGroup',
    }),
    anchorMapping: compileMapping('dir', { employeeNumber: 'person.key' }),
    lifecycle: {
      provisionDaysBefore: 14,
      disableAfterDays: 0,
      deleteAfterDays: 30,
      holds: [],
      ...lifecycle,
    },
    guard: {},
    apply: { concurrency: 1, retries: 0, backoffMs: 1, maxBackoffMs: 1 },
  }
}

function row(p: Person, classGroup: string, over: Partial<Account> = {}): Account {
  return {
    kind: 'account',
    target: 'dir',
    person: p.key,
    targetId: `id-${p.key}`,
    locator: `cn=${p.givenName},ou=${classGroup}`,
    state: 'active',
    attributes: { employeeNumber: p.key, cn: p.givenName },
    permissions: [],
    createdAt: '2026-09-01T00:00:00Z',
    updatedAt: '2026-09-01T00:00:00Z',
    ...over,
  }
}

function plan(
  t: EngineTarget,
  people: { p: Person; d?: DesiredAccount }[],
  ledger: Account[],
  listing?: TargetAccount[],
  today = TODAY,
) {
  const input: TargetPlanInput = {
    target: t,
    persons: new Map(people.map(({ p }) => [p.key, p])),
    desired: new Map(people.flatMap(({ p, d }) => (d !== undefined ? [[p.key, d] as const] : []))),
    frozen: new Set(),
    ledger,
    ...(listing !== undefined ? { listing } : {}),
    today,
  }
  return planTarget(input)
}

const summary = (actions: readonly Action[]) =>
  actions.map(
    (a) =>
      `${a.kind}${a.kind === 'grant' || a.kind === 'revoke' ? ` ${a.permission}` : ''} (${a.reason.change})${a.after !== undefined ? ` after ${a.after}` : ''}${a.kind !== 'create' && accountOf(a) === undefined ? ' no account' : ''}`,
  )

describe('planTarget: people who should have an account', () => {
  test('a joiner gets a create with every mapped attribute and grants that wait for it', () => {
    const anna = person('p1', 'Anna', '1A')
    const r = plan(target(), [{ p: anna, d: desired(anna, ['cn=b', 'cn=a']) }], [])
    assert.deepEqual(summary(r.actions), [
      'create (joiner)',
      'grant cn=a (joiner) after dir/p1/create no account',
      'grant cn=b (joiner) after dir/p1/create no account',
    ])
    assert.deepEqual(r.actions[0]?.changes, [
      { field: 'employeeNumber', new: 'p1' },
      { field: 'cn', new: 'Anna' },
      { field: 'dn', new: 'cn=Anna,ou=1A' },
    ])
    assert.equal(r.actions[1]?.label, 'Anna Visser')
  })

  test('an unmanaged account with the anchor is correlated, then updated, enabled and granted after it', () => {
    const anna = person('p1', 'Anna', '1A')
    const listed: TargetAccount = {
      id: 'x1',
      locator: 'cn=Anna,ou=old',
      attributes: { employeeNumber: 'P1', cn: 'Anna' },
      enabled: false,
      permissions: ['cn=a'],
    }
    const r = plan(target(), [{ p: anna, d: desired(anna, ['cn=a', 'cn=b']) }], [], [listed])
    assert.deepEqual(summary(r.actions), [
      'correlate (correlation)',
      'update (correlation) after dir/p1/correlate',
      'enable (correlation) after dir/p1/correlate',
      'grant cn=b (joiner) after dir/p1/correlate no account',
    ])
    // the anchor matches case-insensitively; the update writes it as mapped
    assert.deepEqual(r.actions[1]?.changes, [
      { field: 'employeeNumber', old: 'P1', new: 'p1' },
      { field: 'dn', old: 'cn=Anna,ou=old', new: 'cn=Anna,ou=1A' },
    ])
  })

  test("a joiner's grants do not ask the target for permission keys; a correlated account's held ones do", () => {
    const calls: string[] = []
    class KeyedTarget extends MemoryTarget {
      permissionKey(type: string, id: string): string {
        calls.push(id)
        return type === 'group' ? id.toLowerCase() : id
      }
    }
    const anna = person('p1', 'Anna', '1A')
    const joiner = plan(
      target({}, {}, new KeyedTarget('dir')),
      [{ p: anna, d: desired(anna, ['cn=a', 'cn=b']) }],
      [],
    )
    assert.equal(joiner.actions.filter((a) => a.kind === 'grant').length, 2)
    assert.deepEqual(calls, [])
    const listed: TargetAccount = {
      id: 'x1',
      locator: 'cn=Anna,ou=1A',
      attributes: { employeeNumber: 'p1', cn: 'Anna' },
      enabled: true,
      permissions: ['CN=A'],
    }
    const correlated = plan(
      target({}, {}, new KeyedTarget('dir')),
      [{ p: anna, d: desired(anna, ['cn=a', 'cn=b']) }],
      [],
      [listed],
    )
    assert.deepEqual(summary(correlated.actions), [
      'correlate (correlation)',
      'grant cn=b (joiner) after dir/p1/correlate no account',
    ])
    assert.ok(calls.length > 0)
  })

  test('a mover is updated, granted the new group and revoked the old one, on the known account', () => {
    const anna = person('p1', 'Anna', '2B')
    const r = plan(
      target(),
      [{ p: anna, d: desired(anna, ['cn=2B']) }],
      [row(anna, '1A', { permissions: ['group:cn=1A'] })],
    )
    assert.deepEqual(summary(r.actions), [
      'update (mover)',
      'grant cn=2B (mover)',
      'revoke cn=1A (mover)',
    ])
    assert.deepEqual(
      r.actions.map((a) => accountOf(a)?.targetId),
      ['id-p1', 'id-p1', 'id-p1'],
    )
    assert.equal(r.actions[2]?.reason.detail, 'no rule grants this any more')
  })

  test('a change made in the target by someone else is drift; a held permission is not granted again', () => {
    const anna = person('p1', 'Anna', '1A')
    const listed: TargetAccount = {
      id: 'id-p1',
      locator: 'cn=Anna,ou=1A',
      attributes: { employeeNumber: 'p1', cn: 'Hacked' },
      enabled: false,
      permissions: ['cn=a'],
    }
    const r = plan(
      target(),
      [{ p: anna, d: desired(anna, ['cn=a']) }],
      [row(anna, '1A', { permissions: ['group:cn=a'] })],
      [listed],
    )
    assert.deepEqual(summary(r.actions), ['enable (drift)', 'update (drift)'])
  })

  test('a returner whose account Koppel disabled is enabled; a target that cannot enable gets an issue instead', () => {
    const anna = person('p1', 'Anna', '1A')
    const disabled = row(anna, '1A', { state: 'disabled', disabledAt: '2026-10-01T00:00:00Z' })
    assert.deepEqual(summary(plan(target(), [{ p: anna, d: desired(anna) }], [disabled]).actions), [
      'enable (returner)',
    ])
    const noEnable = new MemoryTarget('dir')
    Object.defineProperty(noEnable, 'enable', { value: undefined })
    const r = plan(target({}, {}, noEnable), [{ p: anna, d: desired(anna) }], [disabled])
    assert.deepEqual(r.actions, [])
    assert.equal(r.issues[0]?.code, 'cannot_enable')
  })

  test('an account gone from the listing is created again (drift)', () => {
    const anna = person('p1', 'Anna', '1A')
    const r = plan(target(), [{ p: anna, d: desired(anna) }], [row(anna, '1A')], [])
    assert.deepEqual(summary(r.actions), ['create (drift)'])
  })
})

describe('planTarget: leavers', () => {
  test('a leaver is disabled and loses its groups, not its roles', () => {
    const anna = person('p1', 'Anna', '1A', '2026-11-01')
    const r = plan(
      target(),
      [{ p: anna }],
      [row(anna, '1A', { permissions: ['group:cn=b', 'role:r1', 'group:cn=a'] })],
    )
    assert.deepEqual(summary(r.actions), [
      'disable (leaver)',
      'revoke cn=a (leaver)',
      'revoke cn=b (leaver)',
    ])
    assert.equal(r.actions[0]?.reason.detail, 'last contract ended 2026-11-01')
  })

  test('a disabled account is deleted when its grace period has ended, not before', () => {
    const anna = person('p1', 'Anna', '1A', '2026-09-01')
    const disabled = row(anna, '1A', { state: 'disabled', disabledAt: '2026-10-01T00:00:00Z' })
    assert.deepEqual(plan(target(), [{ p: anna }], [disabled], undefined, '2026-10-30').actions, [])
    const r = plan(target(), [{ p: anna }], [disabled], undefined, '2026-10-31')
    assert.deepEqual(summary(r.actions), ['delete (grace-expired)'])
  })

  test('a target that cannot disable marks the leaver in the ledger only', () => {
    const anna = person('p1', 'Anna', '1A', '2026-11-01')
    const r = plan(target({ enableDisable: false }), [{ p: anna }], [row(anna, '1A')])
    assert.deepEqual(summary(r.actions), ['disable (leaver)'])
    assert.match(r.actions[0]?.reason.detail ?? '', /ledger only: memory cannot disable/)
  })

  test("a hold window keeps a leaver's disable and its revokes, and says so", () => {
    const anna = person('p1', 'Anna', '1A', '2026-11-01')
    const r = plan(
      target({}, { holds: [{ from: '11-01', to: '11-30', kinds: ['disable'] }] }),
      [{ p: anna }],
      [row(anna, '1A', { permissions: ['group:cn=a'] })],
    )
    assert.deepEqual(r.actions, [])
    assert.deepEqual(r.notes, ['dir: 2 disable action(s) held back by a hold window today'])
  })
})
