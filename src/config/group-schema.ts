/**
 * Schema of a target's `provisionGroups:` section: which of the sources' groups (classes, lesson groups, courses,
 * departments) Koppel provisions into the target as objects of their own, and how each is named. CEL strings
 * are only checked to be present here; src/rules/compile-group-sets.ts compiles them.
 */
import { z } from 'zod'
import type { GroupSetConfig } from './config-types.ts'

const cel = (what: string) => z.string().min(1, 'must not be empty').describe(what)

/** The sync key unless the config says otherwise: the school year's label before the source's group key. */
export const DEFAULT_GROUP_ID = '(has(group.schoolYear) ? group.schoolYear + "/" : "") + group.key'

const groupSet = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]*$/,
        'must be lowercase letters, digits and hyphens, e.g. lesgroepen',
      )
      .describe(
        'Name of this group set, unique in the target; membership rules name it (`member.groups`).',
      ),
    when: cel(
      'CEL condition over `group` (and `today`): which source groups this set provisions, e.g. group.type == "teaching-group".',
    ),
    id: cel(
      'CEL for the sync key: never changes for the life of the group. Default: the school year and the source key ' +
        "(`2026-2027/wi-3b`), so next year's group is a new one.",
    ).default(DEFAULT_GROUP_ID),
    title: cel(
      'CEL for the title the target shows, e.g. group.name + " " + group.attributes.subject; a change renames.',
    ).default('group.name'),
    description: cel('CEL for a description.').optional(),
    type: cel(
      "CEL for the group type the target is told (default the source's type: class, teaching-group, course, …).",
    ).default('group.type'),
    parent: cel(
      'CEL for the sync key of the parent group (a provisioned group of this target), if any.',
    ).optional(),
    attributes: z
      .record(z.string().min(1), cel('CEL expression for the value.'))
      .default({})
      .describe(
        'Target-specific group fields, e.g. { groupType: "-2147483646" } for an AD global security group.',
      ),
    deleteAfterDays: z
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe(
        'Days an archived group is kept before it is deleted; null (default): archived groups are kept.',
      ),
  })
  .describe('A set of groups Koppel creates, renames, archives and deletes in this target.')

export const groupSetsSchema = z
  .array(groupSet)
  .default([])
  .refine((sets) => new Set(sets.map((s) => s.name)).size === sets.length, {
    message: 'two group sets have the same name',
  })
  .describe(
    'Groups and courses provisioned as objects of their own (see docs/config.md, "Groups and courses").',
  )

type Fits<A, B> = [A] extends [B] ? true : false
const _fits: Fits<z.output<typeof groupSet>, GroupSetConfig> = true
