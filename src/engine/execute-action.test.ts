// executeAction's branches, one action at a time against the memory target: what it sends, what ledger row it
// returns, and which errors it throws (the caller retries and journals).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { SourceConnector, WriteBackRequest } from '../contract/index.ts'
import { ConnectorError } from '../contract/index.ts'
import type { Account, Action, AccountRef } from '../model/index.ts'
import { compileMapping } from '../rules/index.ts'
import { MemoryTarget } from '../../test/support/memory-target.ts'
import type { EngineTarget } from './engine-types.ts'
import { executeAction, type ExecuteContext } from './execute-action.ts'

const NOW = '2026-11-23T06:00:00.000Z'
const reason = { change: 'joiner', detail: 'test' } as const
const base = (kind: string) => ({
  id: `dir/p1/${kind}`,
  target: 'dir',
  person: 'p1',
  label: 'Anna Visser',
  reason,
})

function setup(over: Partial<EngineTarget> = {}, connector = new MemoryTarget('dir')) {
  const target: EngineTarget = {
    name: 'dir',
    connector,
    anchorAttribute: 'employeeNumber',
    mapping: compileMapping('dir', { employeeNumber: 'person.key', cn: 'person.givenName' }),
    anchorMapping: compileMapping('dir', { employeeNumber: 'person.key' }),
    lifecycle: { provisionDaysBefore: 0, disableAfterDays: 0, deleteAfterDays: null, holds: [] },
    guard: {},
    apply: { concurrency: 1, retries: 0, backoffMs: 1, maxBackoffMs: 1 },
    ...over,
  }
  let ledger: Account | undefined
  const ctx: ExecuteContext = { currentOf: () => ledger, commit: (r) => (ledger = r), now: NOW }
  return {
    target,
    connector,
    ctx,
    row: () => ledger,
    setRow: (r: Account | undefined) => (ledger = r),
  }
}

const createP1 = (extra: object = {}): Action => ({
  ...base('create'),
  kind: 'create',
  changes: [
    { field: 'employeeNumber', new: 'p1' },
    { field: 'cn', new: 'Anna' },
  ],
  ...extra,
})

/** A created account: in the target and in the ledger. */
async function created(s: ReturnType<typeof setup>): Promise<AccountRef> {
  const r = await executeAction(createP1(), s.target, s.ctx)
  assert.ok(r.row)
  return { targetId: r.row.targetId, locator: r.row.locator }
}

function writeBackSource(fail?: Error): SourceConnector & { written: WriteBackRequest[] } {
  const written: WriteBackRequest[] = []
  return {
    name: 'school',
    type: 'test',
    capabilities: { delta: false, writeBack: true },
    read: async () => assert.fail('not read'),
    writeBack: async (req: WriteBackRequest) => {
      if (fail !== undefined) throw fail
      written.push(req)
    },
    written,
  } as unknown as SourceConnector & { written: WriteBackRequest[] }
}

describe('executeAction: accounts', () => {
  test('create sends every attribute with the anchor and returns an active row with no permissions', async () => {
    const s = setup()
    const r = await executeAction(createP1(), s.target, s.ctx)
    assert.deepEqual(
      s.connector.calls.map((c) => c.op),
      ['create'],
    )
    assert.equal(r.row, s.row(), 'the row is committed in the same tick')
    assert.deepEqual(
      [r.row?.state, r.row?.attributes, r.row?.permissions, r.row?.createdAt],
      ['active', { employeeNumber: 'p1', cn: 'Anna' }, [], NOW],
    )
    assert.equal(r.deliveryFailed, undefined)
  })

  test('create without a value for the anchor attribute fails as invalid and sends nothing', async () => {
    const s = setup()
    const action: Action = {
      ...base('create'),
      kind: 'create',
      changes: [{ field: 'cn', new: 'Anna' }],
    }
    await assert.rejects(
      executeAction(action, s.target, s.ctx),
      (e: unknown) =>
        ConnectorError.isInstance(e) &&
        e.kind === 'invalid' &&
        /anchor attribute employeeNumber/.test(e.message),
    )
    assert.deepEqual(s.connector.calls, [])
  })

  test('correlate adopts the found account with only the mapped attributes (names matched case-insensitively); a vanished one is not-found', async () => {
    const s = setup()
    await s.connector.create({
      attributes: { employeeNumber: 'p1', CN: 'Anna', other: 'x' },
      enabled: false,
      anchor: { attribute: 'employeeNumber', value: 'p1' },
    })
    const action: Action = {
      ...base('correlate'),
      kind: 'correlate',
      account: { targetId: 'x', locator: 'x' },
      changes: [{ field: 'employeeNumber', old: 'p1', new: 'p1' }],
    }
    const r = await executeAction(action, s.target, s.ctx)
    assert.deepEqual(
      [r.row?.state, r.row?.attributes],
      ['disabled', { employeeNumber: 'p1', cn: 'Anna' }],
    )
    const gone: Action = { ...action, changes: [{ field: 'employeeNumber', old: 'p2', new: 'p2' }] }
    await assert.rejects(
      executeAction(gone, s.target, s.ctx),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'not-found',
    )
  })

  test('update sets and removes fields in the ledger row; an action without any known account is not-found', async () => {
    const s = setup()
    const account = await created(s)
    const update: Action = {
      ...base('update'),
      kind: 'update',
      account,
      changes: [
        { field: 'cn', old: 'Anna', new: 'Ann' },
        { field: 'employeeNumber', old: 'p1' },
      ],
    }
    const r = await executeAction(update, s.target, s.ctx)
    assert.deepEqual(r.row?.attributes, { cn: 'Ann' })
    const fresh = setup()
    // a grant planned for a new account whose create never reached the ledger
    const unknown: Action = {
      ...base('grant/g'),
      kind: 'grant',
      changes: [],
      permission: 'g',
      permissionType: 'group',
    }
    await assert.rejects(
      executeAction(unknown, fresh.target, fresh.ctx),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'not-found',
    )
  })

  test('disable keeps the first disabledAt of an account Koppel disabled; enable clears it', async () => {
    const s = setup()
    const account = await created(s)
    const disable: Action = { ...base('disable'), kind: 'disable', account, changes: [] }
    const first = await executeAction(disable, s.target, s.ctx)
    assert.equal(first.row?.disabledAt, NOW)
    const again = await executeAction(disable, s.target, {
      ...s.ctx,
      now: '2026-12-01T00:00:00.000Z',
    })
    assert.equal(again.row?.disabledAt, NOW)
    const enabled = await executeAction(
      { ...base('enable'), kind: 'enable', account, changes: [] },
      s.target,
      s.ctx,
    )
    assert.deepEqual([enabled.row?.state, 'disabledAt' in (enabled.row ?? {})], ['active', false])
  })

  test('a target that cannot disable is not called: the ledger alone records the state', async () => {
    const s = setup({}, new MemoryTarget('dir', { enableDisable: false }))
    const account = await created(s)
    s.connector.calls.length = 0
    const r = await executeAction(
      { ...base('disable'), kind: 'disable', account, changes: [] },
      s.target,
      s.ctx,
    )
    assert.deepEqual(s.connector.calls, [])
    assert.equal(r.row?.state, 'disabled')
  })
})

describe('executeAction: permissions and write-backs', () => {
  test('grant and revoke send the permission with its type and keep the ledger keys sorted', async () => {
    const s = setup()
    const account = await created(s)
    const perm = (kind: 'grant' | 'revoke', id: string, type = 'group'): Action => ({
      ...base(`${kind}/${id}`),
      kind,
      account,
      changes: [],
      permission: id,
      permissionType: type,
    })
    await executeAction(perm('grant', 'cn=b'), s.target, s.ctx)
    await executeAction(perm('grant', 'r1', 'role'), s.target, s.ctx)
    const r = await executeAction(perm('grant', 'cn=a'), s.target, s.ctx)
    assert.deepEqual(r.row?.permissions, ['group:cn=a', 'group:cn=b', 'role:r1'])
    const revoked = await executeAction(perm('revoke', 'cn=b'), s.target, s.ctx)
    assert.deepEqual(revoked.row?.permissions, ['group:cn=a', 'role:r1'])
  })

  test('a grant to a target without grants is unsupported', async () => {
    const connector = new MemoryTarget('dir')
    Object.defineProperty(connector, 'grant', { value: undefined })
    const s = setup({}, connector)
    const account = await created(s)
    const grant: Action = {
      ...base('grant/g'),
      kind: 'grant',
      account,
      changes: [],
      permission: 'g',
      permissionType: 'group',
    }
    await assert.rejects(
      executeAction(grant, s.target, s.ctx),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'unsupported',
    )
  })

  test("a write-back writes the ledger's value (as the target normalised it), and changes no row", async () => {
    const source = writeBackSource()
    const s = setup({
      writeBacks: [
        {
          source: 'school',
          connector: source,
          fields: { username: 'cn' },
          current: { username: 'username' },
        },
      ],
    })
    await created(s)
    const wb: Action = {
      ...base('write-back/school'),
      kind: 'write-back',
      changes: [{ field: 'username', new: 'plan-value' }],
      writeBack: { source: 'school', record: 'rec-1' },
    }
    const r = await executeAction(wb, s.target, s.ctx)
    assert.deepEqual(r, { row: undefined })
    assert.deepEqual(source.written, [{ sourceId: 'rec-1', fields: { username: 'Anna' } }])
    const other: Action = { ...wb, writeBack: { source: 'afas', record: 'rec-1' } }
    await assert.rejects(
      executeAction(other, s.target, s.ctx),
      (e: unknown) =>
        ConnectorError.isInstance(e) &&
        e.kind === 'config' &&
        /no write-back to afas/.test(e.message),
    )
  })
})

describe('executeAction: one-time secrets', () => {
  const delivery = (source: SourceConnector): Partial<EngineTarget> => ({
    secretDelivery: {
      kind: 'write-back',
      source: 'school',
      connector: source,
      fields: { password: 'initialPassword' },
    },
  })

  test("a new account's initial password goes to the configured source field", async () => {
    const source = writeBackSource()
    const s = setup(delivery(source))
    s.connector.initialPassword = () => 'Secret-1!'
    const r = await executeAction(
      createP1({ deliverSecretsTo: { source: 'school', record: 'rec-1' } }),
      s.target,
      s.ctx,
    )
    assert.deepEqual(source.written, [
      { sourceId: 'rec-1', fields: { initialPassword: 'Secret-1!' } },
    ])
    assert.equal(r.deliveryFailed, undefined)
    assert.ok(!JSON.stringify(r).includes('Secret-1!'))
  })

  test('a failed delivery is returned with the row, not thrown, and names the channel but not the secret', async () => {
    const s = setup(
      delivery(
        writeBackSource(new ConnectorError('invalid', 'field initialPassword is read-only')),
      ),
    )
    s.connector.initialPassword = () => 'Secret-1!'
    const r = await executeAction(
      createP1({ deliverSecretsTo: { source: 'school', record: 'rec-1' } }),
      s.target,
      s.ctx,
    )
    assert.equal(r.row?.state, 'active')
    assert.equal(r.row, s.row())
    assert.equal(
      r.deliveryFailed,
      'account created, but its initial password could not be delivered to school record rec-1 (invalid: field initialPassword is read-only); set a new password by hand',
    )
  })
})
