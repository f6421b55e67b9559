// LDAPv3 messages (RFC 4511 §4) on top of ber.ts: decoding client requests with their controls into plain
// objects, and encoding the server's responses. No behaviour here; connection.ts decides what to answer.
import type { Modification, ModifyOperation } from './apply-changes.ts'
import type { WireAttribute } from './attribute-input.ts'
import {
  BerError,
  BerReader,
  constructed,
  encodeBool,
  encodeInt,
  encodeOctets,
  Tag,
} from './ber.ts'
import type { Filter } from './filter.ts'
import type { Scope } from './search.ts'
import type { ResultAttribute } from './select-attributes.ts'

export type Request =
  | {
      readonly op: 'bind'
      readonly version: number
      readonly name: string
      readonly password?: Buffer
      readonly sasl?: string
    }
  | { readonly op: 'unbind' }
  | {
      readonly op: 'search'
      readonly base: string
      readonly scope: Scope
      readonly sizeLimit: number
      readonly typesOnly: boolean
      readonly filter: Filter
      readonly attributes: readonly string[]
    }
  | { readonly op: 'modify'; readonly dn: string; readonly changes: readonly Modification[] }
  | { readonly op: 'add'; readonly dn: string; readonly attributes: readonly WireAttribute[] }
  | { readonly op: 'delete'; readonly dn: string }
  | {
      readonly op: 'modifyDn'
      readonly dn: string
      readonly newRdn: string
      readonly deleteOldRdn: boolean
      readonly newSuperior?: string
    }
  | {
      readonly op: 'compare'
      readonly dn: string
      readonly attribute: string
      readonly value: Buffer
    }
  | { readonly op: 'abandon'; readonly id: number }
  | { readonly op: 'extended'; readonly name: string; readonly value?: Buffer }
  | { readonly op: 'unknown'; readonly tag: number }

export interface Control {
  readonly type: string
  readonly critical: boolean
  readonly value?: Buffer
}

export interface Message {
  readonly id: number
  readonly request: Request
  readonly controls: readonly Control[]
}

const SCOPES: readonly Scope[] = ['base', 'one', 'sub']
const OPERATIONS: readonly ModifyOperation[] = ['add', 'delete', 'replace', 'increment']

export function decodeMessage(buf: Buffer): Message {
  const msg = new BerReader(buf).sub(Tag.sequence)
  const id = msg.int()
  const op = msg.read()
  const request = decodeRequest(op.tag, op.content)
  const controls: Control[] = []
  if (msg.peekTag() === 0xa0) {
    const list = msg.sub(0xa0)
    while (!list.done) {
      const c = list.sub(Tag.sequence)
      const type = c.string()
      const critical = c.peekTag() === Tag.boolean ? c.bool() : false
      const value = c.peekTag() === Tag.octetString ? c.octets() : undefined
      controls.push(value === undefined ? { type, critical } : { type, critical, value })
    }
  }
  return { id, request, controls }
}

function decodeRequest(tag: number, content: Buffer): Request {
  const r = new BerReader(content)
  switch (tag) {
    case 0x60: {
      const version = r.int()
      const name = r.string()
      const auth = r.read()
      if (auth.tag === 0x80) return { op: 'bind', version, name, password: auth.content }
      const mechanism = auth.tag === 0xa3 ? new BerReader(auth.content).string() : 'unknown'
      return { op: 'bind', version, name, sasl: mechanism }
    }
    case 0x42:
      return { op: 'unbind' }
    case 0x63: {
      const base = r.string()
      const scope = SCOPES[r.int(Tag.enumerated)] ?? 'base'
      r.int(Tag.enumerated) // derefAliases: there are no aliases here
      const sizeLimit = r.int()
      r.int() // timeLimit: every search is fast enough
      const typesOnly = r.bool()
      const filter = decodeFilter(r.read())
      const attributes: string[] = []
      const list = r.sub(Tag.sequence)
      while (!list.done) attributes.push(list.string())
      return { op: 'search', base, scope, sizeLimit, typesOnly, filter, attributes }
    }
    case 0x66: {
      const dn = r.string()
      const changes: Modification[] = []
      const list = r.sub(Tag.sequence)
      while (!list.done) {
        const change = list.sub(Tag.sequence)
        const operation = OPERATIONS[change.int(Tag.enumerated)]
        if (operation === undefined) throw new BerError('bad modify operation')
        changes.push({ operation, attribute: decodeAttribute(change.sub(Tag.sequence)) })
      }
      return { op: 'modify', dn, changes }
    }
    case 0x68: {
      const dn = r.string()
      const attributes: WireAttribute[] = []
      const list = r.sub(Tag.sequence)
      while (!list.done) attributes.push(decodeAttribute(list.sub(Tag.sequence)))
      return { op: 'add', dn, attributes }
    }
    case 0x4a:
      return { op: 'delete', dn: content.toString('utf8') }
    case 0x6c: {
      const dn = r.string()
      const newRdn = r.string()
      const deleteOldRdn = r.bool()
      const newSuperior = r.peekTag() === 0x80 ? r.string(0x80) : undefined
      return newSuperior === undefined
        ? { op: 'modifyDn', dn, newRdn, deleteOldRdn }
        : { op: 'modifyDn', dn, newRdn, deleteOldRdn, newSuperior }
    }
    case 0x6e: {
      const dn = r.string()
      const ava = r.sub(Tag.sequence)
      return { op: 'compare', dn, attribute: ava.string(), value: ava.octets() }
    }
    case 0x50:
      return {
        op: 'abandon',
        id: content.length === 0 ? 0 : content.readIntBE(0, Math.min(content.length, 6)),
      }
    case 0x77: {
      const name = r.string(0x80)
      const value = r.peekTag() === 0x81 ? r.octets(0x81) : undefined
      return value === undefined ? { op: 'extended', name } : { op: 'extended', name, value }
    }
    default:
      return { op: 'unknown', tag }
  }
}

function decodeAttribute(r: BerReader): WireAttribute {
  const type = r.string()
  const values: Buffer[] = []
  const set = r.sub(Tag.set)
  while (!set.done) values.push(set.octets())
  return { type, values }
}

function decodeFilter(tlv: { tag: number; content: Buffer }): Filter {
  const r = new BerReader(tlv.content)
  const ava = () => ({ attribute: r.string(), value: r.octets() })
  switch (tlv.tag) {
    case 0xa0:
    case 0xa1: {
      const filters: Filter[] = []
      while (!r.done) filters.push(decodeFilter(r.read()))
      return { kind: tlv.tag === 0xa0 ? 'and' : 'or', filters }
    }
    case 0xa2:
      return { kind: 'not', filter: decodeFilter(r.read()) }
    case 0xa3:
      return { kind: 'equality', ...ava() }
    case 0xa5:
      return { kind: 'ge', ...ava() }
    case 0xa6:
      return { kind: 'le', ...ava() }
    case 0xa8:
      return { kind: 'approx', ...ava() }
    case 0x87:
      return { kind: 'present', attribute: tlv.content.toString('utf8') }
    case 0xa4: {
      const attribute = r.string()
      const parts = r.sub(Tag.sequence)
      let initial: string | undefined
      let final: string | undefined
      const any: string[] = []
      while (!parts.done) {
        const part = parts.read()
        const text = part.content.toString('utf8')
        if (part.tag === 0x80) initial = text
        else if (part.tag === 0x81) any.push(text)
        else if (part.tag === 0x82) final = text
      }
      return {
        kind: 'substrings',
        attribute,
        any,
        ...(initial === undefined ? {} : { initial }),
        ...(final === undefined ? {} : { final }),
      }
    }
    case 0xa9: {
      let rule: string | undefined
      let attribute: string | undefined
      let value: Buffer = Buffer.alloc(0)
      let dnAttributes = false
      while (!r.done) {
        const part = r.read()
        if (part.tag === 0x81) rule = part.content.toString('utf8')
        else if (part.tag === 0x82) attribute = part.content.toString('utf8')
        else if (part.tag === 0x83) value = part.content
        else if (part.tag === 0x84) dnAttributes = part.content[0] !== 0
      }
      return {
        kind: 'extensible',
        value,
        dnAttributes,
        ...(rule === undefined ? {} : { rule }),
        ...(attribute === undefined ? {} : { attribute }),
      }
    }
    default:
      throw new BerError(`unknown filter tag 0x${tlv.tag.toString(16)}`)
  }
}

// ---- responses

export const ResponseTag = {
  bind: 0x61,
  searchDone: 0x65,
  modify: 0x67,
  add: 0x69,
  delete: 0x6b,
  modifyDn: 0x6d,
  compare: 0x6f,
  extended: 0x78,
} as const

function envelope(id: number, op: Buffer, controls?: readonly Buffer[]): Buffer {
  const parts = [encodeInt(id), op]
  if (controls !== undefined && controls.length > 0) parts.push(constructed(0xa0, controls))
  return constructed(Tag.sequence, parts)
}

export interface ResultOptions {
  readonly matchedDn?: string
  readonly message?: string
  /** Extra elements after the LDAPResult (extended response name/value). */
  readonly extra?: readonly Buffer[]
  readonly controls?: readonly Buffer[]
}

export function encodeResult(
  id: number,
  tag: number,
  code: number,
  options: ResultOptions = {},
): Buffer {
  const result = [
    encodeInt(code, Tag.enumerated),
    encodeOctets(options.matchedDn ?? ''),
    encodeOctets(options.message ?? ''),
  ]
  return envelope(id, constructed(tag, [...result, ...(options.extra ?? [])]), options.controls)
}

export function encodeSearchEntry(
  id: number,
  dn: string,
  attributes: readonly ResultAttribute[],
): Buffer {
  const attrs = attributes.map((a) =>
    constructed(Tag.sequence, [
      encodeOctets(a.type),
      constructed(
        Tag.set,
        a.values.map((v) => encodeOctets(v)),
      ),
    ]),
  )
  return envelope(id, constructed(0x64, [encodeOctets(dn), constructed(Tag.sequence, attrs)]))
}

export function encodeControl(type: string, value: Buffer, critical = false): Buffer {
  return constructed(Tag.sequence, [
    encodeOctets(type),
    ...(critical ? [encodeBool(true)] : []),
    encodeOctets(value),
  ])
}

export const PAGED_RESULTS = '1.2.840.113556.1.4.319'

export function decodePagedValue(value: Buffer | undefined): { size: number; cookie: Buffer } {
  const r = new BerReader(value ?? Buffer.alloc(0)).sub(Tag.sequence)
  return { size: r.int(), cookie: r.octets() }
}

export function encodePagedControl(cookie: Buffer, size = 0): Buffer {
  return encodeControl(
    PAGED_RESULTS,
    constructed(Tag.sequence, [encodeInt(size), encodeOctets(cookie)]),
  )
}
