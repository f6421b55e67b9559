/**
 * Cursor paging of an ordered list: the cursor is opaque to clients (base64url of the position after the
 * page), so the server may later page by key instead of position without breaking them.
 */
export interface Page<T> {
  readonly items: readonly T[]
  /** Absent on the last page. */
  readonly next?: string
}

export const MAX_LIMIT = 500

export class CursorError extends Error {}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0
  const parsed: unknown = (() => {
    try {
      return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    } catch {
      return undefined
    }
  })()
  const at =
    typeof parsed === 'object' && parsed !== null ? (parsed as { at?: unknown }).at : undefined
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0)
    throw new CursorError(`cursor ${JSON.stringify(cursor)} is not one this API gave out`)
  return at
}

export function encodeCursor(at: number): string {
  return Buffer.from(JSON.stringify({ at })).toString('base64url')
}

export function pageOf<T>(all: readonly T[], cursor: string | undefined, limit: number): Page<T> {
  const at = decodeCursor(cursor)
  const items = all.slice(at, at + limit)
  return at + limit < all.length ? { items, next: encodeCursor(at + limit) } : { items }
}

/** A keyset cursor: the key of the last item given, for lists the store pages by key (`{ after }`). */
export function encodeKeyCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url')
}

export function decodeKeyCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined
  const parsed: unknown = (() => {
    try {
      return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    } catch {
      return undefined
    }
  })()
  const after =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { after?: unknown }).after
      : undefined
  if (typeof after !== 'string')
    throw new CursorError(`cursor ${JSON.stringify(cursor)} is not one this API gave out`)
  return after
}

/** A cursor after the action at `index` of a plan (the store pages a plan's actions by index). */
export function encodeIndexCursor(index: number): string {
  return encodeKeyCursor(String(index))
}

export function decodeIndexCursor(cursor: string | undefined): number | undefined {
  const after = decodeKeyCursor(cursor)
  if (after === undefined) return undefined
  if (!/^\d{1,9}$/.test(after))
    throw new CursorError(`cursor ${JSON.stringify(cursor)} is not one this API gave out`)
  return Number(after)
}

/** The page a store's `{ items, more }` makes, with the cursor after its last item. */
export function pageByIndex<T>(page: {
  readonly items: readonly { readonly index: number; readonly action: T }[]
  readonly more: boolean
}): Page<T> {
  const items = page.items.map((i) => i.action)
  const last = page.items.at(-1)
  return page.more && last !== undefined
    ? { items, next: encodeIndexCursor(last.index) }
    : { items }
}
