/**
 * Schema of the `rules:` list: which contracts earn which entitlements. Conditions and permission ids are CEL
 * strings that the rules module compiles; here they are only checked to be present. Whether a rule's targets
 * exist is checked across the whole file (config-checks.ts).
 */
import { z } from 'zod'
import type { GrantConfig } from './config-types.ts'

const grantInput = z
  .strictObject({
    account: z
      .string()
      .min(1)
      .optional()
      .describe('Name of a target in which the person gets an account.'),
    permission: z
      .strictObject({
        target: z.string().min(1).describe('Name of the target the permission lives in.'),
        type: z
          .string()
          .min(1)
          .describe('Permission type as the target knows it: group, role, licence, course.'),
        id: z
          .string()
          .min(1)
          .describe('CEL expression for the permission id, e.g. a group DN built from the class.'),
      })
      .optional()
      .describe('A permission (group, role, licence, course) in a target.'),
    member: z
      .strictObject({
        target: z.string().min(1).describe('Name of the target the group is provisioned in.'),
        groups: z
          .string()
          .min(1)
          .describe(
            "Name of the group set (the target's `provisionGroups:` entry) the membership's group belongs to.",
          ),
        role: z
          .string()
          .min(1)
          .default('member')
          .describe(
            'Role as the target understands it: member (LDAP, AD), member/owner (Entra, Google), learner/instructor/mentor (itslearning).',
          ),
      })
      .optional()
      .describe(
        'Membership of the provisioned group of the membership being evaluated (rules with for: membership).',
      ),
  })
  .refine((g) => [g.account, g.permission, g.member].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of account, permission or member',
  })
  .transform((g): GrantConfig =>
    g.permission !== undefined
      ? { permission: g.permission }
      : g.member !== undefined
        ? { member: g.member }
        : { account: g.account ?? '' },
  )
  .describe(
    'One entitlement: { account: <target> }, { permission: { target, type, id } } or { member: { target, groups, role } }.',
  )

export const ruleSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .describe('Name of the rule; plans cite it as the reason for each action.'),
    for: z
      .enum(['contract', 'membership'])
      .default('contract')
      .describe(
        'What the rule runs for: each active contract (default), or each active membership with `membership` and its `group` in scope.',
      ),
    when: z
      .string()
      .min(1)
      .describe(
        'CEL condition over person and contract, e.g. contract.role == "student" ("true" for everyone).',
      ),
    grant: z.array(grantInput).min(1).describe('What a matching contract earns.'),
  })
  .refine((r) => r.for === 'membership' || r.grant.every((g) => !('member' in g)), {
    message: 'a member grant needs for: membership (it grants the membership being evaluated)',
    path: ['grant'],
  })
  .describe(
    'A business rule: contracts (or memberships) that match `when` earn the entitlements in `grant`.',
  )
