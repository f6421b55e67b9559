// Initial passwords to the mentor with the sources that had none before (issue 12.4): Eduarte (the SLB'er, a
// medewerker Koppel reads too) and Magister (the docent code, with the staff from a csv source keyed by that
// code, as docs/connectors/magister.md describes) into the Active Directory simulator, which generates the
// passwords; a real SMTP server (smtp-server) receives them through the real mailer.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import { startSmtpInbox, type SmtpInbox } from './harness/smtp-inbox.ts'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { loadEngine } from '../src/app/load-engine.ts'
import { applyStoredPlan, makePlan } from '../src/engine/index.ts'
import { startAdServer, type RunningAdServer } from '@koppel/sim/ad-server'
import { eduarteData, startEduarteSim } from '@koppel/sim/eduarte'
import { generateBoard } from '@koppel/sim/generator'
import { magisterRows, startMagisterSim } from '@koppel/sim/magister'

const TODAY = '2026-11-23'
const now = () => new Date(`${TODAY}T06:00:00Z`)
const board = generateBoard({ seed: 'mentor-mail', persons: 100, schools: 1, today: TODAY })

const adTarget = (ad: RunningAdServer, smtpPort: number, rule: string) => `targets:
  - name: ad
    type: active-directory
    url: ${ad.url}
    tlsCaFile: ${ad.caFile}
    bindDn: ${ad.adminDn}
    password: \${env:AD_PASSWORD}
    baseDn: DC=school,DC=test
    mustChangePassword: true
    secretDelivery:
      mail:
        to: manager
        from: ict@school.test
        subject: Nieuw account voor {name}
        loginAttribute: sAMAccountName
        smtp: { host: 127.0.0.1, port: ${smtpPort}, requireTls: false }
    anchor: { attribute: employeeNumber, value: person.key }
    attributes:
      sAMAccountName:
        candidates: ['slug(left(givenName(person), 1) + familyName(person))', 'slug(givenName(person) + familyName(person))']
        unique: true
        once: true
        lowercase: true
        maxLength: 20
      userPrincipalName: 'account.sAMAccountName + "@school.test"'
      displayName: fullName(person)
      sn: familyName(person)
      dn: '"CN=" + account.sAMAccountName + ",OU=leerlingen,DC=school,DC=test"'
rules:
  - name: pupils
    when: ${rule}
    grant: [{ account: ad }]
`

describe('initial passwords mailed to the mentor, from Eduarte and from Magister', () => {
  const inbox: { to: string[]; raw: string }[] = []
  let smtp: SmtpInbox
  let port = 0
  const dir = mkdtempSync(join(tmpdir(), 'koppel-mentor-mail-'))
  before(async () => {
    smtp = await startSmtpInbox(inbox)
    port = smtp.port
  })
  after(async () => {
    await smtp.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Plans and applies `config`; every pupil create goes to a mentor's address, and that mentor got the mail. */
  async function run(
    name: string,
    config: (ad: RunningAdServer) => string,
    mentorMail: (pupilKey: string) => string | undefined,
  ): Promise<void> {
    const path = join(dir, `${name}.yaml`)
    const ad = await startAdServer({ adminPassword: 'Mentor-Ad-1' })
    try {
      writeFileSync(path, config(ad))
      const loaded = await loadEngine(path, connectorDefinitions, {
        env: { AD_PASSWORD: 'Mentor-Ad-1', EDUARTE_KEY: 'sleutel', MAGISTER_PASSWORD: 'mg-pw' },
        now,
      })
      if (!loaded.ok) assert.fail(loaded.errors.join('\n'))
      try {
        const planned = await makePlan(loaded.loaded.engine, { actor: 'test' })
        if (!planned.ok) assert.fail(planned.issues.map((i) => i.message).join('\n'))
        const creates = planned.plan.actions.filter((a) => a.kind === 'create')
        assert.ok(creates.length > 30, `${creates.length} creates`)
        for (const c of creates)
          assert.deepEqual(
            c.deliverSecretsTo,
            { mail: mentorMail(c.person) },
            `${c.person}'s password goes to the mentor`,
          )
        inbox.length = 0
        const applied = await applyStoredPlan(loaded.loaded.engine, planned.plan.id, {
          actor: 'test',
        })
        assert.ok(
          applied.ok && applied.report.state === 'done',
          applied.ok ? JSON.stringify(applied.report.failures.slice(0, 3)) : applied.message,
        )
        assert.equal(inbox.length, creates.length)
        const first = creates[0]
        assert.ok(first)
        assert.ok(
          inbox.some(
            (m) =>
              m.to.includes(mentorMail(first.person) as string) &&
              /Subject: Nieuw account voor/.test(m.raw),
          ),
        )
      } finally {
        await loaded.loaded.close()
      }
    } finally {
      await ad.stop()
    }
  }

  test("Eduarte: the SLB'er of the verbintenis (a medewerker Koppel reads) gets the password", async () => {
    const data = eduarteData(board)
    const sim = await startEduarteSim({ apiSleutel: 'sleutel', data })
    try {
      const mailOf = new Map(
        data.medewerkers.map((m) => [`mw-${m.id}`, m.contactgegevens[0]?.contactgegeven]),
      )
      const slbOf = new Map(
        data.deelnemers.map((d) => [
          d.deelnemernummer,
          d.verbintenissen[0]?.begeleiders[0]?.medewerker.id,
        ]),
      )
      const config = (ad: RunningAdServer) => `version: 1
store: { kind: sqlite, path: ./eduarte.db }
sources:
  - name: eduarte
    type: eduarte
    baseUrl: ${sim.url}
    apiKey: \${env:EDUARTE_KEY}
${adTarget(ad, port, 'contract.role == "student"')}`
      await run('eduarte', config, (key) => mailOf.get(`mw-${slbOf.get(key) ?? ''}`))
    } finally {
      await sim.close()
    }
  })

  test("Magister: the mentor's docent code names a staff member of a csv source keyed by that code", async () => {
    const rows = magisterRows(board)
    const sim = await startMagisterSim({ username: 'koppel', password: 'mg-pw', rows })
    try {
      // the staff list an admin exports (docent code, names, e-mail), keyed by the code Magister names mentors by
      const staff = [...board.chunks()].flatMap((c) => c.staff)
      writeFileSync(
        join(dir, 'docenten.csv'),
        stringify([
          ['docentcode', 'voornaam', 'achternaam', 'email'],
          ...staff.map((s) => [s.employeeNumber, s.givenName, s.familyName, s.email]),
        ]),
      )
      const mailOf = new Map(staff.map((s) => [s.employeeNumber, s.email]))
      const mentorOf = new Map(rows.map((r) => [r.STAMNR, r.CMENTORCODE || r.PMENTORCODE]))
      const config = (ad: RunningAdServer) => `version: 1
store: { kind: sqlite, path: ./magister.db }
sources:
  - name: magister
    type: magister
    baseUrl: ${sim.url}
    username: koppel
    password: \${env:MAGISTER_PASSWORD}
    brin: 12AB
  - name: docenten
    type: csv
    file: ./docenten.csv
    columns: { key: docentcode, givenName: voornaam, familyName: achternaam, email: email }
    defaults: { role: teacher, organisation: school }
${adTarget(ad, port, 'contract.role == "student"')}`
      assert.ok(
        [...mentorOf.values()].every((m) => m !== ''),
        'every stamgroep has a mentor',
      )
      await run('magister', config, (key) => mailOf.get(mentorOf.get(key) ?? ''))
    } finally {
      await sim.close()
    }
  })
})
