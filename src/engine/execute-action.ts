import type { Ref, TargetConnector, WriteResult } from '../contract/index.ts'
import { ConnectorError } from '../contract/index.ts'
import { redactSecrets } from '../util/secret-redaction.ts'
import type {
  Account,
  AccountAction,
  Action,
  AttributeValue,
  Attributes,
  CreateAction,
  PermissionAction,
  ProvisionedGroup,
  WriteBackAction,
} from '../model/index.ts'
import { accountOf, GROUP_MEMBERSHIP } from '../model/index.ts'
import type { EngineTarget } from './engine-types.ts'
import { permissionKey, valueOf } from './account-values.ts'
import { parseMembershipId } from './desire.ts'
import { messageOf } from '../util/message-of.ts'

/** What executeAction needs besides the action and its target. */
export interface ExecuteContext {
  /**
   * The account's ledger row (undefined for a new account); its locator, not the plan's, is used, because an
   * earlier action may have renamed the entry. It is read again after the connector returns: another action of
   * the same account (a second grant) may have finished meanwhile, and building on the row from before would
   * drop its change.
   */
  readonly currentOf: () => Account | undefined
  /** Receives the new row in the tick it is built (the caller's ledger must be updated there, not later). */
  readonly commit?: (row: Account) => void
  /** ISO timestamp for the row's updatedAt/createdAt/disabledAt. */
  readonly now: string
  readonly signal?: AbortSignal
  /** This target's provisioned group by sync key, for memberships of provisioned groups (type `membership`). */
  readonly groupOf?: (key: string) => ProvisionedGroup | undefined
}

/** What a sent action left behind. */
export interface Executed {
  /** The account's ledger row afterwards; none after a write-back, which changes no account. */
  readonly row: Account | undefined
  /**
   * A create whose one-time secrets could not be delivered: why, naming the account and the channel, never the
   * secret. The account exists all the same, so its row is kept, but the action counts as failed.
   */
  readonly deliveryFailed?: string
}

/**
 * Sends one action to its target and returns the ledger row as it is afterwards. Throws the connector's error;
 * retries and journaling are the caller's. A failed secret delivery is returned, not thrown: the connector
 * did its part.
 */
export async function executeAction(
  action: Action,
  target: EngineTarget,
  ctx: ExecuteContext,
): Promise<Executed> {
  const { currentOf, commit, now, signal } = ctx
  // The row is handed to `commit` in the same tick it is built from `currentOf()`: awaiting this function's
  // result takes more ticks, in which another action of the account can build its row on the stale one.
  const row = (...args: Parameters<typeof buildRow>): { row: Account } => {
    const next = buildRow(...args)
    commit?.(next)
    return { row: next }
  }
  const c = target.connector
  const current = currentOf()
  const planned = accountOf(action)
  const ref: Ref | undefined =
    current !== undefined && current.state !== 'deleted'
      ? { id: current.targetId, locator: current.locator }
      : planned !== undefined
        ? { id: planned.targetId, locator: planned.locator }
        : undefined
  const opts = signal !== undefined ? { signal } : {}
  switch (action.kind) {
    case 'update': {
      const r = await c.update(need(ref, action), action.changes, opts)
      const attributes: Record<string, AttributeValue> = { ...(currentOf()?.attributes ?? {}) }
      for (const ch of action.changes) {
        if (ch.new === undefined) delete attributes[ch.field]
        else attributes[ch.field] = ch.new
      }
      return row(action, currentOf(), r, now, { attributes })
    }
    case 'enable': {
      // a target that cannot disable had its leaver marked in the ledger only (see planLeaver): unmark it there
      const r = c.capabilities.enableDisable
        ? await call(c, 'enable', c.enable, need(ref, action), opts)
        : ledgerOnly(need(ref, action))
      // awaited before the row is read, so the row includes what finished meanwhile
      return row(action, currentOf(), r, now, { state: 'active', disabledAt: undefined })
    }
    case 'disable': {
      const r = c.capabilities.enableDisable
        ? await call(c, 'disable', c.disable, need(ref, action), opts)
        : ledgerOnly(need(ref, action))
      // a drift correction of an account Koppel had disabled keeps the first date: the grace period counts from it
      const was = currentOf()
      const since = was?.state === 'disabled' && was.disabledAt !== undefined ? was.disabledAt : now
      return row(action, was, r, now, { state: 'disabled', disabledAt: since })
    }
    case 'delete': {
      const r = await call(c, 'delete', c.delete, need(ref, action), opts)
      return row(action, currentOf(), r, now, { state: 'deleted' })
    }
    case 'grant':
    case 'revoke':
      return changePermission(action, target, ctx, row, need(ref, action))
    case 'create':
      return createAccount(action, target, ctx, row)
    case 'correlate':
      return correlateAccount(action, target, ctx, row)
    case 'write-back':
      return writeBackValues(action, target, ctx)
    case 'group-create':
    case 'group-update':
    case 'group-archive':
    case 'group-delete':
      throw new ConnectorError(
        'invalid',
        `${action.kind} is a group action (execute-group-action.ts)`,
      )
  }
}

/** Builds the ledger row and hands it to the caller's ledger in the same tick (see executeAction). */
type RowBuilder = (...args: Parameters<typeof buildRow>) => { row: Account }

async function createAccount(
  action: CreateAction,
  target: EngineTarget,
  ctx: ExecuteContext,
  row: RowBuilder,
): Promise<Executed> {
  const { currentOf, now } = ctx
  const c = target.connector
  const opts = ctx.signal !== undefined ? { signal: ctx.signal } : {}
  const attributes = attributesOf(action)
  const anchorValue = attributes[target.anchorAttribute]
  if (typeof anchorValue !== 'string')
    throw new ConnectorError('invalid', `no value for anchor attribute ${target.anchorAttribute}`)
  const r = await c.create(
    {
      attributes,
      enabled: true,
      anchor: { attribute: target.anchorAttribute, value: anchorValue },
    },
    opts,
  )
  const created = row(action, currentOf(), r, now, {
    attributes: { ...attributes, ...r.attributes },
    state: 'active',
    permissions: [],
  })
  if (r.oneTimeSecrets === undefined) return created
  const deliveryFailed = await deliverSecrets(action, target, r.oneTimeSecrets, created.row, opts)
  return deliveryFailed === undefined ? created : { ...created, deliveryFailed }
}

/** Adopts an account that was in the target before Koppel: only the mapped attributes enter the ledger. */
async function correlateAccount(
  action: AccountAction,
  target: EngineTarget,
  ctx: ExecuteContext,
  row: RowBuilder,
): Promise<Executed> {
  const { currentOf, now } = ctx
  const opts = ctx.signal !== undefined ? { signal: ctx.signal } : {}
  const anchor = action.changes[0]?.new
  if (typeof anchor !== 'string')
    throw new ConnectorError('invalid', 'correlate action without an anchor value')
  const found = await target.connector.find(
    { attribute: target.anchorAttribute, value: anchor },
    opts,
  )
  if (found === undefined)
    throw new ConnectorError(
      'not-found',
      `no account with ${target.anchorAttribute}=${anchor} any more`,
    )
  const managed = pick(found.attributes, target.mapping.attributes)
  return row(
    action,
    currentOf(),
    { outcome: 'unchanged', id: found.id, locator: found.locator },
    now,
    {
      attributes: managed,
      state: found.enabled ? 'active' : 'disabled',
      permissions: [],
    },
  )
}

/** Grants or revokes one permission; the ledger keeps the account's permission keys sorted. */
async function changePermission(
  action: PermissionAction,
  target: EngineTarget,
  ctx: ExecuteContext,
  row: RowBuilder,
  ref: Ref,
): Promise<Executed> {
  const { currentOf, now } = ctx
  const c = target.connector
  const method = action.kind === 'grant' ? c.grant : c.revoke
  if (method === undefined)
    throw new ConnectorError('unsupported', `${c.type} cannot ${action.kind} permissions`)
  const type = action.permissionType
  const id = action.permission
  const opts = ctx.signal !== undefined ? { signal: ctx.signal } : {}
  let r: WriteResult
  if (type === GROUP_MEMBERSHIP) {
    // the group's current place from the group ledger: a rename since the plan was made does not matter
    const { role, key: groupKey } = parseMembershipId(id)
    const group = ctx.groupOf?.(groupKey)
    if (group === undefined || group.state === 'deleted') {
      // nothing to join; a revoke of a deleted group's membership only tidies the ledger
      if (action.kind === 'grant')
        throw new ConnectorError(
          'not-found',
          `group ${groupKey} is not provisioned in ${target.name} (its group-create did not succeed)`,
        )
      r = ledgerOnly(ref)
    } else {
      r = await method.call(c, ref, { type: 'group', id: group.locator, role }, opts)
    }
  } else {
    r = await method.call(c, ref, { type, id }, opts)
  }
  const key = permissionKey(type, id)
  const held = new Set(currentOf()?.permissions ?? [])
  if (action.kind === 'grant') held.add(key)
  else held.delete(key)
  return row(action, currentOf(), r, now, { permissions: [...held].sort() })
}

/** Writes account values into the person's source record; changes no ledger row. */
async function writeBackValues(
  action: WriteBackAction,
  target: EngineTarget,
  ctx: ExecuteContext,
): Promise<Executed> {
  const opts = ctx.signal !== undefined ? { signal: ctx.signal } : {}
  const wb = action.writeBack
  const setup = target.writeBacks?.find((w) => w.source === wb.source)
  if (setup === undefined)
    throw new ConnectorError(
      'config',
      `no write-back to ${wb.source} is configured on ${target.name} any more`,
    )
  const write = setup.connector.writeBack
  if (write === undefined)
    throw new ConnectorError('unsupported', `source ${wb.source} cannot write back`)
  // the ledger's value, not the plan's: the target may have normalised what it was sent on create
  const attrs = ctx.currentOf()?.attributes ?? {}
  const fields: Record<string, string> = {}
  for (const ch of action.changes) {
    const attribute = setup.fields[ch.field]
    const now = attribute !== undefined ? valueOf(attrs, attribute) : undefined
    const value = now ?? (typeof ch.new === 'string' ? ch.new : undefined)
    if (value !== undefined) fields[ch.field] = value
  }
  await write.call(setup.connector, { sourceId: wb.record, fields }, opts)
  return { row: undefined }
}

async function call(
  c: TargetConnector,
  name: string,
  fn: ((ref: Ref, o?: { signal?: AbortSignal }) => Promise<WriteResult>) | undefined,
  ref: Ref,
  opts: { signal?: AbortSignal },
): Promise<WriteResult> {
  if (fn === undefined) throw new ConnectorError('unsupported', `${c.type} cannot ${name} accounts`)
  return fn.call(c, ref, opts)
}

/** The result of a ledger-only disable/enable: the target is not called, the account stays as it is there. */
function ledgerOnly(ref: Ref): WriteResult {
  return { outcome: 'unchanged', id: ref.id, locator: ref.locator }
}

function need(ref: Ref | undefined, action: Action): Ref {
  if (ref === undefined)
    throw new ConnectorError(
      'not-found',
      `no account known for ${action.person} in ${action.target}`,
    )
  return ref
}

function attributesOf(action: Action): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {}
  for (const ch of action.changes) if (ch.new !== undefined) out[ch.field] = ch.new
  return out
}

function pick(attrs: Attributes, names: readonly string[]): Record<string, AttributeValue> {
  const lower = new Map(Object.entries(attrs).map(([k, v]) => [k.toLowerCase(), v]))
  const out: Record<string, AttributeValue> = {}
  for (const n of names) {
    const v = lower.get(n.toLowerCase())
    if (v !== undefined) out[n] = v
  }
  return out
}

function buildRow(
  action: Action,
  current: Account | undefined,
  r: WriteResult,
  now: string,
  patch: Partial<Omit<Account, 'kind'>>,
): Account {
  const base: Account =
    current !== undefined && action.kind !== 'create'
      ? current
      : {
          kind: 'account',
          target: action.target,
          person: action.person,
          targetId: r.id,
          locator: r.locator,
          state: 'active',
          attributes: {},
          permissions: current?.permissions ?? [],
          createdAt: now,
          updatedAt: now,
        }
  const next: Account = {
    ...base,
    ...patch,
    targetId: r.id || base.targetId,
    locator: r.locator || base.locator,
    updatedAt: now,
  }
  if (next.disabledAt === undefined) {
    const { disabledAt: _drop, ...rest } = next
    return rest
  }
  return next
}

/**
 * Hands a new account's one-time secrets to the configured channel and drops them. They never reach the plan,
 * journal, ledger, audit or a log line; a failure message names the account and the channel, not the secret.
 * Returns that message when the delivery failed.
 */
async function deliverSecrets(
  action: CreateAction,
  target: EngineTarget,
  secrets: Readonly<Record<string, string>>,
  created: Account,
  opts: { signal?: AbortSignal },
): Promise<string | undefined> {
  const d = target.secretDelivery
  const to = action.deliverSecretsTo
  if (d === undefined || to === undefined) return undefined
  const where = 'mail' in to ? `by mail to ${to.mail}` : `to ${to.source} record ${to.record}`
  try {
    if (d.kind === 'mail' && 'mail' in to) {
      const login = valueOf(created.attributes, d.loginAttribute) ?? ''
      const lines = [
        `A new ${target.name} account was made for ${action.label}.`,
        '',
        `Login: ${login}`,
        ...Object.entries(secrets).map(
          ([k, v]) => `${k === 'password' ? 'Initial password' : k}: ${v}`,
        ),
        '',
        'Hand this over in person; the password must be changed at first logon where the system supports it.',
      ]
      await d.send({
        to: to.mail,
        subject: d.subject.replace('{name}', action.label),
        text: lines.join('\n'),
      })
    } else if (d.kind === 'write-back' && 'source' in to && d.connector.writeBack !== undefined) {
      const fields: Record<string, string> = {}
      for (const [name, field] of Object.entries(d.fields))
        if (secrets[name] !== undefined) fields[field] = secrets[name]
      if (Object.keys(fields).length === 0) return undefined
      await d.connector.writeBack.call(d.connector, { sourceId: to.record, fields }, opts)
    }
  } catch (e) {
    const why = redactSecrets(
      ConnectorError.isInstance(e) ? `${e.kind}: ${e.message}` : messageOf(e),
    )
    return redactSecrets(
      `account created, but its initial password could not be delivered ${where} (${why}); set a new password by hand`,
    )
  }
  return undefined
}
