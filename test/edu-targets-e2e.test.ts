// End to end, education targets (issue #5): a generated school board exported as OneRoster CSV, read by the real
// oneroster-csv source, through one koppel.yaml with CEL rules into four targets at once:
//   itslearning     itslearning-ims-file: IMS Enterprise 1.1 file over SFTP to a real sshd (test/harness/sshd.ts)
//   itslearning-es  itslearning-ims-es against the IMS Enterprise Services simulator
//   bibliotheek     aura-online against the Aura simulator
//   portaal         outsystems against the OutSystems simulator
// Then the school-year turnover: next year's export (every pupil one grade up, the exam classes gone, new
// first-years), planned on the first day of the new school year: the guard blocks it (it is a big change), the
// admin approves it with the real `koppel approve`, the IMS file's own safety check refuses the file and the
// admin approves that by its approval file; the emptied old courses stay in the file for courseArchiveDays and
// are gone after. Every expected count is derived from the generated board. Without sshd (and without
// KOPPEL_REQUIRE_SERVERS=1) the file target is left out of the config and its assertions are skipped.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { applyStoredPlan, deliverPending, makePlan } from '../src/engine/index.ts'
import type { Plan, RunReport } from '../src/model/index.ts'
import { isPermissionAction } from '../src/model/index.ts'
import { generateBoard, writeOneRosterCsv, type SimBoard } from '@koppel/sim/generator'
import { readImsXml } from '../src/connectors/itslearning/index.ts'
import { checkImsStructure } from '../src/connectors/itslearning/ims-structure-check.ts'
import {
  startItslearningEsSimulator,
  type ItslearningEsSimulator,
} from '@koppel/sim/itslearning-es'
import { startAuraSim, type AuraSim } from '@koppel/sim/aura'
import { DEFAULT_ROLES, startOutSystemsSim, type OutSystemsSim } from '@koppel/sim/outsystems'
import { sshdSkipReason, startSshd, type Sshd } from './harness/sshd.ts'
import { loadClockedEngine, type Clock, type ClockedEngine } from './support/clocked-engine.ts'
import {
  nextClassTitle,
  writeNextSchoolYear,
  type Turnover,
} from './support/school-year-turnover.ts'
import { addDays } from '../src/util/dates.ts'

const ROOT = resolve(import.meta.dirname, '..')
const SEED = 'edu-targets-e2e'
const T0 = '2026-11-23' // the board's today: school year 2026-2027
const T1 = '2027-07-31' // the last day of that school year: a nightly run without changes
const T2 = '2027-08-01' // the first day of 2027-2028: next year's export arrives
const ARCHIVE_DAYS = 30
const JOINERS = 6
const ENV = {
  ITSLEARNING_ES_PASSWORD: 'es-secret',
  AURA_PASSWORD: 'aura-secret',
  AURA_PARTNER: 'aura-partner',
  OUTSYSTEMS_TOKEN: 'os-token',
}
const ROLE_NAMES: Readonly<Record<string, string>> = {
  student: 'Leerling',
  teacher: 'Docent',
  staff: 'Medewerker',
}
const FILE_ROLE: Readonly<Record<string, string>> = {
  '01': 'learner',
  '02': 'instructor',
  '06': 'mentor',
}
const ES_ROLE: Readonly<Record<string, string>> = {
  Learner: 'learner',
  Instructor: 'instructor',
  Mentor: 'mentor',
}

/** The koppel.yaml of the test: one source, the four targets, the rules. */
function koppelYaml(o: { sshd: Sshd | undefined; es: string; aura: string; os: string }): string {
  const both = o.sshd !== undefined ? ['itslearning', 'itslearning-es'] : ['itslearning-es']
  const all = [...both, 'bibliotheek', 'portaal']
  const accounts = (targets: readonly string[]) =>
    targets.map((t) => `      - account: ${t}\n`).join('')
  const memberships = (id: string) =>
    both
      .map(
        (t) =>
          `      - permission:\n          target: ${t}\n          type: membership\n          id: '${id}'\n`,
      )
      .join('')
  // the export's class ids are cls-<end year>-<location>-<title>: a mentor's homeroom is a "teacher" enrollment in
  // a class whose title has no "-" (lesgroepen are "1A-wi", clusters "H4-ak-1")
  const cls = `"class/cls-" + string(yearOf(contract.end)) + "-" + contract.organisationCode + "-"`
  const imsPerson = `    anchor:
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
      email: 'has(person.email) ? person.email : account.userId + "@leerling.school.example"'
      institutionRole: contract.role
`
  const file =
    o.sshd === undefined
      ? ''
      : `  - name: itslearning
    type: itslearning-ims-file
    stateDir: ./data/itslearning
    fileName: koppel-ims.xml
    maxDeletePercent: 10
    maxChangePercent: 25
    courseArchiveDays: ${ARCHIVE_DAYS}
    sftp:
      host: ${o.sshd.host}
      port: ${o.sshd.port}
      username: ${o.sshd.username}
      privateKey: \${file:./secrets/itslearning_ed25519}
      hostKeyFingerprint: ${o.sshd.hostKeyFingerprint}
      remoteDir: ${o.sshd.uploadDir}
${imsPerson}    lifecycle:
      provisionDaysBefore: 14
      disableAfterDays: 0
      deleteAfterDays: 30
`
  return `version: 1
store:
  kind: sqlite
  path: ./data/koppel.db
sources:
  - name: school
    type: oneroster-csv
    path: ./export
targets:
${file}  - name: itslearning-es
    type: itslearning-ims-es
    url: ${o.es}
    username: koppel-school
    password: \${env:ITSLEARNING_ES_PASSWORD}
    batchWaitMs: 5
${imsPerson}    lifecycle:
      provisionDaysBefore: 14
      # IMS ES cannot disable: a leaver is deleted (to the trash can) when the grace ends; 0 = at once
      deleteAfterDays: 0
  - name: bibliotheek
    type: aura-online
    baseUrl: ${o.aura}
    password: \${env:AURA_PASSWORD}
    partner: \${env:AURA_PARTNER}
    anchor:
      attribute: LENERSCODE
      value: person.key
    attributes:
      LENERSCODE: person.key
      VOORN: person.givenName
      VOORV: 'has(person.familyNamePrefix) ? person.familyNamePrefix : ""'
      LENERSNAAM: person.familyName
      KAMERNR: 'has(contract.classGroup) ? contract.classGroup : ""'
      VESTIGING: 'has(contract.organisationName) ? contract.organisationName : ""'
    lifecycle:
      provisionDaysBefore: 0
      disableAfterDays: 0
      deleteAfterDays: null
  - name: portaal
    type: outsystems
    baseUrl: ${o.os}
    token: \${env:OUTSYSTEMS_TOKEN}
    defaultRole: Default User
    roleId: name
    anchor:
      attribute: username
      value: person.username
    attributes:
      username: person.username
      name: fullName(person)
      email: 'has(person.email) ? person.email : person.username + "@leerling.school.example"'
    lifecycle:
      provisionDaysBefore: 7
      disableAfterDays: 0
      deleteAfterDays: null
rules:
  - name: Leerlingen
    when: contract.role == "student" && has(contract.classGroup) && has(contract.schoolYear)
    grant:
${accounts(all)}${memberships('contract.organisationCode + "/" + contract.schoolYear + "/stamgroep/" + replace(contract.classGroup, "/", "%2F") + "#learner"')}      - permission: { target: portaal, type: role, id: '"${ROLE_NAMES['student']}"' }
  - name: Personeel
    when: contract.role == "teacher" || contract.role == "staff"
    grant:
${accounts(all)}      - permission: { target: portaal, type: role, id: '${JSON.stringify(ROLE_NAMES)}[contract.role]' }
  - name: Docenten in de docentenkamer
    when: contract.role == "teacher" && has(contract.schoolYear)
    grant:
${memberships('contract.organisationCode + "/" + contract.schoolYear + "/docentenkamer#instructor"')}  - name: Mentoren van hun stamgroep
    when: (contract.role == "teacher" || contract.role == "staff") && has(contract.schoolYear) && has(contract.end)
    grant:
${memberships(`person.memberships.filter(m, m.role == "teacher" && m.group.startsWith(${cls}) && !replace(m.group, ${cls}, "").contains("-")).map(m, contract.organisationCode + "/" + contract.schoolYear + "/stamgroep/" + replace(m.group, ${cls}, "") + "#mentor")`)}`
}

/** What the targets must hold, derived from the generated board (not from Koppel's rules). */
interface Expected {
  /** person key → contract role (student, teacher, staff) */
  readonly roles: Map<string, string>
  /** person key → homeroom title, pupils only */
  readonly classOf: Map<string, string>
  /** `person|group sync key|role` of every itslearning membership */
  readonly memberships: Set<string>
  /** person key → username in the export (pupils: leerlingnummer, staff: e-mail) */
  readonly usernames: Map<string, string>
}

function expectedFromBoard(board: SimBoard, turnover?: Turnover): Expected {
  const year = turnover?.schoolYear ?? board.schoolYear.title
  const roles = new Map<string, string>()
  const classOf = new Map<string, string>()
  const memberships = new Set<string>()
  const usernames = new Map<string, string>()
  const next = (title: string) => (turnover === undefined ? title : nextClassTitle(title))
  for (const chunk of board.chunks()) {
    const code = new Map(chunk.school.locations.map((l) => [l.id, l.code]))
    const title = new Map(chunk.groups.map((g) => [g.id, g.title]))
    for (const p of chunk.pupils) {
      usernames.set(p.id, p.number)
      const t = next(title.get(p.stamgroepId) ?? '')
      if (t === undefined) continue
      roles.set(p.id, 'student')
      classOf.set(p.id, t)
      memberships.add(`${p.id}|${code.get(p.locationId)}/${year}/stamgroep/${t}|learner`)
    }
    const staffAt = new Map(chunk.staff.map((s) => [s.id, s]))
    for (const s of chunk.staff) {
      roles.set(s.id, s.function === 'teacher' ? 'teacher' : 'staff')
      usernames.set(s.id, s.email)
      if (s.function === 'teacher')
        memberships.add(`${s.id}|${code.get(s.locationId)}/${year}/docentenkamer|instructor`)
    }
    for (const e of chunk.enrolments) {
      if (e.role !== 'mentor' || !staffAt.has(e.personId)) continue
      const t = next(title.get(e.groupId) ?? '')
      if (t !== undefined)
        memberships.add(`${e.personId}|${code.get(e.locationId)}/${year}/stamgroep/${t}|mentor`)
    }
  }
  for (const j of turnover?.joiners ?? []) {
    roles.set(j.sourcedId, 'student')
    classOf.set(j.sourcedId, j.classTitle)
    usernames.set(j.sourcedId, j.username)
    memberships.add(
      `${j.sourcedId}|${j.organisationCode}/${year}/stamgroep/${j.classTitle}|learner`,
    )
  }
  return { roles, classOf, memberships, usernames }
}

function koppelCli(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--no-warnings', join(ROOT, 'bin', 'koppel.ts'), ...args],
      { cwd, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => (out += b.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, out }))
  })
}

const sorted = <T>(xs: Iterable<T>) => [...xs].sort()
const countKinds = (plan: Plan, target: string) => {
  const out: Record<string, number> = {}
  for (const a of plan.actions) if (a.target === target) out[a.kind] = (out[a.kind] ?? 0) + 1
  return out
}

describe('education targets end to end: itslearning (IMS file + ES), Aura, OutSystems, and the school-year turnover', () => {
  const clock: Clock = { today: T0 }
  const fileSkip = sshdSkipReason()
  let sshd: Sshd | undefined
  let es: ItslearningEsSimulator
  let aura: AuraSim
  let os: OutSystemsSim
  let dir: string
  let koppel: ClockedEngine
  let board: SimBoard
  let turnover: Turnover

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'koppel-edu-e2e-'))
    if (fileSkip === undefined) sshd = await startSshd()
    es = await startItslearningEsSimulator({
      username: 'koppel-school',
      password: ENV.ITSLEARNING_ES_PASSWORD,
    })
    aura = await startAuraSim({
      password: ENV.AURA_PASSWORD,
      partner: ENV.AURA_PARTNER,
      now: () => new Date(`${clock.today}T10:00:00Z`),
    })
    os = await startOutSystemsSim({
      token: ENV.OUTSYSTEMS_TOKEN,
      roles: [
        ...DEFAULT_ROLES,
        { Key: '3f1c2a9e-0d6b-4a51-9d7e-000000000005', Name: 'Medewerker' },
      ],
    })
    board = generateBoard({ seed: SEED, persons: 400, today: T0 })
    await writeOneRosterCsv(join(dir, 'export'), board, { version: '1.2' })
    await mkdir(join(dir, 'secrets'))
    if (sshd !== undefined)
      await writeFile(join(dir, 'secrets', 'itslearning_ed25519'), sshd.privateKey, { mode: 0o600 })
    await writeFile(
      join(dir, 'koppel.yaml'),
      koppelYaml({ sshd, es: es.url, aura: aura.url, os: os.url }),
    )
    koppel = await loadClockedEngine(join(dir, 'koppel.yaml'), ENV, clock)
  })
  after(async () => {
    await koppel?.close()
    await Promise.allSettled([es?.close(), aura?.close(), os?.close(), sshd?.stop()])
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  const plan = async (today: string): Promise<Plan> => {
    clock.today = today
    const r = await makePlan(koppel.engine, { actor: 'e2e' })
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues))
    assert.deepEqual(r.plan.issues, [], 'no person is left out by a rule or mapping error')
    return r.plan
  }
  const apply = async (p: Plan): Promise<RunReport> => {
    const r = await applyStoredPlan(koppel.engine, p.id, { actor: 'e2e' })
    assert.ok(r.ok, r.ok ? '' : r.message)
    assert.deepEqual(r.report.failures, [])
    return r.report
  }
  /** The nightly run when the plan has nothing to do: the file target still delivers (or confirms) its file. */
  const nightly = async (today: string) => {
    const p = await plan(today)
    assert.equal(p.actions.length, 0, JSON.stringify(p.summary))
    return deliverPending(koppel.engine, { actor: 'e2e' })
  }
  const deliveredFile = async () =>
    readImsXml(await readFile(join(sshd?.uploadDir ?? '', 'koppel-ims.xml'), 'utf8'))
  const fileMemberships = (doc: ReturnType<typeof readImsXml>) =>
    new Set(
      doc.memberships.flatMap((m) =>
        m.members.map((x) => `${x.id}|${m.group}|${FILE_ROLE[x.roletype ?? '']}`),
      ),
    )
  const esMemberships = () =>
    new Set(
      [...es.memberships.values()]
        .filter((m) => es.persons.get(m.person)?.deleted === false)
        .map((m) => `${m.person}|${m.group}|${ES_ROLE[m.role]}`),
    )
  const esLive = () =>
    sorted([...es.persons.values()].filter((p) => !p.deleted).map((p) => p.syncKey))
  const osByUsername = () => new Map([...os.users.values()].map((u) => [String(u.Username), u]))
  const roleName = (key: unknown) => os.roles.find((r) => r.Key === key)?.Name

  test('year 1: every pupil and staff member lands in all four targets with the memberships and roles of the board', async (t) => {
    const want = expectedFromBoard(board)
    const people = sorted(want.roles.keys())
    assert.ok(
      people.length > 300 && want.memberships.size > people.length,
      `${people.length} persons, ${want.memberships.size} memberships`,
    )
    const p = await plan(T0)
    assert.equal(p.status, 'planned', JSON.stringify(p.findings))
    for (const t of [
      'itslearning-es',
      'bibliotheek',
      'portaal',
      ...(sshd !== undefined ? ['itslearning'] : []),
    ])
      assert.equal(countKinds(p, t)['create'], people.length, t)
    t.diagnostic(
      `${people.length} persons, ${want.memberships.size} itslearning memberships; plan ${JSON.stringify(p.summary)}`,
    )
    const report = await apply(p)
    assert.equal(report.state, 'done')

    // itslearning over IMS ES
    assert.deepEqual(esLive(), people)
    assert.deepEqual(sorted(esMemberships()), sorted(want.memberships))
    const groupKinds = new Set([...es.groups.values()].map((g) => g.type))
    assert.deepEqual(sorted(groupKinds), ['Course', 'CourseGroup', 'School', 'Unspecified'])
    // Aura: a borrower per person, pupils with their class as room number
    assert.deepEqual(sorted(aura.persons.keys()), people)
    for (const [key, cls] of want.classOf) assert.equal(aura.persons.get(key)?.KAMERNR, cls, key)
    // OutSystems: one active user per person with the role of their contract role
    const users = osByUsername()
    assert.equal(users.size, people.length)
    const byRole: Record<string, number> = {}
    for (const u of users.values()) {
      assert.equal(u.IsActive, true)
      const r = roleName(u.RoleKey) ?? '?'
      byRole[r] = (byRole[r] ?? 0) + 1
    }
    const wantByRole: Record<string, number> = {}
    for (const r of want.roles.values())
      wantByRole[ROLE_NAMES[r] ?? '?'] = (wantByRole[ROLE_NAMES[r] ?? '?'] ?? 0) + 1
    assert.deepEqual(byRole, wantByRole)
  })

  test(
    'year 1: the IMS file on the SFTP server holds exactly those persons and memberships',
    { skip: fileSkip },
    async () => {
      const want = expectedFromBoard(board)
      const xml = await readFile(join(sshd?.uploadDir ?? '', 'koppel-ims.xml'), 'utf8')
      assert.deepEqual(checkImsStructure(xml, { itslearning: true }), [])
      const doc = readImsXml(xml)
      assert.deepEqual(sorted(doc.persons.map((p) => p.id)), sorted(want.roles.keys()))
      assert.deepEqual(sorted(fileMemberships(doc)), sorted(want.memberships))
      // every group a membership names is in the file, with the hierarchy school / school year / course / course group
      const groups = new Map(doc.groups.map((g) => [g.id, g]))
      for (const m of doc.memberships) assert.ok(groups.has(m.group), m.group)
      const types = sorted(new Set(doc.groups.map((g) => g.type)))
      assert.ok(
        types.includes('School') && types.includes('Course') && types.includes('CourseGroup'),
        types.join(),
      )
    },
  )

  test('year 1: a second plan is empty; the nightly run on the last school day delivers nothing new', async () => {
    const p = await plan(T0)
    assert.equal(
      p.actions.length,
      0,
      JSON.stringify(p.summary) +
        JSON.stringify(
          p.actions.map((a) => [
            a.target,
            a.kind,
            a.person,
            isPermissionAction(a) ? a.permission : undefined,
            a.reason,
          ]),
        ),
    )
    const d = await nightly(T1)
    if (sshd !== undefined) {
      assert.ok(d !== undefined && 'messages' in d && d.ok, JSON.stringify(d))
      assert.match(d.messages.join('\n'), /koppel-ims\.xml unchanged/)
    }
  })

  test('turnover: next year plans moves, leavers and joiners; the guard blocks it and `koppel approve` releases it', async (t) => {
    await writeNextSchoolYear(join(dir, 'export'), join(dir, 'export-next'), {
      joiners: JOINERS,
    }).then((t) => (turnover = t))
    await rename(join(dir, 'export'), join(dir, 'export-2026-2027'))
    await rename(join(dir, 'export-next'), join(dir, 'export'))
    const before = expectedFromBoard(board)
    const want = expectedFromBoard(board, turnover)
    const leavers = new Set(turnover.leavers)
    const joiners = new Set(turnover.joiners.map((j) => j.sourcedId))
    assert.ok(leavers.size > 20 && joiners.size === JOINERS, `${leavers.size} leavers`)
    // the leavers are exactly the board's pupils in their last grade
    assert.deepEqual(
      sorted(leavers),
      sorted(
        [...before.classOf].filter(([, c]) => nextClassTitle(c) === undefined).map(([k]) => k),
      ),
    )

    const p = await plan(T2)
    t.diagnostic(
      `${leavers.size} leavers, ${joiners.size} joiners; plan ${JSON.stringify(p.summary)}; guard: ${p.findings.map((f) => f.message).join('; ')}`,
    )
    assert.equal(
      p.status,
      'blocked',
      'a school-year turnover is more than the guard lets through unasked',
    )
    assert.ok(
      p.findings.some((f) => f.kind === 'revoke' || f.kind === 'disable'),
      JSON.stringify(p.findings),
    )
    const refused = await applyStoredPlan(koppel.engine, p.id, { actor: 'e2e' })
    assert.ok(!refused.ok && refused.reason === 'blocked')

    // the plan, target by target
    const moved = (m: Set<string>, n: Set<string>) => ({
      granted: sorted([...n].filter((x) => !m.has(x))),
      revoked: sorted([...m].filter((x) => !n.has(x))),
    })
    const { granted, revoked } = moved(before.memberships, want.memberships)
    const permissionsOf = (target: string, kind: 'grant' | 'revoke') =>
      sorted(
        p.actions
          .filter((a) => a.target === target && a.kind === kind)
          .map((a) => {
            const id = (isPermissionAction(a) ? a.permission : '').replace(/^membership:/, '')
            const hash = id.lastIndexOf('#')
            return `${a.person}|${id.slice(0, hash)}|${id.slice(hash + 1)}`
          }),
      )
    const keysOf = (target: string, kind: string) =>
      sorted(p.actions.filter((a) => a.target === target && a.kind === kind).map((a) => a.person))
    // IMS ES: grants of next year's groups for stayers and joiners; revokes of this year's for stayers (leavers are deleted)
    assert.deepEqual(permissionsOf('itslearning-es', 'grant'), granted)
    assert.deepEqual(
      permissionsOf('itslearning-es', 'revoke'),
      revoked.filter((m) => !leavers.has(m.split('|')[0] ?? '')),
    )
    assert.deepEqual(keysOf('itslearning-es', 'delete'), sorted(leavers))
    assert.deepEqual(keysOf('itslearning-es', 'disable'), [])
    assert.deepEqual(keysOf('itslearning-es', 'create'), sorted(joiners))
    // Aura: end date for leavers, room number for stayers, new borrowers
    assert.deepEqual(keysOf('bibliotheek', 'disable'), sorted(leavers))
    assert.deepEqual(keysOf('bibliotheek', 'create'), sorted(joiners))
    assert.deepEqual(
      keysOf('bibliotheek', 'update'),
      sorted([...want.classOf.keys()].filter((k) => !joiners.has(k))),
    )
    // OutSystems: inactive leavers, new users
    assert.deepEqual(keysOf('portaal', 'disable'), sorted(leavers))
    assert.deepEqual(keysOf('portaal', 'create'), sorted(joiners))
    if (sshd !== undefined) {
      assert.deepEqual(permissionsOf('itslearning', 'grant'), granted)
      assert.deepEqual(
        permissionsOf('itslearning', 'revoke'),
        revoked.filter((m) => !leavers.has(m.split('|')[0] ?? '')),
      )
      assert.deepEqual(keysOf('itslearning', 'disable'), sorted(leavers))
      assert.deepEqual(keysOf('itslearning', 'create'), sorted(joiners))
    }

    const approved = await koppelCli(dir, ['approve', p.id, '--config', join(dir, 'koppel.yaml')])
    assert.equal(approved.code, 0, approved.out)
    assert.match(approved.out, new RegExp(`Approved ${p.id}`))
    const report = await apply(p)

    // the targets now hold next year
    const people = sorted(want.roles.keys())
    assert.deepEqual(esLive(), people)
    assert.deepEqual(sorted(esMemberships()), sorted(want.memberships))
    for (const k of leavers) {
      assert.equal(es.persons.get(k)?.deleted, true, `${k} in the trash can`)
      assert.equal(
        aura.persons.get(k)?.UITSDATUM,
        T2.replace(/-/g, ''),
        `${k} has its end date in Aura`,
      )
    }
    for (const [key, cls] of want.classOf) assert.equal(aura.persons.get(key)?.KAMERNR, cls, key)
    const users = osByUsername()
    assert.equal(users.size, people.length + leavers.size)
    const leaverNames = new Set([...leavers].map((k) => before.usernames.get(k)))
    for (const k of want.roles.keys())
      assert.equal(users.get(want.usernames.get(k) ?? '')?.IsActive, true, k)
    for (const u of users.values())
      assert.equal(u.IsActive, !leaverNames.has(String(u.Username)), String(u.Username))

    if (sshd !== undefined) {
      // the IMS file target refused the file: it deletes far more than maxDeletePercent of the last one
      const refusal = report.messages.find((m) => m.includes('refusing to deliver'))
      assert.ok(refusal !== undefined, report.messages.join('\n'))
      t.diagnostic(refusal)
      const stillOld = await deliveredFile()
      assert.deepEqual(
        sorted(fileMemberships(stillOld)),
        sorted(before.memberships),
        'the old file stays on the server',
      )
      // the admin approves this file with `koppel approve`, as the message says; the next run delivers it
      const m = /koppel approve (\S+:[0-9a-f]{16}) --reason/.exec(refusal)
      assert.ok(m !== null, refusal)
      const ok = await koppelCli(dir, [
        'approve',
        m[1] ?? '',
        '--reason',
        'new school year',
        '--config',
        join(dir, 'koppel.yaml'),
      ])
      assert.equal(ok.code, 0, ok.out)
      const d = await nightly(T2)
      assert.ok(d !== undefined && 'messages' in d && d.ok, JSON.stringify(d))
      assert.match(d.messages.join('\n'), /delivered koppel-ims\.xml: .* emptied course\(s\) held/)
    }
  })

  test(
    'turnover: the IMS file holds next year and keeps the emptied courses for courseArchiveDays, then drops them',
    { skip: fileSkip },
    async () => {
      const before = expectedFromBoard(board)
      const want = expectedFromBoard(board, turnover)
      const oldYear = board.schoolYear.title
      const doc = await deliveredFile()
      assert.deepEqual(sorted(doc.persons.map((p) => p.id)), sorted(want.roles.keys()))
      assert.deepEqual(sorted(fileMemberships(doc)), sorted(want.memberships))
      const groupIds = new Set(doc.groups.map((g) => g.id))
      const oldCourses = sorted(new Set([...before.memberships].map((m) => m.split('|')[1] ?? '')))
      assert.ok(oldCourses.every((g) => g.includes(`/${oldYear}/`)))
      assert.deepEqual(
        oldCourses.filter((g) => !groupIds.has(g)),
        [],
        'every emptied course of last year is still in the file',
      )
      const memberGroups = new Set(
        doc.memberships.filter((m) => m.members.length > 0).map((m) => m.group),
      )
      assert.deepEqual(
        oldCourses.filter((g) => memberGroups.has(g)),
        [],
        '… without members',
      )

      // the last day of the hold: still there (last seen on T1, the last nightly run with the old export)
      const lastHeld = addDays(T1, ARCHIVE_DAYS - 1)
      await nightly(lastHeld)
      const held = new Set((await deliveredFile()).groups.map((g) => g.id))
      assert.deepEqual(
        oldCourses.filter((g) => !held.has(g)),
        [],
      )

      // after the hold (the turnover day + courseArchiveDays + 1): the old courses are gone. The plan of that day
      // deletes the leavers' disabled accounts (deleteAfterDays 30), which the guard blocks and the admin approves.
      const p = await plan(addDays(T2, ARCHIVE_DAYS + 1))
      assert.deepEqual(
        sorted(p.actions.map((a) => `${a.target}:${a.kind}`)).filter(
          (x, i, xs) => xs.indexOf(x) === i,
        ),
        ['itslearning:delete'],
      )
      assert.deepEqual(sorted(p.actions.map((a) => a.person)), sorted(turnover.leavers))
      if (p.status === 'blocked') {
        const approved = await koppelCli(dir, [
          'approve',
          p.id,
          '--config',
          join(dir, 'koppel.yaml'),
        ])
        assert.equal(approved.code, 0, approved.out)
      }
      const report = await apply(p)
      assert.ok(
        report.messages.some((m) => /delivered koppel-ims\.xml/.test(m)),
        report.messages.join('\n'),
      )
      const after = await deliveredFile()
      const afterIds = new Set(after.groups.map((g) => g.id))
      assert.deepEqual(
        oldCourses.filter((g) => afterIds.has(g)),
        [],
        "last year's courses are gone",
      )
      assert.deepEqual(sorted(fileMemberships(after)), sorted(want.memberships))
      assert.ok(after.groups.some((g) => g.id.includes(`/${turnover.schoolYear}/`)))
      assert.equal(
        (await plan(addDays(T2, ARCHIVE_DAYS + 1))).actions.length,
        0,
        'and nothing is left to do',
      )
    },
  )
})
