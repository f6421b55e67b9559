// Turns an initial password into a userPassword value. A plain LDAP add stores userPassword as given (slapd
// only hashes through the Password Modify operation), so we hash it as {SSHA}, which every OpenLDAP
// verifies; a value that already names a scheme (`{SSHA}…`, `{ARGON2}…`) is passed through.
import { createHash, randomBytes } from 'node:crypto'

export function hashPassword(password: string): string {
  if (/^\{[A-Z0-9.-]+\}/i.test(password)) return password
  const salt = randomBytes(8)
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest()
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`
}
