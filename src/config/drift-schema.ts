import { z } from 'zod'

/** Schema of a target's `drift:` section: what Koppel does with accounts it finds but does not manage. */
export const driftSchema = z
  .strictObject({
    adopt: z
      .boolean()
      .default(true)
      .describe(
        'An account Koppel does not manage whose anchor matches a person who should have one is taken over (correlated, then updated). false: it is only reported (plan issue, `koppel drift`) and the person gets nothing here until someone decides.',
      ),
  })
  .default({ adopt: true })
  .describe('Accounts in the target that Koppel does not manage (see `koppel drift`).')
