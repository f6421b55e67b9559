import type { Issue, SourceReadResult } from '../model/index.ts'

export interface SourceCapabilities {
  /**
   * Can return a delta snapshot (changes since a cursor, or since the export before, as a OneRoster delta
   * package). The engine then keeps every full set it plans with (gzip in the store; about 3 s of CPU and
   * 10 MB at 100,000 persons) as the base the next delta is applied to. Default false.
   */
  readonly delta: boolean
  /** Can write values (username, e-mail) back to the source. Default false. */
  readonly writeBack: boolean
  /**
   * With `writeBack`: the fields `writeBack` accepts, each with where `read` reports the field's current value
   * in the source's own Person record — `email`, `username` or `attributes.<name>` — so that the engine writes
   * only what differs (level-based, like the targets). A field whose current value cannot be read maps to ''
   * and cannot be configured for write-back.
   */
  readonly writeBackFields?: Readonly<Record<string, string>>
  /**
   * The read names a pupil's mentor or an employee's manager (`contract.manager`, a person key): the recipient
   * of `secretDelivery.mail`. `validate` refuses the mail channel when no source of the config names one.
   */
  readonly namesManagers?: boolean
}

export interface ReadOptions {
  readonly signal?: AbortSignal
  /** A cursor from an earlier snapshot; only used when `capabilities.delta`. */
  readonly since?: string
  /** Called now and then with the number of records read so far. */
  readonly onProgress?: (records: number) => void
  /** "Today" for the source's own date semantics (peildatum); ISO date. */
  readonly today: string
  /**
   * Whether the configuration (rules, mappings, match keys, write-backs, the engine itself) reads a model field,
   * named as a path: `person.username`, `person.attributes.eckId`, `contract.role`. Undefined when unknown: then
   * every field counts as read. A source whose format marks a field required may report an empty one that is not
   * read as a warning instead of refusing the export (unless its own `strict` option says otherwise).
   */
  readonly isRead?: (field: string) => boolean
}

export interface FingerprintOptions {
  readonly signal?: AbortSignal
  /** The "today" the read would be given; a fingerprint may ignore it (the engine compares `today` itself). */
  readonly today: string
  /**
   * The fingerprint this source gave when its last used snapshot was read. A source that can prove nothing
   * changed since without reading its data (file sources: git's stat check, util/file-fingerprint.ts) returns
   * it as it is; otherwise it is ignored.
   */
  readonly previous?: string
}

export interface WriteBackRequest {
  /** The person's id in this source. */
  readonly sourceId: string
  readonly fields: Readonly<Record<string, string>>
}

/**
 * Reads persons, contracts, groups and memberships from one system.
 *
 * Failure semantics: `read` returns `{ ok: false, issues }` for invalid input or a read that failed part-way;
 * it never returns a partial snapshot as if it were complete. Issues name the file/record and field.
 */
/** What `changesSince` found: the changed records' ids and the marker to ask from next time. */
export interface SourceChanges {
  readonly ids: readonly string[]
  /** Undefined when the source has no records with a marker yet (ask again without one). */
  readonly cursor: string | undefined
}

export interface SourceConnector {
  readonly name: string
  readonly type: string
  readonly capabilities: SourceCapabilities
  read(options: ReadOptions): Promise<SourceReadResult>
  /**
   * Optional. A cheap digest of everything `read` depends on besides the connector's options (which are in the
   * config hash) and `today` (which the engine compares itself): it must change whenever a read could return
   * something different, e.g. sha256 over the manifest and every data file's bytes. File names, sizes and
   * mtimes alone are not enough (a tool can rewrite a file within the same second at the same size); they may
   * only vouch for a content digest taken before (`previous`) together with the ctime and inode.
   * `undefined` means "cannot tell": the engine then reads. A source whose data lives elsewhere (an API, a
   * database without a change counter) leaves this out.
   *
   * When every source offers one, the engine skips reading and planning altogether if all fingerprints, the
   * config, the ledger and `today` equal those of the last plan and that plan had nothing to do (targets not
   * read). The fingerprint is taken before and after each read and stored with the snapshot only when both
   * agree, so a file changed during a read is never taken for the content that was read.
   */
  fingerprint?(options: FingerprintOptions): Promise<string | undefined>
  /**
   * Optional. The records changed since `cursor`, a change marker of the source's own (OneRoster REST: the
   * newest dateLastModified it reported, so our clock never meets theirs), for `koppel serve` to plan those
   * records alone within seconds. Without a cursor: no ids and the newest marker now (where polling starts).
   * `ids` are record ids in this source (as a change hook names them). Throws ConnectorError.
   */
  changesSince?(
    cursor: string | undefined,
    options?: { readonly signal?: AbortSignal },
  ): Promise<SourceChanges>
  /** Present only when `capabilities.writeBack`. Throws ConnectorError; a failed write-back changed nothing. */
  writeBack?(request: WriteBackRequest, options?: { signal?: AbortSignal }): Promise<void>
  close?(): Promise<void>
}

export type { Issue }
