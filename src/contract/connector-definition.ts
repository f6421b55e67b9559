import type { z } from 'zod'
import type { Contract, Membership, Person } from '../model/index.ts'
import type { SourceConnector } from './source-connector.ts'
import type { TargetConnector } from './target-connector.ts'

/** Services the engine hands to connectors, so that they never reach for globals (clock, secrets, logs). */
export interface ConnectorContext {
  /** Folder that relative paths in the connector's config are resolved against (the config file's folder). */
  readonly baseDir: string
  readonly log: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void
  readonly now: () => Date
  /**
   * Targets only: the attributes the target's mapping writes, anchor included. The engine compares them with
   * what the target reports, so a connector that reads selected attributes must read these too: an attribute
   * not read would show as drift on every account.
   */
  readonly mappedAttributes?: readonly string[]
}

/**
 * The definition of one connector type: its name in config (`type: ldap`), its option schema and a factory.
 * `options` has been validated by `schema` (an object schema, merged into the config file's entry for the
 * connector next to `name` and `type`) and had its secret references resolved before `create` is called.
 */
/**
 * The person, contract and membership fields a source connector fills (when the service has them). Rules read
 * fields by name: `koppel validate` warns about a field none of the configured sources fills, and docs/rules.md
 * lists them per source. test/source-fields.test.ts checks a declaration against what the connector reads.
 */
export interface SourceFields {
  readonly person: readonly (keyof Person)[]
  readonly contract: readonly (keyof Contract)[]
  readonly membership: readonly (keyof Membership)[]
}

export interface SourceDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly role: 'source'
  readonly type: string
  readonly description: string
  readonly schema: S
  /** Which fields its persons carry; undefined: not declared (no warnings, not in the doc's table). */
  readonly fills?: SourceFields
  create(name: string, options: z.output<S>, context: ConnectorContext): SourceConnector
}

export interface TargetDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly role: 'target'
  readonly type: string
  readonly description: string
  readonly schema: S
  create(name: string, options: z.output<S>, context: ConnectorContext): TargetConnector
}

export type ConnectorDefinition = SourceDefinition | TargetDefinition
