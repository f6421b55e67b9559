/**
 * The engine-level fields of a source entry (name, type, safety), which are merged with each source
 * connector's own options. Does not read sources; the safety numbers are applied by the engine.
 */
import { z } from 'zod'
import { entryName } from './target-fields.ts'

const safetySchema = z
  .strictObject({
    maxShrinkPercent: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .describe(
        'Refuse a snapshot with more than this percentage fewer persons than the last one used.',
      ),
    baselineDays: z
      .int()
      .min(0)
      .default(7)
      .describe(
        'Also compare with the largest snapshot used in this many days (and in the last 10 runs), so a ' +
          'source shrinking a little every run is still stopped.',
      ),
    allowEmpty: z
      .boolean()
      .default(false)
      .describe('Accept a snapshot without any persons (normally a sign of a broken export).'),
  })
  .default({ maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false })
  .describe('Checks that stop a half-empty export from turning into mass disables.')

/** Engine-level keys of a source entry; everything else in the entry belongs to the connector. */
export const sourceFields = {
  name: entryName('Name of this source, unique among sources.'),
  safety: safetySchema,
}
