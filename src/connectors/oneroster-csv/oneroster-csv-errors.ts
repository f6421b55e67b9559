/**
 * Collects the issues of one read, up to a cap, so that an admin sees every problem of a file in one go without
 * a broken 1-million-row file producing 1 million messages. Warnings are capped separately and de-duplicated.
 * Does not decide what is an issue; the reader and record builders do.
 */
import type { Issue } from '../../model/index.ts'

export const DEFAULT_ISSUE_CAP = 100

export type IssueInput = Omit<Issue, 'severity' | 'source'> & { readonly severity?: Issue['severity'] }

export class IssueCollector {
  readonly #source: string
  readonly #cap: number
  readonly #errors: Issue[] = []
  readonly #warnings: Issue[] = []
  readonly #warningKeys = new Set<string>()
  #dropped = 0

  constructor(source: string, cap = DEFAULT_ISSUE_CAP) {
    this.#source = source
    this.#cap = cap
  }

  /** True once the error cap is reached: readers stop early, there is nothing more to learn cheaply. */
  get full(): boolean {
    return this.#errors.length >= this.#cap
  }

  get errorCount(): number {
    return this.#errors.length
  }

  error(i: IssueInput): void {
    if (this.full) {
      this.#dropped++
      return
    }
    this.#errors.push(Object.freeze({ ...i, severity: 'error', source: this.#source }))
  }

  /** A warning is kept once per code, file, field and value: the same oddity on 50,000 rows is one message. */
  warn(i: IssueInput): void {
    const key = `${i.code}\u0000${i.file ?? ''}\u0000${i.field ?? ''}\u0000${i.value ?? ''}`
    if (this.#warningKeys.has(key) || this.#warnings.length >= this.#cap) return
    this.#warningKeys.add(key)
    this.#warnings.push(Object.freeze({ ...i, severity: 'warning', source: this.#source }))
  }

  errors(): readonly Issue[] {
    if (!this.full) return this.#errors
    return [
      ...this.#errors,
      Object.freeze({
        severity: 'error' as const,
        source: this.#source,
        code: 'too_many_issues',
        message: `stopped after ${this.#cap} errors; fix these and read again to see the rest`,
      }),
    ]
  }

  warnings(): readonly Issue[] {
    return this.#warnings
  }

  /** Errors that arrived after the cap, for a log line. */
  get dropped(): number {
    return this.#dropped
  }
}

/** Shortens a value for an issue message, so a 10 kB garbage field does not become a 10 kB message. */
export function shown(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value
}
