import { z } from 'zod'
import { secret } from '../../contract/index.ts'

const httpUrl = (what: string) =>
  z
    .string()
    .regex(/^(https?:\/\/\S+|.*\$\{(env|file):[^}]+\}.*)$/, `${what} must be an http(s) URL`)

export const somtodayOptions = z
  .object({
    /** ConnectAPI base URL (production; test: https://api.test.somtoday.nl/rest/v1). */
    baseUrl: httpUrl('baseUrl').default('https://api.somtoday.nl/rest/v1'),
    /** OAuth2 token endpoint; Koppel adds `?organisation=<instelling uuid>`. */
    tokenUrl: httpUrl('tokenUrl').default('https://inloggen.somtoday.nl/oauth2/token'),
    clientId: z.string().min(1),
    clientSecret: secret(),
    /** The instelling: its uuid, or its name as /connect/instelling lists it (looked up without a token). */
    organisation: z.string().min(1),
    /** Only these vestigingen (uuid, afkorting, name or BRIN6); default every vestiging the client may read. */
    vestigingen: z.array(z.string().min(1)).min(1).optional(),
    /**
     * `VANDAAG` sends no peilschooljaar (only what is current today); `HUIDIG` adds the changes still to come
     * this school year (pupils who start later); `VOLGEND` reads next school year.
     */
    peilschooljaar: z.enum(['VANDAAG', 'HUIDIG', 'VOLGEND']).default('HUIDIG'),
    /** Records per page (`amount`); Somtoday allows at most 200. */
    pageSize: z.number().int().min(1).max(200).default(100),
    /** Which persons to read. */
    persons: z
      .array(z.enum(['leerlingen', 'medewerkers', 'ouders']))
      .min(1)
      .default(['leerlingen', 'medewerkers']),
    /** Read the pupils' vakkeuzes (subject choices) as course memberships; they are the bulk of the payload. */
    vakkeuzes: z.boolean().default(true),
    /** Write-back for medewerkers: the ConnectAPI account (`connect`) or the HRMService HR card (`hrmservice`). */
    staffWriteBack: z.enum(['connect', 'hrmservice']).default('connect'),
    /** HRMService (SOAP) endpoint and credentials; required with `staffWriteBack: hrmservice`. */
    hrmService: z
      .object({
        /** e.g. https://<portal>-oop.somtoday.nl/services/HRMService */
        url: httpUrl('hrmService.url'),
        username: z.string().min(1),
        password: secret(),
      })
      .optional(),
    /** Provider type and domain of the remote identifier written by write-back field `remoteId`. */
    remoteIdentifier: z
      .object({ providerType: z.enum(['AZURE', 'GOOGLE', 'OIDC']), domain: z.string().min(1) })
      .optional(),
    /**
     * Listings read at once: the next vestigingen's pages are fetched while one is mapped. Somtoday documents
     * no rate limit; its SDS client reads a vestiging's four listings at once. A 429 waits for Retry-After.
     */
    concurrency: z.number().int().min(1).max(8).default(4),
    /** Per-request timeout. */
    timeoutMs: z.number().int().min(100).default(30_000),
    /** Attempts per page on 429/5xx/timeouts (the first included) before the read fails. */
    pageAttempts: z.number().int().min(1).max(10).default(5),
    /** Stop collecting after this many record issues. */
    maxIssues: z.number().int().min(1).max(10_000).default(100),
  })
  .refine((o) => o.staffWriteBack !== 'hrmservice' || o.hrmService !== undefined, {
    message: 'staffWriteBack: hrmservice needs hrmService (url, username, password)',
    path: ['hrmService'],
  })

export type SomtodayOptions = z.output<typeof somtodayOptions>
