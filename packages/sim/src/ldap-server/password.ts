// Checks a simple-bind password against stored userPassword values the way slapd does for the schemes it
// ships with: {SSHA}, {SHA}, {SSHA256}, {SSHA512}, {CLEARTEXT} and plain text. {CRYPT} and others never match.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Value } from './matching.ts'

const SCHEMES: Readonly<Record<string, { hash: string; size: number }>> = {
  '{SHA}': { hash: 'sha1', size: 20 },
  '{SSHA}': { hash: 'sha1', size: 20 },
  '{SHA256}': { hash: 'sha256', size: 32 },
  '{SSHA256}': { hash: 'sha256', size: 32 },
  '{SHA512}': { hash: 'sha512', size: 64 },
  '{SSHA512}': { hash: 'sha512', size: 64 },
}

export function verifyPassword(stored: Value, given: Buffer): boolean {
  const text = Buffer.from(stored).toString('utf8')
  const scheme = /^\{[A-Z0-9-]+\}/i.exec(text)?.[0]
  if (scheme === undefined) return equal(Buffer.from(stored), given)
  const rest = text.slice(scheme.length)
  if (scheme.toUpperCase() === '{CLEARTEXT}') return equal(Buffer.from(rest, 'utf8'), given)
  const spec = SCHEMES[scheme.toUpperCase()]
  if (spec === undefined) return false
  const decoded = Buffer.from(rest, 'base64')
  if (decoded.length < spec.size) return false
  const digest = decoded.subarray(0, spec.size)
  const salt = decoded.subarray(spec.size)
  return equal(createHash(spec.hash).update(given).update(salt).digest(), digest)
}

/** `{SSHA}` hash of a password, as slappasswd makes by default. */
export function sshaHash(password: string): string {
  const salt = randomBytes(8)
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest()
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
