// The in-memory directory tree (DIT) with OpenLDAP semantics for bind, add, modify, delete, modify DN and
// compare: storage by id with a DN-key map, a child map and equality indexes; access rules of a slapd with
// a rootdn and no ACLs (everyone reads, only the rootdn writes, anonymous writes need authentication).
// Searching is in search.ts, persistence in persistence.ts; this module holds no protocol code.
import {
  addRdnValues,
  applyModifications,
  applyRename,
  type Modification,
} from './apply-changes.ts'
import { inputAttribute, type WireAttribute } from './attribute-input.ts'
import { childDn, dnFromRdns, isWithin, parentDn, toDn, type Dn } from './dn-key.ts'
import { firstString, makeAttr, type Attr, type Entry } from './entry.ts'
import { EqualityIndex } from './equality-index.ts'
import { decodeValue, equalityKey } from './matching.ts'
import { stampCreated, stampModified } from './operational.ts'
import { verifyPassword } from './password.ts'
import { fail, ResultCode } from './result-code.ts'
import { attributeType, requireAttributeType } from './schema.ts'
import { checkEntry } from './schema-check.ts'

export interface Session {
  /** Undefined when anonymous. */
  readonly dn: Dn | undefined
  readonly admin: boolean
}

export const ANONYMOUS: Session = { dn: undefined, admin: false }

/**
 * Extension points for a directory with other semantics than slapd's (the AD simulator): each runs after the
 * schema check, on the attributes about to be stored, and may add or drop values or throw with `fail()`.
 */
export interface DirectoryHooks {
  beforeAdd?(directory: Directory, dn: Dn, attrs: Map<string, Attr>): void
  beforeModify?(directory: Directory, entry: Entry, attrs: Map<string, Attr>): void
}

export class Directory {
  readonly baseDn: Dn
  readonly adminDn: Dn
  readonly #adminPassword: Buffer
  readonly #hooks: DirectoryHooks
  readonly #byId = new Map<number, Entry>()
  readonly #idByKey = new Map<string, number>()
  readonly #children = new Map<number, Set<number>>()
  readonly #index = new EqualityIndex()
  #nextId = 1
  /** Called after every successful write (persistence listens). */
  onChange: () => void = () => {}

  constructor(options: {
    baseDn: string
    adminDn: string
    adminPassword: string
    hooks?: DirectoryHooks
  }) {
    this.#hooks = options.hooks ?? {}
    this.baseDn = toDn(options.baseDn)
    this.adminDn = toDn(options.adminDn)
    this.#adminPassword = Buffer.from(options.adminPassword, 'utf8')
  }

  get size(): number {
    return this.#byId.size
  }

  get adminSession(): Session {
    return { dn: this.adminDn, admin: true }
  }

  // ---- reads

  entry(dn: Dn): Entry | undefined {
    const id = this.#idByKey.get(dn.key)
    return id === undefined ? undefined : this.#byId.get(id)
  }

  entryById(id: number): Entry | undefined {
    return this.#byId.get(id)
  }

  childIds(id: number): ReadonlySet<number> {
    return this.#children.get(id) ?? new Set()
  }

  indexLookup = (attributeKey: string, valueKey: string): ReadonlySet<number> | undefined =>
    this.#index.lookup(attributeKey, valueKey)

  /** An attribute of an entry, including the virtual entryDN, hasSubordinates and subschemaSubentry. */
  read = (entry: Entry, key: string): Attr | undefined => {
    if (entry.dn.key === '') return entry.attrs.get(key) // the root DSE has no virtual attributes
    switch (key) {
      case 'entrydn':
        return makeAttr(requireAttributeType(key), [entry.dn.pretty])
      case 'hassubordinates':
        return makeAttr(requireAttributeType(key), [
          this.childIds(entry.id).size > 0 ? 'TRUE' : 'FALSE',
        ])
      case 'subschemasubentry':
        return makeAttr(requireAttributeType(key), ['cn=Subschema'])
      default:
        return entry.attrs.get(key)
    }
  }

  /** The entry, or noSuchObject (32) with the nearest existing ancestor as matchedDN. */
  require(dn: Dn, message = ''): Entry {
    return this.entry(dn) ?? fail(ResultCode.noSuchObject, message, this.#matched(dn))
  }

  #matched(dn: Dn): string {
    for (let i = 1; i < dn.rdns.length; i++) {
      const up = dnFromRdns(dn.rdns.slice(i))
      if (this.#idByKey.has(up.key)) return up.pretty
    }
    return ''
  }

  // ---- operations

  bind(name: string, password: Buffer): Session {
    if (name === '' && password.length === 0) return ANONYMOUS
    if (name === '') fail(ResultCode.invalidCredentials)
    const dn = toDn(name)
    if (password.length === 0)
      fail(ResultCode.unwillingToPerform, 'unauthenticated bind (DN with no password) disallowed')
    if (dn.key === this.adminDn.key) {
      if (password.equals(this.#adminPassword)) return this.adminSession
      fail(ResultCode.invalidCredentials)
    }
    const entry = this.entry(dn)
    const stored = entry?.attrs.get('userpassword')?.values ?? []
    if (entry === undefined || !stored.some((v) => verifyPassword(v, password)))
      fail(ResultCode.invalidCredentials)
    return { dn: entry.dn, admin: false }
  }

  add(session: Session, dnText: string, attributes: readonly WireAttribute[]): Entry {
    const dn = toDn(dnText)
    requireAuthenticated(session)
    if (!isWithin(dn, this.baseDn))
      fail(ResultCode.unwillingToPerform, 'no global superior knowledge')
    if (this.entry(dn) !== undefined) fail(ResultCode.entryAlreadyExists)
    const parent = dn.key === this.baseDn.key ? undefined : this.require(parentDn(dn))
    requireAdmin(session, 'no write access to parent')

    const attrs = new Map<string, Attr>()
    for (const wire of attributes) {
      const { type, values } = inputAttribute(wire)
      const merged = [...(attrs.get(type.key)?.values ?? []), ...values]
      const keys = merged.map((v) => equalityKey(type, v))
      if (new Set(keys).size < keys.length)
        fail(ResultCode.attributeOrValueExists, `${wire.type}: value provided more than once`)
      attrs.set(type.key, makeAttr(type, merged))
    }
    if (!attrs.has('objectclass')) fail(ResultCode.objectClassViolation, 'no objectClass attribute')
    addRdnValues(attrs, dn.rdns[0] ?? [])
    const structural = checkEntry(dn, attrs)
    this.#hooks.beforeAdd?.(this, dn, attrs)
    stampCreated(attrs, who(session), structural)
    const entry: Entry = { id: this.#nextId++, dn, parent: parent?.id, attrs }
    this.#insert(entry)
    this.onChange()
    return entry
  }

  modify(session: Session, dnText: string, modifications: readonly Modification[]): void {
    const dn = toDn(dnText)
    requireAuthenticated(session)
    const entry = this.require(dn)
    requireAdmin(session)
    const attrs = applyModifications(entry.attrs, modifications)
    checkEntry(entry.dn, attrs, firstString(entry.attrs, 'structuralobjectclass'))
    this.#hooks.beforeModify?.(this, entry, attrs)
    stampModified(attrs, who(session))
    this.#replace(entry, { ...entry, attrs })
    this.onChange()
  }

  delete(session: Session, dnText: string): void {
    const dn = toDn(dnText)
    requireAuthenticated(session)
    const entry = this.require(dn)
    requireAdmin(session, 'no write access to parent')
    if (this.childIds(entry.id).size > 0)
      fail(ResultCode.notAllowedOnNonLeaf, 'subordinate objects must be deleted first')
    this.#index.remove(entry)
    this.#byId.delete(entry.id)
    this.#idByKey.delete(entry.dn.key)
    this.#children.delete(entry.id)
    if (entry.parent !== undefined) this.#children.get(entry.parent)?.delete(entry.id)
    this.onChange()
  }

  modifyDn(
    session: Session,
    dnText: string,
    newRdnText: string,
    deleteOldRdn: boolean,
    newSuperiorText?: string,
  ): void {
    const dn = toDn(dnText)
    const newRdn = toDn(newRdnText).rdns
    if (newRdn.length !== 1 || newRdn[0] === undefined)
      fail(ResultCode.invalidDnSyntax, 'invalid new RDN')
    const superiorDn = newSuperiorText === undefined ? undefined : toDn(newSuperiorText)
    requireAuthenticated(session)
    const entry = this.require(dn)
    requireAdmin(session, "no write access to parent's children")
    if (entry.parent === undefined)
      fail(ResultCode.unwillingToPerform, 'cannot rename the suffix entry')
    let superior = this.entryById(entry.parent)
    if (superiorDn !== undefined) {
      superior =
        this.entry(superiorDn) ??
        fail(ResultCode.noSuchObject, 'new superior not found', this.#matched(superiorDn))
      if (isWithin(superior.dn, entry.dn))
        fail(ResultCode.unwillingToPerform, 'cannot place an entry below itself')
    }
    if (superior === undefined) fail(ResultCode.operationsError, 'parent missing')
    const newDn = childDn(newRdn[0], superior.dn)
    const existing = this.#idByKey.get(newDn.key)
    if (existing !== undefined && existing !== entry.id) fail(ResultCode.entryAlreadyExists)

    const attrs = applyRename(entry.attrs, entry.dn.rdns[0] ?? [], newRdn[0], deleteOldRdn)
    checkEntry(newDn, attrs, firstString(entry.attrs, 'structuralobjectclass'))
    stampModified(attrs, who(session))
    this.#moveSubtree(entry, newDn, superior.id)
    this.#replace(this.#byId.get(entry.id) ?? entry, {
      ...(this.#byId.get(entry.id) ?? entry),
      attrs,
    })
    this.onChange()
  }

  compare(dnText: string, attribute: string, value: Buffer): boolean {
    const entry = this.require(toDn(dnText))
    const type =
      attributeType(attribute) ??
      fail(ResultCode.undefinedAttributeType, `${attribute}: attribute type undefined`)
    const attr = this.read(entry, type.key) ?? fail(ResultCode.noSuchAttribute)
    const decoded = decodeValue(type, value)
    const key = decoded === undefined ? undefined : equalityKey(type, decoded)
    if (type.equality === undefined) fail(ResultCode.inappropriateMatching)
    if (key === undefined) fail(ResultCode.invalidAttributeSyntax)
    return attr.keys.includes(key)
  }

  // ---- storage

  /** Puts a complete entry in place (persistence uses it to load); parent first. */
  insertLoaded(dn: Dn, id: number, attrs: ReadonlyMap<string, Attr>): void {
    const parent = dn.key === this.baseDn.key ? undefined : this.entry(parentDn(dn))
    if (parent === undefined && dn.key !== this.baseDn.key)
      throw new Error(`parent of ${dn.pretty} not loaded`)
    this.#insert({ id, dn, parent: parent?.id, attrs })
    this.#nextId = Math.max(this.#nextId, id + 1)
  }

  /** Every entry, parents before children, siblings in creation order. */
  *walk(): Generator<Entry> {
    const roots = [...this.#byId.values()].filter((e) => e.parent === undefined).map((e) => e.id)
    const stack = roots.sort((a, b) => b - a)
    while (stack.length > 0) {
      const entry = this.#byId.get(stack.pop() ?? 0)
      if (entry === undefined) continue
      yield entry
      // one push per child: an OU with 100k children would overflow push(...children)
      for (const id of [...this.childIds(entry.id)].sort((a, b) => b - a)) stack.push(id)
    }
  }

  #insert(entry: Entry) {
    this.#byId.set(entry.id, entry)
    this.#idByKey.set(entry.dn.key, entry.id)
    if (entry.parent !== undefined) {
      let siblings = this.#children.get(entry.parent)
      if (siblings === undefined) this.#children.set(entry.parent, (siblings = new Set()))
      siblings.add(entry.id)
    }
    this.#index.add(entry)
  }

  #replace(old: Entry, next: Entry) {
    this.#index.remove(old)
    this.#byId.set(next.id, next)
    this.#index.add(next)
  }

  // renames the entry and re-roots the DNs of all its descendants; ids, attributes and indexes stay
  #moveSubtree(entry: Entry, newDn: Dn, newParent: number) {
    if (entry.parent !== newParent) {
      if (entry.parent !== undefined) this.#children.get(entry.parent)?.delete(entry.id)
      let siblings = this.#children.get(newParent)
      if (siblings === undefined) this.#children.set(newParent, (siblings = new Set()))
      siblings.add(entry.id)
    }
    const depth = entry.dn.rdns.length
    const stack = [entry.id]
    while (stack.length > 0) {
      const current = this.#byId.get(stack.pop() ?? 0)
      if (current === undefined) continue
      const dn =
        current.id === entry.id
          ? newDn
          : dnFromRdns([...current.dn.rdns.slice(0, current.dn.rdns.length - depth), ...newDn.rdns])
      this.#idByKey.delete(current.dn.key)
      this.#idByKey.set(dn.key, current.id)
      this.#byId.set(current.id, {
        ...current,
        dn,
        parent: current.id === entry.id ? newParent : current.parent,
      })
      for (const id of this.childIds(current.id)) stack.push(id)
    }
  }
}

function who(session: Session): string {
  return session.dn?.pretty ?? ''
}

function requireAuthenticated(session: Session) {
  if (session.dn === undefined)
    fail(ResultCode.strongerAuthRequired, 'modifications require authentication')
}

function requireAdmin(session: Session, message = '') {
  if (!session.admin) fail(ResultCode.insufficientAccessRights, message)
}
