/**
 * Parses an HTTP Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns milliseconds to
 * wait, or undefined when the header is absent or unreadable (the caller then uses its own backoff).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: Date = new Date(),
): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now.getTime())
}
