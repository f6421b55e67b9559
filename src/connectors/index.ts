/**
 * The connectors this distribution ships. The CLI (composition root) hands this list to the config loader and
 * the engine; the engine itself never imports a connector.
 */
import type { ConnectorDefinition } from '../contract/index.ts'
import { adConnector } from './ad/index.ts'
import { afasConnector } from './afas/index.ts'
import { auraConnector } from './aura/index.ts'
import { csvConnector } from './csv/index.ts'
import { eduarteConnector } from './eduarte/index.ts'
import { entraConnector } from './entra/index.ts'
import { googleConnector } from './google/index.ts'
import { itslearningImsEsConnector, itslearningImsFileConnector } from './itslearning/index.ts'
import { ldapConnector } from './ldap/index.ts'
import { magisterConnector } from './magister/index.ts'
import { oneRosterCsvConnector } from './oneroster-csv/index.ts'
import { oneRosterRestConnector } from './oneroster-rest/index.ts'
import { outSystemsConnector } from './outsystems/index.ts'
import { scimConnector } from './scim/index.ts'
import { somtodayConnector } from './somtoday/index.ts'

export const connectorDefinitions: readonly ConnectorDefinition[] = [
  // sources
  somtodayConnector,
  magisterConnector,
  eduarteConnector,
  afasConnector,
  oneRosterCsvConnector,
  oneRosterRestConnector,
  csvConnector,
  // targets
  ldapConnector,
  adConnector,
  entraConnector,
  googleConnector,
  scimConnector,
  itslearningImsFileConnector,
  itslearningImsEsConnector,
  auraConnector,
  outSystemsConnector,
]
