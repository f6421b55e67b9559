// The koppel.yaml of a measured school board: pupils from a CSV file (./pupils.csv beside the config: nr,
// voornaam, achternaam, begin), every pupil an account in a SCIM target. Shared by the worker and tenant tests
// and the benches that measure the store and the workers, so they provision the same board.

export interface ScimBoardConfig {
  /** Omitted: the default tenant. */
  readonly tenant?: string
  /** YAML after `store:`: a flow mapping, or a block indented by two (see `postgresWorkersStore`). */
  readonly store: string
  /** The SCIM service's origin (the simulator's, or a proxy's in front of it). */
  readonly scimUrl: string
  /** Domain of the userName; `school.test` unless given. */
  readonly userDomain?: string
  /** Flow mapping of the target's `apply` settings, e.g. `{ concurrency: 8 }`. */
  readonly apply: string
}

export function scimBoardConfig(c: ScimBoardConfig): string {
  const tenant = c.tenant === undefined ? '' : `tenant: ${c.tenant}\n`
  return `version: 1
${tenant}store: ${c.store}
sources:
  - name: school
    type: csv
    file: ./pupils.csv
    columns: { key: nr, givenName: voornaam, familyName: achternaam, start: begin }
    defaults: { role: student, organisation: school }
targets:
  - name: app
    type: scim
    baseUrl: ${c.scimUrl}/scim/v2
    token: \${env:SCIM_TOKEN}
    bulk: never
    readAttributes: [userName, externalId, displayName]
    anchor: { attribute: externalId, value: person.key }
    attributes:
      externalId: person.key
      userName: 'person.key + "@${c.userDomain ?? 'school.test'}"'
      displayName: fullName(person)
    apply: ${c.apply}
    guard: { create: { maxPercent: null } }
rules:
  - name: every pupil
    when: contract.role == "student"
    grant:
      - account: app
`
}

/** A PostgreSQL store whose URL comes from the environment variable `urlEnv`, with `workers` settings. */
export function postgresWorkersStore(urlEnv: string, workers: string): string {
  return `
  kind: postgres
  url: \${env:${urlEnv}}
  workers: ${workers}`
}
