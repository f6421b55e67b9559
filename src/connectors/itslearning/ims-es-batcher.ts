// Collects items that arrive close together into one bulk call and hands each caller its own item's outcome,
// so a bulk call that partly fails fails only the actions whose items failed.

export type ItemOutcome<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown }

export class MicroBatcher<I, R> {
  readonly #send: (items: readonly I[]) => Promise<readonly ItemOutcome<R>[]>
  readonly #max: number
  readonly #waitMs: number
  #queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = []
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined

  constructor(
    send: (items: readonly I[]) => Promise<readonly ItemOutcome<R>[]>,
    max: number,
    waitMs: number,
  ) {
    this.#send = send
    this.#max = max
    this.#waitMs = waitMs
  }

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      if (this.#queue.length >= this.#max) this.#flush()
      else if (this.#timer === undefined)
        this.#timer =
          this.#waitMs > 0
            ? setTimeout(() => this.#flush(), this.#waitMs)
            : setImmediate(() => this.#flush())
    })
  }

  #flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer as NodeJS.Timeout)
      clearImmediate(this.#timer as NodeJS.Immediate)
      this.#timer = undefined
    }
    const batch = this.#queue.splice(0, this.#max)
    if (this.#queue.length > 0) this.#timer = setImmediate(() => this.#flush())
    if (batch.length === 0) return
    this.#send(batch.map((b) => b.item)).then(
      (outcomes) => {
        batch.forEach((b, i) => {
          const o = outcomes[i]
          if (o === undefined)
            b.reject(
              new Error(`the bulk answer has no status for item ${i + 1} of ${batch.length}`),
            )
          else if (o.ok) b.resolve(o.value)
          else b.reject(o.error)
        })
      },
      (e: unknown) => {
        for (const b of batch) b.reject(e)
      },
    )
  }
}
