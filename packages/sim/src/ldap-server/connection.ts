// One client connection: splits the byte stream into LDAP messages, keeps the bind state and the paged
// searches in progress, runs each request against the directory and writes the response. Requests are
// answered in the order they arrive; the directory is synchronous, so many requests in flight are fine.
import type { Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { encodeOctets, tlvSize } from './ber.ts'
import { ANONYMOUS, type Directory, type Session } from './directory.ts'
import type { Entry } from './entry.ts'
import type { Filter } from './filter.ts'
import {
  decodeMessage,
  decodePagedValue,
  encodePagedControl,
  encodeResult,
  encodeSearchEntry,
  PAGED_RESULTS,
  ResponseTag,
  type Message,
  type Request,
} from './ldap-messages.ts'
import { LdapResultError, ResultCode } from './result-code.ts'
import { findEntries, stillMatches, SUPPORTED_CONTROLS } from './search.ts'
import { selectAttributes } from './select-attributes.ts'

const WHO_AM_I = '1.3.6.1.4.1.4203.1.11.3'
const MAX_PAGED_SEARCHES = 32

interface PagedSearch {
  readonly entries: readonly Entry[]
  readonly filter: Filter
  position: number
  sent: number
}

interface Outcome {
  readonly code: number
  readonly message?: string
  readonly matchedDn?: string
}

const SUCCESS: Outcome = { code: ResultCode.success }

export class LdapConnection {
  readonly #socket: Socket
  readonly #directory: Directory
  #session: Session = ANONYMOUS
  #pending: Buffer = Buffer.alloc(0)
  readonly #paged = new Map<string, PagedSearch>()

  constructor(socket: Socket, directory: Directory) {
    this.#socket = socket
    this.#directory = directory
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.#receive(chunk))
    socket.on('error', () => socket.destroy())
  }

  #receive(chunk: Buffer) {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    this.#socket.cork()
    try {
      for (;;) {
        const size = tlvSize(this.#pending)
        if (size === undefined || size > this.#pending.length) break
        const raw = this.#pending.subarray(0, size)
        this.#pending = this.#pending.subarray(size)
        this.#handle(decodeMessage(raw))
      }
    } catch {
      // a message we cannot decode leaves the stream out of step: drop the connection, as slapd does
      this.#socket.destroy()
    } finally {
      this.#socket.uncork()
    }
  }

  #handle(message: Message) {
    const { id, request } = message
    if (request.op === 'unbind') {
      this.#socket.end()
      return
    }
    if (request.op === 'abandon') return
    const tag = responseTag(request)
    if (tag === undefined) throw new Error('unknown operation')
    const unsupported = message.controls.find(
      (c) => c.critical && !SUPPORTED_CONTROLS.includes(c.type),
    )
    if (unsupported !== undefined) {
      this.#write(
        encodeResult(id, tag, ResultCode.unavailableCriticalExtension, {
          message: 'critical extension is unavailable',
        }),
      )
      return
    }
    let outcome: Outcome
    let extra: Buffer[] | undefined
    let controls: Buffer[] | undefined
    try {
      if (request.op === 'search') {
        ;({ outcome, controls } = this.#search(message, request))
      } else if (request.op === 'extended') {
        ;({ outcome, extra } = this.#extended(request))
      } else {
        outcome = this.#run(request)
      }
    } catch (e) {
      if (!(e instanceof LdapResultError)) throw e
      outcome = { code: e.code, message: e.message, matchedDn: e.matchedDn }
      if (request.op === 'bind') this.#session = ANONYMOUS
    }
    this.#write(
      encodeResult(id, tag, outcome.code, {
        ...outcome,
        ...(extra ? { extra } : {}),
        ...(controls ? { controls } : {}),
      }),
    )
  }

  #run(request: Request): Outcome {
    const dir = this.#directory
    switch (request.op) {
      case 'bind':
        if (request.version !== 3)
          return {
            code: ResultCode.protocolError,
            message: 'requested protocol version not allowed',
          }
        if (request.password === undefined)
          return {
            code: ResultCode.authMethodNotSupported,
            message: 'SASL mechanism not supported',
          }
        this.#session = ANONYMOUS
        this.#session = dir.bind(request.name, request.password)
        return SUCCESS
      case 'add':
        dir.add(this.#session, request.dn, request.attributes)
        return SUCCESS
      case 'modify':
        dir.modify(this.#session, request.dn, request.changes)
        return SUCCESS
      case 'delete':
        dir.delete(this.#session, request.dn)
        return SUCCESS
      case 'modifyDn':
        dir.modifyDn(
          this.#session,
          request.dn,
          request.newRdn,
          request.deleteOldRdn,
          request.newSuperior,
        )
        return SUCCESS
      case 'compare':
        return {
          code: dir.compare(request.dn, request.attribute, request.value)
            ? ResultCode.compareTrue
            : ResultCode.compareFalse,
        }
      case 'search':
      case 'extended':
      case 'abandon':
      case 'unbind':
      case 'unknown':
        return { code: ResultCode.protocolError }
    }
  }

  #extended(request: Extract<Request, { op: 'extended' }>): { outcome: Outcome; extra?: Buffer[] } {
    if (request.name !== WHO_AM_I)
      return {
        outcome: { code: ResultCode.protocolError, message: 'unsupported extended operation' },
      }
    const dn = this.#session.dn
    const authzId = dn === undefined ? '' : `dn:${dn.pretty}`
    return { outcome: SUCCESS, extra: [encodeOctets(authzId, 0x8b)] }
  }

  #search(
    message: Message,
    request: Extract<Request, { op: 'search' }>,
  ): { outcome: Outcome; controls?: Buffer[] } {
    const pagedControl = message.controls.find((c) => c.type === PAGED_RESULTS)
    const limit = request.sizeLimit > 0 ? request.sizeLimit : Infinity
    if (pagedControl === undefined) {
      const entries = findEntries(this.#directory, request.base, request.scope, request.filter)
      const count = Math.min(entries.length, limit)
      for (let i = 0; i < count; i++) this.#sendEntry(message.id, request, entries[i] as Entry)
      return {
        outcome: {
          code: entries.length > limit ? ResultCode.sizeLimitExceeded : ResultCode.success,
        },
      }
    }

    const { size, cookie } = decodePagedValue(pagedControl.value)
    const key = cookie.toString('hex')
    let state = this.#paged.get(key)
    this.#paged.delete(key)
    if (cookie.length > 0 && state === undefined) {
      return {
        outcome: {
          code: ResultCode.unwillingToPerform,
          message: 'paged results cookie is invalid',
        },
      }
    }
    if (size === 0) return { outcome: SUCCESS, controls: [encodePagedControl(Buffer.alloc(0))] }
    state ??= {
      entries: findEntries(this.#directory, request.base, request.scope, request.filter),
      filter: request.filter,
      position: 0,
      sent: 0,
    }
    let inPage = 0
    while (inPage < size && state.position < state.entries.length) {
      const entry = stillMatches(
        this.#directory,
        state.entries[state.position++] as Entry,
        state.filter,
      )
      if (entry === undefined) continue
      if (state.sent >= limit)
        return {
          outcome: { code: ResultCode.sizeLimitExceeded },
          controls: [encodePagedControl(Buffer.alloc(0))],
        }
      this.#sendEntry(message.id, request, entry)
      inPage++
      state.sent++
    }
    if (state.position >= state.entries.length)
      return { outcome: SUCCESS, controls: [encodePagedControl(Buffer.alloc(0))] }
    const next = randomBytes(8)
    this.#paged.set(next.toString('hex'), state)
    if (this.#paged.size > MAX_PAGED_SEARCHES)
      this.#paged.delete(this.#paged.keys().next().value ?? '')
    return { outcome: SUCCESS, controls: [encodePagedControl(next)] }
  }

  #sendEntry(id: number, request: Extract<Request, { op: 'search' }>, entry: Entry) {
    const attributes = selectAttributes(
      entry,
      request.attributes,
      request.typesOnly,
      this.#directory.read,
    )
    this.#write(encodeSearchEntry(id, entry.dn.pretty, attributes))
  }

  #write(buf: Buffer) {
    if (!this.#socket.destroyed) this.#socket.write(buf)
  }
}

function responseTag(request: Request): number | undefined {
  switch (request.op) {
    case 'bind':
      return ResponseTag.bind
    case 'search':
      return ResponseTag.searchDone
    case 'modify':
      return ResponseTag.modify
    case 'add':
      return ResponseTag.add
    case 'delete':
      return ResponseTag.delete
    case 'modifyDn':
      return ResponseTag.modifyDn
    case 'compare':
      return ResponseTag.compare
    case 'extended':
      return ResponseTag.extended
    case 'abandon':
    case 'unbind':
    case 'unknown':
      return undefined
  }
}
