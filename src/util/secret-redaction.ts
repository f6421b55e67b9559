/**
 * Every secret value resolved from the config in this process, so that no message can carry one out: a library
 * error quoting the option it failed to parse (`LdapPw-… is an invalid LDAP URL`), a driver echoing a connection
 * string, a service repeating a token. The CLI's output, run reports, journal messages and the audit log pass
 * their text through redactSecrets. Process-wide on purpose: the values are known only once the config is
 * resolved, and a message may be made far from there.
 */

/** Shorter values are not masked: a two-character "secret" would blank out half of every message. */
const MIN_LENGTH = 4
const values = new Set<string>()
let pattern: RegExp | undefined

/**
 * Remembers a resolved secret, also as it appears percent-encoded in a URL and in JSON. Of a URL with a
 * password (a whole database URL by reference) only the password is the secret: the rest is what an admin
 * needs to see in "the store at … could not be opened".
 */
export function rememberSecret(value: string): void {
  const password = urlPassword(value)
  const secret = password ?? value
  if (secret.length < MIN_LENGTH) return
  for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])
    values.add(form)
  if (password !== undefined) values.add(encodeURIComponent(password).replace(/%20/g, '+'))
  pattern = undefined
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) return undefined
  try {
    const u = new URL(value)
    return u.password === '' ? undefined : decodeURIComponent(u.password)
  } catch {
    return undefined
  }
}

/** `text` with every remembered secret replaced by `***`. */
export function redactSecrets(text: string): string {
  if (values.size === 0) return text
  // the longest first, so a secret that contains another is masked whole
  pattern ??= new RegExp(
    [...values]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  )
  return text.replace(pattern, '***')
}

/** For tests: forget every remembered secret. */
export function forgetSecrets(): void {
  values.clear()
  pattern = undefined
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
