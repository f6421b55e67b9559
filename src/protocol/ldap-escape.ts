// RFC 4514 distinguished names: escaping one attribute value, parsing a DN string into RDNs, and writing RDNs
// back in one canonical form. Filters are not escaped here: the connector builds ldapts Filter objects, whose
// values travel as raw BER octets and so cannot be injected into (RFC 4515 escaping is only for filter text).
//
// ldapts' own RDN/DN classes escape, but they quote values with leading/trailing spaces (an LDAPv2 form) and
// write `\\` for a backslash, which ldapts' own modifyDN then splits at the wrong comma; they cannot parse.

export interface Ava {
  readonly type: string
  readonly value: string
}

/** One RDN: usually one attribute-value pair, several for a multi-valued RDN (`cn=a+uid=b`). */
export type Rdn = readonly Ava[]

const SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', '=', '\0'])

// no special or control character anywhere, no leading space or #, no trailing space
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const PLAIN_VALUE = /^(?:[^"+,;<>\\=\x00-\x1f #][^"+,;<>\\=\x00-\x1f]*(?<! ))?$/

const hex = (c: string) =>
  [...Buffer.from(c, 'utf8')]
    .map((b) => `\\${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('')

/**
 * Escapes one attribute value for use in a DN, the way slapd prints DNs (hex escapes, UTF-8 kept as is), so
 * that a DN we write and the DN slapd returns compare equal as strings in the common case.
 */
export function escapeDnValue(value: string): string {
  // most values need no escaping; checking that first keeps DN handling off the apply's hot path
  if (PLAIN_VALUE.test(value)) return value
  let out = ''
  const chars = [...value]
  chars.forEach((c, i) => {
    const edge = (i === 0 && (c === ' ' || c === '#')) || (i === chars.length - 1 && c === ' ')
    out += edge || SPECIAL.has(c) || c < ' ' ? hex(c) : c
  })
  return out
}

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/

/** Parses an RFC 4514 DN; throws an Error that quotes the DN when it is malformed. */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = []
  let avas: Ava[] = []
  let i = 0
  const fail = (why: string): never => {
    throw new Error(`invalid DN ${JSON.stringify(dn)}: ${why} at position ${i}`)
  }
  if (dn.trim() === '') return []
  for (;;) {
    while (dn[i] === ' ') i++
    const eq = dn.indexOf('=', i)
    if (eq < 0) fail('expected "type="')
    const type = dn.slice(i, eq).trim()
    if (!TYPE.test(type)) fail(`bad attribute type ${JSON.stringify(type)}`)
    i = eq + 1
    if (dn[i] === '#') fail('BER-encoded (#hex) values are not supported')
    // fast path for the usual value without escapes: a plain substring (the byte-wise loop below is for \xx)
    let end = i
    while (
      end < dn.length &&
      dn[end] !== ',' &&
      dn[end] !== '+' &&
      dn[end] !== ';' &&
      dn[end] !== '\\'
    )
      end++
    if (dn[end] !== '\\') {
      const raw = dn.slice(i, end)
      const bad = /["<>=]/.exec(raw)
      if (bad !== null) {
        i += bad.index
        fail(`unescaped ${bad[0]}`)
      }
      avas.push({ type, value: raw.replace(/^ +/, '').replace(/ +$/, '') })
      i = end
      if (i >= dn.length) break
      const sep = dn[i]
      i++
      if (sep !== '+') {
        rdns.push(avas)
        avas = []
      }
      if (i >= dn.length) fail('trailing separator')
      continue
    }
    const bytes: number[] = []
    let trailingSpaces = 0
    while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
      const c = dn[i] as string
      if (c === '\\') {
        const pair = dn.slice(i + 1, i + 3)
        if (/^[0-9A-Fa-f]{2}$/.test(pair)) {
          bytes.push(parseInt(pair, 16))
          i += 3
        } else if (i + 1 < dn.length) {
          bytes.push(...Buffer.from(dn[i + 1] as string, 'utf8'))
          i += 2
        } else fail('dangling backslash')
        trailingSpaces = 0
        continue
      }
      if (c === ' ' && bytes.length === 0) {
        i++
        continue
      }
      if (c === '"' || c === '<' || c === '>' || c === '=') fail(`unescaped ${c}`)
      const cp = dn.codePointAt(i) as number
      const ch = String.fromCodePoint(cp)
      bytes.push(...Buffer.from(ch, 'utf8'))
      trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0
      i += ch.length
    }
    // unescaped trailing spaces before a separator are not part of the value (RFC 4514 §3)
    const value = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString('utf8')
    avas.push({ type, value })
    if (i >= dn.length) break
    const sep = dn[i]
    i++
    if (sep !== '+') {
      rdns.push(avas)
      avas = []
    }
    if (i >= dn.length) fail('trailing separator')
  }
  rdns.push(avas)
  return rdns
}

/** Writes RDNs as a DN string with `escapeDnValue`, keeping the attribute types as given. */
export function formatDn(rdns: readonly Rdn[]): string {
  return rdns
    .map((rdn) => rdn.map((a) => `${a.type}=${escapeDnValue(a.value)}`).join('+'))
    .join(',')
}

/**
 * A comparison key: types and values lower-cased, multi-valued RDNs sorted. Treats every naming attribute
 * as case-insensitive, which holds for the ones used in DNs here (cn, uid, ou, dc, o, l).
 */
export function dnKey(rdns: readonly Rdn[]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.type.toLowerCase()}=${escapeDnValue(a.value.toLowerCase())}`)
        .sort()
        .join('+'),
    )
    .join(',')
}

/**
 * A DN's comparison form: types and values lower-cased, escaping normalised. Good for directories whose naming
 * attributes match case-insensitively (cn, ou, dc in OpenLDAP and AD); an unparsable DN is only lower-cased.
 */
export function canonicalDn(dn: string): string {
  try {
    return formatDn(
      parseDn(dn).map((rdn) =>
        rdn.map((a) => ({ type: a.type.toLowerCase(), value: a.value.toLowerCase() })),
      ),
    )
  } catch {
    return dn.toLowerCase()
  }
}
