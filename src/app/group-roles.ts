// Member grants name a role the target's groups know (capabilities.groups.roles): checked when Koppel starts,
// so `role: owner` into a SCIM group (SCIM has no owners) is one clear error, not a failed grant every run.
import type { RuleConfig } from '../config/config-types.ts'
import type { TargetConnector } from '../contract/index.ts'

/** One message per member grant whose role its target's groups do not have. */
export function unknownGroupRoles(
  rules: readonly RuleConfig[],
  targets: readonly { readonly name: string; readonly connector: TargetConnector }[],
): string[] {
  const problems: string[] = []
  rules.forEach((rule, r) => {
    rule.grant.forEach((grant, g) => {
      if (!('member' in grant)) return
      const { target, role } = grant.member
      const c = targets.find((t) => t.name === target)?.connector
      const roles = c?.capabilities.groups?.roles
      if (c === undefined || roles === undefined || roles.includes(role)) return
      problems.push(
        `rules[${r}].grant[${g}].member.role: the ${c.type} target "${target}" has no group role ${JSON.stringify(role)} (its roles: ${roles.join(', ')})`,
      )
    })
  })
  return problems
}
