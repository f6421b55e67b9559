// Issue 14's "done means" end to end: a generated board served by the Somtoday simulator (real connector) is
// provisioned in ONE engine into every target that provisions groups — itslearning IMS ES (simulator), the
// itslearning IMS file (delivered to a real sshd), a real slapd, a real Samba AD DC, Entra ID (Graph simulator)
// and Google Workspace (Directory simulator). Lesgroepen become courses/groups
// titled "<subject> <lesgroep>", stamgroepen become "Klas <stamgroep>"; pupils are learners/members, teachers
// instructors/owners, mentors mentors/owners. Each outcome is read back from the target itself and compared with
// the board the simulator serves; then a pupil drops a lesgroep, a lesgroep is renamed, a teacher is replaced and
// the school year turns over, each followed by an empty plan.
//
// The targets are a table (TARGETS): a target that gains provisioned groups is one more entry.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client } from 'ldapts'
import { generateBoard, type SimBoard } from '@koppel/sim/generator'
import { startEntraSim, type EntraSim } from '@koppel/sim/entra'
import { startGoogleSim, type GoogleSim } from '@koppel/sim/google'
import {
  startItslearningEsSimulator,
  type ItslearningEsSimulator,
} from '@koppel/sim/itslearning-es'
import { DEFAULT_CLIENT, startSomtodaySim, type SomtodaySim } from '@koppel/sim/somtoday'
import { DEFAULT_GROUP_ID } from '../src/config/group-schema.ts'
import { createAdTarget } from '../src/connectors/ad/index.ts'
import { entraTarget } from '../src/connectors/entra/entra-fixture.ts'
import {
  googleTestTarget,
  makeServiceAccount,
} from '../src/connectors/google/google-test-fixture.ts'
import { imsEsOptionsSchema, ImsEsTarget } from '../src/connectors/itslearning/index.ts'
import { READ_ATTRIBUTES, testTarget } from '../src/connectors/ldap/ldap-test-fixture.ts'
import {
  adTestOptions,
  AD_TEST_OUS,
  groupsDn,
  peopleDn,
} from '../src/connectors/ad/ad-test-fixture.ts'
import { somtodayOptions, SomtodaySource } from '../src/connectors/somtoday/index.ts'
import type { ConnectorContext, TargetConnector } from '../src/contract/index.ts'
import {
  applyStoredPlan,
  approvePlan,
  makePlan,
  type Engine,
  type EngineTarget,
} from '../src/engine/index.ts'
import type { Action, Plan } from '../src/model/index.ts'
import {
  compileGroupSets,
  compileMapping,
  compileRules,
  type GroupSetSpec,
  type MappingSpec,
  type RuleSpec,
} from '../src/rules/index.ts'
import { openStore, type Store } from '../src/store/index.ts'
import { AD_BASE_DN, sambaSkipReason, startSambaAd, type SambaAd } from './harness/samba-ad.ts'
import { slapdSkipReason, startSlapd, type Slapd } from './harness/slapd.ts'
import { sshdSkipReason, startSshd, type Sshd } from './harness/sshd.ts'
import { adGroupsIn } from './support/ad-group-readback.ts'
import { deliveredCourses, imsFileOverSshd } from './support/ims-file-over-sshd.ts'
import {
  dropLessonGroup,
  nextSchoolYear,
  renameGroup,
  replaceTeacher,
} from './support/somtoday-board-edits.ts'
import { testClock } from './support/test-clock.ts'

/** A membership role in the source (Koppel's model) → the role a rule grants in the target. */
type SourceRole = 'student' | 'teacher' | 'mentor'

/** What a target holds: group (as the target names it) → role (as the target reads it) → person keys, sorted. */
type Holdings = Record<string, Record<string, string[]>>

interface RunningTarget {
  readonly connector: TargetConnector
  /** Every group Koppel may have made, live or archived, read from the target itself. */
  holdings(): Promise<Holdings>
  close(): Promise<void>
}

interface GroupTarget {
  readonly name: string
  /** Why the entry cannot run on this machine (the test is then skipped), or undefined. */
  readonly skip?: string | undefined
  /** The role a rule grants per source role, and the role the target reads back for it. */
  readonly roles: Record<SourceRole, { readonly grant: string; readonly reads: string }>
  readonly mapping: MappingSpec
  readonly anchorAttribute: string
  /** Extra fields of the group sets (attributes the target needs, e.g. itslearning's hierarchy). */
  readonly groupSet?: Partial<GroupSetSpec>
  /** How the target names a group with this title in this school year, archived or not. */
  key(title: string, schoolYear: string, archived: boolean): string
  start(context: ConnectorContext): Promise<RunningTarget>
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort()

const itslearningEs: GroupTarget = {
  name: 'itslearning',
  roles: {
    student: { grant: 'learner', reads: 'Learner' },
    teacher: { grant: 'instructor', reads: 'Instructor' },
    mentor: { grant: 'mentor', reads: 'Mentor' },
  },
  mapping: {
    syncPersonKey: 'person.key',
    givenName: 'person.givenName',
    familyName: 'person.familyName',
    institutionRole: 'contract.role',
  },
  anchorAttribute: 'syncPersonKey',
  groupSet: {
    attributes: { school: '"99LS"', schoolYear: 'group.schoolYear', code: 'group.key' },
  },
  // archiving leaves the course as it is (itslearning keeps it; only Koppel's ledger says archived)
  key: (title, year) => `${title} < ${year}`,
  async start(context) {
    const sim: ItslearningEsSimulator = await startItslearningEsSimulator({
      username: 'koppel',
      password: 'secret',
    })
    const options = imsEsOptionsSchema.parse({
      url: sim.url,
      username: 'koppel',
      password: '${env:KOPPEL_TEST_ES}',
    })
    return {
      connector: new ImsEsTarget('itslearning', { ...options, password: 'secret' }, context),
      async holdings() {
        const out: Holdings = {}
        for (const g of sim.groups.values()) {
          if (g.type !== 'Course') continue
          const roles: Record<string, string[]> = {}
          for (const m of sim.memberships.values())
            if (m.group === g.syncKey) (roles[m.role] ??= []).push(m.person)
          const year = sim.groups.get(g.parent ?? '')?.title ?? '?'
          out[`${g.title} < ${year}`] = Object.fromEntries(
            Object.entries(roles).map(([r, ps]) => [r, sorted(ps)]),
          )
        }
        return out
      },
      close: () => sim.close(),
    }
  },
}

const ldap: GroupTarget = {
  name: 'ldap',
  skip: slapdSkipReason(),
  roles: {
    student: { grant: 'member', reads: 'member' },
    teacher: { grant: 'member', reads: 'member' },
    mentor: { grant: 'member', reads: 'member' },
  },
  mapping: {
    uid: 'person.key',
    cn: 'fullName(person)',
    sn: 'person.familyName',
    employeeNumber: 'person.key',
    dn: '"uid=" + account.uid + ",ou=people,dc=school,dc=test"',
  },
  anchorAttribute: 'employeeNumber',
  key: (title, _year, archived) => (archived ? `archive/${title}` : title),
  async start() {
    const s: Slapd = await startSlapd()
    assert.equal(s.peopleDn, 'ou=people,dc=school,dc=test', 'the mapping writes below this DN')
    const admin = new Client({ url: s.url })
    await admin.bind(s.adminDn, s.adminPassword)
    const groupsDn = `ou=koppel-groups,${s.baseDn}`
    const archiveDn = `ou=archive,${s.baseDn}`
    for (const dn of [groupsDn, archiveDn])
      await admin.add(dn, {
        objectClass: ['organizationalUnit'],
        ou: [dn.slice(3, dn.indexOf(','))],
      })
    const connector = testTarget(s, {
      groups: { baseDn: groupsDn, archiveDn },
      readAttributes: [...READ_ATTRIBUTES, 'employeeNumber'],
    })
    const uid = (dn: string) => dn.slice(4, dn.indexOf(','))
    return {
      connector,
      async holdings() {
        const out: Holdings = {}
        for (const [base, prefix] of [
          [groupsDn, ''],
          [archiveDn, 'archive/'],
        ] as const) {
          const { searchEntries } = await admin.search(base, {
            scope: 'one',
            filter: '(objectClass=groupOfNames)',
            attributes: ['cn', 'member'],
          })
          for (const e of searchEntries) {
            const members = [e['member'] ?? []]
              .flat()
              .map(String)
              .filter((d) => d.startsWith('uid='))
            out[`${prefix}${String(e['cn'])}`] =
              members.length > 0 ? { member: sorted(members.map(uid)) } : {}
          }
        }
        return out
      },
      async close() {
        await connector.close()
        await admin.unbind()
        await s.stop()
      },
    }
  },
}

const ARCHIVE_PREFIX = 'Archief '

const entra: GroupTarget = {
  name: 'entra',
  roles: {
    student: { grant: 'member', reads: 'members' },
    teacher: { grant: 'owner', reads: 'owners' },
    mentor: { grant: 'owner', reads: 'owners' },
  },
  mapping: {
    employeeId: 'person.key',
    displayName: 'fullName(person)',
    userPrincipalName: 'person.key + "@school.test"',
    mailNickname: 'person.key',
  },
  anchorAttribute: 'employeeId',
  key: (title, _year, archived) => (archived ? `${ARCHIVE_PREFIX}${title}` : title),
  async start() {
    const sim: EntraSim = await startEntraSim({ domains: ['school.test'] })
    const who = (ids: Set<string>) =>
      sorted([...ids].map((id) => String(sim.users.get(id)?.props.employeeId)))
    return {
      connector: entraTarget(sim, { groups: { archivePrefix: ARCHIVE_PREFIX } }),
      async holdings() {
        const out: Holdings = {}
        for (const g of sim.groups.values()) {
          if (g.deletedAt !== undefined) continue
          const roles: Record<string, string[]> = {}
          if (g.members.size > 0) roles['members'] = who(g.members)
          if (g.owners.size > 0) roles['owners'] = who(g.owners)
          out[g.displayName] = roles
        }
        return out
      },
      close: () => sim.close(),
    }
  },
}

const google: GroupTarget = {
  name: 'google',
  roles: {
    student: { grant: 'member', reads: 'MEMBER' },
    teacher: { grant: 'owner', reads: 'OWNER' },
    mentor: { grant: 'owner', reads: 'OWNER' },
  },
  mapping: {
    externalId: 'person.key',
    primaryEmail: 'person.key + "@school.test"',
    'name.givenName': 'person.givenName',
    'name.familyName': 'person.familyName',
  },
  anchorAttribute: 'externalId',
  key: (title, _year, archived) => (archived ? `${ARCHIVE_PREFIX}${title}` : title),
  async start() {
    const sa = makeServiceAccount()
    const sim: GoogleSim = await startGoogleSim({ serviceAccount: sa })
    const externalId = (id: string) => String(sim.users.get(id)?.externalIds?.[0]?.value)
    return {
      connector: googleTestTarget(sim, sa.keyJson, {
        domain: 'school.test',
        groups: { archivePrefix: ARCHIVE_PREFIX },
      }),
      async holdings() {
        const out: Holdings = {}
        for (const g of sim.groups.values()) {
          const roles: Record<string, string[]> = {}
          for (const id of g.members)
            (roles[g.roles.get(id) ?? 'MEMBER'] ??= []).push(externalId(id))
          out[g.name] = Object.fromEntries(Object.entries(roles).map(([r, ps]) => [r, sorted(ps)]))
        }
        return out
      },
      close: () => sim.close(),
    }
  },
}

/** The ending a course gets in the IMS file once archived: itslearning keeps it, with an ended timeframe. */
const ENDED = ' (ended)'

const itslearningFile: GroupTarget = {
  name: 'itslearning-file',
  skip: sshdSkipReason(),
  roles: {
    student: { grant: 'learner', reads: '01' },
    teacher: { grant: 'instructor', reads: '02' },
    mentor: { grant: 'mentor', reads: '06' },
  },
  mapping: itslearningEs.mapping,
  anchorAttribute: 'syncPersonKey',
  groupSet: {
    attributes: { school: '"99LS"', schoolYear: 'group.schoolYear', code: 'group.key' },
  },
  key: (title, year, archived) => `${title} < ${year}${archived ? ENDED : ''}`,
  async start(context) {
    const s: Sshd = await startSshd()
    const file = await imsFileOverSshd(s, 'itslearning-file', context)
    return {
      connector: file.target,
      async holdings() {
        const out: Holdings = {}
        for (const c of deliveredCourses(await file.delivered())) {
          assert.equal(c.school, '99LS', `${c.title} below the school`)
          out[`${c.title} < ${c.year}${c.ends === undefined ? '' : ENDED}`] = c.roles
        }
        return out
      },
      async close() {
        await file.target.close()
        await file.cleanup()
        await s.stop()
      },
    }
  },
}

/** The OU of the school's groups below the groups OU (the connector creates it), and the archive OU. */
const AD_SCHOOL_OU = '99LS'
const AD_ARCHIVE_DN = `OU=archief,${AD_BASE_DN}`
const AD_PEOPLE_DN = `OU=people,${AD_BASE_DN}`

const ad: GroupTarget = {
  name: 'ad',
  skip: sambaSkipReason(),
  // managedBy holds ONE owner, and a lesgroep or stamgroep may have several teachers or mentors: every role is
  // granted as member so that what AD holds can be compared exactly (managedBy is covered by
  // test/engine-groups-samba.test.ts).
  roles: {
    student: { grant: 'member', reads: 'member' },
    teacher: { grant: 'member', reads: 'member' },
    mentor: { grant: 'member', reads: 'member' },
  },
  // employeeID holds at most 16 characters in the AD schema (rangeUpper), too few for Somtoday's UUIDs
  // (docs/connectors/active-directory.md)
  mapping: {
    employeeNumber: 'person.key',
    sn: 'person.familyName',
    givenName: 'person.givenName',
    // the key is a UUID (Somtoday's): nothing in it needs DN escaping
    dn: `"CN=" + person.key + ",${AD_PEOPLE_DN}"`,
  },
  anchorAttribute: 'employeeNumber',
  groupSet: { attributes: { ou: `"${AD_SCHOOL_OU}"` } },
  key: (title, _year, archived) => (archived ? `archief/${title}` : title),
  async start() {
    const s: SambaAd = await startSambaAd()
    assert.equal(peopleDn(s), AD_PEOPLE_DN, 'the mapping writes below this DN')
    const admin = await s.admin()
    for (const dn of [...AD_TEST_OUS(s), AD_ARCHIVE_DN])
      await admin.add(dn, { objectClass: 'organizationalUnit' })
    // the mapped attributes (the anchor among them) as the composition root passes them: read, so no drift
    const connector = createAdTarget(
      'ad',
      adTestOptions(s, { groups: { baseDn: groupsDn(s), archiveDn: AD_ARCHIVE_DN } }),
      process.cwd(),
      compileMapping('ad', ad.mapping).attributes,
    )
    return {
      connector,
      async holdings() {
        const out: Holdings = {}
        const live = await adGroupsIn(admin, groupsDn(s))
        const archived = await adGroupsIn(admin, AD_ARCHIVE_DN, 'one')
        for (const [groups, prefix] of [
          [live, ''],
          [archived, 'archief/'],
        ] as const)
          for (const g of groups) {
            if (prefix === '')
              assert.ok(
                g.dn.endsWith(`,OU=${AD_SCHOOL_OU},${groupsDn(s)}`),
                `${g.dn} in the school OU`,
              )
            out[`${prefix}${g.cn}`] = g.members.length > 0 ? { member: g.members } : {}
          }
        return out
      },
      async close() {
        await connector.close()
        await s.stop()
      },
    }
  },
}

/** Every target that provisions groups today. */
const TARGETS: readonly GroupTarget[] = [itslearningEs, itslearningFile, ldap, ad, entra, google]

const TODAY = '2026-11-23'

/** Lesgroepen as courses, stamgroepen as classes; the titles the school sees. */
const groupSets = (t: GroupTarget): GroupSetSpec[] => {
  return [
    {
      name: 'lesgroepen',
      when: 'group.type == "teaching-group"',
      id: DEFAULT_GROUP_ID,
      title: 'group.attributes.vaknaam + " " + group.name',
      description: '"Lesgroep " + group.name',
      type: 'group.type',
      attributes: {},
      deleteAfterDays: null,
      ...t.groupSet,
    },
    {
      name: 'klassen',
      when: 'group.type == "class"',
      id: DEFAULT_GROUP_ID,
      title: '"Klas " + group.name',
      description: '"Stamgroep " + group.name',
      type: 'group.type',
      attributes: {},
      deleteAfterDays: null,
      ...t.groupSet,
    },
  ]
}

const rules = (t: GroupTarget): RuleSpec[] => {
  const member = (name: string, source: SourceRole, groups: string): RuleSpec => ({
    name: `${t.name}-${name}`,
    for: 'membership',
    when: `membership.role == "${source}"`,
    grant: [{ member: { target: t.name, groups, role: t.roles[source].grant } }],
  })
  return [
    {
      name: `${t.name}-accounts`,
      when: 'contract.role in ["student", "teacher", "staff"]',
      grant: [{ account: t.name }],
    },
    member('learners', 'student', 'lesgroepen'),
    member('class-members', 'student', 'klassen'),
    member('instructors', 'teacher', 'lesgroepen'),
    member('mentors', 'mentor', 'klassen'),
  ]
}

/** The board as the simulator serves it, in one target's terms: what that target must hold. */
function expected(board: SimBoard, t: GroupTarget, archived?: SimBoard): Holdings {
  const out: Holdings = {}
  const year = (b: SimBoard) => b.schoolYear.title
  const add = (b: SimBoard, isArchived: boolean) => {
    for (const chunk of b.chunks()) {
      const subject = new Map(chunk.courses.map((c) => [c.code, c.title]))
      for (const g of chunk.groups) {
        const title =
          g.kind === 'lesgroep' ? `${subject.get(g.subject) ?? '?'} ${g.title}` : `Klas ${g.title}`
        const roles: Record<string, string[]> = {}
        for (const e of chunk.enrolments) {
          if (e.groupId !== g.id) continue
          const role =
            e.role === 'pupil' ? 'student' : e.role === 'coordinator' ? undefined : e.role
          if (role === undefined) continue
          ;(roles[t.roles[role].reads] ??= []).push(e.personId)
        }
        out[t.key(title, year(b), isArchived)] = Object.fromEntries(
          Object.entries(roles).map(([r, ps]) => [r, sorted(ps)]),
        )
      }
    }
  }
  if (archived !== undefined) add(archived, true)
  add(board, false)
  return out
}

const skip = TARGETS.map((t) => t.skip).find((s) => s !== undefined)

describe(
  'issue 14 end to end: Somtoday → itslearning (ES, file), LDAP, AD, Entra, Google groups',
  { skip },
  () => {
    let dir: string
    let store: Store
    let som: SomtodaySim
    let board: SimBoard
    let engine: Engine
    const running = new Map<string, RunningTarget>()
    const clock = testClock(TODAY)
    const context: ConnectorContext = { baseDir: '/', log: () => {}, now: clock.now }

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'koppel-groups-e2e-'))
      board = generateBoard({ seed: 'groups-e2e', persons: 60, today: TODAY })
      som = await startSomtodaySim({ board, today: TODAY })
      store = await openStore({ kind: 'sqlite', path: join(dir, 'koppel.db') }, { now: clock.now })
      const targets: EngineTarget[] = []
      for (const t of TARGETS) {
        const r = await t.start(context)
        running.set(t.name, r)
        targets.push({
          name: t.name,
          connector: r.connector,
          anchorAttribute: t.anchorAttribute,
          mapping: compileMapping(t.name, t.mapping),
          anchorMapping: compileMapping(t.name, { [t.anchorAttribute]: 'person.key' }),
          lifecycle: {
            provisionDaysBefore: 14,
            disableAfterDays: 0,
            deleteAfterDays: 30,
            holds: [],
          },
          guard: {
            disable: { maxCount: 50, maxPercent: 10 },
            delete: { maxCount: 50, maxPercent: 10 },
            'group-archive': { maxCount: 50, maxPercent: 10 },
          },
          apply: { concurrency: 4, retries: 3, backoffMs: 1, maxBackoffMs: 5 },
          groups: compileGroupSets(t.name, groupSets(t)),
        })
      }
      // the secret as the config loader resolves it: the schema takes only a reference
      const options = somtodayOptions.parse({
        baseUrl: som.baseUrl,
        tokenUrl: som.tokenUrl,
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: '${env:KOPPEL_TEST_SOMTODAY}',
        organisation: som.instelling.uuid,
        // vakkeuzes are groups without a school year (subject choices, not lessons); not provisioned here
        vakkeuzes: false,
      })
      const source = new SomtodaySource(
        'school',
        { ...options, clientSecret: DEFAULT_CLIENT.clientSecret },
        context,
      )
      engine = {
        now: clock.now,
        store,
        sources: [
          {
            connector: source,
            safety: { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false },
          },
        ],
        setup: {
          targets,
          rules: compileRules(TARGETS.flatMap(rules)),
          primaryContract: ['employment', 'enrolment'],
          configHash: 'groups-e2e',
        },
      }
    })

    after(async () => {
      await store?.close()
      for (const r of running.values()) await r.close()
      await som?.close()
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
      assert.deepEqual(
        som?.violations ?? [],
        [],
        'the Somtoday simulator served only what the spec allows',
      )
    })

    const plan = async (today: string): Promise<Plan> => {
      clock.today = today
      const r = await makePlan(engine, { actor: 'test' })
      if (!r.ok) assert.fail(r.issues.map((i) => i.message).join('\n'))
      return r.plan
    }
    const apply = async (p: Plan): Promise<void> => {
      const r = await applyStoredPlan(engine, p.id, { actor: 'test' })
      assert.ok(r.ok, r.ok ? '' : r.message)
      assert.deepEqual(r.report.failures, [])
    }
    const serve = (b: SimBoard, today: string) => {
      board = b
      som.setBoard(b, today)
    }
    /**
     * Every target holds exactly what the board says (archived groups: what last year's board said); `served`
     * in place of the board the simulator serves now, for a plan not applied yet.
     */
    const assertHoldings = async (archived?: SimBoard, served = board) => {
      for (const t of TARGETS) {
        const held = await running.get(t.name)?.holdings()
        assert.deepEqual(held, expected(served, t, archived), `${t.name} holds the board's groups`)
      }
    }
    const emptyPlan = async (today: string) => {
      const p = await plan(today)
      assert.deepEqual(p.actions.map(describeAction), [], 'the next plan is empty')
    }
    const describeAction = (a: Action) =>
      `${a.target} ${a.kind} ${'group' in a ? a.group.key : a.person}${'permission' in a ? ` ${a.permission}` : ''}`

    /** A group of the board, and the people in it, to change. */
    const lessonGroups = () => {
      const out: { id: string; title: string; pupils: string[]; teachers: string[] }[] = []
      for (const chunk of board.chunks())
        for (const g of chunk.groups) {
          if (g.kind !== 'lesgroep') continue
          const es = chunk.enrolments.filter((e) => e.groupId === g.id)
          out.push({
            id: g.id,
            title: g.title,
            pupils: es.filter((e) => e.role === 'pupil').map((e) => e.personId),
            teachers: es.filter((e) => e.role === 'teacher').map((e) => e.personId),
          })
        }
      return out
    }

    test('every pupil and teacher in exactly their groups, with their roles and titles; a second plan is empty', async () => {
      const first = await plan(TODAY)
      const creates = first.actions.filter((a) => a.kind === 'group-create')
      const groups = [...board.chunks()].reduce((n, c) => n + c.groups.length, 0)
      assert.ok(groups > 50, `the board has lesgroepen and stamgroepen (${groups})`)
      assert.equal(
        creates.length,
        groups * TARGETS.length,
        'one group per lesgroep/stamgroep per target',
      )
      await apply(first)
      await assertHoldings()
      await emptyPlan(TODAY)
    })

    test('a pupil who drops a lesgroep leaves that one group in every target, and nothing else changes', async () => {
      const g = lessonGroups().find((x) => x.pupils.length > 1)
      assert.ok(g !== undefined)
      const pupil = g.pupils[0] as string
      serve(dropLessonGroup(board, pupil, g.id), '2026-11-30')
      const p = await plan('2026-11-30')
      assert.deepEqual(
        p.actions.map((a) => `${a.target} ${a.kind} ${a.kind === 'revoke' ? a.person : ''}`).sort(),
        TARGETS.map((t) => `${t.name} revoke ${pupil}`).sort(),
      )
      await apply(p)
      await assertHoldings()
      await emptyPlan('2026-11-30')
    })

    test('a renamed lesgroep is renamed in every target, same id and members', async () => {
      const g = lessonGroups().find((x) => x.pupils.length > 0) as { id: string; title: string }
      const ids = await groupIds()
      serve(renameGroup(board, g.id, `${g.title}x`), '2026-12-01')
      const p = await plan('2026-12-01')
      assert.deepEqual(
        p.actions.map((a) => `${a.target} ${a.kind}`).sort(),
        TARGETS.map((t) => `${t.name} group-update`).sort(),
      )
      await apply(p)
      await assertHoldings()
      assert.deepEqual(await groupIds(), ids, 'the ledger rows keep their target ids')
      await emptyPlan('2026-12-01')
    })

    test('a teacher replaced: the new teacher instructs/owns the group, the old one no longer', async () => {
      const groups = lessonGroups()
      const g = groups.find((x) => x.teachers.length === 1) as { id: string; teachers: string[] }
      const from = g.teachers[0] as string
      const to = groups.flatMap((x) => x.teachers).find((x) => x !== from)
      assert.ok(to !== undefined, 'the board has a second teacher')
      serve(replaceTeacher(board, g.id, from, to), '2026-12-02')
      const p = await plan('2026-12-02')
      assert.deepEqual(
        p.actions.map((a) => `${a.target} ${a.kind} ${'person' in a ? a.person : ''}`).sort(),
        TARGETS.flatMap((t) => [`${t.name} grant ${to}`, `${t.name} revoke ${from}`]).sort(),
      )
      await apply(p)
      await assertHoldings()
      await emptyPlan('2026-12-02')
    })

    test('the turnover: next year’s groups created with new sync keys, last year’s archived (not deleted), one guarded plan', async () => {
      const lastYear = board
      const before = await engine.store.listGroups(TARGETS[0]?.name as string)
      serve(nextSchoolYear(board), '2027-08-01')
      const p = await plan('2027-08-01')
      assert.equal(p.status, 'blocked', 'archiving every group of last year trips the guard')
      const count = (kind: string) => p.actions.filter((a) => a.kind === kind).length
      assert.equal(count('group-archive'), before.length * TARGETS.length)
      assert.equal(count('group-create'), before.length * TARGETS.length)
      assert.equal(count('group-delete') + count('revoke') + count('disable') + count('delete'), 0)
      const refused = await applyStoredPlan(engine, p.id, { actor: 'test' })
      assert.equal(refused.ok, false, 'a blocked plan is not applied')
      await assertHoldings(undefined, lastYear)
      assert.ok((await approvePlan(engine, p.id, 'test')).ok)
      await apply(p)
      await assertHoldings(lastYear)
      for (const t of TARGETS) {
        const rows = await engine.store.listGroups(t.name)
        const states = (year: string) =>
          sorted(rows.filter((r) => r.key.startsWith(`${year}/`)).map((r) => r.state))
        assert.deepEqual(states('2026-2027'), ['archived'], t.name)
        assert.deepEqual(states('2027-2028'), ['active'], t.name)
      }
      await emptyPlan('2027-08-01')
    })

    /** Every target's id of every provisioned group, from Koppel's ledger (the targets are checked above). */
    async function groupIds(): Promise<string[]> {
      const out: string[] = []
      for (const t of TARGETS)
        for (const g of await engine.store.listGroups(t.name))
          out.push(`${t.name} ${g.key} ${g.targetId}`)
      return out
    }
  },
)
