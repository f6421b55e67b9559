// Per example in examples/: start the simulators (or the real sshd) it talks to, and say how the example is
// pointed at them — only addresses, credentials, the store and, for Somtoday, the generated board's instelling
// and vestigingen change. `check` looks into the simulator itself (not through Koppel's connector) for the first
// created account's mapped attributes. Used by test/examples.test.ts.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from 'ldapts'
import { startSmtpInbox, type ReceivedMail } from '../harness/smtp-inbox.ts'
import type { Action, Plan } from '../../src/model/index.ts'
import { generateBoard, writeOneRosterCsv, type SimBoard } from '@koppel/sim/generator'
import { startLdapServer } from '@koppel/sim/ldap-server'
import { startAdServer } from '@koppel/sim/ad-server'
import { startAfasSim } from '@koppel/sim/afas'
import { startAuraSim } from '@koppel/sim/aura'
import { eduarteData, startEduarteSim } from '@koppel/sim/eduarte'
import { startEntraSim } from '@koppel/sim/entra'
import { startGoogleSim } from '@koppel/sim/google'
import { startItslearningEsSimulator } from '@koppel/sim/itslearning-es'
import { magisterRows, startMagisterSim } from '@koppel/sim/magister'
import { startOneRosterRestSim } from '@koppel/sim/oneroster-rest'
import { startOutSystemsSim } from '@koppel/sim/outsystems'
import { startScimSim } from '@koppel/sim/scim'
import { DEFAULT_CLIENT, startSomtodaySim } from '@koppel/sim/somtoday'
import { makeServiceAccount } from '../../src/connectors/google/google-test-fixture.ts'
import { readImsXml } from '../../src/connectors/itslearning/index.ts'
import { slapdSkipReason, startSlapd } from '../harness/slapd.ts'
import { sshdSkipReason, startSshd } from '../harness/sshd.ts'

export interface Prepared {
  /** Why this example cannot run here (a server that is not installed). */
  readonly skip?: string
  /** The secrets the example names by ${env:…}. */
  readonly env: Record<string, string>
  /** Points the parsed example at the simulators. */
  edit(config: Config): void
  /** At least this many creates in the first plan. */
  readonly minCreates: number
  /** A step the admin does once before the first plan (the example says so). */
  beforePlan?(): Promise<void>
  /** A step the admin does once before the first apply, e.g. making the groups the plan names. */
  beforeApply?(plan: Plan): Promise<void>
  /** The example's intent, seen in the simulator after the apply. */
  check(plan: Plan): Promise<void> | void
  stop(): Promise<void>
}

type Config = Record<string, unknown>
type Prepare = (o: { dir: string; today: string }) => Promise<Prepared>

const boards = new Map<string, SimBoard>()
/** One small generated board per day (a school of about 80 persons), shared by every example. */
function board(today: string): SimBoard {
  let b = boards.get(today)
  if (b === undefined)
    boards.set(today, (b = generateBoard({ seed: 'examples', persons: 80, schools: 1, today })))
  return b
}

const section = (config: Config, key: 'sources' | 'targets'): Config => {
  const list = config[key] as Config[]
  assert.equal(list.length, 1, `the example has one entry under ${key}`)
  return list[0] as Config
}
const source = (c: Config) => section(c, 'sources')
const target = (c: Config) => section(c, 'targets')

/** The first create of the plan and its mapped attribute values. */
function firstCreate(plan: Plan): { action: Action; value: (field: string) => string } {
  const action = plan.actions.find((a) => a.kind === 'create')
  assert.ok(action, 'the plan creates an account')
  const value = (field: string) => {
    const change = action.changes.find((c) => c.field === field)
    assert.ok(change?.new !== undefined, `the create maps ${field}`)
    return Array.isArray(change.new) ? String(change.new[0]) : String(change.new)
  }
  return { action, value }
}

async function exportOneRoster(dir: string, today: string): Promise<void> {
  mkdirSync(join(dir, 'export'), { recursive: true })
  await writeOneRosterCsv(join(dir, 'export'), board(today), { version: '1.2' })
}

interface Directory {
  readonly url: string
  /** What the test reads the directory with. */
  readonly adminDn: string
  readonly password: string
  /** What Koppel binds with (the admin, or a service account with only the documented rights). */
  readonly bindDn: string
  readonly bindPassword: string
  readonly caFile?: string
  stop(): Promise<void>
}

async function ldapDirectory(baseDn: string): Promise<Directory> {
  const password = 'examples-Ldap-1'
  const s = await startLdapServer({ adminPassword: password, baseDn })
  return {
    url: s.url,
    adminDn: s.adminDn,
    password,
    bindDn: s.adminDn,
    bindPassword: password,
    stop: () => s.stop(),
  }
}

/**
 * A real OpenLDAP where it is installed, Koppel bound as its service account with only the rights
 * docs/connectors/ldap.md lists; the in-process LDAP server otherwise.
 */
async function slapdDirectory(baseDn: string): Promise<Directory> {
  if (slapdSkipReason() !== undefined) return ldapDirectory(baseDn)
  const s = await startSlapd({ serviceAccount: true })
  assert.equal(s.baseDn, baseDn)
  assert.ok(s.serviceDn !== undefined && s.servicePassword !== undefined)
  return {
    url: s.url,
    adminDn: s.adminDn,
    password: s.adminPassword,
    bindDn: s.serviceDn,
    bindPassword: s.servicePassword,
    stop: () => s.stop(),
  }
}

/** Reads one entry found by `filter` below `base`, every attribute as text. */
async function ldapEntry(
  d: Directory,
  base: string,
  filter: string,
): Promise<Record<string, string>> {
  const client = new Client({
    url: d.url,
    ...(d.caFile !== undefined ? { tlsOptions: { ca: [readFileSync(d.caFile)] } } : {}),
  })
  try {
    await client.bind(d.adminDn, d.password)
    const { searchEntries } = await client.search(base, { scope: 'sub', filter })
    assert.equal(searchEntries.length, 1, `one entry for ${filter}`)
    const e = searchEntries[0] as Record<string, unknown>
    return Object.fromEntries(
      Object.entries(e).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? String(v[0]) : String(v),
      ]),
    )
  } finally {
    await client.unbind()
  }
}

/** An example with an LDAP target: the in-process LDAP server, the source started by `start`. */
function withLdap(
  baseDn: string,
  start: (
    dir: string,
    today: string,
  ) => Promise<{ env: Record<string, string>; edit(c: Config): void; stop(): Promise<void> }>,
  attrs: readonly string[],
  minCreates = 20,
  directory: (baseDn: string) => Promise<Directory> = ldapDirectory,
): Prepare {
  return async ({ dir, today }) => {
    const ldap = await directory(baseDn)
    const src = await start(dir, today)
    return {
      env: { ...src.env, LDAP_PASSWORD: ldap.bindPassword },
      minCreates,
      edit(c) {
        src.edit(c)
        // on slapd the example's own bindDn is the service account the harness made with the documented ACL
        if (ldap.bindDn !== ldap.adminDn) assert.equal(target(c).bindDn, ldap.bindDn)
        Object.assign(target(c), { url: ldap.url, bindDn: ldap.bindDn })
      },
      async check(plan) {
        const { action, value } = firstCreate(plan)
        const entry = await ldapEntry(ldap, baseDn, `(employeeNumber=${value('employeeNumber')})`)
        for (const a of attrs)
          assert.equal(entry[a.toLowerCase()], value(a), `${action.person}: ${a}`)
      },
      async stop() {
        await src.stop()
        await ldap.stop()
      },
    }
  }
}

const oneRosterCsv = async (dir: string, today: string) => {
  await exportOneRoster(dir, today)
  return { env: {}, edit: () => {}, stop: async () => {} }
}

/** A SMTP server that keeps what it receives: where the AD example mails initial passwords. */
async function inbox(): Promise<{ port: number; mails: ReceivedMail[]; stop(): Promise<void> }> {
  const mails: ReceivedMail[] = []
  const smtp = await startSmtpInbox(mails)
  return { port: smtp.port, mails, stop: () => smtp.stop() }
}

/** The Somtoday simulator serving the shared board, and how an example's Somtoday source is pointed at it. */
async function somtoday(today: string) {
  const sim = await startSomtodaySim({ board: board(today), today })
  return {
    sim,
    env: { SOMTODAY_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret },
    edit: (c: Config) =>
      Object.assign(source(c), {
        baseUrl: sim.baseUrl,
        tokenUrl: sim.tokenUrl,
        clientId: DEFAULT_CLIENT.clientId,
        organisation: sim.instelling.naam,
        // the example names vestigingen by BRIN6; these are the generated board's
        vestigingen: board(today).schools.flatMap((school) => school.locations.map((l) => l.code)),
      }),
    /** The board's lesgroepen and stamgroepen: title as the examples write it → people by role. */
    groups() {
      const out = new Map<string, { pupils: string[]; teachers: string[]; mentors: string[] }>()
      for (const chunk of board(today).chunks()) {
        const subject = new Map(chunk.courses.map((c) => [c.code, c.title]))
        for (const g of chunk.groups) {
          const es = chunk.enrolments.filter((e) => e.groupId === g.id)
          // a pupil who changes group mid-year has two enrolments in it (before and after): one member
          const who = (role: string) =>
            [...new Set(es.filter((e) => e.role === role).map((e) => e.personId))].sort()
          out.set(
            g.kind === 'lesgroep' ? `${subject.get(g.subject)} ${g.title}` : `Klas ${g.title}`,
            {
              pupils: who('pupil'),
              teachers: who('teacher'),
              mentors: who('mentor'),
            },
          )
        }
      }
      return out
    },
  }
}

/** The entry of `targets:` with this name. */
const targetNamed = (c: Config, name: string): Config => {
  const t = (c.targets as Config[]).find((x) => x.name === name)
  assert.ok(t !== undefined, `the example has a target ${name}`)
  return t
}

export const examplePreparations: Record<string, Prepare> = {
  'oneroster-csv-to-ldap.yaml': withLdap(
    'dc=school,dc=test',
    oneRosterCsv,
    ['uid', 'cn', 'givenName', 'sn'],
    20,
    slapdDirectory,
  ),
  // the lesson groups land in ou=groups, which the documented service account may write
  'oneroster-csv-to-ldap-groups.yaml': withLdap(
    'dc=school,dc=test',
    oneRosterCsv,
    ['uid', 'cn', 'sn'],
    20,
    slapdDirectory,
  ),

  'afas.yaml': withLdap(
    'dc=school,dc=test',
    async (_dir, today) => {
      const sim = await startAfasSim({ board: board(today), token: 'afas-token-data' })
      return {
        env: { AFAS_TOKEN: 'afas-token-data' },
        edit: (c) => Object.assign(source(c), { baseUrl: sim.url }),
        stop: () => sim.close(),
      }
    },
    ['uid', 'cn', 'sn'],
    3, // HR: the staff of one school
  ),

  'eduarte.yaml': withLdap(
    'dc=roc,dc=test',
    async (_dir, today) => {
      const sim = await startEduarteSim({
        apiSleutel: 'eduarte-key',
        data: eduarteData(board(today)),
      })
      return {
        env: { EDUARTE_API_KEY: 'eduarte-key' },
        edit: (c) => Object.assign(source(c), { baseUrl: sim.url }),
        stop: () => sim.close(),
      }
    },
    ['uid', 'cn', 'sn'],
  ),

  'magister.yaml': withLdap(
    'dc=school,dc=test',
    async (_dir, today) => {
      const sim = await startMagisterSim({
        username: 'koppel',
        password: 'magister-pw',
        rows: magisterRows(board(today)),
      })
      return {
        env: { MAGISTER_PASSWORD: 'magister-pw' },
        edit: (c) => Object.assign(source(c), { baseUrl: sim.url }),
        stop: () => sim.close(),
      }
    },
    ['uid', 'cn', 'mail'],
  ),

  'oneroster-rest.yaml': withLdap(
    'dc=school,dc=test',
    async (_dir, today) => {
      const sim = await startOneRosterRestSim({
        board: board(today),
        version: '1.2',
        clientId: 'koppel',
        clientSecret: 'or-secret',
      })
      return {
        env: { ONEROSTER_CLIENT_SECRET: 'or-secret' },
        edit: (c) => Object.assign(source(c), { baseUrl: sim.url, tokenUrl: sim.tokenUrl }),
        stop: () => sim.close(),
      }
    },
    ['uid', 'cn', 'sn'],
    20,
    slapdDirectory,
  ),

  'somtoday.yaml': withLdap(
    'dc=school,dc=test',
    async (_dir, today) => {
      const sim = await startSomtodaySim({ board: board(today), today })
      return {
        env: { SOMTODAY_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret },
        edit: (c) =>
          Object.assign(source(c), {
            baseUrl: sim.baseUrl,
            tokenUrl: sim.tokenUrl,
            clientId: DEFAULT_CLIENT.clientId,
            organisation: sim.instelling.naam,
            // the example names vestigingen by BRIN6; these are the generated board's
            vestigingen: board(today).schools.flatMap((school) =>
              school.locations.map((l) => l.code),
            ),
          }),
        stop: () => sim.close(),
      }
    },
    ['uid', 'cn', 'description'],
    20,
    slapdDirectory,
  ),

  'active-directory.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const password = 'examples-Ad-1'
    const ad = await startAdServer({ adminPassword: password })
    const directory: Directory = {
      url: ad.url,
      adminDn: ad.adminDn,
      password,
      bindDn: ad.adminDn,
      bindPassword: password,
      caFile: ad.caFile,
      stop: () => ad.stop(),
    }
    const mail = await inbox()
    const base = 'OU=Koppel,DC=school,DC=test'
    const adClient = async (use: (client: Client) => Promise<void>) => {
      const client = new Client({ url: ad.url, tlsOptions: { ca: [readFileSync(ad.caFile)] } })
      try {
        await client.bind(ad.adminDn, password)
        await use(client)
      } finally {
        await client.unbind()
      }
    }
    return {
      env: { AD_PASSWORD: password, SMTP_PASSWORD: 'smtp-pw' },
      minCreates: 20,
      edit(c) {
        const t = target(c)
        Object.assign(t, { url: ad.url, tlsCaFile: ad.caFile, bindDn: ad.adminDn })
        const delivery = t.secretDelivery as { mail: { smtp: Config } }
        // the test's SMTP server speaks no TLS; the example's requireTls stays on for real use
        Object.assign(delivery.mail.smtp, { host: '127.0.0.1', port: mail.port, requireTls: false })
      },
      // the admin makes the base OU and the groups OU once (the example's comments say so) …
      async beforePlan() {
        await adClient(async (client) => {
          for (const ou of [base, `OU=Groepen,${base}`])
            await client.add(ou, {
              objectClass: ['top', 'organizationalUnit'],
              ou: ou.split(',')[0]!.slice(3),
            })
        })
      },
      // … and, as groups.createMissing is false, the groups the rules name
      async beforeApply(plan) {
        const groups = [
          ...new Set(plan.actions.flatMap((a) => (a.kind === 'grant' ? [a.permission] : []))),
        ]
        await adClient(async (client) => {
          for (const g of groups) {
            const cn = g.split(',')[0]!.slice(3)
            await client.add(g, { objectClass: ['top', 'group'], cn, sAMAccountName: cn })
          }
        })
      },
      async check(plan) {
        const { action, value } = firstCreate(plan)
        const entry = await ldapEntry(
          directory,
          base,
          `(employeeNumber=${value('employeeNumber')})`,
        )
        for (const a of ['sAMAccountName', 'userPrincipalName', 'displayName', 'sn'])
          assert.equal(entry[a.toLowerCase()], value(a), `${action.person}: ${a}`)
        // initial passwords went to the pupils' mentors, never into the plan
        assert.ok(mail.mails.length > 0, 'initial passwords were mailed to mentors')
        assert.ok(
          plan.actions.some(
            (a) =>
              a.kind === 'create' &&
              a.deliverSecretsTo !== undefined &&
              'mail' in a.deliverSecretsTo,
          ),
        )
      },
      async stop() {
        await mail.stop()
        await ad.stop()
      },
    }
  },

  'aura-online.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const sim = await startAuraSim({ password: 'aura-pw', partner: 'aura-partner' })
    return {
      env: { AURA_PASSWORD: 'aura-pw', AURA_PARTNER: 'aura-partner' },
      minCreates: 20,
      edit: (c) => Object.assign(target(c), { baseUrl: sim.url }),
      check(plan) {
        const { value } = firstCreate(plan)
        const borrower = sim.persons.get(value('LENERSCODE'))
        assert.ok(borrower, 'the borrower exists in Aura')
        for (const f of ['VOORN', 'LENERSNAAM', 'KAMERNR']) assert.equal(borrower[f], value(f), f)
      },
      stop: () => sim.close(),
    }
  },

  'google-workspace.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const account = makeServiceAccount()
    const sim = await startGoogleSim({
      serviceAccount: account,
      admins: ['koppel-admin@school.example'],
      domains: ['school.example'],
    })
    writeFileSync(join(dir, 'google-service-account.json'), account.keyJson)
    return {
      env: {},
      minCreates: 20,
      edit: (c) => Object.assign(target(c), { baseUrl: sim.apiUrl, tokenUrl: sim.tokenUrl }),
      // groups.createMissing is false: the admin makes the class groups once
      async beforeApply(plan) {
        const groups = [
          ...new Set(
            plan.actions.flatMap((a) =>
              a.kind === 'grant' && a.permissionType === 'group' ? [a.permission] : [],
            ),
          ),
        ]
        for (const [i, email] of groups.entries()) sim.addGroup(email, email.split('@')[0], `g${i}`)
      },
      check(plan) {
        const { value } = firstCreate(plan)
        const user = [...sim.users.values()].find((u) => u.primaryEmail === value('primaryEmail'))
        assert.ok(user, 'the user exists in Google')
        assert.equal(user.name.givenName, value('name.givenName'))
        assert.equal(user.orgUnitPath, value('orgUnitPath'))
        assert.ok(user.externalIds?.some((e) => e.value === value('externalId')))
        // a group per lesson group at an address made from its sync key, with members and owners
        const lessons = [...sim.groups.values()].filter((g) => g.email.startsWith('koppel-'))
        assert.ok(lessons.length > 0, 'lesson groups were created')
        assert.ok(
          lessons.every((g) => g.email.endsWith('@school.example') && g.members.size > 0),
          'every lesson group has people',
        )
        assert.ok(
          lessons.some((g) => [...g.roles.values()].includes('OWNER')),
          'teachers own their lesson groups',
        )
      },
      stop: () => sim.close(),
    }
  },

  'itslearning-ims-es.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const sim = await startItslearningEsSimulator({ username: 'koppel-school', password: 'es-pw' })
    return {
      env: { ITSLEARNING_ES_PASSWORD: 'es-pw' },
      minCreates: 20,
      edit: (c) => Object.assign(target(c), { url: sim.url }),
      check(plan) {
        const { value } = firstCreate(plan)
        const person = sim.persons.get(value('syncPersonKey'))
        assert.ok(person && !person.deleted, 'the person exists in itslearning')
        assert.ok(
          Object.values(person.fields).includes(value('userId')),
          JSON.stringify(person.fields),
        )
        assert.ok(sim.memberships.size > 0, 'stamgroep memberships were made')
      },
      stop: () => sim.close(),
    }
  },

  'itslearning-ims-file.yaml': async ({ dir, today }) => {
    const skip = sshdSkipReason()
    if (skip !== undefined)
      return { skip, env: {}, minCreates: 0, edit: () => {}, check: () => {}, stop: async () => {} }
    await exportOneRoster(dir, today)
    const s = await startSshd()
    mkdirSync(join(dir, 'secrets'), { recursive: true })
    writeFileSync(join(dir, 'secrets', 'itslearning_ed25519'), s.privateKey, { mode: 0o600 })
    return {
      env: {},
      minCreates: 20,
      edit(c) {
        const sftp = target(c).sftp as Config
        Object.assign(sftp, {
          host: s.host,
          port: s.port,
          username: s.username,
          hostKeyFingerprint: s.hostKeyFingerprint,
          remoteDir: s.uploadDir,
        })
      },
      check(plan) {
        const { value } = firstCreate(plan)
        const doc = readImsXml(readFileSync(join(s.uploadDir, 'koppel-ims.xml'), 'utf8'))
        const person = doc.persons.find((p) => p.userid === value('userId'))
        assert.ok(person, 'the person is in the delivered file')
        assert.equal(person.given, value('givenName'))
      },
      stop: () => s.stop(),
    }
  },

  'oneroster-csv-to-entra-id.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const clientId = '11111111-1111-1111-1111-111111111111'
    const sim = await startEntraSim({
      tenantId: '00000000-0000-0000-0000-000000000000',
      clients: { [clientId]: 'entra-secret' },
      skus: {
        '314c4481-f395-4525-be8b-2ec4bb1e9d91': 'STANDARDWOFFPACK_STUDENT',
        '94763226-9b3c-4e75-a931-5c89701abe66': 'STANDARDWOFFPACK_FACULTY',
      },
    })
    // the staff group the example names by object id exists in the tenant
    sim.addGroup('Personeel', '33333333-3333-3333-3333-333333333333')
    return {
      env: { ENTRA_CLIENT_SECRET: 'entra-secret' },
      minCreates: 20,
      edit: (c) => Object.assign(target(c), { graphUrl: sim.url, loginUrl: sim.url }),
      check(plan) {
        const { value } = firstCreate(plan)
        const user = [...sim.users.values()].find((u) => u.props.employeeId === value('employeeId'))
        assert.ok(user, 'the user exists in Entra ID')
        for (const f of ['userPrincipalName', 'displayName', 'surname'])
          assert.equal(user.props[f], value(f), f)
        assert.equal(user.licenses.length, 1, 'the user has the A1 licence')
        // a class group per OneRoster class, Koppel's by its nickname, with members and owners
        const classes = [...sim.groups.values()].filter((g) =>
          String(g.props.mailNickname).startsWith('koppel-'),
        )
        assert.ok(classes.length > 0, 'class groups were created')
        assert.ok(
          classes.every(
            (g) => g.props.securityEnabled === true && g.members.size + g.owners.size > 0,
          ),
          'every class group has people',
        )
        assert.ok(
          classes.some((g) => g.owners.size > 0),
          'teachers own their class groups',
        )
      },
      stop: () => sim.close(),
    }
  },

  'outsystems.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const sim = await startOutSystemsSim({ token: 'os-token' })
    return {
      env: { OUTSYSTEMS_TOKEN: 'os-token' },
      minCreates: 3,
      edit: (c) => Object.assign(target(c), { baseUrl: sim.url }),
      check(plan) {
        const { value } = firstCreate(plan)
        const user = [...sim.users.values()].find((u) => u.Username === value('username'))
        assert.ok(user, 'the user exists in OutSystems')
        assert.equal(user.Name, value('name'))
      },
      stop: () => sim.close(),
    }
  },

  'scim.yaml': async ({ dir, today }) => {
    await exportOneRoster(dir, today)
    const sim = await startScimSim({ token: 'scim-token' })
    return {
      env: { SCIM_TOKEN: 'scim-token' },
      minCreates: 20,
      edit: (c) => Object.assign(target(c), { baseUrl: sim.url }),
      check(plan) {
        const { value } = firstCreate(plan)
        const user = [...sim.users.values()].find((u) => u.externalId === value('externalId'))
        assert.ok(user, 'the user exists in the SCIM service')
        assert.equal(user.userName, value('userName'))
        assert.equal(user.displayName, value('displayName'))
        assert.ok(sim.groups.size > 0, 'class groups were created')
      },
      stop: () => sim.close(),
    }
  },

  'afas-to-outsystems.yaml': async ({ today }) => {
    const afas = await startAfasSim({ board: board(today), token: 'afas-token-data' })
    const os = await startOutSystemsSim({ token: 'os-token' })
    return {
      env: { AFAS_TOKEN: 'afas-token-data', OUTSYSTEMS_TOKEN: 'os-token' },
      minCreates: 3, // the staff of one school
      edit(c) {
        Object.assign(source(c), { baseUrl: afas.url })
        Object.assign(target(c), { baseUrl: os.url })
      },
      check(plan) {
        const creates = plan.actions.filter((a) => a.kind === 'create')
        const staff = board(today).totals.staff
        assert.ok(creates.length <= staff, `at most one account per employee (${staff})`)
        const { value } = firstCreate(plan)
        const user = [...os.users.values()].find((u) => u.Username === value('username'))
        assert.ok(user, 'the employee exists in OutSystems')
        assert.equal(user.Name, value('name'))
        assert.equal(user.Email, value('email'))
      },
      async stop() {
        await os.close()
        await afas.close()
      },
    }
  },

  'somtoday-to-itslearning.yaml': async ({ today }) => {
    const som = await somtoday(today)
    const es = await startItslearningEsSimulator({ username: 'koppel-school', password: 'es-pw' })
    return {
      env: { ...som.env, ITSLEARNING_ES_PASSWORD: 'es-pw' },
      minCreates: 20,
      edit(c) {
        som.edit(c)
        Object.assign(target(c), { url: es.url })
      },
      check() {
        // every lesgroep and stamgroep is a course with its title, exactly its people in their roles
        const roles = (syncKey: string) => {
          const out: Record<string, string[]> = {}
          for (const m of es.memberships.values())
            if (m.group === syncKey) (out[m.role] ??= []).push(m.person)
          return Object.fromEntries(Object.entries(out).map(([r, ps]) => [r, ps.sort()]))
        }
        const courses = new Map(
          [...es.groups.values()]
            .filter((g) => g.type === 'Course' && g.syncKey.startsWith('koppel:'))
            .map((g) => [g.title, roles(g.syncKey)]),
        )
        const expected = som.groups()
        assert.equal(courses.size, expected.size, 'one course per lesgroep and stamgroep')
        for (const [title, people] of expected) {
          const want: Record<string, string[]> = {}
          if (people.pupils.length > 0) want['Learner'] = people.pupils
          if (people.teachers.length > 0) want['Instructor'] = people.teachers
          if (people.mentors.length > 0) want['Mentor'] = people.mentors
          assert.deepEqual(courses.get(title), want, title)
        }
      },
      async stop() {
        await es.close()
        await som.sim.close()
      },
    }
  },

  'somtoday-to-ldap-and-entra.yaml': async ({ today }) => {
    const som = await somtoday(today)
    const ldap = await slapdDirectory('dc=school,dc=test')
    const clientId = '11111111-1111-1111-1111-111111111111'
    const entra = await startEntraSim({
      tenantId: '00000000-0000-0000-0000-000000000000',
      clients: { [clientId]: 'entra-secret' },
      domains: ['school.nl'],
    })
    return {
      env: { ...som.env, LDAP_PASSWORD: ldap.bindPassword, ENTRA_CLIENT_SECRET: 'entra-secret' },
      minCreates: 40, // an account per person in each of the two targets
      edit(c) {
        som.edit(c)
        const directory = targetNamed(c, 'directory')
        if (ldap.bindDn !== ldap.adminDn) assert.equal(directory.bindDn, ldap.bindDn)
        Object.assign(directory, { url: ldap.url, bindDn: ldap.bindDn })
        Object.assign(targetNamed(c, 'entra'), { graphUrl: entra.url, loginUrl: entra.url })
      },
      async check() {
        const expected = som.groups()
        // Entra ID: a group per stamgroep and lesgroep; pupils members, teachers and mentors owners
        const who = (ids: Set<string>) =>
          [...ids].map((id) => String(entra.users.get(id)?.props.employeeId)).sort()
        const groups = new Map(
          [...entra.groups.values()]
            .filter((g) => String(g.props.mailNickname).startsWith('koppel-'))
            .map((g) => [g.displayName, { members: who(g.members), owners: who(g.owners) }]),
        )
        assert.equal(groups.size, expected.size, 'one Entra group per stamgroep and lesgroep')
        for (const [title, p] of expected)
          assert.deepEqual(
            groups.get(title),
            { members: p.pupils, owners: [...p.teachers, ...p.mentors].sort() },
            title,
          )
        // LDAP: the same groups, everyone a member
        const client = new Client({ url: ldap.url })
        try {
          await client.bind(ldap.adminDn, ldap.password)
          const { searchEntries } = await client.search('ou=groups,dc=school,dc=test', {
            scope: 'one',
            filter: '(objectClass=groupOfNames)',
            attributes: ['cn', 'member'],
          })
          const uids = new Map<string, string>()
          const people = await client.search('ou=people,dc=school,dc=test', {
            scope: 'one',
            filter: '(employeeNumber=*)',
            attributes: ['employeeNumber'],
          })
          for (const e of people.searchEntries)
            uids.set(e.dn.toLowerCase(), String(e['employeeNumber']))
          const members = (e: Record<string, unknown>) =>
            [e['member'] ?? []]
              .flat()
              .map((d) => uids.get(String(d).toLowerCase()))
              .filter((k): k is string => k !== undefined)
              .sort()
          const ldapGroups = new Map(searchEntries.map((e) => [String(e['cn']), members(e)]))
          assert.equal(ldapGroups.size, expected.size, 'one LDAP group per stamgroep and lesgroep')
          for (const [title, p] of expected)
            assert.deepEqual(
              ldapGroups.get(title),
              [...new Set([...p.pupils, ...p.teachers, ...p.mentors])].sort(),
              title,
            )
        } finally {
          await client.unbind()
        }
      },
      async stop() {
        await entra.close()
        await ldap.stop()
        await som.sim.close()
      },
    }
  },
}
