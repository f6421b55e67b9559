/**
 * Collects a read's issues up to a cap, so one pass shows an admin every problem without a broken file
 * producing a message per row. Does not decide what an issue is.
 */
import type { Issue } from '../../model/index.ts'

export class CsvIssues {
  readonly #source: string
  readonly #file: string
  readonly #cap: number
  readonly #errors: Issue[] = []

  constructor(source: string, file: string, cap: number) {
    this.#source = source
    this.#file = file
    this.#cap = cap
  }

  get full(): boolean {
    return this.#errors.length >= this.#cap
  }

  get count(): number {
    return this.#errors.length
  }

  error(i: Omit<Issue, 'severity' | 'source' | 'file'>): void {
    if (!this.full) this.#errors.push(Object.freeze({ ...i, severity: 'error', source: this.#source, file: this.#file }))
  }

  list(): readonly Issue[] {
    if (!this.full) return this.#errors
    const more: Issue = { severity: 'error', source: this.#source, file: this.#file, code: 'too_many_issues', message: `stopped after ${this.#cap} errors; fix these and read again` }
    return [...this.#errors, more]
  }
}

export function shown(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value
}
