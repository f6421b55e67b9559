// One behavioural suite for every source connector (OneRoster CSV and REST, Somtoday, Magister, Eduarte, AFAS,
// plain CSV), each against its simulator or its own files. It talks to the connector only through the
// SourceConnector interface and the fixture hooks below; a case the source cannot have is skipped with a written
// reason (a missing hook is a skip too, and says so). Every case starts its own fixture, so a case that breaks
// the source leaves nothing behind for the next.
//
// What it holds every source to (src/contract/source-connector.ts): a read is whole or it fails — paging reads
// every page, a refused login and a server error part-way are `{ ok: false }` with an issue naming the source,
// never a smaller snapshot; a malformed record is refused by an issue naming that record and field; an empty
// source never yields invented persons; a delta read after a change returns that change.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { SourceConnector } from '../../src/contract/index.ts'
import {
  formatIssue,
  type Issue,
  type SourceReadResult,
  type SourceSnapshot,
} from '../../src/model/index.ts'

/** Persons in a generated board small enough for every case, big enough for several pages. */
export const CONFORMANCE_PERSONS = 60
/** The page size a fixture configures, so that the paging case crosses pages. */
export const CONFORMANCE_PAGE_SIZE = 7

export interface SourceFixture {
  /** Reads the healthy source, paging with `pageSize` where the source pages. */
  readonly connector: SourceConnector
  /** The `today` reads are given. */
  readonly today: string
  /** Requests for pages of records answered so far; without it the paging case is skipped. */
  pageRequests?(): number
  /** A connector whose credentials the source refuses. */
  withBadCredentials?(): SourceConnector
  /**
   * Makes the source answer 5xx (past any retries) part-way through the next read. Returns what the issues must
   * say when that is not an HTTP status (default: a 5xx, "server", "unavailable", "transient" or "failed").
   */
  failPartWay?(): RegExp | undefined | void
  /** Breaks one record of the source; returns what an issue must name: the record (a substring) and the field. */
  breakRecord?(): Promise<{ readonly record: string; readonly field: string }>
  /** A connector reading an empty source of the same kind. */
  empty?(): Promise<SourceConnector>
  /** Changes one person after a full read; returns a text (key, sourceId or name) the delta must show. */
  changeOne?(): Promise<string>
  teardown(): Promise<void>
}

export interface SourceConformanceOptions {
  readonly name: string
  setup(hints: { readonly pageSize: number; readonly persons: number }): Promise<SourceFixture>
  readonly skip?: ReadonlyArray<{ readonly test: string; readonly reason: string }>
}

type Case = (
  f: SourceFixture,
  t: { skip(reason: string): void; diagnostic(message: string): void },
) => Promise<void>

export function runSourceConformance(options: SourceConformanceOptions): void {
  describe(`${options.name}: source conformance`, () => {
    for (const [key, title, body] of cases()) {
      const skipped = options.skip?.find((s) => s.test === key)
      test(
        `[${key}] ${title}`,
        skipped === undefined ? {} : { skip: skipped.reason },
        async (t) => {
          const fixture = await options.setup({
            pageSize: CONFORMANCE_PAGE_SIZE,
            persons: CONFORMANCE_PERSONS,
          })
          try {
            await body(fixture, t)
          } finally {
            await fixture.connector.close?.()
            await fixture.teardown()
          }
        },
      )
    }
  })
}

async function read(c: SourceConnector, today: string, since?: string): Promise<SourceReadResult> {
  return c.read({ today, ...(since !== undefined ? { since } : {}) })
}

function snapshotOf(r: SourceReadResult): SourceSnapshot {
  assert.ok(r.ok, r.ok ? '' : `the read failed: ${r.issues.map(formatIssue).join('; ')}`)
  return r.snapshot
}

/** A failed read: `ok: false`, at least one error, every issue from this source. */
function failure(r: SourceReadResult, source: string): readonly Issue[] {
  assert.equal(
    r.ok,
    false,
    `the read gave a snapshot${r.ok ? ` of ${r.snapshot.persons.length} persons` : ''}, not a failure`,
  )
  const issues = r.ok ? [] : r.issues
  assert.ok(
    issues.some((i) => i.severity === 'error'),
    'a failed read names at least one error',
  )
  for (const i of issues)
    assert.equal(i.source, source, `issue from another source: ${formatIssue(i)}`)
  return issues
}

function cases(): [string, string, Case][] {
  return [
    [
      'paging',
      'a source served in pages is read whole',
      async (f, t) => {
        if (f.pageRequests === undefined)
          return t.skip('the fixture has no page count (pageRequests)')
        const before = f.pageRequests()
        const s = snapshotOf(await read(f.connector, f.today))
        const pages = f.pageRequests() - before
        assert.ok(pages > 1, `read ${pages} page(s); the case needs more than one`)
        assert.ok(
          s.persons.length > CONFORMANCE_PAGE_SIZE,
          `${s.persons.length} persons: not more than one page`,
        )
        // the same source read again gives the same persons: nothing depends on where a page boundary fell
        const again = snapshotOf(await read(f.connector, f.today))
        assert.deepEqual(again.persons.map((p) => p.key).sort(), s.persons.map((p) => p.key).sort())
        assert.equal(
          new Set(s.persons.map((p) => p.key)).size,
          s.persons.length,
          'a person read twice',
        )
      },
    ],
    [
      'auth',
      'refused credentials fail the read with an issue that says so',
      async (f, t) => {
        if (f.withBadCredentials === undefined)
          return t.skip('the fixture has no refused-credentials hook')
        const c = f.withBadCredentials()
        try {
          const issues = failure(await read(c, f.today), c.name)
          const text = issues.map(formatIssue).join('\n')
          assert.match(
            text,
            /auth|401|403|credential|token|login|password|wachtwoord|sleutel|key|unauthori[sz]ed|refused|toegang/i,
          )
        } finally {
          await c.close?.()
        }
      },
    ],
    [
      'server-error',
      'a 5xx part-way fails the whole read, never a partial snapshot',
      async (f, t) => {
        if (f.failPartWay === undefined) return t.skip('the fixture has no server-error hook')
        const says = f.failPartWay() ?? /5\d\d|server|unavailable|transient|failed/i
        const issues = failure(await read(f.connector, f.today), f.connector.name)
        assert.match(issues.map(formatIssue).join('\n'), says)
      },
    ],
    [
      'malformed',
      'a malformed record is refused by an issue naming the record and the field',
      async (f, t) => {
        if (f.breakRecord === undefined) return t.skip('the fixture has no malformed-record hook')
        const want = await f.breakRecord()
        const issues = failure(await read(f.connector, f.today), f.connector.name)
        const named = issues.find(
          (i) =>
            i.severity === 'error' &&
            i.field === want.field &&
            i.record?.includes(want.record) === true,
        )
        assert.ok(
          named,
          `no error names record ${want.record} and field ${want.field}: ${issues.map(formatIssue).join('; ')}`,
        )
      },
    ],
    [
      'empty',
      'an empty source is refused or read as empty, never with invented persons',
      async (f, t) => {
        if (f.empty === undefined) return t.skip('the fixture has no empty-source hook')
        const c = await f.empty()
        try {
          const r = await read(c, f.today)
          if (r.ok) assert.equal(r.snapshot.persons.length, 0, 'persons read from an empty source')
          else failure(r, c.name)
          // which of the two: an empty snapshot is left to the engine's source safety (allowEmpty, maxShrinkPercent)
          t.diagnostic(
            r.ok ? 'read as an empty snapshot' : `refused: ${r.issues.map(formatIssue).join('; ')}`,
          )
        } finally {
          await c.close?.()
        }
      },
    ],
    [
      'delta',
      'a delta read after a change returns the change, marked as a delta',
      async (f, t) => {
        if (!f.connector.capabilities.delta)
          return t.skip('capabilities.delta is false: the source reads only whole sets')
        if (f.changeOne === undefined) return t.skip('the fixture has no change hook')
        const full = snapshotOf(await read(f.connector, f.today))
        assert.equal(full.mode, 'full')
        const changed = await f.changeOne()
        const delta = snapshotOf(await read(f.connector, f.today, full.cursor))
        assert.equal(delta.mode, 'delta')
        assert.ok(
          delta.persons.length < full.persons.length,
          `the delta holds ${delta.persons.length} of ${full.persons.length} persons`,
        )
        assert.ok(
          JSON.stringify(delta.persons).includes(changed),
          `the delta does not show ${changed}`,
        )
      },
    ],
  ]
}
