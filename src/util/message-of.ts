/**
 * The message of anything a `catch` can receive: an Error's message, a thrown string as is, anything else as
 * String() gives it. Replaces `(e as Error).message`, which prints "undefined" for a thrown non-Error.
 */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string') return e
  // An Error from another realm (a worker, vm) fails instanceof but still has a message.
  if (
    e !== null &&
    typeof e === 'object' &&
    typeof (e as { message?: unknown }).message === 'string'
  ) {
    return (e as { message: string }).message
  }
  return String(e)
}
