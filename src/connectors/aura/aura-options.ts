// Options of the Aura Online target (zod v4), merged into the connector's entry in koppel.yaml.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

export const auraOptionsSchema = z.object({
  /** The full endpoint URL, e.g. https://school.auralibrary.nl/uPersonManagementServiceSync.asmx */
  baseUrl: z
    .string()
    .regex(
      /^(https?:\/\/\S+|.*\$\{(env|file):[^}]+\}.*)$/,
      'must be an http(s) URL of the .asmx endpoint',
    ),
  /** The password Aura issued for the person-management service. */
  password: secret(),
  /**
   * The partner string hashed between the challenge and the password (SHA-1 over challenge + partner +
   * password). Aura issues it per integration partner (HelloID's is fixed in its scripts); a secret reference.
   */
  partner: secret(),
  /** The time zone whose calendar date is written as the end date (uitschrijfdatum) on disable. */
  timeZone: z.string().default('Europe/Amsterdam'),
  /** Per-request timeout; a timed-out request is a transient error. */
  timeoutMs: z.number().int().min(100).default(30_000),
  /** Operations in flight at once. */
  concurrency: z.number().int().min(1).max(32).default(4),
})

export type AuraOptions = z.output<typeof auraOptionsSchema>
