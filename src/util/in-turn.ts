// A database session runs one statement at a time, and pg@9 refuses a query handed to a client that is still
// running one (pg@8 queues it and warns). Callers sharing a session take turns through this, in the order they
// asked; one that fails does not stop the ones after it.

/** Runs each `fn` after every earlier one has settled. */
export type InTurn = <T>(fn: () => Promise<T>) => Promise<T>

export function inTurn(): InTurn {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn)
    tail = run.catch(() => undefined)
    return run
  }
}
