/**
 * The engine-level fields of a target entry (name, type, anchor, attributes, lifecycle, guard, apply), which
 * are merged with each target connector's own options. CEL strings are only checked to be non-empty here;
 * the rules module compiles them.
 */
import { z } from 'zod'
import { driftSchema } from './drift-schema.ts'
import { groupSetsSchema } from './group-schema.ts'
import { guardSchema } from './guard-schema.ts'
import { lifecycleSchema } from './lifecycle-schema.ts'
import { smtpSchema } from './notify-schema.ts'

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/

export const entryName = (what: string) =>
  z
    .string()
    .regex(NAME_PATTERN, 'must be lowercase letters, digits and hyphens, e.g. school-a')
    .describe(what)

const cel = (what: string) => z.string().min(1, 'must not be empty').describe(what)

const anchorSchema = z
  .strictObject({
    attribute: z
      .string()
      .min(1)
      .describe('Target attribute that identifies the person, e.g. employeeNumber.'),
    value: cel('CEL expression for its value, e.g. person.key.'),
  })
  .describe('Correlation: how an existing account in the target is recognised as this person’s.')

const attributeObject = z
  .strictObject({
    value: cel('CEL expression for the value.').optional(),
    candidates: z
      .array(cel('CEL expression for one candidate value.'))
      .min(1)
      .optional()
      .describe('Values to try in order; the first that is free is used (with unique: true).'),
    unique: z
      .boolean()
      .optional()
      .describe('The value must not be held by another account in this target.'),
    iterate: z
      .string()
      .regex(/\{n\}/, 'must contain {n}')
      .optional()
      .describe(
        'Template for further candidates once all are taken: {value} is the first candidate, {n} counts 2, 3, … (default "{value}{n}").',
      ),
    maxLength: z
      .int()
      .min(1)
      .optional()
      .describe('Cut values to this many characters (e.g. 20 for sAMAccountName).'),
    once: z
      .boolean()
      .optional()
      .describe('Set when the account is created and never changed afterwards (usernames).'),
    lowercase: z.boolean().optional().describe('Lowercase the value.'),
    pattern: z
      .string()
      .optional()
      .describe(
        'A regular expression (Unicode) the value must match. Unique attributes default to ^\\p{L}.*[^\\s._-]$ (a letter first, at least two characters, no space, dot, dash or underscore last): a candidate that does not match is skipped, and a person with no matching candidate is an issue, not an invented name.',
      ),
  })
  .refine((a) => (a.value === undefined) !== (a.candidates === undefined), {
    message: 'give exactly one of value or candidates',
  })

export const attributeMappingSchema = z
  .union([cel('CEL expression for the value, e.g. fullName(person).'), attributeObject])
  .describe(
    'A CEL expression, or { value | candidates, unique, iterate, maxLength, once, lowercase, pattern }.',
  )

const applySchema = z
  .strictObject({
    concurrency: z
      .int()
      .min(1)
      .optional()
      .describe('Operations in flight at once (default: what the connector recommends).'),
    retries: z
      .int()
      .min(0)
      .default(5)
      .describe('Retries of a failed operation on transient errors.'),
    backoffMs: z
      .int()
      .min(0)
      .default(250)
      .describe('First wait before a retry, in milliseconds; doubles each time.'),
    maxBackoffMs: z
      .int()
      .min(0)
      .default(30000)
      .describe('Longest wait between retries, in milliseconds.'),
    operationsPerSecond: z
      .number()
      .positive()
      .optional()
      .describe(
        'Operations started per second on this target, by all processes and workers together (each attempt of an action is one; a connector may send more than one request for it). Default: no limit.',
      ),
  })
  .refine((a) => a.maxBackoffMs >= a.backoffMs, {
    message: 'must be at least backoffMs',
    path: ['maxBackoffMs'],
  })
  .default({ retries: 5, backoffMs: 250, maxBackoffMs: 30000 })
  .describe('How plans are applied to this target: parallelism and retries.')

const writeBackSchema = z
  .strictObject({
    source: entryName(
      'The source to write to (its name under sources); its connector must support write-back.',
    ),
    fields: z
      .record(
        z.string().min(1),
        z.string().min(1).describe('Target attribute whose value is written, e.g. sAMAccountName.'),
      )
      .refine((f) => Object.keys(f).length > 0, { message: 'name at least one field' })
      .describe('Source field → target attribute, e.g. { username: sAMAccountName, email: mail }.'),
  })
  .describe(
    'Writes values of this target’s accounts back to a source (the school account’s username into Somtoday).',
  )

const writeBackDelivery = z
  .strictObject({
    source: entryName(
      'The source whose record receives the secret; its connector must support write-back.',
    ),
    fields: z
      .record(
        z.string().min(1),
        z.string().min(1).describe('Source field the secret is written to.'),
      )
      .refine((f) => Object.keys(f).length > 0, { message: 'name at least one secret' })
      .describe('Secret name → source field, e.g. { password: initialPassword }.'),
  })
  .describe('Write the initial password into a field of the person’s record in a source.')

const mailDelivery = z
  .strictObject({
    mail: z
      .strictObject({
        to: z
          .literal('manager')
          .describe(
            'Recipient: the manager (staff) or mentor (pupil) of the contract that granted the account.',
          ),
        from: z.string().min(3).describe('Sender address, e.g. ict@school.nl.'),
        subject: z
          .string()
          .min(1)
          .default('New account for {name}')
          .describe('Subject; {name} is the person’s name.'),
        loginAttribute: z
          .string()
          .min(1)
          .describe(
            'Account attribute the person logs in with, named in the mail (e.g. userPrincipalName).',
          ),
        smtp: smtpSchema,
      })
      .describe('Mail settings.'),
  })
  .describe('Mail the initial password to the person’s manager or mentor.')

const secretDeliverySchema = z
  .union([writeBackDelivery, mailDelivery])
  .describe(
    'Where initial passwords the target connector generates are delivered. They are never stored or logged.',
  )

/** Engine-level keys of a target entry; everything else in the entry belongs to the connector. */
export const targetFields = {
  name: entryName('Name of this target, unique among targets; rules refer to it.'),
  anchor: anchorSchema,
  attributes: z
    .record(z.string().min(1), attributeMappingSchema)
    .default({})
    .describe('Mapping: target attribute → how its value is computed from the person.'),
  lifecycle: lifecycleSchema,
  guard: guardSchema,
  apply: applySchema,
  writeBack: z
    .array(writeBackSchema)
    .default([])
    .describe(
      'Values written back to sources after each apply; planned (and guarded) as write-back actions.',
    ),
  secretDelivery: secretDeliverySchema.optional(),
  drift: driftSchema,
  provisionGroups: groupSetsSchema,
}
