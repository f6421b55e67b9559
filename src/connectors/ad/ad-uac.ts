// What "disabled" means in AD: bit ACCOUNTDISABLE (2) of userAccountControl. New accounts get 512
// (NORMAL_ACCOUNT) or 514 (NORMAL_ACCOUNT | ACCOUNTDISABLE); enable and disable flip only that bit and keep
// every other flag an administrator set (DONT_EXPIRE_PASSWORD, say). Accounts do not move on disable: put
// them in another OU through the `dn` mapping if the school wants that.
import { Attribute, Change, type Entry } from 'ldapts'
import { ConnectorError } from '../../contract/index.ts'
import type { LdapClient } from '../ldap/ldap-client.ts'
import type { DisableStrategy } from '../ldap/ldap-disable.ts'
import { entryValue, toDn, type Dn } from '../ldap/ldap-mapping.ts'

export const UAC = 'userAccountControl'
export const ACCOUNTDISABLE = 0x2
export const NORMAL_ACCOUNT = 0x200

export function uacOf(entry: Entry): number {
  const raw = entryValue(entry, UAC)
  const value = raw === undefined ? NaN : Number(raw)
  if (!Number.isInteger(value)) {
    throw new ConnectorError(
      'invalid',
      `${entry.dn}: ${UAC} is ${JSON.stringify(raw ?? null)}, not a number`,
    )
  }
  return value
}

export class UacDisable implements DisableStrategy {
  readonly ou = undefined
  readonly configured = true

  attributeNames(): string[] {
    return [UAC]
  }

  isEnabled(entry: Entry): boolean {
    return (uacOf(entry) & ACCOUNTDISABLE) === 0
  }

  enabledDn(_entry: Entry, dn: Dn): Dn {
    return dn
  }

  placeNew(wanted: Dn, enabled: boolean, entry: Record<string, Array<string | Buffer>>): Dn {
    entry[UAC] = [String(enabled ? NORMAL_ACCOUNT : NORMAL_ACCOUNT | ACCOUNTDISABLE)]
    return wanted
  }

  placeRenamed(_current: Dn, wanted: Dn): { target: Dn } {
    return { target: wanted }
  }

  disable(client: LdapClient, entry: Entry): Promise<{ dn: Dn; changed: boolean }> {
    return setBit(client, entry, true)
  }

  enable(client: LdapClient, entry: Entry): Promise<{ dn: Dn; changed: boolean }> {
    return setBit(client, entry, false)
  }
}

async function setBit(
  client: LdapClient,
  entry: Entry,
  disabled: boolean,
): Promise<{ dn: Dn; changed: boolean }> {
  const dn = toDn(entry.dn)
  const now = uacOf(entry)
  const wanted = disabled ? now | ACCOUNTDISABLE : now & ~ACCOUNTDISABLE
  if (wanted === now) return { dn, changed: false }
  await client.modify(dn.text, [
    new Change({
      operation: 'replace',
      modification: new Attribute({ type: UAC, values: [String(wanted)] }),
    }),
  ])
  return { dn, changed: true }
}
