// The audit log's hash chain, as pure functions: how an event is hashed and how a stored sequence of events
// is checked against itself and against the head. Reading and writing rows is the store's job.
// With a key (config `audit.key`, kept outside the store) each link is an HMAC: someone who can write the
// store but does not have the key cannot recompute the chain after an edit. Without a key the chain only
// shows that the rows agree with each other, which anyone with the project's source can arrange.
import { createHash, createHmac } from 'node:crypto'
import type { AuditEvent, AuditEventInput } from './store.ts'
import { canonicalJson } from './canonical-json.ts'

/** prevHash of the first event of a tenant. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * HMAC-SHA256 under `key` (sha256 without one) of prevHash + canonical JSON of the event's fields (absent ones
 * left out), hex.
 */
export function auditHash(
  prevHash: string,
  event: Omit<AuditEvent, 'prevHash' | 'hash'>,
  key?: string,
): string {
  const fields = {
    seq: event.seq,
    at: event.at,
    type: event.type,
    actor: event.actor,
    planId: event.planId,
    runId: event.runId,
    target: event.target,
    person: event.person,
    actionId: event.actionId,
    data: event.data,
  }
  const h = key === undefined ? createHash('sha256') : createHmac('sha256', key)
  return h.update(prevHash).update(canonicalJson(fields)).digest('hex')
}

/** Numbers and hashes the next events after the head; `at` is one timestamp for the whole batch. */
export function chainEvents(
  head: { readonly seq: number; readonly hash: string },
  inputs: readonly AuditEventInput[],
  at: string,
  key?: string,
): AuditEvent[] {
  let { seq, hash } = head
  return inputs.map((input) => {
    seq += 1
    const event = { ...definedFields(input), seq, at }
    const prevHash = hash
    hash = auditHash(prevHash, event, key)
    return { ...event, prevHash, hash }
  })
}

function definedFields(input: AuditEventInput): AuditEventInput {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value
  return out as unknown as AuditEventInput
}

export type ChainProblem = { readonly firstBadSeq: number; readonly problem: string }

/**
 * Walks stored events in seq order, one page at a time; remembers the first break it sees. With a key, events
 * from before the key was configured (plain sha256) are accepted only as an unbroken run at the start of the
 * log: an unkeyed event after a keyed one is a chain recomputed without the key. `anchor` is a head hash (or a
 * prefix of at least 16 hex digits) recorded outside the store, which must be found in the chain.
 */
export class ChainVerifier {
  #seq = 0
  #hash = GENESIS_HASH
  #events = 0
  #unkeyed = 0
  #problem: ChainProblem | undefined
  readonly #key: string | undefined
  readonly #anchor: string | undefined
  #anchorFound = false

  constructor(options: { readonly key?: string; readonly anchor?: string } = {}) {
    this.#key = options.key
    this.#anchor = options.anchor?.toLowerCase()
    if (
      this.#anchor !== undefined &&
      (this.#anchor === GENESIS_HASH || this.#anchor.startsWith(GENESIS_HASH.slice(0, 16)))
    ) {
      this.#anchorFound = true
    }
  }

  get events(): number {
    return this.#events
  }

  /** Events hashed without the key (written before `audit.key` was set); all of them when there is no key. */
  get unkeyed(): number {
    return this.#unkeyed
  }

  get problem(): ChainProblem | undefined {
    return this.#problem
  }

  /** Returns false once a problem is found; later events are not looked at. */
  check(event: AuditEvent): boolean {
    if (this.#problem) return false
    const expected = this.#seq + 1
    if (event.seq !== expected) {
      const missing =
        event.seq - 1 === expected
          ? `event ${expected} is missing`
          : `events ${expected} to ${event.seq - 1} are missing`
      return this.#fail(
        expected,
        `${missing} (deleted): the sequence jumps from ${this.#seq} to ${event.seq}`,
      )
    }
    if (event.prevHash !== this.#hash) {
      return this.#fail(
        event.seq,
        `prevHash does not match the hash of event ${this.#seq}: the chain was rewritten`,
      )
    }
    const problem = this.#hashProblem(event)
    if (problem !== undefined) return this.#fail(event.seq, problem)
    this.#seq = event.seq
    this.#hash = event.hash
    this.#events += 1
    if (
      this.#anchor !== undefined &&
      this.#anchor.length >= 16 &&
      event.hash.startsWith(this.#anchor)
    )
      this.#anchorFound = true
    return true
  }

  #hashProblem(event: AuditEvent): string | undefined {
    const plain = auditHash(event.prevHash, event) === event.hash
    if (this.#key === undefined) {
      if (plain) {
        this.#unkeyed += 1
        return undefined
      }
      return `event ${event.seq} does not match its hash: it was edited, or the log is keyed (set audit.key to verify it)`
    }
    if (auditHash(event.prevHash, event, this.#key) === event.hash) return undefined
    if (!plain)
      return `event ${event.seq} was edited: its content does not match its keyed hash (or audit.key is not the key it was written with)`
    if (this.#unkeyed < this.#events) {
      return `event ${event.seq} is hashed without the key after keyed events: the chain was recomputed without audit.key`
    }
    this.#unkeyed += 1
    return undefined
  }

  /** Compares the end of the chain with the head row, which catches deleted newest events. */
  finish(
    head: { readonly seq: number; readonly hash: string } | undefined,
  ): ChainProblem | undefined {
    if (this.#problem) return this.#problem
    const headSeq = head?.seq ?? 0
    const headHash = head?.hash ?? GENESIS_HASH
    if (headSeq > this.#seq) {
      this.#fail(
        this.#seq + 1,
        `the head is at event ${headSeq} but the log ends at ${this.#seq}: newest events were deleted`,
      )
    } else if (headSeq < this.#seq) {
      this.#fail(
        headSeq + 1,
        `the log has events after the head (seq ${headSeq}): the head was changed`,
      )
    } else if (headHash !== this.#hash) {
      this.#fail(this.#seq, `the head's hash does not match event ${this.#seq}`)
    }
    if (this.#problem) return this.#problem
    if (this.#key !== undefined && this.#events > 0 && this.#unkeyed === this.#events) {
      this.#fail(
        1,
        'audit.key is set but no event is keyed: the chain was recomputed without the key (or no event was written since the key was set)',
      )
    } else if (this.#anchor !== undefined && !this.#anchorFound) {
      this.#fail(
        this.#seq + 1,
        `the anchored head ${this.#anchor.slice(0, 16)}… is not in the log: events were deleted or the chain was rewritten`,
      )
    }
    return this.#problem
  }

  get head(): string {
    return this.#hash
  }

  #fail(firstBadSeq: number, problem: string): false {
    this.#problem = { firstBadSeq, problem }
    return false
  }
}
