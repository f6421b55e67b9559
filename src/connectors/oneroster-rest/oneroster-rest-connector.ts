/**
 * The OneRoster REST source (1.1 and 1.2 rostering service). A full read takes every collection; a delta read
 * (a cursor from the last snapshot, option `deltas`) takes the users and enrollments changed since the cursor
 * (`filter=dateLastModified>'…'`), completes each changed user with all its current enrollments, and marks
 * tobedeleted users as removed. Either way the read returns the whole result or `{ok:false}`.
 */
import { createHash } from 'node:crypto'
import type {
  ConnectorContext,
  ReadOptions,
  SourceCapabilities,
  SourceChanges,
  SourceConnector,
  SourceDefinition,
} from '../../contract/index.ts'
import { ConnectorError } from '../../contract/index.ts'
import type { SourceReadResult } from '../../model/index.ts'
import { rosterSnapshot } from '../../protocol/oneroster/index.ts'
import { filterValue, OneRosterRestClient, type Json } from './oneroster-rest-client.ts'
import { mapRestRoster, type RestRoster } from './oneroster-rest-mapping.ts'
import { oneRosterRestOptions, type OneRosterRestOptions } from './oneroster-rest-options.ts'
import {
  eachRecord,
  readClass,
  readCourse,
  readDemographics,
  readEnrollment,
  readOrg,
  readSession,
  readUser,
  restIssues,
  type EnrollmentRec,
  type UserRec,
} from './oneroster-rest-records.ts'

/** A cursor is the latest dateLastModified the service reported (its own clock, so no skew with ours). */
const CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/**
 * How far before its marker a change poll asks again, and for how long after the marker moved. A record the
 * service stamped up to this long before the newest one it had shown (a late commit, a second server's clock)
 * is still found; what was reported already is recognised by its version key in the cursor. Once the marker has
 * stood this long by our clock (a duration, so skew does not matter), the window is closed: after a bulk change
 * in the SIS the polls do not keep fetching every record of it.
 */
export const CHANGE_OVERLAP_MS = 30_000

/**
 * The most record versions a change cursor remembers (~13 bytes each: the cursor row stays under 32 KB). A bulk
 * change with more inside the overlap window narrows the look-back to the newest stamps these fit in (see
 * boundedSeen): every record of it is still reported once, and nothing is fetched that is not remembered.
 */
export const MAX_SEEN_VERSIONS = 2_000

/** The start of the overlap window before `marker`, as an ISO timestamp in UTC. */
function overlapStart(marker: string): string {
  return new Date(Date.parse(marker) - CHANGE_OVERLAP_MS).toISOString()
}

/** A record version (collection, id, dateLastModified) as 12 hex digits: enough to tell a window's records apart. */
function versionKey(collection: string, id: unknown, at: string): string {
  return createHash('sha256')
    .update(`${collection}\n${String(id)}\n${at}`)
    .digest('hex')
    .slice(0, 12)
}

/**
 * A change cursor: `<marker>` (the window closed), or `<marker> <opened> <key>,<key>,…` (the window open since
 * `opened`, our clock; the record versions inside it already reported, possibly none), and after a bulk change
 * ` <since>`: the look-back starts there, not CHANGE_OVERLAP_MS before the marker.
 */
interface ChangeCursor {
  readonly at: string
  readonly window?: {
    readonly opened: string
    readonly seen: ReadonlySet<string>
    readonly since?: string | undefined
  }
}

function formatChangeCursor(c: ChangeCursor): string {
  if (c.window === undefined) return c.at
  const { opened, seen, since } = c.window
  const keys = [...seen].sort().join(',')
  return since === undefined
    ? `${c.at} ${opened} ${keys}`.trimEnd()
    : `${c.at} ${opened} ${keys} ${since}`
}

function parseChangeCursor(cursor: string): ChangeCursor | undefined {
  const [at = '', opened, keys, since, ...rest] = cursor.split(' ')
  if (!CURSOR.test(at) || rest.length > 0) return undefined
  if (opened === undefined) return { at }
  if (!CURSOR.test(opened) || (since !== undefined && !CURSOR.test(since))) return undefined
  const seen = keys === undefined || keys === '' ? [] : keys.split(',')
  if (!seen.every((k) => /^[0-9a-f]{12}$/.test(k))) return undefined
  return { at, window: { opened, seen: new Set(seen), since } }
}

/** Where an open window's ask starts: the overlap before the marker, or later after a bulk change. */
function lookBack(at: string, since: string | undefined): string {
  const overlap = overlapStart(at)
  return since !== undefined && since > overlap ? since : overlap
}

/**
 * The record versions to remember from `rows` (all fetched after `start`, the next ask's look-back): those
 * stamped after `start`, when they are no more than MAX_SEEN_VERSIONS; else those stamped after the newest stamp
 * that leaves no more, and that stamp as the next look-back (`since`). Versions stamped at or before it are not
 * fetched again, so none is reported twice; a record committed late with such a stamp waits for the next full
 * read (as one older than the overlap always does). Stamps compare as the service writes them (ISO, UTC).
 */
function boundedSeen(
  rows: readonly { readonly key: string; readonly at: string }[],
  start: string,
  since: string | undefined,
): { seen: Set<string>; since: string | undefined } {
  const inside = rows.filter((r) => r.at > start)
  if (inside.length <= MAX_SEEN_VERSIONS) return { seen: new Set(inside.map((r) => r.key)), since }
  const cut = inside.map((r) => r.at).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))[
    MAX_SEEN_VERSIONS
  ]!
  const kept = inside.filter((r) => r.at > cut)
  return { seen: new Set(kept.map((r) => r.key)), since: cut }
}

class OneRosterRestSource implements SourceConnector {
  readonly type = 'oneroster-rest'
  readonly capabilities: SourceCapabilities
  readonly name: string
  readonly #options: OneRosterRestOptions
  readonly #context: ConnectorContext
  readonly #client: OneRosterRestClient

  constructor(name: string, options: OneRosterRestOptions, context: ConnectorContext) {
    this.name = name
    this.#options = options
    this.#context = context
    this.capabilities = Object.freeze({
      delta: options.deltas,
      writeBack: false,
      namesManagers: true,
    })
    this.#client = new OneRosterRestClient(options)
  }

  async read(options: ReadOptions): Promise<SourceReadResult> {
    const since = this.#options.deltas ? options.since : undefined
    if (since !== undefined && !CURSOR.test(since)) {
      return {
        ok: false,
        issues: [
          {
            severity: 'error',
            code: 'bad_cursor',
            source: this.name,
            message: `the delta cursor ${JSON.stringify(since.slice(0, 40))} is not a dateLastModified timestamp`,
          },
        ],
      }
    }
    const started = performance.now()
    try {
      return await this.#read(options, since, started)
    } catch (e) {
      if (!ConnectorError.isInstance(e)) throw e
      return {
        ok: false,
        issues: [
          {
            severity: 'error',
            code: `read_${e.kind}`,
            source: this.name,
            message: `reading OneRoster REST failed: ${e.message}`,
          },
        ],
      }
    }
  }

  /**
   * The users changed since `cursor`: users and enrollments with `filter=dateLastModified>'…'` (the OneRoster 1.2
   * REST filter; Microsoft SDS polls the same way), an enrollment standing for its user. A 1.2 user's roles are
   * inside the user, so a role change moves the user's dateLastModified too.
   *
   * The marker is the newest dateLastModified the service reported (its clock, never ours), but the ask reaches
   * CHANGE_OVERLAP_MS further back: a record stamped before the marker and visible only later (a transaction that
   * commits late, an SIS with several servers whose clocks differ) is still found. What was already reported
   * inside that window travels in the cursor (a short hash per record version), so it is not reported again.
   */
  async changesSince(
    cursor: string | undefined,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<SourceChanges> {
    const from = cursor === undefined ? undefined : parseChangeCursor(cursor)
    if (cursor !== undefined && from === undefined)
      throw new ConnectorError(
        'invalid',
        `the change cursor ${JSON.stringify(cursor.slice(0, 40))} is not a dateLastModified timestamp`,
      )
    const signal = options.signal
    const now = this.#context.now()
    let newest = from?.at
    if (newest === undefined) {
      // where polling starts: the newest change now; the window before it is taken as seen, not as changed
      for (const collection of ['users', 'enrollments']) {
        const v = (await this.#client.newest(collection, signal))?.dateLastModified
        if (typeof v === 'string' && CURSOR.test(v) && (newest === undefined || v > newest))
          newest = v
      }
      if (newest === undefined) return { ids: [], cursor: undefined }
    }
    const open =
      from === undefined ||
      (from.window !== undefined &&
        now.getTime() - Date.parse(from.window.opened) < CHANGE_OVERLAP_MS)
    const seen = (open ? from?.window?.seen : undefined) ?? new Set<string>()
    const rows: { key: string; at: string; id: string }[] = []
    const asked = open ? lookBack(newest, from?.window?.since) : newest
    const filter = `dateLastModified>${filterValue(asked)}`
    const collect = (collection: string, idOf: (r: Json) => unknown) => (page: readonly Json[]) => {
      for (const r of page) {
        const at = r?.dateLastModified
        const id = idOf(r)
        if (typeof at !== 'string' || !CURSOR.test(at) || typeof id !== 'string' || id === '')
          continue
        rows.push({ key: versionKey(collection, r?.sourcedId, at), at, id })
      }
    }
    await this.#client.forEachPage(
      'users',
      filter,
      signal,
      collect('users', (r) => r?.sourcedId),
    )
    await this.#client.forEachPage(
      'enrollments',
      filter,
      signal,
      collect('enrollments', (r) => (r?.user as Json | undefined)?.sourcedId),
    )
    const before = newest
    const ids = new Set<string>()
    for (const r of rows) {
      if (r.at > newest) newest = r.at
      if (from !== undefined && !seen.has(r.key)) ids.add(r.id)
    }
    // a newer marker opens the window anew; otherwise it stays as it was until it has stood long enough
    const opened = newest !== before || from === undefined ? now.toISOString() : from.window?.opened
    const stillOpen = opened !== undefined && now.getTime() - Date.parse(opened) < CHANGE_OVERLAP_MS
    // the next look-back never reaches before this ask's (what lies there was not fetched now, so it is not
    // remembered); every row after it was: remembered, up to MAX_SEEN_VERSIONS of them
    const start = lookBack(newest, asked)
    const since = start === overlapStart(newest) ? undefined : start
    const next: ChangeCursor = stillOpen
      ? { at: newest, window: { opened, ...boundedSeen(rows, start, since) } }
      : { at: newest }
    return { ids: [...ids].sort(), cursor: formatChangeCursor(next) }
  }

  async #read(
    options: ReadOptions,
    since: string | undefined,
    started: number,
  ): Promise<SourceReadResult> {
    const o = this.#options
    const issues = restIssues(this.name)
    const signal = options.signal
    const strings = new Map<string, string>()
    let records = 0
    let cursor = since ?? ''
    const seen = (rows: readonly Json[]) => {
      for (const r of rows)
        if (
          typeof r?.dateLastModified === 'string' &&
          r.dateLastModified > cursor &&
          CURSOR.test(r.dateLastModified)
        )
          cursor = r.dateLastModified
    }
    /**
     * Reads a collection page by page, checking and keeping each page's records as it comes (the JSON is not
     * kept); returns the ids of tobedeleted records and, with `keepDeleted`, their JSON.
     */
    const stream = async (
      collection: string,
      filter: string | undefined,
      visit: Parameters<typeof eachRecord>[3],
      keepDeleted?: Json[],
    ): Promise<Set<string>> => {
      const state = { seen: new Set<string>(), count: 0, strings }
      const deleted = new Set<string>()
      const n = await this.#client.forEachPage(collection, filter, signal, (rows, soFar) => {
        seen(rows)
        for (const id of eachRecord(rows, collection, issues, visit, state)) deleted.add(id)
        if (keepDeleted !== undefined)
          for (const r of rows) if (r?.status === 'tobedeleted') keepDeleted.push(r)
        options.onProgress?.(records + soFar)
      })
      records += n
      return deleted
    }
    const changed = since === undefined ? undefined : `dateLastModified>${filterValue(since)}`

    const roster: RestRoster = {
      version: o.version,
      delta: since !== undefined,
      orgs: new Map(),
      sessions: new Map(),
      courses: new Map(),
      classes: new Map(),
      users: new Map(),
      deletedUsers: [],
      demographics: new Map(),
      enrollments: new Map(),
    }
    // collections a record refers to are not counted into the cursor: only users and enrollments make a delta
    const cursorBefore = cursor
    await stream('orgs', undefined, (r, id) => roster.orgs.set(id, readOrg(r, id)))
    await stream('academicSessions', undefined, (r, id) =>
      roster.sessions.set(id, readSession(r, id)),
    )
    await stream('courses', undefined, (r, id) => roster.courses.set(id, readCourse(r, id)))
    await stream('classes', undefined, (r, id) => roster.classes.set(id, readClass(r, id)))
    cursor = cursorBefore

    const deletedJson: Json[] = []
    const deleted = await stream(
      'users',
      changed,
      (r, id) => roster.users.set(id, readUser(r, id, o.version)),
      since !== undefined ? deletedJson : undefined,
    )
    const addEnrollment = (e: EnrollmentRec) => {
      if (e.user === '' || e.cls === '') return
      const list = roster.enrollments.get(e.user)
      if (list === undefined) roster.enrollments.set(e.user, [e])
      else list.push(e)
    }
    const changedEnrollments: EnrollmentRec[] = []
    await stream('enrollments', changed, (r) =>
      since === undefined
        ? addEnrollment(readEnrollment(r))
        : changedEnrollments.push(readEnrollment(r)),
    )
    if (since !== undefined) {
      // delta: tobedeleted users are removals; users whose enrollments changed come along; every changed user
      // gets all its current enrollments, so its contracts' windows are those of a full read
      for (const json of deletedJson)
        if (typeof json.sourcedId === 'string')
          (roster.deletedUsers as UserRec[]).push(readUser(quiet(json), json.sourcedId, o.version))
      const extra = [...new Set(changedEnrollments.map((e) => e.user))]
        .filter((u) => u !== '' && !roster.users.has(u) && !deleted.has(u))
        .sort()
      let missing = 0
      for (const id of extra) {
        const json = await this.#client.getOne('users', 'user', id, signal)
        records++
        if (json === undefined || json.status === 'tobedeleted') {
          missing++
          continue
        }
        eachRecord([json], 'users', issues, (r, uid) =>
          roster.users.set(uid, readUser(r, uid, o.version)),
        )
      }
      if (missing > 0)
        issues.warn({
          code: 'enrollment_without_user',
          file: 'enrollments',
          message: `${missing} changed enrollment(s) name users the service no longer has; not applied`,
        })
      const keepCursor = cursor
      for (const id of [...roster.users.keys()].sort())
        await stream('enrollments', `user.sourcedId=${filterValue(id)}`, (r) =>
          addEnrollment(readEnrollment(r)),
        )
      cursor = keepCursor
    }
    if (o.demographics) {
      const keepCursor = cursor
      await stream('demographics', undefined, (r, id) =>
        roster.demographics.set(id, readDemographics(r)),
      )
      cursor = keepCursor
    }
    if (issues.errorCount > 0) return { ok: false, issues: issues.all() }

    const mapped = mapRestRoster(
      roster,
      {
        source: this.name,
        personKey: o.personKey,
        splitNamePrefix: o.splitNamePrefix,
        today: options.today,
      },
      issues,
    )
    if (issues.errorCount > 0) return { ok: false, issues: issues.all() }
    const mode = since === undefined ? 'full' : 'delta'
    this.#context.log('info', 'oneroster-rest read', {
      source: this.name,
      mode,
      persons: mapped.persons.length,
      removed: mapped.removed.length,
      groups: mapped.groups.length,
      ms: Math.round(performance.now() - started),
    })
    const removed = mode === 'delta' ? mapped.removed : []
    const keptCursor = this.#options.deltas && cursor !== '' ? cursor : undefined
    return {
      ok: true,
      snapshot: rosterSnapshot(
        this.name,
        mode,
        this.#context.now().toISOString(),
        { ...mapped, removed },
        Object.freeze([...issues.warnings()]),
        keptCursor,
      ),
    }
  }
}

/** A tobedeleted user is only read for its key; problems in its other fields do not matter. */
function quiet(json: Json): Parameters<typeof readUser>[0] {
  const sink = restIssues('')
  let reader: Parameters<typeof readUser>[0] | undefined
  eachRecord([{ ...json, status: 'active' }], 'users', sink, (r) => {
    reader = r
  })
  return reader as Parameters<typeof readUser>[0]
}

export const oneRosterRestConnector: SourceDefinition<typeof oneRosterRestOptions> = {
  role: 'source',
  type: 'oneroster-rest',
  description:
    'OneRoster 1.1/1.2 REST rostering service (OAuth2 client credentials), full and delta reads',
  schema: oneRosterRestOptions,
  create: (name, options, context) => new OneRosterRestSource(name, options, context),
}
