import { createHash, randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

/** A session id, CSRF token or API token: 32 random bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * What the store keeps of a session or token. A random 256-bit secret cannot be guessed, so a fast hash is
 * enough (a password, which can be guessed, gets argon2id below); a stolen database holds no usable token.
 */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

// Argon2id (@node-rs/argon2's enum value 2; a const enum cannot be imported under type stripping), with the
// library's defaults: 19 MiB, 2 passes, the OWASP minimum.
const ARGON2ID = 2

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID })
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}
