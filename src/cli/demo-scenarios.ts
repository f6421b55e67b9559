/**
 * Practice scenarios: which simulators a demo (or `koppel sim serve`) starts on loopback, and the koppel.yaml
 * that uses them. Every scenario serves the same generated school board; secrets go into files beside the
 * config and the config names them by reference, as a real config must.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startAdServer } from '@koppel/sim/ad-server'
import { startAfasSim } from '@koppel/sim/afas'
import { startEntraSim } from '@koppel/sim/entra'
import { writeOneRosterCsv, type SimBoard } from '@koppel/sim/generator'
import { startItslearningEsSimulator } from '@koppel/sim/itslearning-es'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { DEFAULT_CLIENT, startSomtodaySim } from '@koppel/sim/somtoday'
import { demoConfig } from './demo-config.ts'

export interface ScenarioRun {
  /** The koppel.yaml that uses the simulators. */
  readonly config: string
  /** Secret files beside the config (path relative to it → content), written with mode 0600. */
  readonly secrets: Readonly<Record<string, string>>
  /** One line per running simulator, for the printout. */
  readonly services: readonly string[]
  /** Serves the next day's board (movers, leavers, joiners) from the sources that can change. */
  nextDay(board: SimBoard, today: string): Promise<void>
  stop(): Promise<void>
}

export interface Scenario {
  readonly name: string
  readonly description: string
  /** Starts the simulators; `dir` is the (empty) working folder the config will live in. */
  start(o: {
    readonly dir: string
    readonly board: SimBoard
    readonly today: string
    readonly password: string
  }): Promise<ScenarioRun>
}

async function writeExport(dir: string, board: SimBoard): Promise<void> {
  rmSync(join(dir, 'export'), { recursive: true, force: true })
  mkdirSync(join(dir, 'export'), { recursive: true })
  await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
}

const rulesForDirectory = `rules:
  - name: Leerlingen krijgen een account en hun stamgroep
    when: contract.role == "student" && has(contract.classGroup)
    grant:
      - account: directory
      - permission:
          target: directory
          type: group
          id: '"cn=" + contract.organisationCode + "-" + contract.classGroup + ",ou=groups,dc=school,dc=test"'
  - name: Docenten en ondersteunend personeel krijgen een account
    when: contract.role == "teacher" || contract.role == "staff"
    grant:
      - account: directory
      - permission: { target: directory, type: group, id: '"cn=personeel,ou=groups,dc=school,dc=test"' }
`

/** AFAS (HR) and Somtoday (school) merged by employee number into one LDAP directory, usernames written back. */
function twoSourcesConfig(
  ldapUrl: string,
  afasUrl: string,
  som: { baseUrl: string; tokenUrl: string; organisation: string },
): string {
  return `# Koppel demo: staff from AFAS Profit (HR) and pupils and staff from Somtoday, merged into one person per
# teacher by employee number, provisioned into an LDAP directory. Every system is a simulator on loopback.
# yaml-language-server: $schema=./koppel.schema.json
version: 1
store:
  kind: sqlite
  path: ./data/koppel.db

sources:
  - name: hr
    # the AFAS Profit simulator (GetConnectors with the HelloID fields)
    type: afas
    baseUrl: ${afasUrl}
    token: \${file:./secrets/afas-token}
  - name: school
    # the Somtoday ConnectAPI simulator
    type: somtoday
    baseUrl: ${som.baseUrl}
    tokenUrl: ${som.tokenUrl}
    clientId: ${DEFAULT_CLIENT.clientId}
    clientSecret: \${file:./secrets/somtoday-client-secret}
    organisation: ${som.organisation}
    persons: [leerlingen, medewerkers]

merge:
  # a teacher in AFAS and in Somtoday is one person: same employee number (AFAS pads it with zeros)
  match:
    - name: employee number
      value: attributes.employeeNumber
      ignoreLeadingZeros: true
  primaryContract: [employment, enrolment]

targets:
  - name: directory
    type: ldap
    url: ${ldapUrl}
    bindDn: cn=admin,dc=school,dc=test
    password: \${file:./secrets/ldap-password}
    baseDn: dc=school,dc=test
    groups:
      baseDn: ou=groups,dc=school,dc=test
    anchor:
      attribute: employeeNumber
      value: person.key
    attributes:
      uid:
        candidates:
          - slug(person.givenName) + "." + slug(familyName(person))
          - slug(initials(person.givenName)) + slug(familyName(person))
        unique: true
        once: true
        maxLength: 20
      cn: fullName(person)
      sn: familyName(person)
      mail: 'has(person.email) ? person.email : account.uid + "@leerling.school.test"'
      dn: '"uid=" + account.uid + ",ou=people,dc=school,dc=test"'
    # the username goes back to Somtoday (pupils and staff) and to AFAS (staff), as planned actions
    writeBack:
      - source: school
        fields: { username: uid }
      - source: hr
        fields: { username: uid }
    lifecycle:
      provisionDaysBefore: 14
      deleteAfterDays: 30

${rulesForDirectory}`
}

function entraConfig(sim: { url: string; tenantId: string }, clientId: string): string {
  return `# Koppel demo: a OneRoster CSV export provisioned into Entra ID (the Microsoft Graph simulator on loopback),
# with an A1 licence per pupil and teacher.
# yaml-language-server: $schema=./koppel.schema.json
version: 1
store:
  kind: sqlite
  path: ./data/koppel.db

sources:
  - name: school
    type: oneroster-csv
    path: ./export

merge:
  primaryContract: [employment, enrolment]

targets:
  - name: entra
    type: entra-id
    tenantId: ${sim.tenantId}
    clientId: ${clientId}
    clientSecret: \${file:./secrets/entra-client-secret}
    # the simulator stands in for graph.microsoft.com and login.microsoftonline.com
    graphUrl: ${sim.url}
    loginUrl: ${sim.url}
    usageLocation: NL
    licences:
      a1-student: 314c4481-f395-4525-be8b-2ec4bb1e9d91
      a1-faculty: 94763226-9b3c-4e75-a931-5c89701abe66
    anchor:
      attribute: employeeId
      value: person.key
    attributes:
      employeeId: person.key
      userPrincipalName:
        candidates:
          - 'slug(person.givenName) + "." + slug(familyName(person)) + "@school.test"'
          - 'slug(person.givenName) + slug(familyName(person)) + "@school.test"'
        unique: true
        once: true
        lowercase: true
      displayName: fullName(person)
      givenName: person.givenName
      surname: familyName(person)
    lifecycle:
      provisionDaysBefore: 14
      deleteAfterDays: 30

rules:
  - name: Leerlingen krijgen een account en de A1-licentie voor leerlingen
    when: contract.role == "student"
    grant:
      - account: entra
      - permission: { target: entra, type: licence, id: '"a1-student"' }
  - name: Personeel krijgt een account en de A1-licentie voor docenten
    when: contract.role == "teacher" || contract.role == "staff"
    grant:
      - account: entra
      - permission: { target: entra, type: licence, id: '"a1-faculty"' }
`
}

function itslearningConfig(url: string, username: string): string {
  return `# Koppel demo: a OneRoster CSV export provisioned into itslearning by IMS Enterprise Services (the SOAP
# simulator on loopback): persons, and the stamgroep as a course with its pupils as learners.
# yaml-language-server: $schema=./koppel.schema.json
version: 1
store:
  kind: sqlite
  path: ./data/koppel.db

sources:
  - name: school
    type: oneroster-csv
    path: ./export

targets:
  - name: itslearning
    type: itslearning-ims-es
    url: ${url}
    username: ${username}
    password: \${file:./secrets/itslearning-password}
    anchor:
      attribute: syncPersonKey
      value: person.key
    attributes:
      syncPersonKey: person.key
      userId:
        candidates:
          - slug(person.givenName) + "." + slug(familyName(person))
          - slug(initials(person.givenName)) + slug(familyName(person))
        unique: true
        once: true
        maxLength: 40
      givenName: givenName(person)
      familyName: person.familyName
      prefix: coalesce(person.familyNamePrefix, "")
      email: 'has(person.email) ? person.email : account.userId + "@school.test"'
      institutionRole: contract.role
    lifecycle:
      provisionDaysBefore: 14
      deleteAfterDays: 30

rules:
  - name: Leerlingen krijgen itslearning en hun stamgroep als cursus
    when: contract.role == "student" && has(contract.classGroup) && has(contract.schoolYear)
    grant:
      - account: itslearning
      - permission:
          target: itslearning
          type: membership
          id: 'contract.organisationCode + "/" + contract.schoolYear + "/" + replace(contract.classGroup, "/", "%2F") + "#learner"'
  - name: Docenten krijgen itslearning
    when: contract.role == "teacher"
    grant:
      - account: itslearning
`
}

const ldapScenario = (
  name: string,
  description: string,
  source: 'oneroster' | 'somtoday',
  kind: 'ldap' | 'ad',
): Scenario => ({
  name,
  description,
  async start({ dir, board, today, password }) {
    const stops: (() => Promise<void>)[] = []
    try {
      const som = source === 'somtoday' ? await startSomtodaySim({ board, today }) : undefined
      if (som !== undefined) stops.push(() => som.close())
      else await writeExport(dir, board)
      // the AD simulator keeps its directory in memory only; the LDAP one saves it beside the config
      const ldap =
        kind === 'ad'
          ? await startAdServer({ adminPassword: password })
          : await startLdapServer({
              adminPassword: password,
              persistPath: join(dir, 'directory.json'),
            })
      stops.push(() => ldap.stop())
      const demoSource =
        som !== undefined
          ? {
              kind: 'somtoday' as const,
              baseUrl: som.baseUrl,
              tokenUrl: som.tokenUrl,
              organisation: som.instelling.uuid,
            }
          : { kind: 'oneroster' as const }
      const config = demoConfig(
        ldap.url,
        demoSource,
        'caFile' in ldap ? { kind: 'ad', caFile: ldap.caFile } : { kind: 'ldap' },
      )
      return {
        config,
        secrets: {
          'secrets/ldap-password': password,
          ...(som !== undefined
            ? { 'secrets/somtoday-client-secret': DEFAULT_CLIENT.clientSecret }
            : {}),
        },
        services: [
          ...(som !== undefined
            ? [
                `Somtoday ConnectAPI simulator at ${som.baseUrl} (instelling ${som.instelling.naam})`,
              ]
            : ['OneRoster 1.2 CSV export in ./export']),
          `${kind === 'ad' ? 'Active Directory simulator (LDAPS)' : 'LDAP directory'} at ${ldap.url}`,
        ],
        nextDay: async (next, day) =>
          som !== undefined ? som.setBoard(next, day) : writeExport(dir, next),
        stop: () => stopAll(stops),
      }
    } catch (e) {
      await stopAll(stops)
      throw e
    }
  },
})

async function stopAll(stops: readonly (() => Promise<void>)[]): Promise<void> {
  await Promise.allSettled([...stops].reverse().map((s) => s()))
}

/** Every practice scenario; the first is what `koppel sim serve` starts without `--scenario`. */
export const SCENARIOS: readonly Scenario[] = [
  ldapScenario(
    'ldap',
    'OneRoster CSV export → LDAP directory (the default demo)',
    'oneroster',
    'ldap',
  ),
  ldapScenario('somtoday', 'Somtoday ConnectAPI → LDAP directory', 'somtoday', 'ldap'),
  ldapScenario(
    'ad',
    'OneRoster CSV export → Active Directory (LDAPS, AD semantics)',
    'oneroster',
    'ad',
  ),
  {
    name: 'two-sources',
    description:
      'AFAS Profit (HR) + Somtoday merged by employee number → LDAP directory, usernames written back',
    async start({ dir, board, today, password }) {
      const stops: (() => Promise<void>)[] = []
      try {
        const token = 'afas-demo-token'
        const afas = await startAfasSim({ board, token })
        stops.push(() => afas.close())
        const som = await startSomtodaySim({ board, today })
        stops.push(() => som.close())
        const ldap = await startLdapServer({
          adminPassword: password,
          persistPath: join(dir, 'directory.json'),
        })
        stops.push(() => ldap.stop())
        return {
          config: twoSourcesConfig(ldap.url, afas.url, {
            baseUrl: som.baseUrl,
            tokenUrl: som.tokenUrl,
            organisation: som.instelling.uuid,
          }),
          secrets: {
            'secrets/ldap-password': password,
            'secrets/afas-token': token,
            'secrets/somtoday-client-secret': DEFAULT_CLIENT.clientSecret,
          },
          services: [
            `AFAS Profit simulator at ${afas.url}`,
            `Somtoday ConnectAPI simulator at ${som.baseUrl} (instelling ${som.instelling.naam})`,
            `LDAP directory at ${ldap.url}`,
          ],
          // AFAS keeps the first day's staff (HR changes slowly); Somtoday serves the next day
          nextDay: async (next, day) => som.setBoard(next, day),
          stop: () => stopAll(stops),
        }
      } catch (e) {
        await stopAll(stops)
        throw e
      }
    },
  },
  {
    name: 'entra',
    description: 'OneRoster CSV export → Entra ID (Microsoft Graph simulator) with A1 licences',
    async start({ dir, board }) {
      await writeExport(dir, board)
      const clientId = 'koppel-demo'
      const secret = 'entra-demo-secret'
      const sim = await startEntraSim({
        clients: { [clientId]: secret },
        skus: {
          '314c4481-f395-4525-be8b-2ec4bb1e9d91': 'STANDARDWOFFPACK_STUDENT',
          '94763226-9b3c-4e75-a931-5c89701abe66': 'STANDARDWOFFPACK_FACULTY',
        },
      })
      return {
        config: entraConfig(sim, clientId),
        secrets: { 'secrets/entra-client-secret': secret },
        services: [
          'OneRoster 1.2 CSV export in ./export',
          `Microsoft Graph simulator (Entra ID, tenant ${sim.tenantId}) at ${sim.url}`,
        ],
        nextDay: (next) => writeExport(dir, next),
        stop: () => sim.close(),
      }
    },
  },
  {
    name: 'itslearning',
    description: 'OneRoster CSV export → itslearning by IMS Enterprise Services (SOAP simulator)',
    async start({ dir, board }) {
      await writeExport(dir, board)
      const username = 'koppel-demo'
      const password = 'itslearning-demo-secret'
      const sim = await startItslearningEsSimulator({ username, password })
      return {
        config: itslearningConfig(sim.url, username),
        secrets: { 'secrets/itslearning-password': password },
        services: [
          'OneRoster 1.2 CSV export in ./export',
          `itslearning IMS Enterprise Services simulator at ${sim.url}`,
        ],
        nextDay: (next) => writeExport(dir, next),
        stop: () => sim.close(),
      }
    },
  },
]

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name)
}
