// A minimal BER codec for LDAPv3 (RFC 4511 §5.1): definite lengths, single-byte tags, the universal types
// LDAP uses (INTEGER, ENUMERATED, BOOLEAN, OCTET STRING, SEQUENCE, SET). It does not do indefinite lengths,
// multi-byte tags or REAL/OID encodings, which LDAP never sends.

export class BerError extends Error {}

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  enumerated: 0x0a,
  sequence: 0x30,
  set: 0x31,
} as const

/** One decoded TLV: its tag and the bytes of its content. */
export interface Tlv {
  readonly tag: number
  readonly content: Buffer
}

/** Reads consecutive TLVs from a buffer. Each read checks the tag, so malformed input fails loudly. */
export class BerReader {
  readonly #buf: Buffer
  #pos = 0

  constructor(buf: Buffer) {
    this.#buf = buf
  }

  get done(): boolean {
    return this.#pos >= this.#buf.length
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.#buf[this.#pos]
  }

  read(): Tlv {
    const buf = this.#buf
    const tag = buf[this.#pos]
    if (tag === undefined) throw new BerError('unexpected end of data')
    const header = readLength(buf, this.#pos + 1)
    if (header === undefined) throw new BerError('truncated length')
    const start = header.next
    const end = start + header.length
    if (end > buf.length) throw new BerError('truncated value')
    this.#pos = end
    return { tag, content: buf.subarray(start, end) }
  }

  expect(tag: number): Buffer {
    const tlv = this.read()
    if (tlv.tag !== tag)
      throw new BerError(`expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`)
    return tlv.content
  }

  /** A reader over the content of the next TLV, which must have this tag. */
  sub(tag: number): BerReader {
    return new BerReader(this.expect(tag))
  }

  int(tag: number = Tag.integer): number {
    return decodeInt(this.expect(tag))
  }

  bool(tag: number = Tag.boolean): boolean {
    const content = this.expect(tag)
    return content.length > 0 && content[0] !== 0
  }

  octets(tag: number = Tag.octetString): Buffer {
    return this.expect(tag)
  }

  string(tag: number = Tag.octetString): string {
    return this.expect(tag).toString('utf8')
  }
}

export function decodeInt(content: Buffer): number {
  if (content.length === 0 || content.length > 6) throw new BerError('bad integer length')
  return content.readIntBE(0, content.length)
}

/** Length of a TLV's header and content at `offset`, or undefined when the buffer does not hold it all yet. */
export function tlvSize(buf: Buffer, offset = 0): number | undefined {
  if (buf.length < offset + 2) return undefined
  const header = readLength(buf, offset + 1)
  if (header === undefined) return undefined
  return header.next - offset + header.length
}

function readLength(buf: Buffer, at: number): { length: number; next: number } | undefined {
  const first = buf[at]
  if (first === undefined) return undefined
  if (first < 0x80) return { length: first, next: at + 1 }
  const count = first & 0x7f
  if (count === 0 || count > 4) throw new BerError('unsupported length encoding')
  if (buf.length < at + 1 + count) return undefined
  return { length: buf.readUIntBE(at + 1, count), next: at + 1 + count }
}

// ---- encoding: pure functions building buffers bottom-up

export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  let header: Buffer
  if (n < 0x80) header = Buffer.from([tag, n])
  else if (n < 0x100) header = Buffer.from([tag, 0x81, n])
  else if (n < 0x10000) header = Buffer.from([tag, 0x82, n >> 8, n & 0xff])
  else if (n < 0x1000000) header = Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff])
  else
    header = Buffer.from([
      tag,
      0x84,
      (n >>> 24) & 0xff,
      (n >> 16) & 0xff,
      (n >> 8) & 0xff,
      n & 0xff,
    ])
  return Buffer.concat([header, content])
}

export function constructed(tag: number, parts: readonly Buffer[]): Buffer {
  return tlv(tag, Buffer.concat(parts))
}

export function encodeInt(value: number, tag: number = Tag.integer): Buffer {
  const bytes: number[] = []
  let v = value
  for (;;) {
    bytes.unshift(v & 0xff)
    v = Math.floor(v / 256)
    const top = bytes[0] ?? 0
    if ((v === 0 && (top & 0x80) === 0) || (v === -1 && (top & 0x80) !== 0)) break
  }
  return tlv(tag, Buffer.from(bytes))
}

export function encodeBool(value: boolean, tag: number = Tag.boolean): Buffer {
  return tlv(tag, Buffer.from([value ? 0xff : 0]))
}

export function encodeOctets(value: string | Buffer, tag: number = Tag.octetString): Buffer {
  return tlv(tag, typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
}
