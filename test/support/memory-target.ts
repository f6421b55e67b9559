// An in-memory target with per-operation fault injection (midPoint's DummyResource idea), for engine tests:
// guards, retries and resume-from-journal are tested by breaking things on purpose.
import { randomUUID } from 'node:crypto'
import type {
  CreateRequest,
  Ref,
  TargetAccount,
  TargetCapabilities,
  TargetConnector,
  WriteResult,
} from '../../src/contract/index.ts'
import { ConnectorError } from '../../src/contract/index.ts'
import type { AttributeValue, FieldChange } from '../../src/model/index.ts'

export type Operation =
  'create' | 'update' | 'enable' | 'disable' | 'delete' | 'grant' | 'revoke' | 'find' | 'list'

interface Entry {
  id: string
  attributes: Record<string, AttributeValue>
  enabled: boolean
  permissions: Set<string>
}

export class MemoryTarget implements TargetConnector {
  readonly name: string
  readonly type = 'memory'
  readonly capabilities: TargetCapabilities
  readonly entries = new Map<string, Entry>()
  readonly calls: { op: Operation; id?: string }[] = []
  /** Fail the next N calls of an operation with this error kind. */
  readonly faults = new Map<
    Operation,
    { kind: ConnectorError['kind']; times: number; retryAfterMs?: number }
  >()
  /** Called before each write; a test can kill or pause work from here. */
  beforeWrite: (op: Operation) => Promise<void> = async () => {}
  /** When set, each new account gets this initial password as a one-time secret (as the AD connector does). */
  initialPassword: ((i: number) => string) | undefined

  constructor(name = 'memory', capabilities: Partial<TargetCapabilities> = {}) {
    this.name = name
    this.capabilities = {
      listAccounts: true,
      enableDisable: true,
      delete: true,
      permissionTypes: ['group'],
      readOnlyAttributes: [],
      defaultConcurrency: 4,
      ...capabilities,
    }
  }

  #fault(op: Operation): void {
    const f = this.faults.get(op)
    if (f === undefined || f.times <= 0) return
    f.times--
    throw new ConnectorError(
      f.kind,
      `injected ${f.kind} on ${op}`,
      f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {},
    )
  }

  #view(e: Entry): TargetAccount {
    return {
      id: e.id,
      locator: String(e.attributes['dn'] ?? e.id),
      attributes: { ...e.attributes },
      enabled: e.enabled,
      permissions: [...e.permissions].sort(),
    }
  }

  #get(ref: Ref): Entry {
    const e = this.entries.get(ref.id)
    if (e === undefined) throw new ConnectorError('not-found', `no entry ${ref.id}`)
    return e
  }

  #result(outcome: WriteResult['outcome'], e: Entry): WriteResult {
    return { outcome, id: e.id, locator: String(e.attributes['dn'] ?? e.id) }
  }

  async *listAccounts(): AsyncIterable<TargetAccount> {
    this.calls.push({ op: 'list' })
    this.#fault('list')
    for (const e of this.entries.values()) yield this.#view(e)
  }

  async find(anchor: { attribute: string; value: string }): Promise<TargetAccount | undefined> {
    this.calls.push({ op: 'find' })
    this.#fault('find')
    for (const e of this.entries.values())
      if (e.attributes[anchor.attribute] === anchor.value) return this.#view(e)
    return undefined
  }

  async create(req: CreateRequest): Promise<WriteResult> {
    this.calls.push({ op: 'create' })
    await this.beforeWrite('create')
    this.#fault('create')
    for (const e of this.entries.values())
      if (e.attributes[req.anchor.attribute] === req.anchor.value)
        return this.#result('unchanged', e)
    const e: Entry = {
      id: randomUUID(),
      attributes: { ...req.attributes },
      enabled: req.enabled,
      permissions: new Set(),
    }
    this.entries.set(e.id, e)
    const created = this.#result('created', e)
    return this.initialPassword !== undefined
      ? { ...created, oneTimeSecrets: { password: this.initialPassword(this.entries.size) } }
      : created
  }

  async update(ref: Ref, changes: readonly FieldChange[]): Promise<WriteResult> {
    this.calls.push({ op: 'update', id: ref.id })
    await this.beforeWrite('update')
    this.#fault('update')
    const e = this.#get(ref)
    for (const c of changes) {
      if (c.new === undefined) delete e.attributes[c.field]
      else e.attributes[c.field] = c.new
    }
    return this.#result('updated', e)
  }

  async enable(ref: Ref): Promise<WriteResult> {
    return this.#toggle('enable', ref, true)
  }

  async disable(ref: Ref): Promise<WriteResult> {
    return this.#toggle('disable', ref, false)
  }

  async #toggle(op: 'enable' | 'disable', ref: Ref, enabled: boolean): Promise<WriteResult> {
    this.calls.push({ op, id: ref.id })
    await this.beforeWrite(op)
    this.#fault(op)
    const e = this.#get(ref)
    const changed = e.enabled !== enabled
    e.enabled = enabled
    return this.#result(changed ? 'updated' : 'unchanged', e)
  }

  async delete(ref: Ref): Promise<WriteResult> {
    this.calls.push({ op: 'delete', id: ref.id })
    await this.beforeWrite('delete')
    this.#fault('delete')
    if (!this.entries.delete(ref.id))
      return { outcome: 'already-gone', id: ref.id, locator: ref.locator }
    return { outcome: 'updated', id: ref.id, locator: ref.locator }
  }

  async grant(ref: Ref, p: { type: string; id: string }): Promise<WriteResult> {
    return this.#perm('grant', ref, p.id, true)
  }

  async revoke(ref: Ref, p: { type: string; id: string }): Promise<WriteResult> {
    return this.#perm('revoke', ref, p.id, false)
  }

  async #perm(op: 'grant' | 'revoke', ref: Ref, id: string, add: boolean): Promise<WriteResult> {
    this.calls.push({ op, id: ref.id })
    await this.beforeWrite(op)
    this.#fault(op)
    const e = this.#get(ref)
    const had = e.permissions.has(id)
    if (add) e.permissions.add(id)
    else e.permissions.delete(id)
    return this.#result(had === add ? 'unchanged' : 'updated', e)
  }

  async close(): Promise<void> {}
}
