// The audit log's hash chain, as pure functions: how an event is hashed and how a stored sequence of events
// is checked against itself and against the head. Reading and writing rows is the store's job.
import { createHash } from 'node:crypto'
import type { AuditEvent, AuditEventInput } from './store.ts'
import { canonicalJson } from './canonical-json.ts'

/** prevHash of the first event of a tenant. */
export const GENESIS_HASH = '0'.repeat(64)

/** sha256 hex of prevHash + canonical JSON of the event's fields (absent ones left out). */
export function auditHash(prevHash: string, event: Omit<AuditEvent, 'prevHash' | 'hash'>): string {
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
  return createHash('sha256').update(prevHash).update(canonicalJson(fields)).digest('hex')
}

/** Numbers and hashes the next events after the head; `at` is one timestamp for the whole batch. */
export function chainEvents(
  head: { readonly seq: number; readonly hash: string },
  inputs: readonly AuditEventInput[],
  at: string,
): AuditEvent[] {
  let { seq, hash } = head
  return inputs.map((input) => {
    seq += 1
    const event = { ...definedFields(input), seq, at }
    const prevHash = hash
    hash = auditHash(prevHash, event)
    return { ...event, prevHash, hash }
  })
}

function definedFields(input: AuditEventInput): AuditEventInput {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value
  return out as unknown as AuditEventInput
}

export type ChainProblem = { readonly firstBadSeq: number; readonly problem: string }

/** Walks stored events in seq order, one page at a time; remembers the first break it sees. */
export class ChainVerifier {
  #seq = 0
  #hash = GENESIS_HASH
  #events = 0
  #problem: ChainProblem | undefined

  get events(): number {
    return this.#events
  }

  get problem(): ChainProblem | undefined {
    return this.#problem
  }

  /** Returns false once a problem is found; later events are not looked at. */
  check(event: AuditEvent): boolean {
    if (this.#problem) return false
    const expected = this.#seq + 1
    if (event.seq !== expected) {
      const missing = event.seq - 1 === expected ? `event ${expected} is missing` : `events ${expected} to ${event.seq - 1} are missing`
      return this.#fail(expected, `${missing} (deleted): the sequence jumps from ${this.#seq} to ${event.seq}`)
    }
    if (event.prevHash !== this.#hash) {
      return this.#fail(event.seq, `prevHash does not match the hash of event ${this.#seq}: the chain was rewritten`)
    }
    if (auditHash(event.prevHash, event) !== event.hash) {
      return this.#fail(event.seq, `event ${event.seq} was edited: its content does not match its hash`)
    }
    this.#seq = event.seq
    this.#hash = event.hash
    this.#events += 1
    return true
  }

  /** Compares the end of the chain with the head row, which catches deleted newest events. */
  finish(head: { readonly seq: number; readonly hash: string } | undefined): ChainProblem | undefined {
    if (this.#problem) return this.#problem
    const headSeq = head?.seq ?? 0
    const headHash = head?.hash ?? GENESIS_HASH
    if (headSeq > this.#seq) {
      this.#fail(this.#seq + 1, `the head is at event ${headSeq} but the log ends at ${this.#seq}: newest events were deleted`)
    } else if (headSeq < this.#seq) {
      this.#fail(headSeq + 1, `the log has events after the head (seq ${headSeq}): the head was changed`)
    } else if (headHash !== this.#hash) {
      this.#fail(this.#seq, `the head's hash does not match event ${this.#seq}`)
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
