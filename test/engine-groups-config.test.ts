// provisionGroups: in koppel.yaml: a bad group expression is named by file, line and path; a target whose
// connector cannot provision groups is refused when the engine starts, not silently ignored on every run.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, test } from 'node:test'
import { loadEngine } from '../src/app/load-engine.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'

const examples = resolve(import.meta.dirname, '..', 'examples')
const dir = mkdtempSync(join(tmpdir(), 'koppel-groups-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const env = { LDAP_PASSWORD: 'x', SCIM_TOKEN: 'x', AURA_PASSWORD: 'x', AURA_PARTNER: 'x' }

function write(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('provisionGroups in the config', () => {
  test('a group set expression with an unknown field names file, line, path and the field', async () => {
    const text = readFileSync(join(examples, 'oneroster-csv-to-ldap-groups.yaml'), 'utf8').replace(
      '" " + group.name : group.name',
      '" " + group.nam : group.name',
    )
    const path = write('bad-title.yaml', text)
    const r = await loadEngine(path, connectorDefinitions, { env })
    assert.equal(r.ok, false)
    const errors = r.ok ? [] : r.errors
    assert.equal(errors.length, 1, errors.join('\n'))
    assert.match(
      errors[0] ?? '',
      /bad-title\.yaml:\d+:\d+ targets\[0\]\.provisionGroups\[0\]\.title: group\.nam is not a field of group; did you mean group\.name\?/,
    )
  })

  test('a member grant naming a group set the target does not have is a config error', async () => {
    const text = readFileSync(join(examples, 'oneroster-csv-to-ldap-groups.yaml'), 'utf8').replace(
      'groups: lesgroepen, role: member',
      'groups: lessen, role: member',
    )
    const r = await loadEngine(write('bad-set.yaml', text), connectorDefinitions, { env })
    assert.equal(r.ok, false)
    assert.match(
      (r.ok ? [] : r.errors).join('\n'),
      /rules\[1\]\.grant\[0\]\.member\.groups.*unknown group set "lessen" \(group sets of directory: lesgroepen\)/,
    )
  })

  test('a member grant with a role the target has no such role for is refused at start (SCIM: no owners)', async () => {
    const sets = `    provisionGroups:
      - name: klassen
        when: group.type == "class"
`
    const owners = `
  - name: Teachers own their classes
    for: membership
    when: membership.role == "teacher"
    grant:
      - member: { target: app, groups: klassen, role: owner }
`
    const text = `${readFileSync(join(examples, 'scim.yaml'), 'utf8').replace(
      '\nrules:\n',
      `\n${sets}rules:\n`,
    )}${owners}`
    const r = await loadEngine(write('scim-owners.yaml', text), connectorDefinitions, { env })
    assert.equal(r.ok, false)
    assert.match(
      (r.ok ? [] : r.errors).join('\n'),
      /scim-owners\.yaml: rules\[\d+\]\.grant\[0\]\.member\.role: the scim target "app" has no group role "owner" \(its roles: member\)/,
    )
    const members = text.replace('role: owner', 'role: member')
    const ok = await loadEngine(write('scim-members.yaml', members), connectorDefinitions, { env })
    assert.equal(ok.ok, true, ok.ok ? '' : ok.errors.join('\n'))
    if (ok.ok) await ok.loaded.close()
  })

  test('the itslearning IMS file target takes a provisionGroups: section (courses) and member grants', async () => {
    const sets = `    provisionGroups:
      - name: courses
        when: group.type == "teaching-group"
        attributes: { school: '"12AB"', schoolYear: group.schoolYear }
`
    const members = `  - name: pupils in their courses
    for: membership
    when: membership.role == "student"
    grant:
      - member: { target: itslearning, groups: courses, role: learner }
`
    const text = readFileSync(join(examples, 'itslearning-ims-file.yaml'), 'utf8')
      .replace('\n\n# Memberships are permissions', `\n${sets}\n# Memberships are permissions`)
      .replace('\nrules:\n', `\nrules:\n${members}`)
    mkdirSync(join(dir, 'secrets'), { recursive: true })
    writeFileSync(join(dir, 'secrets', 'itslearning_ed25519'), 'not a key; never used to connect')
    const r = await loadEngine(write('ims-file-groups.yaml', text), connectorDefinitions, { env })
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'))
    try {
      const target = r.loaded.engine.setup.targets.find((t) => t.name === 'itslearning')
      assert.deepEqual(
        target?.groups?.sets.map((g) => g.name),
        ['courses'],
      )
      assert.equal(target?.connector.capabilities.groups?.archive, 'target')
    } finally {
      await r.loaded.close()
    }
  })

  test('a target whose connector cannot provision groups is refused at start', async () => {
    const sets = `    provisionGroups:
      - name: klassen
        when: group.type == "class"
`
    // Aura Online (a library system) has no groups at all
    const text = readFileSync(join(examples, 'aura-online.yaml'), 'utf8').replace(
      '\nrules:\n',
      `\n${sets}rules:\n`,
    )
    const r = await loadEngine(write('aura-groups.yaml', text), connectorDefinitions, { env })
    assert.equal(r.ok, false)
    assert.match(
      (r.ok ? [] : r.errors).join('\n'),
      /targets\.bibliotheek\.provisionGroups: the aura-online connector cannot provision groups yet/,
    )
  })
})
