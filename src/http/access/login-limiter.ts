/**
 * Slows down password guessing: after `maxFailures` failed logins for one user name, or from one client address,
 * within `windowMs`, further attempts are refused until the window has passed. In memory: one `koppel serve`
 * process answers the logins; a restart forgets, which costs an attacker a restart they cannot cause.
 */
export interface LoginLimiterOptions {
  readonly now: () => Date
  readonly maxFailures?: number
  readonly windowMs?: number
}

export class LoginLimiter {
  readonly #now: () => Date
  readonly #max: number
  readonly #windowMs: number
  readonly #failures = new Map<string, number[]>()

  constructor(o: LoginLimiterOptions) {
    this.#now = o.now
    this.#max = o.maxFailures ?? 5
    this.#windowMs = o.windowMs ?? 15 * 60_000
  }

  /** Seconds until another attempt is allowed for any of the keys; 0 when it is allowed now. */
  retryAfter(keys: readonly string[]): number {
    const now = this.#now().getTime()
    let wait = 0
    for (const key of keys) {
      const recent = this.#recent(key, now)
      if (recent.length >= this.#max)
        wait = Math.max(wait, Math.ceil(((recent[0] as number) + this.#windowMs - now) / 1000))
    }
    return wait
  }

  fail(keys: readonly string[]): void {
    const now = this.#now().getTime()
    for (const key of keys) this.#failures.set(key, [...this.#recent(key, now), now])
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.#failures.delete(key)
  }

  #recent(key: string, now: number): number[] {
    const recent = (this.#failures.get(key) ?? []).filter((t) => t > now - this.#windowMs)
    if (recent.length === 0) this.#failures.delete(key)
    else this.#failures.set(key, recent)
    return recent
  }
}
