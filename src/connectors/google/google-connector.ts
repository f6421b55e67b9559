// The `google-workspace` target definition: Admin SDK Directory API v1 as a service account with domain-wide
// delegation.
import type { TargetDefinition } from '../../contract/index.ts'
import { parseServiceAccountKey, serviceAccountAuth } from './google-auth.ts'
import { googleOptionsSchema, type GoogleOptions } from './google-options.ts'
import { GoogleTarget } from './google-target.ts'

export const googleConnector: TargetDefinition<typeof googleOptionsSchema> = {
  role: 'target',
  type: 'google-workspace',
  description:
    'Google Workspace (Admin SDK Directory API): users correlated by externalIds, suspended for disable, orgUnitPath, group members and provisioned groups with owners; service account with domain-wide delegation',
  schema: googleOptionsSchema,
  create(name, options) {
    return createGoogleTarget(name, options)
  },
}

export function createGoogleTarget(name: string, options: GoogleOptions): GoogleTarget {
  const key = parseServiceAccountKey(options.serviceAccountKey, name)
  const auth = serviceAccountAuth({
    key,
    subject: options.subject,
    scopes: options.scopes,
    timeoutMs: options.timeoutMs,
    ...(options.tokenUrl !== undefined ? { tokenUrl: options.tokenUrl } : {}),
  })
  return new GoogleTarget(name, options, auth)
}
