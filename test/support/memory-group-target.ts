// The in-memory target with provisioned groups: groups are objects with a title, their sync key and members
// by role, kept on the group (as a directory keeps `member` on the group entry), so a rename moves the
// group and its members together. A group without a key is someone else's: creating one with its title is a
// conflict, as in a real directory.
import { randomUUID } from 'node:crypto'
import type {
  GroupRequest,
  Ref,
  TargetAccount,
  TargetCapabilities,
  WriteResult,
} from '../../src/contract/index.ts'
import { ConnectorError } from '../../src/contract/index.ts'
import type { AttributeValue, FieldChange } from '../../src/model/index.ts'
import { MemoryTarget } from './memory-target.ts'

export interface MemoryGroup {
  id: string
  key?: string
  title: string
  attributes: Record<string, AttributeValue>
  archived: boolean
  /** Account id → role. */
  members: Map<string, string>
  parent?: string
}

export class MemoryGroupTarget extends MemoryTarget {
  readonly groups = new Map<string, MemoryGroup>()
  readonly groupCalls: { op: string; key?: string }[] = []

  constructor(name: string, capabilities: Partial<TargetCapabilities> = {}) {
    super(name, { groups: { roles: ['member', 'owner'], archive: 'target' }, ...capabilities })
  }

  locatorOf(g: MemoryGroup): string {
    return `cn=${g.title},ou=${g.archived ? 'archive' : 'groups'}`
  }

  /** The group with this title (not archived), for assertions. */
  byTitle(title: string): MemoryGroup | undefined {
    return [...this.groups.values()].find((g) => g.title === title && !g.archived)
  }

  /** Members of a group by role, as account anchors (employeeNumber), sorted. */
  membersOf(g: MemoryGroup, role = 'member'): string[] {
    return [...g.members]
      .filter(([, r]) => r === role)
      .map(([id]) => String(this.entries.get(id)?.attributes['employeeNumber'] ?? id))
      .sort()
  }

  override async *listAccounts(): AsyncIterable<TargetAccount> {
    for await (const a of super.listAccounts()) {
      const extra = [...this.groups.values()]
        .filter((g) => g.members.get(a.id) === 'member')
        .map((g) => this.locatorOf(g))
      yield { ...a, permissions: [...(a.permissions ?? []), ...extra].sort() }
    }
  }

  override async grant(
    ref: Ref,
    p: { type: string; id: string; role?: string },
  ): Promise<WriteResult> {
    const g = this.#byLocator(p.id)
    if (g === undefined) return super.grant(ref, p)
    if (!this.entries.has(ref.id)) throw new ConnectorError('not-found', `no entry ${ref.id}`)
    const had = g.members.get(ref.id) === (p.role ?? 'member')
    g.members.set(ref.id, p.role ?? 'member')
    return { outcome: had ? 'unchanged' : 'updated', id: ref.id, locator: ref.locator }
  }

  override async revoke(
    ref: Ref,
    p: { type: string; id: string; role?: string },
  ): Promise<WriteResult> {
    const g = this.#byLocator(p.id)
    if (g === undefined) return super.revoke(ref, p)
    const had = g.members.get(ref.id) === (p.role ?? 'member')
    if (had) g.members.delete(ref.id)
    return { outcome: had ? 'updated' : 'unchanged', id: ref.id, locator: ref.locator }
  }

  async createGroup(request: GroupRequest): Promise<WriteResult> {
    this.groupCalls.push({ op: 'create', key: request.key })
    const mine = [...this.groups.values()].find((g) => g.key === request.key)
    if (mine !== undefined)
      return { outcome: 'unchanged', id: mine.id, locator: this.locatorOf(mine) }
    if (this.byTitle(request.title) !== undefined)
      throw new ConnectorError('conflict', `a group ${request.title} exists that is not Koppel's`)
    const g: MemoryGroup = {
      id: randomUUID(),
      key: request.key,
      title: request.title,
      attributes: { ...request.attributes },
      archived: false,
      members: new Map(),
      ...(request.parent !== undefined ? { parent: request.parent.id } : {}),
    }
    this.groups.set(g.id, g)
    return { outcome: 'created', id: g.id, locator: this.locatorOf(g) }
  }

  async updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
  ): Promise<WriteResult> {
    this.groupCalls.push({ op: 'update', key: request.key })
    const g = this.#get(ref)
    for (const c of changes) {
      if (c.field === 'archived') g.archived = false
      else if (c.new === undefined) delete g.attributes[c.field]
      else g.attributes[c.field] = c.new
    }
    g.title = request.title
    return { outcome: 'updated', id: g.id, locator: this.locatorOf(g) }
  }

  async archiveGroup(ref: Ref): Promise<WriteResult> {
    this.groupCalls.push({ op: 'archive' })
    const g = this.#get(ref)
    g.archived = true
    return { outcome: 'updated', id: g.id, locator: this.locatorOf(g) }
  }

  async deleteGroup(ref: Ref): Promise<WriteResult> {
    this.groupCalls.push({ op: 'delete' })
    if (!this.groups.delete(ref.id))
      return { outcome: 'already-gone', id: ref.id, locator: ref.locator }
    return { outcome: 'updated', id: ref.id, locator: ref.locator }
  }

  #get(ref: Ref): MemoryGroup {
    const g = this.groups.get(ref.id)
    if (g === undefined) throw new ConnectorError('not-found', `no group ${ref.id}`)
    return g
  }

  #byLocator(locator: string): MemoryGroup | undefined {
    return [...this.groups.values()].find((g) => this.locatorOf(g) === locator)
  }
}
