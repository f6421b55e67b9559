// The IMS file target: the shared conformance suite on its durable state, then delivery against a real OpenSSH
// sshd (test/harness/sshd.ts): the file and its structure, `unchanged`, the atomic rename, a failed upload that
// leaves the old file and is retried, the deletion limit and its approval, the course hold, the host key check.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  appendFile,
  chmod,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConnectorError, type ConnectorContext, type Ref } from '../../contract/index.ts'
import type { Attributes } from '../../model/index.ts'
import { runTargetConformance } from '../../../test/conformance/target-conformance.ts'
import { sshdSkipReason, startSshd, type Sshd } from '../../../test/harness/sshd.ts'
import { imsFileOptionsSchema } from './ims-file-options.ts'
import { ImsFileTarget, type ImsFileSeams } from './ims-file-target.ts'
import { writeAtomic } from './ims-file-state.ts'
import { buildModel } from './ims-file-model.ts'
import { modelToXml, readImsXml } from './ims-file-xml.ts'
import { checkImsStructure } from './ims-structure-check.ts'

const FINGERPRINT = `SHA256:${'A'.repeat(43)}`

function context(now: () => Date = () => new Date('2026-11-23T10:00:00Z')): ConnectorContext {
  return { baseDir: '/', log: () => undefined, now }
}

function options(
  stateDir: string,
  sftp: Partial<Record<string, unknown>> = {},
  extra: Record<string, unknown> = {},
) {
  const parsed = imsFileOptionsSchema.parse({
    stateDir,
    sftp: {
      host: '127.0.0.1',
      username: 'x',
      privateKey: '${env:KOPPEL_TEST_KEY}',
      hostKeyFingerprint: FINGERPRINT,
      ...sftp,
    },
    ...extra,
  })
  return parsed
}

function person(
  i: number,
  o: Record<string, string> = {},
): { attributes: Attributes; anchor: { attribute: string; value: string } } {
  const key = o.syncPersonKey ?? `p${i}`
  const attributes: Attributes = {
    syncPersonKey: key,
    userId: `user${i}`,
    givenName: 'Jan',
    familyName: 'Jansen',
    email: `u${i}@school.test`,
    mobile: `+316${String(i).padStart(8, '0')}`,
    institutionRole: 'student',
    ...o,
  }
  return { attributes, anchor: { attribute: 'syncPersonKey', value: key } }
}

runTargetConformance({
  name: 'itslearning-ims-file (state)',
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-conf-'))
    return {
      connector: new ImsFileTarget('ims', options(dir), context()),
      makeAttributes: (i, o) => person(i, o),
      updatableField: 'email',
      removableField: 'mobile',
      nameField: 'familyName',
      permission: (i) => ({ type: 'membership', id: `12AB/2026-2027/wiskunde-${i}#learner` }),
      groupAttributes: { school: '12AB', schoolYear: '2026-2027' },
      invalidAttributes: (i) => {
        const { familyName: _f, ...rest } = person(i).attributes
        return { attributes: rest, anchor: person(i).anchor }
      },
      teardown: () => rm(dir, { recursive: true, force: true }),
    }
  },
  skip: [
    {
      test: 'group-conflict',
      reason:
        'itslearning knows groups by sync key only and the file holds every group Koppel manages: two courses may share a title, so a same-named course is no conflict',
    },
  ],
})

/** The file as the next delivery would write it, read back (no SFTP needed to see the model). */
function fileOf(t: ImsFileTarget, today = '2026-11-23') {
  const { model } = buildModel(t.state.data, today, 30)
  const xml = modelToXml(model, { source: 'koppel', datetime: `${today}T10:00:00.000Z` })
  assert.deepEqual(checkImsStructure(xml, { itslearning: true }), [])
  return readImsXml(xml)
}

describe('itslearning-ims-file provisioned courses (provisionGroups)', () => {
  const course = (key: string, title: string, year = '2026-2027') => ({
    key,
    title,
    attributes: { title, school: '12AB', schoolYear: year, code: key },
  })

  test('a course below school and school year with its title; course group below it; roles 01, 02, 06, 04', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-groups-'))
    try {
      const t = new ImsFileTarget('ims', options(dir), context())
      const wi = await t.createGroup(course('2026-2027/wi-3b', 'Wiskunde 3B'))
      assert.equal(wi.outcome, 'created')
      const cg = await t.createGroup({
        key: '2026-2027/wi-3b/a',
        title: 'Wiskunde 3B groep A',
        attributes: { title: 'Wiskunde 3B groep A' },
        parent: { id: wi.id, locator: wi.locator },
      })
      const pupilRef = await t.create({ ...person(1), enabled: true })
      const teacherRef = await t.create({
        ...person(2, { institutionRole: 'teacher' }),
        enabled: true,
      })
      const mentorRef = await t.create({
        ...person(3, { institutionRole: 'teacher' }),
        enabled: true,
      })
      const carerRef = await t.create({
        ...person(4, { institutionRole: 'guardian' }),
        enabled: true,
      })
      const grant = (r: Ref, id: string, role: string) => t.grant(r, { type: 'group', id, role })
      assert.equal((await grant(pupilRef, wi.locator, 'learner')).outcome, 'updated')
      assert.equal((await grant(pupilRef, wi.locator, 'learner')).outcome, 'unchanged')
      await grant(pupilRef, cg.locator, 'learner')
      await grant(teacherRef, wi.locator, 'instructor')
      await grant(mentorRef, wi.locator, 'mentor')
      await grant(carerRef, wi.locator, 'carer')
      // a course made from a membership id shares the school and school year
      await t.grant(pupilRef, { type: 'membership', id: '12AB/2026-2027/stamgroep-3b#learner' })

      const doc = fileOf(t)
      const byId = new Map(doc.groups.map((g) => [g.id, g]))
      const own = byId.get(wi.id)
      assert.equal(wi.id, 'koppel:2026-2027/wi-3b')
      assert.equal(own?.type, 'Course')
      assert.equal(own?.short, 'Wiskunde 3B')
      assert.equal(own?.parent, '12AB/2026-2027')
      assert.equal(byId.get('12AB/2026-2027')?.type, 'Unspecified')
      assert.equal(byId.get('12AB/2026-2027')?.parent, '12AB')
      assert.equal(byId.get('12AB')?.type, 'School')
      assert.equal(byId.get(cg.id)?.type, 'CourseGroup')
      assert.equal(byId.get(cg.id)?.parent, wi.id)
      assert.equal(
        doc.groups.filter((g) => g.id === '12AB/2026-2027').length,
        1,
        'one school year, shared by both kinds of course',
      )
      const members = doc.memberships.find((m) => m.group === wi.id)?.members ?? []
      assert.deepEqual(
        members.map((m) => `${m.id} ${m.roletype}`),
        ['p1 01', 'p2 02', 'p3 06', 'p4 04'],
      )
      assert.deepEqual(
        doc.memberships.find((m) => m.group === cg.id)?.members.map((m) => m.id),
        ['p1'],
      )

      // a revoke takes exactly that membership out
      await t.revoke(mentorRef, { type: 'group', id: wi.locator, role: 'mentor' })
      assert.deepEqual(
        fileOf(t)
          .memberships.find((m) => m.group === wi.id)
          ?.members.map((m) => m.id),
        ['p1', 'p2', 'p4'],
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('rename keeps the sourcedid and the members; archive keeps the course with a timeframe that ended; delete leaves it out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-groups-'))
    let now = new Date('2026-11-23T10:00:00Z')
    try {
      const t = new ImsFileTarget(
        'ims',
        options(dir),
        context(() => now),
      )
      const req = course('2026-2027/en-3b', 'Engels 3B')
      const en = await t.createGroup(req)
      assert.equal((await t.createGroup(req)).outcome, 'unchanged', 'a retried create')
      const p = await t.create({ ...person(1), enabled: true })
      await t.grant(p, { type: 'group', id: en.locator, role: 'learner' })

      const renamed = await t.updateGroup(
        { id: en.id, locator: en.locator },
        [{ field: 'title', old: 'Engels 3B', new: 'Engels (havo) 3B' }],
        { ...req, title: 'Engels (havo) 3B' },
      )
      assert.equal(renamed.id, en.id)
      let doc = fileOf(t)
      assert.equal(doc.groups.find((g) => g.id === en.id)?.short, 'Engels (havo) 3B')
      assert.deepEqual(
        doc.memberships.find((m) => m.group === en.id)?.members.map((m) => m.id),
        ['p1'],
      )

      now = new Date('2027-08-01T04:00:00Z')
      assert.equal((await t.archiveGroup({ id: en.id, locator: en.locator })).outcome, 'updated')
      assert.equal((await t.archiveGroup({ id: en.id, locator: en.locator })).outcome, 'unchanged')
      doc = fileOf(t, '2027-08-01')
      const archived = doc.groups.find((g) => g.id === en.id)
      assert.equal(archived?.ends, '2027-08-01', 'the timeframe ends the day it was archived')
      assert.equal(archived?.parent, '12AB/2026-2027', 'still below its own school year')
      assert.deepEqual((archived?.raw.timeframe as Record<string, unknown>).end, {
        '#text': '2027-08-01',
        '@_restrict': '1',
      })
      assert.ok(
        doc.memberships.some((m) => m.group === en.id),
        'members stay in an archived course',
      )

      // restored: the timeframe goes again
      await t.updateGroup(
        { id: en.id, locator: en.locator },
        [{ field: 'archived', old: 'true' }],
        { ...req, title: 'Engels (havo) 3B' },
      )
      assert.equal(fileOf(t).groups.find((g) => g.id === en.id)?.ends, undefined)

      // the state survives a restart (journal), then the delete leaves the course and its year out
      const again = new ImsFileTarget(
        'ims',
        options(dir),
        context(() => now),
      )
      assert.equal((await again.deleteGroup({ id: en.id, locator: en.locator })).outcome, 'updated')
      assert.equal(
        (await again.deleteGroup({ id: en.id, locator: en.locator })).outcome,
        'already-gone',
      )
      doc = fileOf(again)
      assert.ok(!doc.groups.some((g) => g.id === en.id || g.id === '12AB/2026-2027'))
      assert.equal(doc.memberships.length, 0)
      // made again under the same key, it does not find its old members in it
      await again.createGroup(req)
      assert.equal(fileOf(again).memberships.length, 0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a state written before provisioned courses existed loads, and takes courses from then on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-groups-'))
    try {
      const old = {
        version: 1,
        persons: { p1: { attributes: person(1).attributes, enabled: true, permissions: [] } },
        courses: {},
      }
      await writeFile(join(dir, 'state.json'), JSON.stringify(old))
      const t = new ImsFileTarget('ims', options(dir), context())
      const c = await t.createGroup(course('2026-2027/ne-3b', 'Nederlands 3B'))
      await t.grant({ id: 'p1', locator: 'p1' }, { type: 'group', id: c.locator, role: 'learner' })
      await t.state.compact()
      const again = new ImsFileTarget('ims', options(dir), context())
      await again.state.load()
      assert.deepEqual(
        fileOf(again)
          .memberships.find((m) => m.group === c.id)
          ?.members.map((m) => m.id),
        ['p1'],
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('bad group requests are refused naming the group and field; nothing is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-groups-'))
    try {
      const t = new ImsFileTarget('ims', options(dir), context())
      await assert.rejects(
        t.createGroup({ key: 'x', title: 'X', attributes: { title: 'X' } }),
        (e: unknown) =>
          ConnectorError.isInstance(e) &&
          e.kind === 'invalid' &&
          /group x: .*schoolYear/.test(e.message),
      )
      await assert.rejects(
        t.createGroup({
          key: 'y',
          title: 'Y',
          attributes: { title: 'Y' },
          parent: { id: 'koppel:nope', locator: 'koppel:nope' },
        }),
        (e: unknown) =>
          ConnectorError.isInstance(e) && e.kind === 'not-found' && /group y/.test(e.message),
      )
      const p = await t.create({ ...person(1), enabled: true })
      await assert.rejects(
        t.grant(p, { type: 'group', id: 'koppel:nope', role: 'learner' }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'not-found',
      )
      const c = await t.createGroup(course('2026-2027/ne-3b', 'Nederlands 3B'))
      await assert.rejects(
        t.grant(p, { type: 'group', id: c.locator, role: 'owner' }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'unsupported',
      )
      assert.deepEqual(Object.keys(t.state.data.groups), [c.id])
      assert.deepEqual(t.state.get('p1')?.groups ?? [], [])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('itslearning-ims-file state', () => {
  test('the state survives a restart: journal replayed, a torn last line ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-state-'))
    try {
      const a = new ImsFileTarget('ims', options(dir), context())
      const r = await a.create({ ...person(1), enabled: true })
      await a.grant(r, { type: 'membership', id: '12AB/2026-2027/ne-1#learner' })
      await appendFile(join(dir, 'state.journal.ndjson'), '{"op":"put","key":"p9","rec')
      const b = new ImsFileTarget('ims', options(dir), context())
      const found = await b.find({ attribute: 'syncPersonKey', value: 'p1' })
      assert.deepEqual(found?.permissions, ['12AB/2026-2027/ne-1#learner'])
      assert.equal(await b.find({ attribute: 'syncPersonKey', value: 'p9' }), undefined)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('the state folder is created 0700 and every state file 0600, whatever the umask', async () => {
    const root = await mkdtemp(join(tmpdir(), 'koppel-ims-modes-'))
    const previous = process.umask(0o000)
    try {
      const dir = join(root, 'data', 'itslearning')
      const t = new ImsFileTarget('ims', options(dir), context())
      await t.create({ ...person(1), enabled: true })
      const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8)
      assert.equal(await mode(join(root, 'data')), '700')
      assert.equal(await mode(dir), '700')
      assert.equal(await mode(join(dir, 'state.journal.ndjson')), '600')
      await writeAtomic(join(dir, 'state.json'), '{}')
      assert.equal(
        await mode(join(dir, 'state.json')),
        '600',
        'snapshots and delivered files go through writeAtomic',
      )
      // a journal an older version left world-readable is tightened at the next append
      await chmod(join(dir, 'state.journal.ndjson'), 0o644)
      await rm(join(dir, 'state.json'))
      const again = new ImsFileTarget('ims', options(dir), context())
      await again.create({ ...person(2), enabled: true })
      assert.equal(await mode(join(dir, 'state.journal.ndjson')), '600')
    } finally {
      process.umask(previous)
      await rm(root, { recursive: true, force: true })
    }
  })

  test('a malformed membership id is refused naming the id; a foreign permission type is unsupported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-ims-perm-'))
    try {
      const t = new ImsFileTarget('ims', options(dir), context())
      const r = await t.create({ ...person(1), enabled: true })
      await assert.rejects(
        t.grant(r, { type: 'membership', id: '12AB/wiskunde#learner' }),
        (e: unknown) =>
          ConnectorError.isInstance(e) &&
          e.kind === 'invalid' &&
          e.message.includes('12AB/wiskunde#learner'),
      )
      await assert.rejects(
        t.grant(r, { type: 'membership', id: '12AB/2026-2027/wi#pupil' }),
        (e: unknown) =>
          ConnectorError.isInstance(e) && e.kind === 'invalid' && e.message.includes('pupil'),
      )
      await assert.rejects(
        t.grant(r, { type: 'licence', id: 'x' }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'unsupported',
      )
      // `group` is a provisioned course's membership: one that was never created is not found
      await assert.rejects(
        t.grant(r, { type: 'group', id: 'x' }),
        (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'not-found',
      )
      await assert.rejects(
        t.create({ ...person(2, { syncPersonKey: 'k'.repeat(65) }), enabled: true }),
        (e: unknown) =>
          ConnectorError.isInstance(e) && e.kind === 'invalid' && /65 characters/.test(e.message),
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const skip = sshdSkipReason()

describe('itslearning-ims-file delivery over SFTP (real sshd)', { skip }, () => {
  let s: Sshd
  let n = 0
  const stateDirs: string[] = []
  before(async () => {
    s = await startSshd()
  })
  after(async () => {
    await s?.stop()
    await Promise.all(stateDirs.map((d) => rm(d, { recursive: true, force: true })))
  })

  /** A fresh state dir and remote dir per test; returns the target and helpers. */
  async function setup(
    extra: Record<string, unknown> = {},
    seams: ImsFileSeams = {},
    clock?: () => Date,
  ) {
    const stateDir = await mkdtemp(join(tmpdir(), 'koppel-ims-deliver-'))
    stateDirs.push(stateDir)
    const remote = join(s.uploadDir, `t${++n}`)
    await (await import('node:fs/promises')).mkdir(remote)
    const opts = {
      ...options(
        stateDir,
        {
          port: s.port,
          username: s.username,
          hostKeyFingerprint: s.hostKeyFingerprint,
          remoteDir: remote,
        },
        extra,
      ),
    }
    const target = new ImsFileTarget(
      'itslearning',
      { ...opts, sftp: { ...opts.sftp, privateKey: s.privateKey } },
      context(clock),
      seams,
    )
    const remoteFile = () => readFile(join(remote, 'koppel-ims.xml'), 'utf8')
    return { target, stateDir, remote, remoteFile }
  }

  async function populate(target: ImsFileTarget, count: number): Promise<Ref[]> {
    const refs: Ref[] = []
    for (let i = 1; i <= count; i++) {
      const r = await target.create({ ...person(i), enabled: true })
      await target.grant(r, {
        type: 'membership',
        id: `12AB/2026-2027/wiskunde-${i % 3}/${i % 2 === 0 ? '2a' : '2b'}#learner`,
      })
      refs.push({ id: r.id, locator: r.locator })
    }
    const t = await target.create({
      ...person(100, { institutionRole: 'teacher', familyName: 'O\'Brien <&> "Jr"' }),
      enabled: true,
    })
    await target.grant(t, { type: 'membership', id: '12AB/2026-2027/wiskunde-1#instructor' })
    return refs
  }

  test('delivers one IMS file that passes the structural check and reads back; again is unchanged', async () => {
    const { target, remoteFile } = await setup()
    await populate(target, 6)
    const r1 = await target.deliver()
    assert.equal(r1.outcome, 'delivered')
    assert.match(r1.message, /7 persons/)
    const xml = await remoteFile()
    assert.deepEqual(checkImsStructure(xml, { itslearning: true }), [])
    const doc = readImsXml(xml)
    assert.equal(doc.persons.length, 7)
    const teacher = doc.persons.find((p) => p.id === 'p100')
    assert.equal(teacher?.family, 'O\'Brien <&> "Jr"', 'escaped and read back exactly')
    assert.equal(teacher?.role, 'Staff')
    const types = new Map(doc.groups.map((g) => [g.id, g.type]))
    assert.equal(types.get('12AB'), 'School')
    assert.equal(types.get('12AB/2026-2027'), 'Unspecified')
    assert.equal(types.get('12AB/2026-2027/wiskunde-1'), 'Course')
    assert.equal(types.get('12AB/2026-2027/wiskunde-1/2b'), 'CourseGroup')
    assert.equal(
      doc.groups.find((g) => g.id === '12AB/2026-2027/wiskunde-1/2b')?.parent,
      '12AB/2026-2027/wiskunde-1',
    )
    const course = doc.memberships.find((m) => m.group === '12AB/2026-2027/wiskunde-1')
    assert.deepEqual(course?.members, [{ id: 'p100', idtype: '1', roletype: '02', status: '1' }])
    const r2 = await target.deliver()
    assert.equal(r2.outcome, 'unchanged')
  })

  test('provisioned courses reach itslearning in the delivered file; a rename is a new file with the same sourcedid', async () => {
    const { target, remoteFile } = await setup()
    const req = {
      key: '2026-2027/wi-3b',
      title: 'Wiskunde <3B> & "co"',
      attributes: { school: '12AB', schoolYear: '2026-2027' },
    }
    const wi = await target.createGroup(req)
    const p = await target.create({ ...person(1), enabled: true })
    const t = await target.create({ ...person(2, { institutionRole: 'teacher' }), enabled: true })
    await target.grant(p, { type: 'group', id: wi.locator, role: 'learner' })
    await target.grant(t, { type: 'group', id: wi.locator, role: 'instructor' })
    assert.match((await target.deliver()).message, /2 persons, 3 groups, 2 memberships/)
    let xml = await remoteFile()
    assert.deepEqual(checkImsStructure(xml, { itslearning: true }), [])
    let doc = readImsXml(xml)
    assert.equal(doc.groups.find((g) => g.id === wi.id)?.short, 'Wiskunde <3B> & "co"')
    assert.deepEqual(
      doc.memberships.find((m) => m.group === wi.id)?.members.map((m) => [m.id, m.roletype]),
      [
        ['p1', '01'],
        ['p2', '02'],
      ],
    )
    await target.updateGroup(wi, [{ field: 'title', old: req.title, new: 'Wiskunde A 3B' }], {
      ...req,
      title: 'Wiskunde A 3B',
    })
    assert.equal((await target.deliver()).outcome, 'delivered')
    xml = await remoteFile()
    doc = readImsXml(xml)
    assert.deepEqual(
      doc.groups.filter((g) => g.type === 'Course').map((g) => [g.id, g.short]),
      [[wi.id, 'Wiskunde A 3B']],
    )
    assert.equal(doc.memberships.find((m) => m.group === wi.id)?.members.length, 2)
  })

  test('the remote folder never shows a partial final file: the new file waits under a temporary name until the rename', async () => {
    let seen: { names: string[]; final: string } | undefined
    const { target, remote, remoteFile } = await setup(
      {},
      {
        beforeRename: async () => {
          seen = {
            names: (await readdir(remote)).sort(),
            final: await readFile(join(remote, 'koppel-ims.xml'), 'utf8'),
          }
        },
      },
    )
    const refs = await populate(target, 6)
    await writeFile(join(remote, 'koppel-ims.xml'), '<enterprise>old</enterprise>')
    await target.deliver()
    assert.ok(seen)
    assert.equal(
      seen.final,
      '<enterprise>old</enterprise>',
      'the final name held the old file, whole, during the upload',
    )
    assert.equal(seen.names.length, 2)
    assert.match(
      seen.names.find((x) => x !== 'koppel-ims.xml') ?? '',
      /^\.koppel-ims\.xml\.[0-9a-f]{12}\.part$/,
    )
    assert.deepEqual(await readdir(remote), ['koppel-ims.xml'], 'no temporary file left')
    assert.deepEqual(checkImsStructure(await remoteFile(), { itslearning: true }), [])
    assert.ok(refs.length > 0)
  })

  test('a failed upload leaves the previous file and is retried by the next delivery', async () => {
    let fail = true
    const { target, remote, remoteFile } = await setup(
      {},
      {
        beforeRename: async () => {
          if (fail) throw new ConnectorError('transient', 'connection lost (injected)')
        },
      },
    )
    await populate(target, 3)
    fail = false
    await target.deliver()
    const first = await remoteFile()
    fail = true
    await target.update({ id: 'p1', locator: 'p1' }, [{ field: 'email', new: 'new@school.test' }])
    await assert.rejects(
      target.deliver(),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'transient',
    )
    assert.equal(await remoteFile(), first, 'the old file is still there, whole')
    assert.deepEqual(
      await readdir(remote),
      ['koppel-ims.xml'],
      'the partial temporary file was removed',
    )
    fail = false
    const again = await target.deliver()
    assert.equal(again.outcome, 'delivered', 'not unchanged: the failed delivery never counted')
    assert.match(await remoteFile(), /new@school\.test/)
  })

  test('a delivery that would delete more than maxDeletePercent is refused with the counts until approved', async () => {
    const { target, remoteFile } = await setup({ maxDeletePercent: 10 })
    const refs = await populate(target, 20)
    await target.deliver()
    const before = await remoteFile()
    for (const r of refs.slice(0, 5)) await target.delete(r)
    let message = ''
    await assert.rejects(target.deliver(), (e: unknown) => {
      assert.ok(ConnectorError.isInstance(e))
      assert.equal(e.kind, 'invalid')
      message = e.message
      return true
    })
    assert.match(message, /delete 10 of \d+ objects/)
    assert.match(message, /5 persons, 0 groups, 5 memberships/)
    assert.equal(await remoteFile(), before, 'nothing was uploaded')
    // an approval for another change does not count
    await assert.rejects(
      target.deliver({ approvals: ['0000000000000000'] }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'invalid',
    )
    const token = /koppel approve itslearning:([0-9a-f]{16}) --reason/.exec(message)?.[1]
    assert.ok(token, message)
    assert.equal((await target.deliver({ approvals: [token] })).outcome, 'delivered')
    assert.equal(readImsXml(await remoteFile()).persons.length, 16)
    // the token named the change from the last file to this one: delivered, it approves nothing else
    for (const r of refs.slice(5, 8)) await target.delete(r)
    await assert.rejects(
      target.deliver({ approvals: [token] }),
      (e: unknown) => ConnectorError.isInstance(e) && e.kind === 'invalid',
    )
  })

  test('a course that lost its last member stays in the file for courseArchiveDays, then goes', async () => {
    let now = new Date('2026-11-23T10:00:00Z')
    const { target, remoteFile } = await setup(
      { courseArchiveDays: 7, maxDeletePercent: 100, maxChangePercent: 100 },
      {},
      () => now,
    )
    await populate(target, 6)
    const course = '12AB/2026-2027/wiskunde-1'
    await target.revoke(
      { id: 'p100', locator: 'p100' },
      { type: 'membership', id: `${course}#instructor` },
    )
    for (const i of [1, 4])
      await target.revoke(
        { id: `p${i}`, locator: `p${i}` },
        { type: 'membership', id: `${course}/${i % 2 === 0 ? '2a' : '2b'}#learner` },
      )
    await target.deliver()
    let doc = readImsXml(await remoteFile())
    assert.ok(
      !doc.groups.some((g) => g.id === course),
      'first delivery: no grant names it and it was never delivered, so it is not there',
    )
    now = new Date('2026-11-25T10:00:00Z')
    await target.grant(
      { id: 'p1', locator: 'p1' },
      { type: 'membership', id: `${course}/2b#learner` },
    )
    await target.deliver()
    await target.revoke(
      { id: 'p1', locator: 'p1' },
      { type: 'membership', id: `${course}/2b#learner` },
    )
    now = new Date('2026-11-30T10:00:00Z')
    await target.deliver()
    doc = readImsXml(await remoteFile())
    assert.ok(
      doc.groups.some((g) => g.id === `${course}/2b`),
      'held: last seen 5 days ago',
    )
    assert.ok(!doc.memberships.some((m) => m.group === `${course}/2b`), 'without members')
    now = new Date('2026-12-02T10:00:00Z')
    await target.deliver()
    doc = readImsXml(await remoteFile())
    assert.ok(!doc.groups.some((g) => g.id === `${course}/2b`), 'dropped after 7 days')
  })

  test('a server whose host key differs gets nothing; a refused key is an auth error', async () => {
    const { target, remote } = await setup()
    await populate(target, 2)
    const wrongHost = new ImsFileTarget(
      'x',
      {
        ...options(target.state.dir, { port: s.port, username: s.username, remoteDir: remote }),
        sftp: {
          ...options(target.state.dir).sftp,
          port: s.port,
          username: s.username,
          remoteDir: remote,
          privateKey: s.privateKey,
        },
      },
      context(),
    )
    await assert.rejects(
      wrongHost.deliver(),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'config' && /host key/.test(e.message),
    )
    const stranger = new ImsFileTarget(
      'x',
      {
        ...options(target.state.dir),
        sftp: {
          ...options(target.state.dir).sftp,
          port: s.port,
          username: s.username,
          remoteDir: remote,
          hostKeyFingerprint: s.hostKeyFingerprint,
          privateKey: s.strangerKey,
        },
      },
      context(),
    )
    await assert.rejects(
      stranger.deliver(),
      (e: unknown) =>
        ConnectorError.isInstance(e) && e.kind === 'auth' && !e.message.includes('PRIVATE KEY'),
    )
    assert.deepEqual(await readdir(remote), [])
  })
})
