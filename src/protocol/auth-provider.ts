/**
 * Supplies the Authorization header for an HTTP client. `invalidate` is called after a 401 so that the next
 * `header()` fetches a fresh credential; the client retries such a request once.
 */
export interface AuthProvider {
  header(signal?: AbortSignal): Promise<string>
  invalidate(): void
}

/** A fixed header value (a static API token); invalidating it changes nothing, so a 401 fails after one retry. */
export function staticAuth(value: string): AuthProvider {
  return { header: () => Promise.resolve(value), invalidate: () => undefined }
}
