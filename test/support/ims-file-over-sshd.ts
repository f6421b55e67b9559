// The itslearning IMS Enterprise file target delivering to a real sshd, and the delivered file read back (with
// the project's XML parser, checked against the IMS structure itslearning imports): shared by the engine → file
// test and the groups end-to-end test, so both read the target the same way.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  imsFileOptionsSchema,
  ImsFileTarget,
  readImsXml,
  type ParsedIms,
} from '../../src/connectors/itslearning/index.ts'
import { checkImsStructure } from '../../src/connectors/itslearning/ims-structure-check.ts'
import type { ConnectorContext } from '../../src/contract/index.ts'
import type { Sshd } from '../harness/sshd.ts'

const REMOTE_FOLDER = 'groups'

export interface ImsFileOverSshd {
  readonly target: ImsFileTarget
  /** The file as itslearning would fetch it: parsed, after asserting its structure. */
  delivered(): Promise<ParsedIms>
  /** Removes the connector's state folder (the sshd is the caller's). */
  cleanup(): Promise<void>
}

export async function imsFileOverSshd(
  s: Sshd,
  name: string,
  context: ConnectorContext,
): Promise<ImsFileOverSshd> {
  const stateDir = await mkdtemp(join(tmpdir(), 'koppel-ims-groups-'))
  const remoteDir = join(s.uploadDir, REMOTE_FOLDER)
  await mkdir(remoteDir, { recursive: true })
  const o = imsFileOptionsSchema.parse({
    stateDir,
    sftp: {
      host: s.host,
      port: s.port,
      username: s.username,
      privateKey: '${env:KOPPEL_TEST_KEY}',
      hostKeyFingerprint: s.hostKeyFingerprint,
      remoteDir,
    },
  })
  // the key as the config loader resolves the reference
  const target = new ImsFileTarget(
    name,
    { ...o, sftp: { ...o.sftp, privateKey: s.privateKey } },
    context,
  )
  return {
    target,
    async delivered() {
      const xml = await readFile(join(remoteDir, 'koppel-ims.xml'), 'utf8')
      assert.deepEqual(checkImsStructure(xml, { itslearning: true }), [])
      return readImsXml(xml)
    },
    cleanup: () => rm(stateDir, { recursive: true, force: true }),
  }
}

export interface DeliveredCourse {
  readonly id: string
  readonly title: string
  /** The short names of its parents: school year, school. */
  readonly year: string
  readonly school: string
  /** The end of its timeframe: set when the course is archived (kept, so itslearning does not delete it). */
  readonly ends: string | undefined
  /** IMS roletype (01 learner, 02 instructor, 06 mentor) → person sourcedids, sorted. */
  readonly roles: Record<string, string[]>
}

/** The courses of a delivered file with their place in the hierarchy and their members per roletype. */
export function deliveredCourses(doc: ParsedIms): DeliveredCourse[] {
  const byId = new Map(doc.groups.map((g) => [g.id, g]))
  const out: DeliveredCourse[] = []
  for (const g of doc.groups) {
    if (g.type !== 'Course') continue
    const year = byId.get(g.parent ?? '')
    const roles: Record<string, string[]> = {}
    for (const m of doc.memberships.find((x) => x.group === g.id)?.members ?? [])
      (roles[m.roletype ?? '?'] ??= []).push(m.id)
    for (const r of Object.values(roles)) r.sort()
    out.push({
      id: g.id,
      title: g.short ?? '?',
      year: year?.short ?? '?',
      school: byId.get(year?.parent ?? '')?.short ?? '?',
      ends: g.ends,
      roles,
    })
  }
  return out
}
