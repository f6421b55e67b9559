/**
 * Sends one group action (create, update/rename/restore, archive, delete) to its target and returns the group's
 * ledger row as it is afterwards. Throws the connector's error; retries and journaling are apply-plan's.
 */
import type { GroupRequest, Ref, WriteResult } from '../contract/index.ts'
import { ConnectorError } from '../contract/index.ts'
import type { Action, AttributeValue, GroupAction, ProvisionedGroup } from '../model/index.ts'
import type { EngineTarget } from './engine-types.ts'
import { ARCHIVED_FIELD } from './plan-groups.ts'

export async function executeGroupAction(
  action: GroupAction,
  target: EngineTarget,
  groupOf: (key: string) => ProvisionedGroup | undefined,
  now: string,
  signal?: AbortSignal,
): Promise<ProvisionedGroup> {
  const g = action.group
  const c = target.connector
  const opts = signal !== undefined ? { signal } : {}
  const current = groupOf(g.key)
  const live = current !== undefined && current.state !== 'deleted' ? current : undefined
  const ref: Ref | undefined =
    live !== undefined
      ? { id: live.targetId, locator: live.locator }
      : g.ref !== undefined
        ? { id: g.ref.targetId, locator: g.ref.locator }
        : undefined
  const unsupported = (what: string) =>
    new ConnectorError('unsupported', `${c.type} cannot ${what} groups`)
  switch (action.kind) {
    case 'group-create': {
      if (c.createGroup === undefined) throw unsupported('create')
      const attributes = valuesOf(action, {})
      const r = await c.createGroup(request(g.key, attributes, groupOf), opts)
      return rowOf(action, undefined, r, now, { state: 'active', attributes })
    }
    case 'group-update': {
      if (c.updateGroup === undefined) throw unsupported('update')
      const at = need(ref, action)
      const attributes = valuesOf(action, live?.attributes ?? {})
      delete attributes[ARCHIVED_FIELD]
      const r = await c.updateGroup(at, action.changes, request(g.key, attributes, groupOf), opts)
      return rowOf(action, live, r, now, { state: 'active', attributes, archivedAt: undefined })
    }
    case 'group-archive': {
      const at = need(ref, action)
      // a target without an archive of its own keeps the group as it is; the ledger marks it (delete follows)
      const r =
        c.capabilities.groups?.archive === 'target' && c.archiveGroup !== undefined
          ? await c.archiveGroup(at, opts)
          : { outcome: 'unchanged' as const, id: at.id, locator: at.locator }
      return rowOf(action, live, r, now, { state: 'archived', archivedAt: live?.archivedAt ?? now })
    }
    case 'group-delete': {
      if (c.deleteGroup === undefined) throw unsupported('delete')
      const r = await c.deleteGroup(need(ref, action), opts)
      return rowOf(action, live, r, now, { state: 'deleted' })
    }
  }
}

function request(
  key: string,
  attributes: Readonly<Record<string, AttributeValue>>,
  groupOf: (key: string) => ProvisionedGroup | undefined,
): GroupRequest {
  const parentKey = attributes['parent']
  const parent = typeof parentKey === 'string' ? groupOf(parentKey) : undefined
  const title = attributes['title']
  return {
    key,
    title: typeof title === 'string' ? title : key,
    attributes,
    ...(parent !== undefined && parent.state !== 'deleted'
      ? { parent: { id: parent.targetId, locator: parent.locator } }
      : {}),
  }
}

/** The group's fields after the action: the ledger's, with the action's changes applied. */
function valuesOf(
  action: Action,
  had: Readonly<Record<string, AttributeValue>>,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = { ...had }
  for (const ch of action.changes) {
    if (ch.new === undefined) delete out[ch.field]
    else out[ch.field] = ch.new
  }
  return out
}

function need(ref: Ref | undefined, action: GroupAction): Ref {
  if (ref === undefined)
    throw new ConnectorError(
      'not-found',
      `no group known for ${action.group.key} in ${action.target}`,
    )
  return ref
}

function rowOf(
  action: GroupAction,
  current: ProvisionedGroup | undefined,
  r: WriteResult,
  now: string,
  patch: Partial<Omit<ProvisionedGroup, 'kind'>>,
): ProvisionedGroup {
  const g = action.group
  const base: ProvisionedGroup = current ?? {
    kind: 'provisioned-group',
    target: action.target,
    key: g.key,
    set: g.set,
    targetId: r.id,
    locator: r.locator,
    state: 'active',
    attributes: {},
    createdAt: now,
    updatedAt: now,
  }
  const next: ProvisionedGroup = {
    ...base,
    ...patch,
    set: g.set,
    targetId: r.id || base.targetId,
    locator: r.locator || base.locator,
    updatedAt: now,
  }
  if (next.archivedAt === undefined) {
    const { archivedAt: _drop, ...rest } = next
    return rest
  }
  return next
}
