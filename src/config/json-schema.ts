/**
 * The config schema as JSON Schema (draft 2020-12) for editor completion and hover help: `koppel schema >
 * koppel.schema.json`, picked up through `# yaml-language-server: $schema=./koppel.schema.json`. Describes the
 * input side (defaults optional); cross-field checks (unique names, rule targets) are only in `loadConfig`.
 */
import { z } from 'zod'
import type { ConnectorDefinition } from '../contract/index.ts'
import { buildConfigSchema } from './config-schema.ts'

export function configJsonSchema(
  definitions: readonly ConnectorDefinition[],
): Record<string, unknown> {
  const schema = z.toJSONSchema(buildConfigSchema(definitions), {
    target: 'draft-2020-12',
    io: 'input',
    // refinements (month-day checks, "value or candidates") cannot be expressed; the loader still applies them
    unrepresentable: 'any',
  })
  return { ...schema, title: 'Koppel configuration (koppel.yaml)' }
}
