// RFC 4514 distinguished-name syntax: parsing a DN string into RDNs of (type, value) pairs with all escapes
// resolved, and escaping a value back the way OpenLDAP prints DNs (`\2C`, `\2B`, `\23` for a leading `#`,
// `\20` for a leading/trailing space). It knows nothing of the schema: see dn-key.ts for matching.

export class DnSyntaxError extends Error {}

export interface RawAva {
  /** The attribute type as written: a name or a numeric OID. */
  readonly type: string
  /** The value with escapes resolved. */
  readonly value: string
}

export type RawRdn = readonly RawAva[]

const SPECIAL = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\'])
const HEX = /^[0-9a-fA-F]{2}$/
const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/
const NUMERICOID = /^\d+(\.\d+)*$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Parses a DN; the empty string is the empty DN (the root DSE). Also accepts `;` between RDNs and quoted values, as RFC 2253 parsers do. */
export function parseDn(text: string): RawRdn[] {
  const rdns: RawRdn[] = []
  let pos = skipSpaces(text, 0)
  if (pos === text.length) return rdns
  let avas: RawAva[] = []
  for (;;) {
    const eq = text.indexOf('=', pos)
    if (eq < 0) throw new DnSyntaxError('missing "="')
    const type = text.slice(pos, eq).trim()
    if (!DESCR.test(type) && !NUMERICOID.test(type))
      throw new DnSyntaxError(`bad attribute type "${type}"`)
    const parsed = parseValue(text, skipSpaces(text, eq + 1))
    avas.push({ type, value: parsed.value })
    pos = skipSpaces(text, parsed.end)
    const sep = text[pos]
    if (sep === '+') {
      pos = skipSpaces(text, pos + 1)
      continue
    }
    rdns.push(avas)
    avas = []
    if (sep === undefined) return rdns
    if (sep !== ',' && sep !== ';') throw new DnSyntaxError(`unexpected "${sep}"`)
    pos = skipSpaces(text, pos + 1)
    if (pos === text.length) throw new DnSyntaxError('empty RDN')
  }
}

function skipSpaces(text: string, pos: number): number {
  while (text[pos] === ' ') pos++
  return pos
}

function parseValue(text: string, start: number): { value: string; end: number } {
  if (text[start] === '#') throw new DnSyntaxError('BER-encoded (#hex) values are not supported')
  if (text[start] === '"') return parseQuoted(text, start + 1)
  const bytes: number[] = []
  let keep = 0 // bytes up to the last character that is not an unescaped space
  let pos = start
  for (; pos < text.length; pos++) {
    const c = text[pos] ?? ''
    if (c === ',' || c === '+' || c === ';') break
    if (c === '"') throw new DnSyntaxError('unescaped quote')
    if (c === '\\') {
      pos = readEscape(text, pos, bytes)
      keep = bytes.length
      continue
    }
    pos = pushChar(text, pos, bytes)
    if (c !== ' ') keep = bytes.length
  }
  return { value: decode(bytes.slice(0, keep)), end: pos }
}

function parseQuoted(text: string, start: number): { value: string; end: number } {
  const bytes: number[] = []
  for (let pos = start; pos < text.length; pos++) {
    const c = text[pos] ?? ''
    if (c === '"') return { value: decode(bytes), end: pos + 1 }
    if (c === '\\') pos = readEscape(text, pos, bytes)
    else pos = pushChar(text, pos, bytes)
  }
  throw new DnSyntaxError('unterminated quoted value')
}

// returns the index of the escape's last character
function readEscape(text: string, pos: number, bytes: number[]): number {
  const pair = text.slice(pos + 1, pos + 3)
  if (HEX.test(pair)) {
    bytes.push(parseInt(pair, 16))
    return pos + 2
  }
  const c = text[pos + 1]
  if (c === undefined || !SPECIAL.has(c)) throw new DnSyntaxError('bad escape')
  bytes.push(c.charCodeAt(0))
  return pos + 1
}

// appends the UTF-8 bytes of the character at `pos`; returns the index of its last UTF-16 unit
function pushChar(text: string, pos: number, bytes: number[]): number {
  const cp = text.codePointAt(pos) ?? 0
  if (cp < 0x80) {
    bytes.push(cp)
    return pos
  }
  for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b)
  return cp > 0xffff ? pos + 1 : pos
}

function decode(bytes: number[]): string {
  try {
    return utf8.decode(Uint8Array.from(bytes))
  } catch {
    throw new DnSyntaxError('value is not UTF-8')
  }
}

/** Escapes an attribute value for a DN string, in OpenLDAP's style (hex escapes, UTF-8 kept as is). */
export function escapeDnValue(value: string): string {
  let out = ''
  const last = value.length - 1
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? ''
    const code = c.charCodeAt(0)
    const special =
      c === '\\' ||
      c === ',' ||
      c === '+' ||
      c === '"' ||
      c === '<' ||
      c === '>' ||
      c === ';' ||
      c === '='
    if (
      special ||
      code < 0x20 ||
      code === 0x7f ||
      (c === '#' && i === 0) ||
      (c === ' ' && (i === 0 || i === last))
    ) {
      out += '\\' + code.toString(16).toUpperCase().padStart(2, '0')
    } else out += c
  }
  return out
}
