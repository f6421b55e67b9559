/**
 * One sync at a time in this process: scheduled runs and change runs queue behind each other instead of
 * meeting at the apply lease (where the second would be refused as busy).
 */
export class RunLock {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work)
    this.#tail = next.catch(() => {})
    return next
  }
}
