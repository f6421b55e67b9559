// Issue #3 end to end: AFAS (HR) and Somtoday (school) read from their simulators, a teacher who is in both merged
// into one person by employee number, provisioned into an LDAP directory, and the directory's username and mail
// written back to Somtoday (and the username to AFAS) as planned write-back actions. Real connectors, real
// engine, real config file; only the three systems are simulators.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { loadEngine, type LoadedEngine } from '../src/app/load-engine.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import type { Plan } from '../src/model/index.ts'
import { generateBoard, type SimBoard, type SimStaff, type SimPupil } from '@koppel/sim/generator'
import { DEFAULT_CLIENT, startSomtodaySim, type SomtodaySim } from '@koppel/sim/somtoday'
import { startAfasSim, type AfasSim } from '@koppel/sim/afas'
import { startLdapServer, type RunningLdapServer } from '@koppel/sim/ldap-server'
import { testClock } from './support/test-clock.ts'

const TODAY = '2026-11-23'

function config(ldap: RunningLdapServer, som: SomtodaySim, afas: AfasSim): string {
  return `version: 1
store: { kind: sqlite, path: ./koppel.db }
sources:
  - name: hr
    type: afas
    baseUrl: ${afas.url}
    token: \${file:./afas-token}
  - name: school
    type: somtoday
    baseUrl: ${som.baseUrl}
    tokenUrl: ${som.tokenUrl}
    clientId: ${DEFAULT_CLIENT.clientId}
    clientSecret: \${file:./somtoday-secret}
    organisation: ${som.instelling.uuid}
    persons: [leerlingen, medewerkers]
merge:
  match:
    - name: employee number
      value: attributes.employeeNumber
      ignoreLeadingZeros: true
targets:
  - name: directory
    type: ldap
    url: ${ldap.url}
    bindDn: cn=admin,dc=school,dc=test
    password: \${file:./ldap-password}
    baseDn: dc=school,dc=test
    anchor: { attribute: employeeNumber, value: person.key }
    attributes:
      uid:
        candidates: ['slug(person.givenName) + "." + slug(familyName(person))']
        unique: true
        once: true
        maxLength: 20
      cn: fullName(person)
      sn: familyName(person)
      mail: 'has(person.email) ? person.email : account.uid + "@leerling.school.test"'
      dn: '"uid=" + account.uid + ",ou=people,dc=school,dc=test"'
    writeBack:
      - source: school
        fields: { username: uid, email: mail }
      - source: hr
        fields: { username: uid }
rules:
  - name: pupils
    when: contract.role == "student"
    grant: [{ account: directory }]
  - name: staff
    when: contract.role == "teacher" || contract.role == "staff"
    grant: [{ account: directory }]
`
}

function staffAndPupils(board: SimBoard): { staff: SimStaff[]; pupils: SimPupil[] } {
  const staff: SimStaff[] = []
  const pupils: SimPupil[] = []
  for (const chunk of board.chunks()) {
    staff.push(...chunk.staff)
    pupils.push(
      ...chunk.pupils.filter((p) =>
        chunk.enrolments.some(
          (e) =>
            e.personId === p.id &&
            e.role === 'pupil' &&
            (e.endDate === '' || e.endDate > TODAY) &&
            (e.beginDate === '' || e.beginDate <= TODAY),
        ),
      ),
    )
  }
  return { staff, pupils }
}

describe('sources: AFAS + Somtoday merged, provisioned, written back', () => {
  let dir: string
  let ldap: RunningLdapServer
  let som: SomtodaySim
  let afas: AfasSim
  let loaded: LoadedEngine
  let board: SimBoard

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'koppel-agg-'))
    board = generateBoard({ seed: 'aggregation', persons: 400, today: TODAY })
    ldap = await startLdapServer({ adminPassword: 'admin-pw' })
    som = await startSomtodaySim({ board, today: TODAY })
    afas = await startAfasSim({ board, token: 'afas-app-token' })
    writeFileSync(join(dir, 'ldap-password'), 'admin-pw\n')
    writeFileSync(join(dir, 'somtoday-secret'), `${DEFAULT_CLIENT.clientSecret}\n`)
    writeFileSync(join(dir, 'afas-token'), 'afas-app-token\n')
    writeFileSync(join(dir, 'koppel.yaml'), config(ldap, som, afas))
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      now: testClock(TODAY).now,
    })
    if (!r.ok) assert.fail(r.errors.join('\n'))
    loaded = r.loaded
  })
  after(async () => {
    await loaded?.close()
    await Promise.all([ldap?.stop(), som?.close(), afas?.http.close()])
    rmSync(dir, { recursive: true, force: true })
    assert.deepEqual(
      som?.violations ?? [],
      [],
      'the Somtoday simulator served only what the spec allows',
    )
  })

  const plan = async (): Promise<Plan> => {
    const r = await makePlan(loaded.engine, { actor: 'test' })
    if (!r.ok) assert.fail(r.issues.map((i) => i.message).join('\n'))
    return r.plan
  }

  test('every teacher in both systems is one person with both contracts and one account', async () => {
    const { staff, pupils } = staffAndPupils(board)
    assert.ok(staff.length > 10 && pupils.length > 100, 'the board has staff and pupils')
    const p = await plan()
    assert.deepEqual(
      p.issues.filter((i) => i.code === 'match_conflict'),
      [],
    )
    const creates = p.actions.filter((a) => a.kind === 'create')
    assert.equal(
      creates.length,
      staff.length + pupils.length,
      'one account per human: staff are not created twice',
    )
    const result = await applyStoredPlan(loaded.engine, p.id, { actor: 'test' })
    assert.ok(result.ok)
    assert.equal(result.report.state, 'done', JSON.stringify(result.report.failures.slice(0, 3)))

    // a teacher's account: keyed by the first source (AFAS), carrying the AFAS work mail
    const t = staff[0] as SimStaff
    const accounts = await loaded.engine.store.listAccounts()
    const mine = accounts.filter((a) => a.attributes['mail'] === t.email)
    assert.equal(mine.length, 1, `exactly one account with ${t.email}`)
  })

  test('usernames and mail were written back to Somtoday and AFAS, so the next plan has nothing to do', async () => {
    const accounts = await loaded.engine.store.listAccounts()
    const { staff, pupils } = staffAndPupils(board)
    assert.equal(
      som.accounts.size,
      staff.length + pupils.length,
      'one Somtoday account written per person',
    )
    const uids = new Set(accounts.map((a) => String(a.attributes['uid'])))
    for (const s of som.accounts.values())
      assert.ok(
        uids.has(s.gebruikersnaam ?? ''),
        `Somtoday holds a directory uid (${s.gebruikersnaam})`,
      )
    const upns = afas.updates.filter((u) => JSON.stringify(u.body).includes('"Upn"'))
    assert.equal(upns.length, staff.length, 'every employee got its UPN written to AFAS')
    const again = await plan()
    assert.deepEqual(
      again.actions.map((a) => `${a.kind} ${a.id}`),
      [],
    )
  })

  test('a username edited by hand in Somtoday is written again (level-based)', async () => {
    const [uuid, state] =
      [...som.accounts.entries()].find(([, s]) => s.usertype === 'LEERLING') ??
      assert.fail('no pupil account')
    const good = state.gebruikersnaam
    state.gebruikersnaam = 'typo.by.hand'
    const p = await plan()
    assert.deepEqual(
      p.actions.map((a) => [
        a.kind,
        a.kind === 'write-back' ? a.writeBack.record : undefined,
        a.changes,
      ]),
      [['write-back', uuid, [{ field: 'username', old: 'typo.by.hand', new: good }]]],
    )
    const r = await applyStoredPlan(loaded.engine, p.id, { actor: 'test' })
    assert.ok(r.ok && r.report.state === 'done')
    assert.equal(som.accounts.get(uuid)?.gebruikersnaam, good)
  })
})
