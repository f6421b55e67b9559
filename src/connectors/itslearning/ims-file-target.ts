// The `itslearning-ims-file` target: actions change a durable local state (ims-file-state.ts); `deliver` writes the
// whole desired state as one IMS Enterprise 1.1 file, checks it against the last delivered one, and uploads it
// atomically over SFTP.
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import {
  ConnectorError,
  type ConnectorContext,
  type CreateRequest,
  type DeliveryResult,
  type GroupRequest,
  type OpOptions,
  type Ref,
  type TargetAccount,
  type TargetCapabilities,
  type TargetConnector,
  type WriteResult,
} from '../../contract/index.ts'
import type { Attributes, FieldChange } from '../../model/index.ts'
import {
  MEMBERSHIP,
  MEMBERSHIP_ROLES,
  parseMembership,
  personFrom,
  single,
  SYNC_KEY_ATTRIBUTE,
  type MembershipRole,
} from './itslearning-conventions.ts'
import { provisionedChain } from './ims-es-courses.ts'
import { buildModel, compareModels, splitGroupMembership, type ImsModel } from './ims-file-model.ts'
import type { ImsFileOptions } from './ims-file-options.ts'
import { uploadAtomic, type BeforeRename, type SftpTarget } from './ims-file-sftp.ts'
import { FileState, readText, writeAtomic, type PersonRecord } from './ims-file-state.ts'
import { modelToXml } from './ims-file-xml.ts'
import { messageOf } from '../../util/message-of.ts'

export interface ImsFileSeams {
  readonly beforeRename?: BeforeRename
}

export class ImsFileTarget implements TargetConnector {
  readonly name: string
  readonly type = 'itslearning-ims-file'
  readonly capabilities: TargetCapabilities
  readonly state: FileState
  readonly #options: ImsFileOptions
  readonly #context: ConnectorContext
  readonly #seams: ImsFileSeams

  constructor(
    name: string,
    options: ImsFileOptions,
    context: ConnectorContext,
    seams: ImsFileSeams = {},
  ) {
    this.name = name
    this.#options = options
    this.#context = context
    this.#seams = seams
    this.state = new FileState(resolve(context.baseDir, options.stateDir))
    this.capabilities = {
      listAccounts: true,
      enableDisable: true,
      delete: true,
      permissionTypes: [MEMBERSHIP],
      readOnlyAttributes: [],
      defaultConcurrency: options.concurrency,
      // provisioned courses (provisionGroups:): archived ones stay in the file with a timeframe that has ended
      groups: { roles: [...MEMBERSHIP_ROLES], archive: 'target' },
    }
  }

  async *listAccounts(): AsyncIterable<TargetAccount> {
    await this.state.load()
    for (const [key, rec] of Object.entries(this.state.data.persons)) yield account(key, rec)
  }

  async find(anchor: {
    readonly attribute: string
    readonly value: string
  }): Promise<TargetAccount | undefined> {
    await this.state.load()
    if (anchor.attribute === SYNC_KEY_ATTRIBUTE) {
      const rec = this.state.get(anchor.value)
      return rec === undefined ? undefined : account(anchor.value, rec)
    }
    for (const [key, rec] of Object.entries(this.state.data.persons))
      if (single(rec.attributes[anchor.attribute]) === anchor.value) return account(key, rec)
    return undefined
  }

  async create(request: CreateRequest): Promise<WriteResult> {
    const found = await this.find(request.anchor)
    if (found !== undefined) return { outcome: 'unchanged', id: found.id, locator: found.locator }
    const person = personFrom(
      request.attributes,
      `create ${request.anchor.attribute}=${request.anchor.value}`,
    )
    if (this.state.get(person.syncKey) !== undefined)
      throw new ConnectorError(
        'conflict',
        `syncPersonKey ${JSON.stringify(person.syncKey)} belongs to another person in ${this.name}`,
      )
    await this.state.put(person.syncKey, {
      attributes: clean(request.attributes),
      enabled: request.enabled,
      permissions: [],
    })
    return { outcome: 'created', id: person.syncKey, locator: person.syncKey }
  }

  async update(ref: Ref, changes: readonly FieldChange[]): Promise<WriteResult> {
    await this.state.load()
    const rec = this.#mustGet(ref)
    const next: Record<string, Attributes[string]> = { ...rec.attributes }
    for (const c of changes) {
      if (c.field === SYNC_KEY_ATTRIBUTE && single(c.new) !== ref.id)
        throw new ConnectorError(
          'invalid',
          `${this.name}: syncPersonKey cannot change (${ref.id} → ${String(c.new)}); it is the person's identity in itslearning`,
        )
      if (c.new === undefined || single(c.new) === undefined) delete next[c.field]
      else next[c.field] = c.new
    }
    personFrom(next, `update ${ref.id}`)
    if (JSON.stringify(next) === JSON.stringify(rec.attributes))
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.state.put(ref.id, { ...rec, attributes: next })
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  enable(ref: Ref): Promise<WriteResult> {
    return this.#setEnabled(ref, true)
  }

  disable(ref: Ref): Promise<WriteResult> {
    return this.#setEnabled(ref, false)
  }

  async #setEnabled(ref: Ref, enabled: boolean): Promise<WriteResult> {
    await this.state.load()
    const rec = this.#mustGet(ref)
    if (rec.enabled === enabled) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.state.put(ref.id, { ...rec, enabled })
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async delete(ref: Ref): Promise<WriteResult> {
    await this.state.load()
    if (this.state.get(ref.id) === undefined)
      return { outcome: 'already-gone', id: ref.id, locator: ref.id }
    await this.state.remove(ref.id)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async grant(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
  ): Promise<WriteResult> {
    if (permission.type === 'group') return this.#setGroupMembership(ref, permission, true)
    const id = checkPermission(this.name, permission)
    await this.state.load()
    const rec = this.#mustGet(ref)
    if (rec.permissions.includes(id)) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.state.put(ref.id, { ...rec, permissions: [...rec.permissions, id].sort() })
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  async revoke(
    ref: Ref,
    permission: { readonly type: string; readonly id: string; readonly role?: string },
  ): Promise<WriteResult> {
    if (permission.type === 'group') return this.#setGroupMembership(ref, permission, false)
    const id = checkPermission(this.name, permission)
    await this.state.load()
    const rec = this.state.get(ref.id)
    if (rec === undefined || !rec.permissions.includes(id))
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.state.put(ref.id, { ...rec, permissions: rec.permissions.filter((p) => p !== id) })
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  /** A membership of a provisioned course (the engine's `group` permission with its role), in the person's record. */
  async #setGroupMembership(
    ref: Ref,
    permission: { readonly id: string; readonly role?: string },
    held: boolean,
  ): Promise<WriteResult> {
    const role = (permission.role ?? 'learner') as MembershipRole
    if (!MEMBERSHIP_ROLES.includes(role))
      throw new ConnectorError(
        'unsupported',
        `${this.name}: role ${JSON.stringify(permission.role)}; itslearning knows ${MEMBERSHIP_ROLES.join(', ')}`,
      )
    await this.state.load()
    if (held && this.state.group(permission.id) === undefined)
      throw new ConnectorError(
        'not-found',
        `${this.name}: no provisioned course with sync key ${JSON.stringify(permission.id)}`,
      )
    const rec = held ? this.#mustGet(ref) : this.state.get(ref.id)
    const entry = `${permission.id}#${role}`
    const entries = rec?.groups ?? []
    if (rec === undefined || entries.includes(entry) === held)
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    const groups = held ? [...entries, entry].sort() : entries.filter((e) => e !== entry)
    await this.state.put(ref.id, { ...rec, groups })
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  /**
   * A provisioned course below its school and school year (the set's `school` and `schoolYear` attributes), or a
   * course group below the provisioned course its set names as `parent`. Its sync key is `koppel:<key>`, as the
   * ES connector makes it, so a school can move from one connector to the other without new courses.
   */
  async createGroup(request: GroupRequest): Promise<WriteResult> {
    const chain = provisionedChain(request)
    const own = chain[chain.length - 1] as (typeof chain)[number]
    await this.state.load()
    if (this.state.group(own.syncKey) !== undefined)
      return { outcome: 'unchanged', id: own.syncKey, locator: own.syncKey }
    this.#mustHaveParent(request.key, own.parent, own.kind)
    await this.state.putGroup(own.syncKey, { chain })
    return { outcome: 'created', id: own.syncKey, locator: own.syncKey }
  }

  /** A new title or parent under the same sync key (so every membership stays); `archived → ∅` restores it. */
  async updateGroup(
    ref: Ref,
    changes: readonly FieldChange[],
    request: GroupRequest,
  ): Promise<WriteResult> {
    const chain = provisionedChain(request)
    const own = chain[chain.length - 1] as (typeof chain)[number]
    if (own.syncKey !== ref.id)
      throw new ConnectorError(
        'invalid',
        `${this.name}: group ${request.key} has sync key ${own.syncKey}, not ${ref.id}; a sync key never changes`,
      )
    await this.state.load()
    const rec = this.#mustGetGroup(ref)
    this.#mustHaveParent(request.key, own.parent, own.kind)
    const restore = changes.some((c) => c.field === 'archived' && single(c.new) === undefined)
    const archived = restore ? undefined : rec.archived
    const next = { chain, ...(archived !== undefined ? { archived } : {}) }
    if (JSON.stringify(next) === JSON.stringify(rec))
      return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    await this.state.putGroup(ref.id, next)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  /**
   * Archived: the course stays in the file (so itslearning keeps it and its content; a course missing from the
   * file is deleted) with its members, and its timeframe ends today.
   */
  async archiveGroup(ref: Ref): Promise<WriteResult> {
    await this.state.load()
    const rec = this.#mustGetGroup(ref)
    if (rec.archived !== undefined) return { outcome: 'unchanged', id: ref.id, locator: ref.id }
    const today = this.#context.now().toISOString().slice(0, 10)
    await this.state.putGroup(ref.id, { ...rec, archived: today })
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  /** Left out of the next file, with its memberships: itslearning deletes what the file no longer holds. */
  async deleteGroup(ref: Ref): Promise<WriteResult> {
    await this.state.load()
    if (this.state.group(ref.id) === undefined)
      return { outcome: 'already-gone', id: ref.id, locator: ref.id }
    const writes = [this.state.removeGroup(ref.id)]
    // a course made again later under the same key must not find its old members in it
    for (const [key, rec] of Object.entries(this.state.data.persons)) {
      const kept = (rec.groups ?? []).filter((e) => splitGroupMembership(e).group !== ref.id)
      if (kept.length !== (rec.groups ?? []).length)
        writes.push(this.state.put(key, { ...rec, groups: kept }))
    }
    await Promise.all(writes)
    return { outcome: 'updated', id: ref.id, locator: ref.id }
  }

  #mustGetGroup(ref: Ref) {
    const rec = this.state.group(ref.id)
    if (rec === undefined)
      throw new ConnectorError(
        'not-found',
        `${this.name}: no provisioned course with sync key ${JSON.stringify(ref.id)}`,
      )
    return rec
  }

  #mustHaveParent(key: string, parent: string | undefined, kind: string): void {
    if (kind === 'CourseGroup' && (parent === undefined || this.state.group(parent) === undefined))
      throw new ConnectorError(
        'not-found',
        `${this.name}: group ${key}: its parent course ${JSON.stringify(parent)} is not provisioned here`,
      )
  }

  /**
   * The record now, after `state.load()`: callers read it and `put` the change without an await in between, so
   * two actions of one person (a grant and a second grant) cannot both build on the record from before.
   */
  #mustGet(ref: Ref): PersonRecord {
    const rec = this.state.get(ref.id)
    if (rec === undefined)
      throw new ConnectorError(
        'not-found',
        `${this.name}: no person with syncPersonKey ${JSON.stringify(ref.id)}`,
      )
    return rec
  }

  /**
   * Builds the file from the state, compares it with the last delivered one, refuses a change beyond the limits
   * unless approved, and uploads it. The state of the last delivery is updated only after the upload succeeded,
   * so a failed or refused delivery is tried again by the next apply.
   */
  async deliver(options: OpOptions = {}): Promise<DeliveryResult> {
    await this.state.load()
    return this.state.exclusive(() => this.#deliver(options))
  }

  async #deliver(options: OpOptions): Promise<DeliveryResult> {
    const now = this.#context.now()
    const today = now.toISOString().slice(0, 10)
    const o = this.#options
    const built = buildModel(this.state.data, today, o.courseArchiveDays)
    const json = canonical(built.model)
    const prevText = await readText(this.state.path('delivered.json'))
    const prev =
      prevText === undefined ? undefined : parseModel(prevText, this.state.path('delivered.json'))
    const counts = `${built.model.persons.length} persons, ${built.model.groups.length} groups, ${built.model.memberships.length} memberships`
    if (prevText === json) {
      await this.#recordCourses(built.seenCourses, today)
      return { outcome: 'unchanged', message: `${o.fileName} unchanged (${counts})` }
    }
    if (prev !== undefined && !o.allowLargeChange) {
      const c = compareModels(prev, built.model)
      const removed = c.removed.persons + c.removed.groups + c.removed.memberships
      const deletePct = c.before === 0 ? 0 : (removed / c.before) * 100
      const changePct = c.beforePersons === 0 ? 0 : (c.changedPersons / c.beforePersons) * 100
      const tooMany = deletePct > o.maxDeletePercent || changePct > o.maxChangePercent
      // the token names this transition (last delivered file → this one), so an approval is used up by delivering
      const token = createHash('sha256')
        .update(prevText ?? '')
        .update('\u0000')
        .update(json)
        .digest('hex')
        .slice(0, 16)
      if (tooMany && !(options.approvals ?? []).includes(token)) {
        throw new ConnectorError(
          'invalid',
          `refusing to deliver ${o.fileName}: it would delete ${removed} of ${c.before} objects (${pct(deletePct)} %, maxDeletePercent ${o.maxDeletePercent}): ` +
            `${c.removed.persons} persons, ${c.removed.groups} groups, ${c.removed.memberships} memberships; and change ${c.changedPersons} of ${c.beforePersons} persons ` +
            `(${pct(changePct)} %, maxChangePercent ${o.maxChangePercent}). If this change is intended, approve it with: koppel approve ${this.name}:${token} --reason "…", then apply again`,
        )
      }
    }
    options.signal?.throwIfAborted()
    const xml = modelToXml(built.model, {
      source: o.datasource,
      datetime: now.toISOString(),
      carerInstitutionRole: o.carerInstitutionRole,
    })
    await uploadAtomic(this.#sftp(), o.fileName, xml, this.#seams.beforeRename)
    await writeAtomic(this.state.path('delivered.xml'), xml)
    await writeAtomic(this.state.path('delivered.json'), json)
    await this.#recordCourses(built.seenCourses, today)
    const held =
      built.held > 0 ? ` (${built.held} emptied course(s) held for courseArchiveDays)` : ''
    this.#context.log('info', `${this.name}: delivered ${o.fileName}`, {
      persons: built.model.persons.length,
      groups: built.model.groups.length,
    })
    return { outcome: 'delivered', message: `delivered ${o.fileName}: ${counts}${held}` }
  }

  async #recordCourses(seen: ReadonlyMap<string, string>, today: string): Promise<void> {
    const courses = this.state.data.courses
    for (const [key, example] of seen) courses[key] = { example, lastSeen: today }
    const limit = Date.parse(`${today}T00:00:00Z`) - this.#options.courseArchiveDays * 86_400_000
    for (const [key, c] of Object.entries(courses))
      if (!seen.has(key) && Date.parse(`${c.lastSeen}T00:00:00Z`) <= limit) delete courses[key]
    await this.state.compactHere()
  }

  #sftp(): SftpTarget {
    const s = this.#options.sftp
    return {
      host: s.host,
      port: s.port,
      username: s.username,
      hostKeyFingerprint: s.hostKeyFingerprint,
      remoteDir: s.remoteDir,
      timeoutMs: s.timeoutMs,
      ...(s.privateKey !== undefined ? { privateKey: s.privateKey } : {}),
      ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
    }
  }

  async close(): Promise<void> {
    // every action already waited for its journal line; nothing is buffered
  }
}

function account(key: string, rec: PersonRecord): TargetAccount {
  return {
    id: key,
    locator: key,
    attributes: rec.attributes,
    enabled: rec.enabled,
    permissions: rec.permissions,
  }
}

function clean(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => single(v) !== undefined))
}

function checkPermission(
  target: string,
  p: { readonly type: string; readonly id: string },
): string {
  if (p.type !== MEMBERSHIP)
    throw new ConnectorError(
      'unsupported',
      `${target}: permission type ${JSON.stringify(p.type)}; only "${MEMBERSHIP}" is supported`,
    )
  parseMembership(p.id)
  return p.id
}

/** JSON with persons, groups and memberships in key order (buildModel sorts them). */
function canonical(model: ImsModel): string {
  return JSON.stringify(model)
}

function parseModel(text: string, path: string): ImsModel {
  try {
    return JSON.parse(text) as ImsModel
  } catch (e) {
    throw new ConnectorError(
      'config',
      `${path} is damaged (${messageOf(e)}); remove it to deliver without comparing`,
      { cause: e },
    )
  }
}

const pct = (n: number) => n.toFixed(1)
