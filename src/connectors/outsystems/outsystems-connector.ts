// The `outsystems` target definition and its factory; the target is outsystems-target.ts, the wire
// outsystems-client.ts.
import type { TargetDefinition } from '../../contract/index.ts'
import { outSystemsOptionsSchema, type OutSystemsOptions } from './outsystems-options.ts'
import { OutSystemsTarget, type OutSystemsServices } from './outsystems-target.ts'

export const outSystemsConnector: TargetDefinition<typeof outSystemsOptionsSchema> = {
  role: 'target',
  type: 'outsystems',
  description:
    'OutSystems user REST API (customer-built, bearer token): users by username, one role per user (grant sets, revoke returns to the default role), enable/disable by IsActive, no delete',
  schema: outSystemsOptionsSchema,
  create(name, options, context) {
    return createOutSystemsTarget(name, options, { log: context.log })
  },
}

export function createOutSystemsTarget(
  name: string,
  options: OutSystemsOptions,
  services: OutSystemsServices = {},
): OutSystemsTarget {
  return new OutSystemsTarget(name, options, services)
}
