/**
 * Schemas of `schedules:` (when `koppel serve` runs the sync, as cron expressions) and `serve:` (its HTTP
 * listener, change webhooks, watched export folders). A cron expression is checked here with the library that runs it (croner), so a typo fails
 * `koppel validate` with the schedule's name, not the service at 02:00.
 */
import { Cron } from 'croner'
import { z } from 'zod'
import { secret } from '../contract/index.ts'
import { entryName } from './target-fields.ts'

export interface ScheduleConfig {
  readonly name: string
  readonly cron: string
  readonly timezone: string
}

export type HookAuth = { readonly bearer: string } | { readonly hmac: string }

export interface ServeConfig {
  readonly listen: { readonly host: string; readonly port: number }
  /** `POST /hooks/<source>`: a source system (or a script) names changed records; the secret is resolved. */
  readonly hooks: readonly ({ readonly source: string } & HookAuth)[]
  /** Folders of OneRoster CSV sources watched for a new (delta) export. */
  readonly watch: readonly { readonly source: string }[]
  /** Sources asked every few seconds for the records changed since the last ask (OneRoster REST dateLastModified). */
  readonly poll: readonly { readonly source: string; readonly everySeconds: number }[]
  /** Dashboard sign-in through the school's OpenID provider (Entra ID, Google); the secret is resolved. */
  readonly oidc?: OidcConfig
}

export interface OidcConfig {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** This dashboard's `/login/oidc/callback` as the browser reaches it, registered at the provider. */
  readonly redirectUri: string
  /** The ID token claim naming the local user (`koppel user add <name>`). */
  readonly userClaim: 'email' | 'preferred_username' | 'sub'
  /** The sign-in button's text. */
  readonly label: string
}

export const DEFAULT_TIMEZONE = 'Europe/Amsterdam'
export const DEFAULT_PORT = 8470

/** Why croner refuses an expression or a time zone, or undefined when it accepts both. */
export function cronProblem(cron: string, timezone: string): string | undefined {
  try {
    new Cron(cron, { paused: true, timezone })
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

/** croner only looks at the zone when it computes a time; Intl refuses an unknown one at once. */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const scheduleSchema = z
  .strictObject({
    name: entryName('Name of the schedule, in logs and `koppel status` (e.g. nightly).'),
    cron: z
      .string()
      .min(1)
      .describe(
        'When to run: a cron expression (minute hour day month weekday), e.g. "0 2 * * *" every night at 02:00, "*/15 7-17 * * 1-5" every 15 minutes on school days.',
      ),
    timezone: z
      .string()
      .min(1)
      .default(DEFAULT_TIMEZONE)
      .describe('IANA time zone the expression is read in.'),
  })
  .superRefine((s, ctx) => {
    if (!knownTimeZone(s.timezone)) {
      ctx.addIssue({
        code: 'custom',
        path: ['timezone'],
        message: `unknown time zone "${s.timezone}" (an IANA name such as Europe/Amsterdam or UTC)`,
      })
      return
    }
    const problem = cronProblem(s.cron, s.timezone)
    if (problem !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: `not a cron expression croner accepts: ${problem}`,
      })
  })
  .describe('A run of plan + guard + apply at the times of a cron expression.')

export const schedulesSchema = z
  .array(scheduleSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>()
    list.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `schedule "${s.name}" is defined twice`,
        })
      seen.add(s.name)
    })
  })
  .describe(
    'When `koppel serve` runs the sync; a schedule never overlaps itself, and with a shared store only one serve process runs each tick.',
  )

export const serveSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: z
          .string()
          .min(1)
          .default('127.0.0.1')
          .describe('Address the HTTP listener binds (/healthz, /readyz); 0.0.0.0 for all.'),
        port: z
          .int()
          .min(0)
          .max(65535)
          .default(DEFAULT_PORT)
          .describe('Port of the HTTP listener; 0 picks a free one.'),
      })
      .default({ host: '127.0.0.1', port: DEFAULT_PORT })
      .describe(
        'The HTTP listener: liveness (/healthz), readiness (/readyz), and the routes built on it.',
      ),
    hooks: z
      .array(
        z.union([
          z.strictObject({
            source: entryName(
              'The source whose changed records the hook names (its name under sources).',
            ),
            bearer: secret().describe(
              'Token the caller sends as `Authorization: Bearer <token>`, by reference.',
            ),
          }),
          z.strictObject({
            source: entryName(
              'The source whose changed records the hook names (its name under sources).',
            ),
            hmac: secret().describe(
              'Key of the HMAC-SHA256 signature the caller sends in X-Koppel-Signature, by reference.',
            ),
          }),
        ]),
      )
      .default([])
      .describe(
        'Change webhooks: `POST /hooks/<source>` with `{"ids": [...]}` re-plans and applies only those records, within seconds.',
      ),
    watch: z
      .array(
        z.strictObject({
          source: entryName(
            'A oneroster-csv source whose export folder is watched for a new export (bulk or delta).',
          ),
        }),
      )
      .default([])
      .describe(
        'Export folders watched: a delta export re-plans only the records it names, a bulk export runs a full sync.',
      ),
    poll: z
      .array(
        z.strictObject({
          source: entryName(
            'A source that can say which records changed (oneroster-rest: dateLastModified).',
          ),
          everySeconds: z
            .int()
            .min(1)
            .max(3600)
            .default(30)
            .describe(
              'How often the source is asked for changes (1 to 3600). Each ask costs the SIS one request per page of changed users and of changed enrollments: 2 requests when nothing changed (7,200 an hour at 1 s, 240 at the default 30 s). A change waits up to this long: 1 to 3 keeps a change within 5 s. A slow SIS is asked no faster than it answers; a failing one is backed off.',
            ),
        }),
      )
      .default([])
      .describe(
        'Sources polled for changed records (`filter=dateLastModified>…`): only those are re-planned and applied.',
      ),
    oidc: z
      .strictObject({
        issuer: z
          .url()
          .describe(
            'The OpenID provider (e.g. https://login.microsoftonline.com/<tenant id>/v2.0, https://accounts.google.com).',
          ),
        clientId: z
          .string()
          .min(1)
          .describe('The client (application) id registered at the provider.'),
        clientSecret: secret().describe('The client secret, by reference.'),
        redirectUri: z
          .url()
          .describe(
            "This dashboard's /login/oidc/callback as the browser reaches it (registered at the provider).",
          ),
        userClaim: z
          .enum(['email', 'preferred_username', 'sub'])
          .default('email')
          .describe('The ID token claim that names the local user (koppel user add <name>).'),
        label: z
          .string()
          .min(1)
          .max(60)
          .default('Single sign-on')
          .describe("The sign-in button's text."),
      })
      .optional()
      .describe(
        "Dashboard sign-in through the school's own OpenID provider; the signed-in name must be a local user, whose role applies.",
      ),
  })
  .describe('The long-running service (`koppel serve`).')
