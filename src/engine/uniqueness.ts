import type { TargetAccount } from '../contract/index.ts'
import type { Account, AttributeValue } from '../model/index.ts'
import type { UniquenessOracle } from '../rules/index.ts'

/**
 * Who holds which value of each unique attribute in one target: accounts in the ledger (held by their person),
 * accounts the target lists that Koppel does not manage (held by "unmanaged:<id>", so generated usernames never
 * collide with hand-made ones), and values claimed earlier in the same plan. Comparison is case-insensitive,
 * as in LDAP and AD.
 */
export class UniqueValues implements UniquenessOracle {
  readonly #owners = new Map<string, Map<string, string>>()

  constructor(attributes: readonly string[]) {
    for (const a of attributes) this.#owners.set(a.toLowerCase(), new Map())
  }

  static build(
    attributes: readonly string[],
    ledger: readonly Account[],
    listing: readonly TargetAccount[] | undefined,
    ownerOfListed: (account: TargetAccount) => string,
  ): UniqueValues {
    const u = new UniqueValues(attributes)
    for (const a of ledger) if (a.state !== 'deleted') u.#holdAll(a.attributes, a.person)
    for (const t of listing ?? []) u.#holdAll(t.attributes, ownerOfListed(t))
    return u
  }

  isTaken(attribute: string, value: string, person: string): boolean {
    const owner = this.#owners.get(attribute.toLowerCase())?.get(value.toLowerCase())
    return owner !== undefined && owner !== person
  }

  claim(attribute: string, value: string, person: string): void {
    this.#owners.get(attribute.toLowerCase())?.set(value.toLowerCase(), person)
  }

  #holdAll(attrs: Readonly<Record<string, AttributeValue>>, owner: string): void {
    for (const [name, value] of Object.entries(attrs)) {
      const owners = this.#owners.get(name.toLowerCase())
      if (owners === undefined) continue
      for (const v of typeof value === 'string' ? [value] : value) {
        if (!owners.has(v.toLowerCase())) owners.set(v.toLowerCase(), owner)
      }
    }
  }
}
