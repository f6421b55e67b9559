import { z } from 'zod'
import { secret } from '../../contract/index.ts'

/** Options of the AFAS Profit source; every connector name is configurable (a tenant may rename the imports). */
export const afasOptions = z.object({
  /** REST base, e.g. `https://12345.rest.afas.online/profitrestservices`. */
  baseUrl: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
  /** The app connector token: the whole `<token><version>1</version><data>…</data></token>`, or only its data part. */
  token: secret(),
  /** Sent as the `IntegrationId` header when set (a partner's integration id, if the tenant was given one). */
  integrationId: z.string().min(1).optional(),
  usersConnector: z.string().min(1).default('T4E_HelloID_Users_v2'),
  employmentsConnector: z.string().min(1).default('T4E_HelloID_Employments_v2'),
  positionsConnector: z.string().min(1).default('T4E_HelloID_Positions_v2'),
  organisationalUnitsConnector: z.string().min(1).default('T4E_HelloID_OrganizationalUnits_v2'),
  /** UpdateConnectors used by write-back: e-mail through the employee, username (UPN) through the user. */
  employeeUpdateConnector: z.string().min(1).default('KnEmployee'),
  userUpdateConnector: z.string().min(1).default('KnUser'),
  /**
   * `positions`: one contract per functie (position) of a dienstverband, the dienstverband itself when it has none;
   * `employments`: one contract per dienstverband, positions are not read.
   */
  contracts: z.enum(['positions', 'employments']).default('positions'),
  /**
   * A contract's manager: `employment` — the row's `Medewerkernummer_leidinggevende`, as the HelloID AFAS source
   * maps it; `department` — the first manager up the department tree who is not the employee.
   */
  manager: z.enum(['employment', 'department']).default('employment'),
  /** Leave out employees without any dienstverband in the GetConnector (they would be leavers at once). */
  excludeWithoutContracts: z.boolean().default(false),
  /** Rows per GetConnector page (`take`). */
  pageSize: z.number().int().min(1).max(10_000).default(1000),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Tries per page on 429/5xx/timeouts before the whole read fails. */
  readAttempts: z.number().int().min(1).max(20).default(5),
})

export type AfasOptions = z.output<typeof afasOptions>
