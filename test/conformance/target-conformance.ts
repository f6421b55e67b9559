// One behavioural suite for every target connector (LDAP, AD, Entra, Google, SCIM, itslearning, simulators).
// It talks to the connector only through the TargetConnector interface and the fixture hooks below, and it
// skips capability-dependent cases by reading `connector.capabilities`, always with a stated reason.
// It does not start servers: `setup` does (and `teardown` stops them).
import { after, before, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectorError } from '../../src/contract/index.ts'
import type { Ref, TargetAccount, TargetConnector } from '../../src/contract/index.ts'
import type { Attributes, FieldChange } from '../../src/model/index.ts'

export interface AccountSpec {
  readonly attributes: Attributes
  readonly anchor: { readonly attribute: string; readonly value: string }
}

export interface TargetFixture {
  readonly connector: TargetConnector
  /**
   * Attributes for account number `i` (distinct for distinct i). `overrides` replace attribute values; the
   * hook derives what depends on them (an LDAP `dn` built from `cn`, say), and when an override names the
   * anchor attribute, the anchor value follows it.
   */
  makeAttributes(i: number, overrides?: Record<string, string>): AccountSpec
  /** A single-valued field that update may set and find reports. */
  readonly updatableField: string
  /** A field that makeAttributes fills and update may remove. Without it the remove case is skipped. */
  readonly removableField?: string
  /** A free-text name field where the hard names are written. Without it the hard-name cases are skipped. */
  readonly nameField?: string
  /** A permission this target can grant to account `i` (e.g. a group). */
  permission?(i: number): { type: string; id: string }
  /** Changes that rename/move account `i` (e.g. a new `dn`); find must report them afterwards. */
  renamed?(i: number): Attributes
  /** Target-specific fields a provisioned group needs (itslearning: the school and school year of a course). */
  readonly groupAttributes?: Attributes
  /** An account the target must refuse (missing required attribute, bad syntax). */
  invalidAttributes?(i: number): AccountSpec
  teardown(): Promise<void>
}

export interface TargetConformanceOptions {
  readonly name: string
  /** `pageSize`: the page size the connector should list with, so that the paging case crosses pages. */
  setup(hints: { readonly pageSize: number }): Promise<TargetFixture>
  readonly skip?: ReadonlyArray<{ readonly test: string; readonly reason: string }>
}

/** Names written verbatim into names and anchors: DN, filter, CSV, XML and JSON specials, and diacritics. */
export const HARD_NAMES: readonly string[] = [
  "O'Brien, Jr.",
  'Ødegård',
  "van 't Hof",
  '*)(uid=*',
  '#leading hash',
  ' leading space',
  'a+b',
  'back\\slash',
  '"quoted"',
  'semi;colon',
  '<angle>',
]

const PAGE_SIZE = 7

type Case = (f: TargetFixture, t: TestContext) => Promise<void>

export function runTargetConformance(options: TargetConformanceOptions): void {
  describe(`${options.name}: target conformance`, () => {
    let fixture: TargetFixture | undefined
    before(async () => {
      fixture = await options.setup({ pageSize: PAGE_SIZE })
    })
    after(async () => {
      await fixture?.connector.close()
      await fixture?.teardown()
    })
    let block = 0
    for (const [key, title, body] of cases()) {
      const base = ++block * 1000
      const skipped = options.skip?.find((s) => s.test === key)
      test(
        `[${key}] ${title}`,
        skipped === undefined ? {} : { skip: skipped.reason },
        async (t) => {
          assert.ok(fixture, 'setup did not run')
          await body(withBase(fixture, base), t)
        },
      )
    }
  })
}

/** Shifts the fixture's account numbers so that every case has its own range of accounts. */
function withBase(f: TargetFixture, base: number): TargetFixture {
  return {
    ...f,
    makeAttributes: (i, o) => f.makeAttributes(base + i, o),
    ...(f.permission ? { permission: (i: number) => f.permission!(base + i) } : {}),
    ...(f.renamed ? { renamed: (i: number) => f.renamed!(base + i) } : {}),
    ...(f.invalidAttributes
      ? { invalidAttributes: (i: number) => f.invalidAttributes!(base + i) }
      : {}),
  }
}

async function make(f: TargetFixture, spec: AccountSpec, enabled = true): Promise<Ref> {
  const r = await f.connector.create({ attributes: spec.attributes, anchor: spec.anchor, enabled })
  assert.equal(r.outcome, 'created', `create ${spec.anchor.attribute}=${spec.anchor.value}`)
  assert.ok(r.id !== '', 'create returns an id')
  return { id: r.id, locator: r.locator }
}

async function mustFind(f: TargetFixture, spec: AccountSpec): Promise<TargetAccount> {
  const found = await f.connector.find(spec.anchor)
  assert.ok(
    found,
    `find ${spec.anchor.attribute}=${JSON.stringify(spec.anchor.value)} returns the account`,
  )
  return found
}

async function listAll(c: TargetConnector): Promise<TargetAccount[]> {
  assert.ok(c.listAccounts)
  const all: TargetAccount[] = []
  for await (const a of c.listAccounts()) all.push(a)
  return all
}

const single = (v: unknown) => (Array.isArray(v) ? (v.length === 1 ? v[0] : v) : v)

function needs(t: TestContext, condition: boolean, reason: string): boolean {
  if (!condition) t.skip(reason)
  return condition
}

async function expectError(promise: Promise<unknown>, kind: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(ConnectorError.isInstance(e), `expected a ConnectorError, got ${String(e)}`)
    assert.equal(e.kind, kind, `error kind (message: ${e.message})`)
    return true
  })
}

function cases(): Array<[string, string, Case]> {
  return [
    [
      'create-find',
      'create, then find by anchor returns the same id and the written values',
      async (f) => {
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        const found = await mustFind(f, spec)
        assert.equal(found.id, ref.id)
        assert.equal(found.locator, ref.locator)
        assert.equal(found.enabled, true)
        assert.equal(
          single(found.attributes[f.updatableField]),
          single(spec.attributes[f.updatableField]),
        )
      },
    ],
    [
      'find-missing',
      'find of an anchor that does not exist returns undefined',
      async (f) => {
        const spec = f.makeAttributes(2)
        assert.equal(await f.connector.find(spec.anchor), undefined)
      },
    ],
    [
      'create-idempotent',
      'a second create with the same anchor is unchanged with the same id (retry after a crash)',
      async (f) => {
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        const again = await f.connector.create({
          attributes: spec.attributes,
          anchor: spec.anchor,
          enabled: true,
        })
        assert.equal(again.outcome, 'unchanged')
        assert.equal(again.id, ref.id)
      },
    ],
    [
      'create-after-move',
      'a create whose account was since renamed or disabled finds it by anchor, not by name',
      async (f, t) => {
        const c = f.connector
        const canMove = f.renamed !== undefined || (c.capabilities.enableDisable && !!c.disable)
        if (
          !needs(t, canMove, 'no renamed() hook and no enableDisable: nothing can move an account')
        )
          return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        if (f.renamed !== undefined) {
          const changes = Object.entries(f.renamed(1)).map(([field, value]) => ({
            field,
            new: value,
          }))
          await c.update(ref, changes)
        } else await c.disable!(ref)
        const again = await c.create({
          attributes: spec.attributes,
          anchor: spec.anchor,
          enabled: true,
        })
        assert.equal(again.outcome, 'unchanged')
        assert.equal(again.id, ref.id)
      },
    ],
    [
      'concurrent-creates',
      'creates at the default concurrency all succeed with distinct ids',
      async (f) => {
        const n = Math.min(40, Math.max(2, f.connector.capabilities.defaultConcurrency * 2))
        const specs = Array.from({ length: n }, (_, i) => f.makeAttributes(i + 1))
        const ids = await Promise.all(specs.map((s) => make(f, s).then((r) => r.id)))
        assert.equal(new Set(ids).size, n)
      },
    ],
    [
      'list',
      'listAccounts includes a created account with its id, locator and state',
      async (f, t) => {
        if (!needs(t, f.connector.capabilities.listAccounts, 'capabilities.listAccounts is false'))
          return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        const mine = (await listAll(f.connector)).filter((a) => a.id === ref.id)
        assert.equal(mine.length, 1, 'listed exactly once')
        assert.equal(mine[0]?.locator, ref.locator)
        assert.equal(mine[0]?.enabled, true)
      },
    ],
    [
      'list-pages',
      `listAccounts pages through more accounts than one page (${PAGE_SIZE})`,
      async (f, t) => {
        if (!needs(t, f.connector.capabilities.listAccounts, 'capabilities.listAccounts is false'))
          return
        const specs = Array.from({ length: PAGE_SIZE * 3 + 2 }, (_, i) => f.makeAttributes(i + 1))
        const ids = new Set<string>()
        for (const s of specs) ids.add((await make(f, s)).id)
        const listed = await listAll(f.connector)
        const seen = new Map<string, number>()
        for (const a of listed) seen.set(a.id, (seen.get(a.id) ?? 0) + 1)
        for (const id of ids) assert.equal(seen.get(id), 1, `account ${id} listed exactly once`)
      },
    ],
    [
      'update',
      'update changes only the listed field',
      async (f) => {
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        const before = await mustFind(f, spec)
        const value = `changed ${spec.anchor.value}`
        const change: FieldChange = {
          field: f.updatableField,
          old: spec.attributes[f.updatableField],
          new: value,
        }
        const r = await f.connector.update(ref, [change])
        assert.equal(r.outcome, 'updated')
        assert.equal(r.id, ref.id)
        const after = await mustFind(f, spec)
        assert.equal(single(after.attributes[f.updatableField]), value)
        const { [f.updatableField]: _b, ...restBefore } = before.attributes
        const { [f.updatableField]: _a, ...restAfter } = after.attributes
        assert.deepEqual(restAfter, restBefore, 'other attributes untouched')
      },
    ],
    [
      'update-remove',
      'update without a new value removes the field (and again is harmless)',
      async (f, t) => {
        const field = f.removableField
        if (field === undefined) return t.skip('fixture gives no removableField')
        const spec = f.makeAttributes(1)
        assert.ok(spec.attributes[field] !== undefined, `makeAttributes fills ${field}`)
        const ref = await make(f, spec)
        await f.connector.update(ref, [{ field, old: spec.attributes[field] }])
        assert.equal((await mustFind(f, spec)).attributes[field], undefined)
        await f.connector.update(ref, [{ field, old: spec.attributes[field], new: '' }])
        assert.equal((await mustFind(f, spec)).attributes[field], undefined)
      },
    ],
    [
      'rename',
      'a rename/move keeps the id and find reports the new values',
      async (f, t) => {
        if (!needs(t, f.renamed !== undefined, 'fixture gives no renamed() hook')) return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        const renamed = f.renamed!(1)
        const changes = Object.entries(renamed).map(([field, value]) => ({
          field,
          old: spec.attributes[field],
          new: value,
        }))
        const r = await f.connector.update(ref, changes)
        assert.equal(r.id, ref.id, 'id survives the rename')
        const found = await mustFind(f, spec)
        assert.equal(found.id, ref.id)
        assert.equal(found.locator, r.locator)
        for (const [field, value] of Object.entries(renamed))
          assert.deepEqual(found.attributes[field], value, field)
        // the old locator is stale now: an update through it must still reach the account
        const value = `after rename ${spec.anchor.value}`
        const again = await f.connector.update(ref, [{ field: f.updatableField, new: value }])
        assert.equal(again.locator, r.locator)
        assert.equal(single((await mustFind(f, spec)).attributes[f.updatableField]), value)
      },
    ],
    [
      'disable-enable',
      'disable shows enabled=false; again is unchanged; enable restores; again is unchanged',
      async (f, t) => {
        const c = f.connector
        if (
          !needs(
            t,
            c.capabilities.enableDisable && !!c.disable && !!c.enable,
            c.capabilities.enableDisable
              ? 'the connector cannot enable (disable only)'
              : 'capabilities.enableDisable is false',
          )
        )
          return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        const d1 = await c.disable!(ref)
        assert.equal(d1.outcome, 'updated')
        assert.equal(d1.id, ref.id)
        const off = await mustFind(f, spec)
        assert.equal(off.enabled, false)
        assert.equal(off.id, ref.id)
        const d2 = await c.disable!({ id: d1.id, locator: d1.locator })
        assert.equal(d2.outcome, 'unchanged')
        const e1 = await c.enable!({ id: d2.id, locator: d2.locator })
        assert.equal(e1.outcome, 'updated')
        const on = await mustFind(f, spec)
        assert.equal(on.enabled, true)
        assert.equal(on.locator, ref.locator, 'back where it was')
        assert.equal((await c.enable!({ id: e1.id, locator: e1.locator })).outcome, 'unchanged')
      },
    ],
    [
      'create-disabled',
      'create with enabled=false makes a disabled account',
      async (f, t) => {
        const c = f.connector
        if (!needs(t, c.capabilities.enableDisable, 'capabilities.enableDisable is false')) return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec, false)
        const found = await mustFind(f, spec)
        assert.equal(found.id, ref.id)
        assert.equal(found.enabled, false)
      },
    ],
    [
      'grant-revoke',
      'grant twice: second unchanged; revoke twice: second unchanged',
      async (f, t) => {
        const c = f.connector
        const p = f.permission?.(1)
        if (
          !needs(
            t,
            p !== undefined &&
              c.capabilities.permissionTypes.includes(p.type) &&
              !!c.grant &&
              !!c.revoke,
            'no permission hook or capabilities.permissionTypes lacks its type',
          )
        )
          return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        assert.notEqual((await c.grant!(ref, p!)).outcome, 'unchanged')
        assert.equal((await c.grant!(ref, p!)).outcome, 'unchanged')
        const held = (await mustFind(f, spec)).permissions
        if (held !== undefined)
          assert.ok(held.includes(p!.id), 'find reports the granted permission')
        assert.notEqual((await c.revoke!(ref, p!)).outcome, 'unchanged')
        assert.equal((await c.revoke!(ref, p!)).outcome, 'unchanged')
        const left = (await mustFind(f, spec)).permissions
        if (left !== undefined)
          assert.ok(!left.includes(p!.id), 'find no longer reports the permission')
      },
    ],
    [
      'group-lifecycle',
      'provisioned group: create (again: unchanged), member, rename keeps id and members, archive, delete (again: already-gone)',
      async (f, t) => {
        const c = f.connector
        if (
          !needs(
            t,
            c.capabilities.groups !== undefined &&
              !!c.createGroup &&
              !!c.updateGroup &&
              !!c.deleteGroup &&
              !!c.grant &&
              !!c.revoke,
            'the connector does not provision groups (no capabilities.groups / createGroup)',
          )
        )
          return
        const tag = f.makeAttributes(1).anchor.value
        const request = {
          key: `conformance/${tag}`,
          title: `Conformance ${tag}`,
          attributes: {
            ...f.groupAttributes,
            title: `Conformance ${tag}`,
            description: 'made by the conformance suite',
          },
        }
        const created = await c.createGroup!(request)
        assert.equal(created.outcome, 'created')
        assert.ok(created.id !== '', 'createGroup returns an id')
        const again = await c.createGroup!(request)
        assert.equal(again.outcome, 'unchanged', 'a retried create finds the group by its key')
        assert.equal(again.id, created.id)
        const ref = await make(f, f.makeAttributes(1))
        const role = c.capabilities.groups!.roles[0] ?? 'member'
        assert.notEqual(
          (await c.grant!(ref, { type: 'group', id: created.locator, role })).outcome,
          'unchanged',
        )
        const renamedTitle = `Conformance ${tag} renamed`
        const renamed = await c.updateGroup!(
          { id: created.id, locator: created.locator },
          [{ field: 'title', old: request.title, new: renamedTitle }],
          {
            ...request,
            title: renamedTitle,
            attributes: { ...request.attributes, title: renamedTitle },
          },
        )
        assert.equal(renamed.id, created.id, 'a rename keeps the id')
        assert.equal(
          (await c.grant!(ref, { type: 'group', id: renamed.locator, role })).outcome,
          'unchanged',
          'the member moved with the group',
        )
        if (c.capabilities.groups!.archive === 'target' && c.archiveGroup !== undefined) {
          const archived = await c.archiveGroup({ id: renamed.id, locator: renamed.locator })
          assert.equal(archived.id, created.id)
          assert.notEqual(
            (await c.deleteGroup!({ id: archived.id, locator: archived.locator })).outcome,
            'already-gone',
          )
        } else {
          assert.notEqual(
            (await c.deleteGroup!({ id: renamed.id, locator: renamed.locator })).outcome,
            'already-gone',
          )
        }
        assert.equal(
          (await c.deleteGroup!({ id: created.id, locator: renamed.locator })).outcome,
          'already-gone',
        )
      },
    ],
    [
      'group-conflict',
      'a group with the same title that Koppel did not create is a conflict, never taken over',
      async (f, t) => {
        const c = f.connector
        if (
          !needs(
            t,
            c.capabilities.groups !== undefined && !!c.createGroup && !!c.deleteGroup,
            'the connector does not provision groups (no capabilities.groups / createGroup)',
          )
        )
          return
        const tag = f.makeAttributes(1).anchor.value
        const title = `Conflict ${tag}`
        const mine = await c.createGroup!({
          key: `conformance/${tag}/a`,
          title,
          attributes: { ...f.groupAttributes, title },
        })
        await expectError(
          c.createGroup!({
            key: `conformance/${tag}/b`,
            title,
            attributes: { ...f.groupAttributes, title },
          }),
          'conflict',
        )
        await c.deleteGroup!({ id: mine.id, locator: mine.locator })
      },
    ],
    [
      'delete',
      'delete removes the account; again is already-gone',
      async (f, t) => {
        const c = f.connector
        if (!needs(t, c.capabilities.delete && !!c.delete, 'capabilities.delete is false')) return
        const spec = f.makeAttributes(1)
        const ref = await make(f, spec)
        assert.notEqual((await c.delete!(ref)).outcome, 'already-gone')
        assert.equal(await c.find(spec.anchor), undefined)
        assert.equal((await c.delete!(ref)).outcome, 'already-gone')
      },
    ],
    [
      'invalid-create',
      'a create the target refuses fails as invalid and leaves nothing behind',
      async (f, t) => {
        if (
          !needs(t, f.invalidAttributes !== undefined, 'fixture gives no invalidAttributes() hook')
        )
          return
        const spec = f.invalidAttributes!(1)
        await expectError(
          f.connector.create({ attributes: spec.attributes, anchor: spec.anchor, enabled: true }),
          'invalid',
        )
        assert.equal(await f.connector.find(spec.anchor), undefined)
      },
    ],
    [
      'hard-names',
      'hard names round-trip exactly',
      async (f, t) => {
        const field = f.nameField
        if (field === undefined) return t.skip('fixture gives no nameField')
        for (const [n, name] of HARD_NAMES.entries()) {
          const spec = f.makeAttributes(n + 1, { [field]: name })
          const ref = await make(f, spec)
          const found = await mustFind(f, spec)
          assert.equal(found.id, ref.id, `id for ${JSON.stringify(name)}`)
          assert.equal(single(found.attributes[field]), name, `${field} round-trips`)
        }
      },
    ],
    [
      'hard-anchors',
      'hard names as anchor values find exactly their own account',
      async (f, t) => {
        const field = f.nameField
        if (field === undefined) return t.skip('fixture gives no nameField')
        const ids = new Map<string, string>()
        for (const [n, name] of HARD_NAMES.entries()) {
          const anchorAttribute = f.makeAttributes(n + 1).anchor.attribute
          const spec = f.makeAttributes(n + 1, { [field]: name, [anchorAttribute]: name })
          assert.equal(spec.anchor.value, name, 'the anchor follows its override')
          ids.set(name, (await make(f, spec)).id)
        }
        for (const [n, name] of HARD_NAMES.entries()) {
          const spec = f.makeAttributes(n + 1, {
            [field]: name,
            [f.makeAttributes(n + 1).anchor.attribute]: name,
          })
          assert.equal((await mustFind(f, spec)).id, ids.get(name), `find ${JSON.stringify(name)}`)
        }
      },
    ],
  ]
}
