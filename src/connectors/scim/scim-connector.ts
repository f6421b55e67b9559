// The `scim` target definition: a generic SCIM 2.0 service provider (RFC 7643/7644).
import type { TargetDefinition } from '../../contract/index.ts'
import { scimOptionsSchema } from './scim-options.ts'
import { ScimTarget } from './scim-target.ts'

export const scimConnector: TargetDefinition<typeof scimOptionsSchema> = {
  role: 'target',
  type: 'scim',
  description:
    'Generic SCIM 2.0 service provider (RFC 7644): users by filter on the anchor, PATCH or PUT, active for disable, groups by displayName with member PATCH',
  schema: scimOptionsSchema,
  create(name, options) {
    return new ScimTarget(name, options)
  },
}
