// Builds a real Engine (real rules, real SQLite store) around an in-memory target and a source whose persons
// the test controls, so engine behaviour can be tested end to end without a server.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type {
  SourceConnector,
  TargetConnector,
  WriteBackRequest,
} from '../../src/contract/index.ts'
import type { Engine, EngineTarget } from '../../src/engine/index.ts'
import type { Contract, Group, Person } from '../../src/model/index.ts'
import { compileGroupSets, compileMapping, compileRules } from '../../src/rules/index.ts'
import type { GroupSetSpec, MappingSpec, RuleSpec } from '../../src/rules/index.ts'
import { openStore } from '../../src/store/index.ts'
import { MemoryTarget } from './memory-target.ts'
import { testClock, type TestClock } from './test-clock.ts'

export function pupil(
  key: string,
  given: string,
  family: string,
  classGroup: string,
  extra: Partial<Contract> = {},
  prefix?: string,
): Person {
  return {
    kind: 'person',
    key,
    sourceIds: { school: key },
    givenName: given,
    familyName: family,
    ...(prefix !== undefined ? { familyNamePrefix: prefix } : {}),
    attributes: {},
    contracts: [
      {
        kind: 'enrolment',
        id: `${key}-c`,
        source: 'school',
        role: 'student',
        organisation: 'org/1',
        organisationCode: '12AB00',
        classGroup,
        grade: 3,
        attributes: {},
        ...extra,
      },
    ],
    memberships: [],
  }
}

export const RULES: RuleSpec[] = [
  {
    name: 'pupils',
    when: 'contract.role == "student"',
    grant: [
      { account: 'dir' },
      {
        permission: {
          target: 'dir',
          type: 'group',
          id: '"cn=" + contract.classGroup + ",ou=groups"',
        },
      },
    ],
  },
]

export const MAPPING: MappingSpec = {
  uid: {
    candidates: ['slug(person.givenName) + "." + slug(familyName(person))'],
    unique: true,
    once: true,
  },
  cn: 'fullName(person)',
  employeeNumber: 'person.key',
  dn: '"uid=" + account.uid + ",ou=people"',
}

export interface Fixture<T extends TargetConnector = MemoryTarget> {
  engine: Engine
  /** The engine's clock: plans and applies read it alike. Starts on 2026-11-23. */
  clock: TestClock
  target: T
  persons: Person[]
  /** The source's groups (classes, lesson groups), served with the persons. */
  groups: Group[]
  /** With `writeBack`: every write-back the source received; the source then reports the new username. */
  writeBacks: WriteBackRequest[]
  /** With `writeBack`: make the next write-backs fail. */
  failWriteBack?: Error
  /** When the source says its snapshot was taken (advance it to tell runs apart in time). */
  takenAt: string
  /** The SQLite file of the store: another tenant of the same store opens it with its own tenant name. */
  storePath: string
  cleanup(): Promise<void>
}

export async function engineFixture<T extends TargetConnector = MemoryTarget>(
  options: {
    guard?: EngineTarget['guard']
    lifecycle?: Partial<EngineTarget['lifecycle']>
    rules?: RuleSpec[]
    mapping?: MappingSpec
    writeBack?: boolean
    target?: T
    provisionGroups?: GroupSetSpec[]
    anchorAttribute?: string
  } = {},
): Promise<Fixture<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-engine-'))
  const clock = testClock('2026-11-23')
  // the audit log stamps events with the engine's clock, as the composition root wires it
  const store = await openStore(
    { kind: 'sqlite', path: join(dir, 'koppel.db') },
    { now: clock.now },
  )
  const target = options.target ?? (new MemoryTarget('dir') as unknown as T)
  const persons: Person[] = []
  const groups: Group[] = []
  const writeBacks: WriteBackRequest[] = []
  const source: SourceConnector = {
    name: 'school',
    type: 'test',
    capabilities: {
      delta: false,
      writeBack: options.writeBack === true,
      writeBackFields: { username: 'username', email: 'attributes.mail' },
    },
    read: async () => ({
      ok: true,
      snapshot: {
        kind: 'snapshot',
        source: 'school',
        mode: 'full',
        takenAt: fixture.takenAt,
        persons: [...persons],
        groups: [...groups],
        removed: [],
        warnings: [],
      },
    }),
    ...(options.writeBack === true
      ? {
          writeBack: async (request: WriteBackRequest) => {
            if (fixture.failWriteBack !== undefined) throw fixture.failWriteBack
            writeBacks.push(request)
            const i = persons.findIndex((p) => p.sourceIds['school'] === request.sourceId)
            const p = persons[i]
            if (p !== undefined && request.fields['username'] !== undefined)
              persons[i] = { ...p, username: request.fields['username'] }
          },
        }
      : {}),
  }
  const engineTarget: EngineTarget = {
    name: 'dir',
    connector: target,
    anchorAttribute: options.anchorAttribute ?? 'employeeNumber',
    mapping: compileMapping('dir', options.mapping ?? MAPPING),
    anchorMapping: compileMapping('dir', {
      [options.anchorAttribute ?? 'employeeNumber']: 'person.key',
    }),
    lifecycle: {
      provisionDaysBefore: 14,
      disableAfterDays: 0,
      deleteAfterDays: 30,
      holds: [],
      ...options.lifecycle,
    },
    guard: options.guard ?? {
      disable: { maxCount: 50, maxPercent: 10 },
      delete: { maxCount: 50, maxPercent: 10 },
    },
    apply: { concurrency: 4, retries: 3, backoffMs: 1, maxBackoffMs: 5 },
    ...(options.provisionGroups !== undefined
      ? { groups: compileGroupSets('dir', options.provisionGroups) }
      : {}),
    ...(options.writeBack === true
      ? {
          writeBacks: [
            {
              source: 'school',
              connector: source,
              fields: { username: 'uid' },
              current: { username: 'username' },
            },
          ],
          secretDelivery: {
            kind: 'write-back' as const,
            source: 'school',
            connector: source,
            fields: { password: 'initialPassword' },
          },
        }
      : {}),
  }
  const engine: Engine = {
    now: clock.now,
    store,
    sources: [
      { connector: source, safety: { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false } },
    ],
    setup: {
      targets: [engineTarget],
      rules: compileRules(options.rules ?? RULES),
      primaryContract: ['employment', 'enrolment'],
      configHash: 'test',
    },
  }
  const fixture: Fixture<T> = {
    engine,
    clock,
    target,
    persons,
    groups,
    writeBacks,
    takenAt: '2026-11-23T00:00:00Z',
    storePath: join(dir, 'koppel.db'),
    async cleanup() {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return fixture
}
