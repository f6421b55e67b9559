/** Where the demo reads its school from: the OneRoster CSV export (default) or the in-process Somtoday simulator. */
export type DemoSource =
  | { readonly kind: 'oneroster' }
  | {
      readonly kind: 'somtoday'
      readonly baseUrl: string
      readonly tokenUrl: string
      readonly organisation: string
    }

function sourceYaml(source: DemoSource): string {
  if (source.kind === 'oneroster') {
    return `  - name: school
    type: oneroster-csv
    path: ./export`
  }
  return `  - name: school
    # the Somtoday ConnectAPI simulator, started in-process by the demo on loopback
    type: somtoday
    baseUrl: ${source.baseUrl}
    tokenUrl: ${source.tokenUrl}
    clientId: koppel
    clientSecret: \${file:./secrets/somtoday-client-secret}
    organisation: ${source.organisation}
    peilschooljaar: HUIDIG`
}

export type DemoTarget =
  { readonly kind: 'ldap' } | { readonly kind: 'ad'; readonly caFile: string }

function targetYaml(ldapUrl: string, target: DemoTarget): string {
  if (target.kind === 'ad') {
    return `  - name: directory
    # the Active Directory simulator (LDAPS, AD semantics), started in-process by the demo on loopback
    type: active-directory
    url: ${ldapUrl}
    tlsCaFile: ${target.caFile}
    bindDn: CN=Administrator,CN=Users,DC=school,DC=test
    password: \${file:./secrets/ldap-password}
    baseDn: DC=school,DC=test
    # users choose their own password at first logon; the generated initial one is not delivered in the demo
    mustChangePassword: true
    groups:
      baseDn: OU=groups,DC=school,DC=test
      createMissing: true
    # employeeID holds at most 16 characters in AD, so the (UUID) person key goes into employeeNumber
    # (the anchor and every mapped attribute are read without a readAttributes list)
    anchor:
      attribute: employeeNumber
      value: person.key
    attributes:
      sAMAccountName:
        candidates:
          - slug(person.givenName) + "." + slug(familyName(person))
          - slug(initials(person.givenName)) + slug(familyName(person))
        unique: true
        once: true
        lowercase: true
        maxLength: 20
      userPrincipalName: 'account.sAMAccountName + "@school.test"'
      mail: 'has(person.email) ? person.email : account.sAMAccountName + "@leerling.school.test"'
      displayName: fullName(person)
      givenName: 'has(person.preferredGivenName) ? person.preferredGivenName : person.givenName'
      sn: familyName(person)
      dn: '"CN=" + account.sAMAccountName + ",OU=people,DC=school,DC=test"'
    lifecycle:
      provisionDaysBefore: 14
      deleteAfterDays: 30
`
  }
  return `  - name: directory
    type: ldap
    url: ${ldapUrl}
    bindDn: cn=admin,dc=school,dc=test
    password: \${file:./secrets/ldap-password}
    baseDn: dc=school,dc=test
    disable:
      moveTo: ou=disabled,dc=school,dc=test
    groups:
      # groups are read from here, so a membership removed by hand shows up as drift in the next plan
      baseDn: ou=groups,dc=school,dc=test
    # an account that already exists with this employeeNumber is taken over (correlated), not duplicated
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
      givenName: 'has(person.preferredGivenName) ? person.preferredGivenName : person.givenName'
      sn: familyName(person)
      displayName: fullName(person)
      mail: 'has(person.email) ? person.email : account.uid + "@leerling.school.test"'
      employeeType: contract.role
      departmentNumber: 'has(contract.classGroup) ? contract.organisationCode + "-" + contract.classGroup : contract.organisationCode'
      dn: '"uid=" + account.uid + ",ou=people,dc=school,dc=test"'
    lifecycle:
      provisionDaysBefore: 14
      deleteAfterDays: 30
`
}

/**
 * The demo's koppel.yaml: a OneRoster export (or Somtoday) into an LDAP directory, the same kind of file an admin
 * writes. Passwords are secret references to files beside the config, as they must be in any real config.
 */
export const demoConfig = (
  ldapUrl: string,
  source: DemoSource = { kind: 'oneroster' },
  target: DemoTarget = { kind: 'ldap' },
): string => `# Koppel demo: a generated school board (${source.kind === 'somtoday' ? 'Somtoday ConnectAPI' : 'OneRoster CSV'}) provisioned into ${target.kind === 'ad' ? 'an Active Directory (simulator)' : 'an LDAP directory'}.
# yaml-language-server: $schema=./koppel.schema.json
version: 1
store:
  kind: sqlite
  path: ./data/koppel.db

sources:
${sourceYaml(source)}

targets:
${targetYaml(ldapUrl, target)}
rules:
  - name: Leerlingen krijgen een account en hun stamgroep
    when: contract.role == "student"
    grant:
      - account: directory
      - permission:
          target: directory
          type: group
          id: '"cn=" + contract.organisationCode + "-" + contract.classGroup + ",ou=groups,dc=school,dc=test"'
  - name: Docenten krijgen een account en de groep docenten
    when: contract.role == "teacher"
    grant:
      - account: directory
      - permission: { target: directory, type: group, id: '"cn=docenten,ou=groups,dc=school,dc=test"' }
  - name: Ondersteunend personeel krijgt een account
    when: contract.role == "staff"
    grant:
      - account: directory
      - permission: { target: directory, type: group, id: '"cn=medewerkers,ou=groups,dc=school,dc=test"' }
`
