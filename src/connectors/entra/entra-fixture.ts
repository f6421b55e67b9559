// Test helpers for the Entra ID connector against the Graph simulator: options through the real schema (so the
// defaults apply) with the secret resolved as the config loader would, and account specs for the conformance suite.
import { entraOptionsSchema, EntraTarget, type EntraOptions } from './index.ts'
import type { EntraSim } from '@koppel/sim/entra'
import type { Attributes } from '../../model/index.ts'
import type { ConnectorContext } from '../../contract/index.ts'

export const CLIENT_ID = 'koppel-client'
export const CLIENT_SECRET = 'koppel-secret'
export const SKU_A1 = '94763226-9b3c-4e75-a931-5c89701abe66' // example skuIds (Office 365 A1 faculty/student as commonly listed; any GUID works in the simulator)
export const SKU_A1_STUDENT = '314c4481-f395-4525-be8b-2ec4bb1e9d91'

export function entraOptions(sim: EntraSim, extra: Record<string, unknown> = {}): EntraOptions {
  const parsed = entraOptionsSchema.parse({
    tenantId: sim.tenantId,
    clientId: CLIENT_ID,
    clientSecret: '${env:KOPPEL_TEST_ENTRA_SECRET}',
    graphUrl: sim.url,
    loginUrl: sim.url,
    lookupDelayMs: 50,
    ...extra,
  })
  return {
    ...parsed,
    clientSecret: typeof extra.secret === 'string' ? extra.secret : CLIENT_SECRET,
  }
}

export interface LogLine {
  level: string
  message: string
}

export function entraTarget(
  sim: EntraSim,
  extra: Record<string, unknown> = {},
  log: LogLine[] = [],
): EntraTarget {
  const { secret: _s, ...rest } = extra
  const context: ConnectorContext = {
    baseDir: process.cwd(),
    now: () => new Date(),
    log: (level, message) => void log.push({ level, message }),
  }
  return new EntraTarget(
    'entra',
    {
      ...entraOptions(sim, rest),
      ...(typeof extra.secret === 'string' ? { clientSecret: extra.secret } : {}),
    },
    context,
  )
}

export function userSpec(i: number, overrides: Record<string, string> = {}) {
  const employeeId = overrides.employeeId ?? `E${i}`
  const attributes: Attributes = {
    displayName: `Leerling ${i}`,
    givenName: 'Jan',
    surname: 'Jansen',
    userPrincipalName: `u${i}@school.test`,
    mailNickname: `u${i}`,
    employeeId,
    jobTitle: 'leerling',
    department: 'Klas 1A',
    ...overrides,
  }
  return { attributes, anchor: { attribute: 'employeeId', value: employeeId } }
}
