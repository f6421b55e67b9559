/**
 * Builds the zod schema of a whole koppel.yaml from the registered connector definitions: each source and
 * target entry is the engine's fields merged with its connector's option schema, chosen by `type`. Every
 * object is strict, so a misspelt key is an error. Validates and fills defaults; reads no files, resolves no
 * secrets (see load-config.ts and resolve-secrets.ts).
 */
import { z } from 'zod'
import type { ConnectorDefinition, SourceDefinition, TargetDefinition } from '../contract/index.ts'
import { crossCheck } from './config-checks.ts'
import type {
  NotifyConfig,
  ApplyConfig,
  AttributeMappingConfig,
  KoppelConfig,
  LifecycleConfig,
  RuleConfig,
  StoreConfig,
  TargetConfig,
} from './config-types.ts'
import { guardSchema } from './guard-schema.ts'
import { lifecycleSchema } from './lifecycle-schema.ts'
import { notifySchema } from './notify-schema.ts'
import { schedulesSchema, serveSchema } from './serve-schema.ts'
import { ruleSchema } from './rule-schema.ts'
import { sourceFields } from './source-fields.ts'
import { auditSchema, storeSchema } from './store-schema.ts'
import { attributeMappingSchema, entryName, targetFields } from './target-fields.ts'

type Fields = Readonly<Record<string, z.ZodType>>

function entrySchema(definition: SourceDefinition | TargetDefinition, fields: Fields): z.ZodObject {
  const clash = Object.keys(definition.schema.shape).filter((k) => k in fields || k === 'type')
  if (clash.length > 0) {
    throw new Error(
      `connector "${definition.type}" declares engine-level key(s) ${clash.join(', ')} as options`,
    )
  }
  // safeExtend keeps the connector's own object-level refinements (e.g. "url or host")
  return definition.schema
    .safeExtend({ ...fields, type: z.literal(definition.type).describe(definition.description) })
    .strict()
}

function entryUnion(
  definitions: readonly (SourceDefinition | TargetDefinition)[],
  role: string,
  fields: Fields,
) {
  const types = definitions.map((d) => d.type)
  const duplicate = types.find((t, i) => types.indexOf(t) !== i)
  if (duplicate !== undefined)
    throw new Error(`two ${role} connectors are registered as type "${duplicate}"`)
  const registered = types.length === 0 ? 'none are registered' : `registered: ${types.join(', ')}`
  const options = definitions.map((d) => entrySchema(d, fields))
  if (options.length === 0) return z.never({ error: `no ${role} connectors are registered` })
  return z.discriminatedUnion('type', options as [z.ZodObject, ...z.ZodObject[]], {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined
      const input = issue.input as Record<string, unknown> | undefined
      const type = input?.['type']
      if (type === undefined)
        return `missing required field "type" (${role} types: ${types.join(', ')})`
      return typeof type === 'string'
        ? `unknown ${role} type "${type}" (${registered})`
        : `must be a string (${registered})`
    },
  })
}

const CONTRACT_KINDS = ['employment', 'enrolment'] as const

const personPath = z
  .string()
  .regex(
    /^(key|email|username|attributes\.[A-Za-z0-9_.-]+)$/,
    'must be key, email, username or attributes.<name>',
  )

const matchSchema = z
  .strictObject({
    name: z.string().min(1).describe('How reports call this key, e.g. "employee number".'),
    value: personPath.describe(
      'Where each source record holds the key: key, email, username or attributes.<name>.',
    ),
    sources: z
      .record(z.string().min(1), personPath)
      .optional()
      .describe(
        'Per source name, a different place for the key (e.g. { afas: attributes.employeeNumber }).',
      ),
    ignoreLeadingZeros: z.boolean().default(false).describe('Compare "00123" and "123" as equal.'),
  })
  .describe('A key by which records of different sources are recognised as one person.')

const mergeSchema = z
  .strictObject({
    match: z
      .array(matchSchema)
      .default([])
      .describe(
        'Keys tried in order to recognise one person across sources (records with the same key always merge). Values are compared trimmed and case-insensitively; a key two records of one source share matches nothing and is reported.',
      ),
    primaryContract: z
      .array(z.enum(CONTRACT_KINDS))
      .min(1)
      .refine((kinds) => new Set(kinds).size === kinds.length, {
        message: 'must not list a kind twice',
      })
      .default([...CONTRACT_KINDS])
      .describe(
        'Priority of contract kinds when a person has several: the first kind found is the primary one.',
      ),
  })
  .default({ primaryContract: [...CONTRACT_KINDS], match: [] })
  .describe('How persons from several sources are combined.')

export function buildConfigSchema(
  definitions: readonly ConnectorDefinition[],
): z.ZodType<KoppelConfig> {
  const sources = definitions.filter((d): d is SourceDefinition => d.role === 'source')
  const targets = definitions.filter((d): d is TargetDefinition => d.role === 'target')
  const schema = z
    .strictObject({
      version: z.literal(1).describe('Version of this file format; always 1.'),
      tenant: entryName(
        'Tenant (school board) this file configures; matters when one store serves several.',
      ).default('default'),
      store: storeSchema,
      audit: auditSchema,
      sources: z
        .array(
          entryUnion(sources, 'source', sourceFields).describe(
            'A system Koppel reads persons from.',
          ),
        )
        .min(1)
        .describe('Where persons, contracts and groups come from (at least one).'),
      merge: mergeSchema,
      targets: z
        .array(
          entryUnion(targets, 'target', targetFields).describe(
            'A system Koppel writes accounts to.',
          ),
        )
        .default([])
        .describe('Systems in which Koppel manages accounts and permissions.'),
      rules: z
        .array(ruleSchema)
        .default([])
        .describe('Business rules: who gets which accounts and permissions.'),
      notify: notifySchema.optional(),
      schedules: schedulesSchema,
      serve: serveSchema.optional(),
    })
    .describe('Koppel configuration (koppel.yaml).')
    .superRefine(
      (config, ctx) => {
        for (const issue of crossCheck(config))
          ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message })
      },
      { when: () => true },
    )
  return schema as unknown as z.ZodType<KoppelConfig>
}

// The schemas above are built dynamically, so their inferred types are checked against the declared ones here.
type Fits<A, B> = [A] extends [B] ? true : false
const _fits: [
  Fits<z.output<typeof storeSchema>, StoreConfig>,
  Fits<z.output<typeof lifecycleSchema>, LifecycleConfig>,
  Fits<z.output<typeof guardSchema>, TargetConfig['guard']>,
  Fits<z.output<(typeof targetFields)['apply']>, ApplyConfig>,
  Fits<z.output<typeof attributeMappingSchema>, AttributeMappingConfig>,
  Fits<z.output<typeof ruleSchema>, RuleConfig>,
  Fits<z.output<typeof notifySchema>, NotifyConfig>,
] = [true, true, true, true, true, true, true]
