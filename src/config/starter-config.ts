/**
 * The commented koppel.yaml that `koppel init` writes: one OneRoster CSV export in, one LDAP directory out,
 * and rules for pupils and staff. Written for a school's IT administrator; every section says what it does
 * and what the default is. Produces text only; writing the file is the CLI's job.
 */

export interface StarterOptions {
  /** URL of the directory, e.g. ldaps://dc01.school.local:636. */
  readonly ldapUrl?: string
  /** Folder with the OneRoster CSV export, relative to koppel.yaml. */
  readonly exportPath?: string
}

/** A YAML scalar for a user-given value: plain when unambiguous, else double-quoted (JSON escapes are YAML). */
function scalar(value: string): string {
  return /^[A-Za-z0-9_./][\w./:@%+~-]*$/.test(value) && !/:(\s|$)/.test(value)
    ? value
    : JSON.stringify(value)
}

export function starterConfig(options: StarterOptions = {}): string {
  const ldapUrl = scalar(options.ldapUrl ?? 'ldaps://dc01.school.test:636')
  const exportPath = scalar(options.exportPath ?? './export')
  return `# yaml-language-server: $schema=./koppel.schema.json
#
# Koppel configuration. Koppel reads persons from the sources below, decides with the rules who should have
# which account and group, and brings the targets in step: it shows a plan first (koppel plan), stops a plan
# that would change suspiciously much (the guard), and only then applies it (koppel apply).
#
# Passwords never go in this file: write \${env:NAME} (an environment variable) or \${file:path} (a file,
# relative to this one). Check the file with: koppel validate
version: 1

# Where Koppel keeps what it knows (accounts it manages, plans, audit log). The default is a database file
# next to this config; for large school boards use PostgreSQL:
#   store:
#     kind: postgres
#     url: \${env:KOPPEL_DATABASE_URL}
store:
  kind: sqlite
  path: ./data/koppel.db

# Sources: where pupils, staff, classes (stamgroepen) and teaching groups (lesgroepen) come from.
sources:
  - name: school
    # A OneRoster 1.1 CSV export (users.csv, enrollments.csv, classes.csv, orgs.csv, …) from the student
    # information system. Schools (orgs) carry their BRIN code.
    type: oneroster-csv
    path: ${exportPath}
    # A broken or half-empty export must never turn into mass disables: Koppel refuses an export with more than
    # 10 % fewer persons than the last one it used, and an empty one.
    safety:
      maxShrinkPercent: 10
      allowEmpty: false

# When a person has several contracts (a teacher who also follows a course), the first kind listed is the
# primary one.
merge:
  primaryContract: [employment, enrolment]

# Targets: the systems in which Koppel creates and maintains accounts.
targets:
  - name: directory
    # An LDAP directory (OpenLDAP, or Active Directory over LDAP).
    type: ldap
    url: ${ldapUrl}
    bindDn: cn=koppel,ou=service,dc=school,dc=test
    password: \${env:LDAP_PASSWORD}
    baseDn: dc=school,dc=test
    # Disabled accounts are moved here until they are deleted.
    disable:
      moveTo: ou=disabled,dc=school,dc=test

    # How Koppel recognises an account it (or someone else) made earlier for the same person.
    anchor:
      attribute: employeeNumber
      value: person.key

    # Attributes of the account. Each value is an expression (CEL) over the person; name functions follow the
    # person's name usage (naamgebruik), e.g. "Jansen-de Vries" for a married name.
    attributes:
      employeeNumber: person.key
      # The username: the first candidate no one else holds; fixed once made, so it survives a change of name.
      uid:
        candidates:
          - 'slug(person.givenName) + "." + slug(familyName(person))'
          - 'slug(person.givenName) + slug(familyName(person))'
        unique: true
        once: true
        lowercase: true
        maxLength: 20
      cn: fullName(person)
      givenName: person.givenName
      sn: familyName(person)
      dn: '"uid=" + account.uid + ",ou=people,dc=school,dc=test"'

    # Joiners and leavers (instroom / uitstroom).
    lifecycle:
      provisionDaysBefore: 14 # accounts exist two weeks before the first school day
      disableAfterDays: 0 # disabled the day after the last contract ends
      deleteAfterDays: 30 # deleted 30 days after being disabled (null: never delete)
      # Nothing is deleted during the summer holiday, when exports are often incomplete.
      holds:
        - { from: '07-15', to: '08-31', kinds: [delete] }

    # The guard: a plan that would do more than this is stopped until someone approves it (koppel approve).
    # Shown here with the defaults; create, enable and grant have no limit unless you set one.
    guard:
      disable: { maxCount: 50, maxPercent: 10 }
      delete: { maxCount: 50, maxPercent: 10 }
      revoke: { maxPercent: 25 }
      update: { maxPercent: 50 }

    # How fast and how persistently changes are written.
    apply:
      retries: 5
      backoffMs: 250
      maxBackoffMs: 30000

# Rules: who gets what. "when" is a condition (CEL) over the person and one contract; every contract that
# matches earns what is under "grant". Plans name the rule behind each change.
rules:
  - name: Pupils get a network account
    when: contract.role == "student"
    grant:
      - account: directory

  - name: Pupils are members of their class (stamgroep)
    when: contract.role == "student" && has(contract.classGroup)
    grant:
      - permission:
          target: directory
          type: group
          id: '"cn=klas-" + contract.classGroup + ",ou=groups,dc=school,dc=test"'

  - name: Teachers and staff get an account and the staff group
    when: contract.role == "teacher" || contract.role == "staff"
    grant:
      - account: directory
      - permission: { target: directory, type: group, id: '"cn=personeel,ou=groups,dc=school,dc=test"' }
`
}
