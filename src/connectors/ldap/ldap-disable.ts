// What "disabled" means for a generic LDAP account, per the `disable` options: the entry sits in a disabled
// OU, and/or an attribute holds a disabled value. It decides placement on create and rename, and performs
// disable/enable idempotently. When the entry moves into the OU, its former parent is kept in
// `originAttribute` (if configured) so that enable can put it back; without it, enable moves to `baseDn`.
import { Attribute, Change, type Entry } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import { assertEntryUuid } from './ldap-assertion.ts'
import type { LdapClient } from './ldap-client.ts'
import { entryValue, isUnder, moveUnder, parentOf, toDn, type Dn } from './ldap-mapping.ts'
import type { LdapOptions } from './ldap-options.ts'

type DisableOptions = LdapOptions['disable']

const replace = (type: string, values: string[]) =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) })

/** What "disabled" means for a directory: the generic LDAP one below, or AD's userAccountControl bit. */
export interface DisableStrategy {
  /** The OU disabled accounts are moved into, if any (find and list also search there). */
  readonly ou: Dn | undefined
  readonly configured: boolean
  attributeNames(): string[]
  isEnabled(entry: Entry, dn: Dn): boolean
  enabledDn(entry: Entry, dn: Dn): Dn
  placeNew(wanted: Dn, enabled: boolean, entry: Record<string, Array<string | Buffer>>): Dn
  placeRenamed(current: Dn, wanted: Dn): { target: Dn; origin?: Change }
  disable(client: LdapClient, entry: Entry, id: string): Promise<{ dn: Dn; changed: boolean }>
  enable(client: LdapClient, entry: Entry, id: string): Promise<{ dn: Dn; changed: boolean }>
}

export class DisableState implements DisableStrategy {
  readonly ou: Dn | undefined
  readonly configured: boolean
  readonly #o: DisableOptions
  readonly #base: Dn

  constructor(options: DisableOptions, base: Dn) {
    this.#o = options
    this.#base = base
    this.ou = options.moveTo === undefined ? undefined : toDn(options.moveTo)
    this.configured = this.ou !== undefined || options.attribute !== undefined
  }

  /** Connector-owned attributes: read to know the state, never reported as account data. */
  attributeNames(): string[] {
    const names: string[] = []
    if (this.#o.attribute !== undefined) names.push(this.#o.attribute.name)
    if (this.ou !== undefined && this.#o.originAttribute !== undefined)
      names.push(this.#o.originAttribute)
    return names
  }

  isEnabled(entry: Entry, dn: Dn): boolean {
    if (this.ou !== undefined && isUnder(dn, this.ou)) return false
    const attr = this.#o.attribute
    return attr === undefined || entryValue(entry, attr.name) !== attr.disabledValue
  }

  /** Where the account lives when enabled: its own DN, or for one in the disabled OU its remembered place. */
  enabledDn(entry: Entry, dn: Dn): Dn {
    if (this.ou === undefined || !isUnder(dn, this.ou)) return dn
    return moveUnder(dn, this.#originOf(entry))
  }

  /** The DN to create at, adding the disable bookkeeping to `entry` for an account that starts disabled. */
  placeNew(wanted: Dn, enabled: boolean, entry: Record<string, Array<string | Buffer>>): Dn {
    const attr = this.#o.attribute
    if (enabled) {
      if (attr?.enabledValue !== undefined) entry[attr.name] = [attr.enabledValue]
      return wanted
    }
    if (!this.configured)
      throw new ConnectorError(
        'unsupported',
        `create ${wanted.text} disabled: no disable option is configured`,
      )
    if (attr !== undefined) entry[attr.name] = [attr.disabledValue]
    if (this.ou === undefined || isUnder(wanted, this.ou)) return wanted
    if (this.#o.originAttribute !== undefined)
      entry[this.#o.originAttribute] = [parentOf(wanted).text]
    return moveUnder(wanted, this.ou)
  }

  /** A rename of an account that is in the disabled OU stays in the OU and updates the remembered parent. */
  placeRenamed(current: Dn, wanted: Dn): { target: Dn; origin?: Change } {
    if (this.ou === undefined || !isUnder(current, this.ou) || isUnder(wanted, this.ou))
      return { target: wanted }
    const target = moveUnder(wanted, this.ou)
    const name = this.#o.originAttribute
    return name === undefined
      ? { target }
      : { target, origin: replace(name, [parentOf(wanted).text]) }
  }

  async disable(
    client: LdapClient,
    entry: Entry,
    id: string,
  ): Promise<{ dn: Dn; changed: boolean }> {
    this.#require('disable')
    let dn = toDn(entry.dn)
    const mods: Change[] = []
    const attr = this.#o.attribute
    if (attr !== undefined && entryValue(entry, attr.name) !== attr.disabledValue)
      mods.push(replace(attr.name, [attr.disabledValue]))
    const move = this.ou !== undefined && !isUnder(dn, this.ou)
    if (move && this.#o.originAttribute !== undefined)
      mods.push(replace(this.#o.originAttribute, [parentOf(dn).text]))
    // attribute first: if the move then fails, a retry finds the flag set and only moves
    if (mods.length > 0) await client.modify(dn.text, mods, [assertEntryUuid(id)])
    if (move && this.ou !== undefined) {
      const target = moveUnder(dn, this.ou)
      await client.modifyDn(dn.text, target.text, [assertEntryUuid(id)])
      dn = target
    }
    return { dn, changed: mods.length > 0 || move }
  }

  async enable(
    client: LdapClient,
    entry: Entry,
    id: string,
  ): Promise<{ dn: Dn; changed: boolean }> {
    this.#require('enable')
    let dn = toDn(entry.dn)
    const move = this.ou !== undefined && isUnder(dn, this.ou)
    if (move) {
      const target = moveUnder(dn, this.#originOf(entry))
      await client.modifyDn(dn.text, target.text, [assertEntryUuid(id)])
      dn = target
    }
    const mods: Change[] = []
    const attr = this.#o.attribute
    if (attr !== undefined && entryValue(entry, attr.name) === attr.disabledValue) {
      mods.push(replace(attr.name, attr.enabledValue === undefined ? [] : [attr.enabledValue]))
    }
    const origin = this.#o.originAttribute
    if (this.ou !== undefined && origin !== undefined && entryValue(entry, origin) !== undefined)
      mods.push(replace(origin, []))
    if (mods.length > 0) await client.modify(dn.text, mods, [assertEntryUuid(id)])
    return { dn, changed: move || mods.length > 0 }
  }

  #originOf(entry: Entry): Dn {
    const name = this.#o.originAttribute
    const value = name === undefined ? undefined : entryValue(entry, name)
    if (value === undefined) return this.#base
    try {
      return toDn(value)
    } catch {
      return this.#base // a hand-edited value that is no DN: fall back rather than strand the account
    }
  }

  #require(what: string) {
    if (!this.configured)
      throw new ConnectorError(
        'unsupported',
        `${what}: no disable option (moveTo or attribute) is configured`,
      )
  }
}
