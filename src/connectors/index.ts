/**
 * The connectors this distribution ships. The CLI (composition root) hands this list to the config loader and
 * the engine; the engine itself never imports a connector.
 */
import type { ConnectorDefinition } from '../contract/index.ts'
import { adTarget } from './ad/index.ts'
import { afasDefinition } from './afas/index.ts'
import { auraTarget } from './aura/index.ts'
import { csvDefinition } from './csv/index.ts'
import { eduarteDefinition } from './eduarte/index.ts'
import { entraIdTarget } from './entra/entra-connector.ts'
import { googleWorkspaceTarget } from './google/google-connector.ts'
import { itslearningImsEsDefinition, itslearningImsFileDefinition } from './itslearning/itslearning-connector.ts'
import { ldapTarget } from './ldap/index.ts'
import { magisterDefinition } from './magister/index.ts'
import { oneRosterCsvDefinition } from './oneroster-csv/index.ts'
import { oneRosterRestDefinition } from './oneroster-rest/index.ts'
import { outSystemsTarget } from './outsystems/index.ts'
import { scimTarget } from './scim/scim-connector.ts'
import { somtodayDefinition } from './somtoday/index.ts'

export const connectorDefinitions: readonly ConnectorDefinition[] = [
  // sources
  somtodayDefinition,
  magisterDefinition,
  eduarteDefinition,
  afasDefinition,
  oneRosterCsvDefinition,
  oneRosterRestDefinition,
  csvDefinition,
  // targets
  ldapTarget,
  adTarget,
  entraIdTarget,
  googleWorkspaceTarget,
  scimTarget,
  itslearningImsFileDefinition,
  itslearningImsEsDefinition,
  auraTarget,
  outSystemsTarget,
]
