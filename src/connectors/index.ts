/**
 * The connectors this distribution ships. The CLI (composition root) hands this list to the config loader and
 * the engine; the engine itself never imports a connector.
 */
import type { ConnectorDefinition } from '../contract/index.ts'
import { adTarget } from './ad/index.ts'
import { csvDefinition } from './csv/index.ts'
import { ldapTarget } from './ldap/index.ts'
import { oneRosterCsvDefinition } from './oneroster-csv/index.ts'

export const connectorDefinitions: readonly ConnectorDefinition[] = [oneRosterCsvDefinition, csvDefinition, ldapTarget, adTarget]
