/**
 * Schema of the `rules:` list: which contracts earn which entitlements. Conditions and permission ids are CEL
 * strings that the rules module compiles; here they are only checked to be present. Whether a rule's targets
 * exist is checked across the whole file (config-checks.ts).
 */
import { z } from 'zod'
import type { GrantConfig } from './config-types.ts'

const grantInput = z
  .strictObject({
    account: z.string().min(1).optional().describe('Name of a target in which the person gets an account.'),
    permission: z
      .strictObject({
        target: z.string().min(1).describe('Name of the target the permission lives in.'),
        type: z.string().min(1).describe('Permission type as the target knows it: group, role, licence, course.'),
        id: z.string().min(1).describe('CEL expression for the permission id, e.g. a group DN built from the class.'),
      })
      .optional()
      .describe('A permission (group, role, licence, course) in a target.'),
  })
  .refine((g) => (g.account === undefined) !== (g.permission === undefined), {
    message: 'give exactly one of account or permission',
  })
  .transform((g): GrantConfig => (g.permission !== undefined ? { permission: g.permission } : { account: g.account ?? '' }))
  .describe('One entitlement: { account: <target> } or { permission: { target, type, id } }.')

export const ruleSchema = z
  .strictObject({
    name: z.string().min(1).describe('Name of the rule; plans cite it as the reason for each action.'),
    when: z
      .string()
      .min(1)
      .describe('CEL condition over person and contract, e.g. contract.role == "student" ("true" for everyone).'),
    grant: z.array(grantInput).min(1).describe('What a matching contract earns.'),
  })
  .describe('A business rule: contracts that match `when` earn the entitlements in `grant`.')
