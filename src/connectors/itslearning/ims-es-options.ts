// Options of the `itslearning-ims-es` target (zod v4), merged into its entry in koppel.yaml.
import { z } from 'zod'
import { secret } from '../../contract/index.ts'

export const imsEsOptionsSchema = z.object({
  /**
   * Base URL of the services, e.g. https://enterprise.itslearning.com/WCFServiceLibrary/ (test site:
   * https://enterprise.itsltest.com/WCFServiceLibrary/). The three services are below it.
   */
  url: z.string().regex(/^(https?:\/\/\S+|.*\$\{(env|file):[^}]+\}.*)$/, 'must be an http(s) URL'),
  /** Per-integration credentials from itslearning (Administration > Manage IMS Enterprise > Web services). */
  username: z.string().min(1),
  password: secret(),
  /** Service paths below `url` (the defaults are itslearning's). */
  services: z
    .object({
      person: z.string().default('PersonManagementServiceSync.svc'),
      group: z.string().default('GroupManagementServiceSync.svc'),
      membership: z.string().default('MembershipManagementServiceSync.svc'),
    })
    .default({
      person: 'PersonManagementServiceSync.svc',
      group: 'GroupManagementServiceSync.svc',
      membership: 'MembershipManagementServiceSync.svc',
    }),
  /** Creates of persons and memberships that arrive together go out as one bulk call of at most this many. */
  batchSize: z.number().int().min(1).max(500).default(50),
  /** How long a bulk call waits for more items after the first (ms); 0 = only what arrives in the same tick. */
  batchWaitMs: z.number().int().min(0).max(5000).default(20),
  timeoutMs: z.number().int().min(100).default(60_000),
  concurrency: z.number().int().min(1).max(200).default(10),
})

export type ImsEsOptions = z.output<typeof imsEsOptionsSchema>
