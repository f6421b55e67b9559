// Public surface of the Microsoft Entra ID target (Microsoft Graph v1.0).
import type { TargetDefinition } from '../../contract/index.ts'
import { entraOptionsSchema } from './entra-options.ts'
import { EntraTarget } from './entra-target.ts'

export const entraConnector: TargetDefinition<typeof entraOptionsSchema> = {
  role: 'target',
  type: 'entra-id',
  description:
    'Microsoft Entra ID (Azure AD) users, group memberships, licences and provisioned groups (security or Microsoft 365, with owners) through Microsoft Graph v1.0',
  schema: entraOptionsSchema,
  create: (name, options, context) => new EntraTarget(name, options, context),
}
