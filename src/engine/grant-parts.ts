/**
 * The parts a plan's grants have in common (reason, permission id), made once and shared. A first plan with provisioned groups holds a
 * grant per membership (over a million at 100,000 persons), and each grant's reason (its text, its membership)
 * is the same for every pupil of a class under the same rule: built per grant they were ~300 of the ~860 bytes
 * a grant kept alive (heap snapshot, bench/measure-plan-heap.ts). Actions are never mutated after planning, so
 * sharing cannot be observed in the plan, its JSON or its hash.
 */
import type { Action, FieldChange } from '../model/index.ts'
import type { DesiredPermission } from './desire.ts'

type Reason = Action['reason']
type Change = 'mover' | 'joiner'

/** A grant changes no attributes; one frozen empty list serves them all. */
export const NO_CHANGES: readonly FieldChange[] = Object.freeze([])

/** Shared reasons and permission ids; one instance per plan of a target. */
export class GrantParts {
  readonly #byChange = new Map<Change, Map<string, Map<string, Map<string, Reason>>>>()
  readonly #plain = new Map<string, Reason>()
  readonly #permissions = new Map<string, string>()

  /**
   * The permission id as first seen: a rule's grant (`group: person.stamgroep`) is evaluated per person, so
   * each holds its own copy of its class's id. (Membership ids are already shared by desire.ts.)
   */
  permission(id: string): string {
    const seen = this.#permissions.get(id)
    if (seen !== undefined) return seen
    this.#permissions.set(id, id)
    return id
  }

  /** The reason by change, rule, membership role and group. */
  reason(perm: DesiredPermission, change: Change): Reason {
    const m = perm.membership
    if (m === undefined) {
      const key = `${change}\u0000${perm.rule}`
      let r = this.#plain.get(key)
      if (r === undefined)
        this.#plain.set(
          key,
          (r = { rule: perm.rule, change, detail: `granted by rule "${perm.rule}"` }),
        )
      return r
    }
    let byRule = this.#byChange.get(change)
    if (byRule === undefined) this.#byChange.set(change, (byRule = new Map()))
    let byRole = byRule.get(perm.rule)
    if (byRole === undefined) byRule.set(perm.rule, (byRole = new Map()))
    let byGroup = byRole.get(m.role)
    if (byGroup === undefined) byRole.set(m.role, (byGroup = new Map()))
    let r = byGroup.get(m.group)
    if (r === undefined)
      byGroup.set(
        m.group,
        (r = {
          rule: perm.rule,
          change,
          detail: `${m.role} of ${m.group} in the source; granted by rule "${perm.rule}"`,
          membership: { group: m.group, role: m.role },
        }),
      )
    return r
  }
}

const LATIN1 = /^[\0-\xff]*$/

/**
 * The same text as a one-byte string where it fits in Latin-1. A string cut from text that holds any character
 * beyond Latin-1 (a name with "ł" in the same CSV chunk or YAML file) is two bytes per character in V8, and so
 * is every string concatenated from it: each grant id built on such a person key or target name took twice its
 * length (208 instead of ~112 bytes in the heap snapshot). Meant for strings that many others are built from.
 */
export function oneByte(s: string): string {
  return LATIN1.test(s) ? Buffer.from(s, 'latin1').toString('latin1') : s
}
