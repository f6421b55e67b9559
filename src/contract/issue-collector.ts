/**
 * Collects the issues of one source read, up to a cap, so that an admin sees every problem of an export in one
 * go without a broken 1-million-row file producing 1 million messages. The one collector every source uses:
 * each issue names the record (its key, or file and line) and the field, as `formatIssue` prints them.
 * Warnings are capped separately and de-duplicated. Does not decide what is an issue; the readers and
 * mappers do.
 */
import type { Issue } from '../model/index.ts'

export const DEFAULT_ISSUE_CAP = 100

/** An issue as a reader reports it; the collector adds the severity and the source. */
export type IssueInput = Omit<Issue, 'severity' | 'source' | 'value'> & {
  readonly severity?: Issue['severity']
  /** The offending value; anything but a string is shown as JSON. Shortened (see `shown`). */
  readonly value?: unknown
}

export interface IssueCollectorOptions {
  /** Errors kept before the collector says `too_many_issues` and readers may stop (default 100). */
  readonly cap?: number
  /** The file every issue is in, for a source that reads one file. */
  readonly file?: string
  /** Longest value kept in an issue (default 80 characters). */
  readonly valueLength?: number
}

export class IssueCollector {
  readonly #source: string
  readonly #cap: number
  readonly #file: string | undefined
  readonly #valueLength: number
  readonly #errors: Issue[] = []
  readonly #warnings: Issue[] = []
  readonly #warningKeys = new Set<string>()
  #dropped = 0

  constructor(source: string, options: IssueCollectorOptions | number = {}) {
    const o = typeof options === 'number' ? { cap: options } : options
    this.#source = source
    this.#cap = o.cap ?? DEFAULT_ISSUE_CAP
    this.#file = o.file
    this.#valueLength = o.valueLength ?? 80
  }

  get source(): string {
    return this.#source
  }

  /** True once the error cap is reached: readers stop early, there is nothing more to learn cheaply. */
  get full(): boolean {
    return this.#errors.length >= this.#cap
  }

  get errorCount(): number {
    return this.#errors.length
  }

  /** `i.severity` may say warning, so that a reader can pass either through one call. */
  error(i: IssueInput): void {
    if (i.severity === 'warning') return this.warn(i)
    if (this.full) {
      this.#dropped++
      return
    }
    this.#errors.push(this.#issue('error', i))
  }

  /**
   * A warning is kept once per code, file, line, record, field and value: the same oddity on 50,000 rows of a file
   * (where the reader leaves the record out) is one message.
   */
  warn(i: IssueInput): void {
    const issue = this.#issue('warning', i)
    const key = [issue.code, issue.file, issue.line, issue.record, issue.field, issue.value]
      .map((s) => s ?? '')
      .join('\u0000')
    if (this.#warningKeys.has(key) || this.#warnings.length >= this.#cap) return
    this.#warningKeys.add(key)
    this.#warnings.push(issue)
  }

  errors(): readonly Issue[] {
    if (!this.full) return this.#errors
    return [
      ...this.#errors,
      Object.freeze({
        severity: 'error' as const,
        source: this.#source,
        ...(this.#file !== undefined ? { file: this.#file } : {}),
        code: 'too_many_issues',
        message: `stopped after ${this.#cap} errors; fix these and read again to see the rest`,
      }),
    ]
  }

  warnings(): readonly Issue[] {
    return this.#warnings
  }

  /** Errors, then warnings. */
  all(): readonly Issue[] {
    return [...this.errors(), ...this.#warnings]
  }

  /** Errors reported so far, kept or dropped after the cap: tells a mapper whether a record had any. */
  get reported(): number {
    return this.#errors.length + this.#dropped
  }

  /** Errors that arrived after the cap, for a log line. */
  get dropped(): number {
    return this.#dropped
  }

  #issue(severity: Issue['severity'], i: IssueInput): Issue {
    const { value, severity: _, ...rest } = i
    const text =
      value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value)
    const out: Record<string, unknown> = { severity, source: this.#source }
    if (this.#file !== undefined) out.file = this.#file
    // members given as undefined are left out, so that an issue compares equal to one written without them
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v
    if (text !== undefined) out.value = shown(text, this.#valueLength)
    return Object.freeze(out as unknown as Issue)
  }
}

/** Shortens a value for an issue message, so a 10 kB garbage field does not become a 10 kB message. */
export function shown(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max - 3)}...` : value
}
