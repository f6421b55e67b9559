// How a plan is stored: `plans.document` holds the plan as JSON with `actions: []`, and `plans.actions_gz` the
// actions as gzip (level 1) of newline-delimited JSON, one action per line, in members of ~1 MB (concatenated
// gzip members are one gzip stream). At 100,000 persons (176,000 actions) the actions are ~116 MB of JSON and
// ~12 MB gzipped; written whole they were one 116 MB string, its UTF-8 copy and 120 MB through the WAL. Here
// each action is stringified and encoded into a 1 MB block, a full block is compressed before the next fills,
// and reading decompresses chunk by chunk: neither direction holds the whole JSON text.
// Rows written before migration 0003 have `actions_gz` null and the actions in `document`.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { createGunzip, gzipSync } from 'node:zlib'
import type { Action, Plan, PlanStatus } from '../model/index.ts'
import { ActionIndexBuilder } from './plan-action-index.ts'
import type { PlanHead } from './store.ts'

/** Bytes of JSON lines compressed as one gzip member. */
const BLOCK = 1 << 20
const NEWLINE = 0x0a

/** The plan without its actions as JSON, and its actions compressed. */
export async function planDocument(
  plan: Plan,
): Promise<{ document: string; actionsGz: Buffer; actionsIndex: string }> {
  const index = new ActionIndexBuilder()
  const actionsGz = await gzipActions(plan.actions, index)
  return {
    document: JSON.stringify({ ...plan, actions: [] }),
    actionsGz,
    actionsIndex: JSON.stringify(index.build()),
  }
}

/** Reads a stored plan back; `status` (the column) wins over the document's. */
export async function planFromDocument(r: {
  status: string
  document: string
  actions_gz: Uint8Array | null
}): Promise<Plan> {
  const plan = JSON.parse(r.document) as { actions: readonly Action[]; status: PlanStatus }
  // assigned, not spread: the plan keeps its key order
  if (r.actions_gz !== null) plan.actions = await gunzipActions(r.actions_gz)
  plan.status = r.status as PlanStatus
  return plan as unknown as Plan
}

/** A stored plan's head: its document without the actions (rows from before 0003 have them in it). */
export function planHeadFromDocument(r: {
  status: string
  document: string
  actions: number | string
}): PlanHead {
  const { actions: _inline, ...head } = JSON.parse(r.document) as Plan
  return { ...head, status: r.status as PlanStatus, actionCount: Number(r.actions) }
}

/** With `index`, records where each member starts and what it holds (plan-action-index.ts). */
export async function gzipActions(
  actions: readonly Action[],
  index?: ActionIndexBuilder,
): Promise<Buffer> {
  const members: Buffer[] = []
  const block = Buffer.allocUnsafe(BLOCK)
  let used = 0
  // Compressed here, not on the thread pool: zlib's async gzip cost 2.2-2.9 s of CPU for 230,000 actions
  // against 1.2-1.3 s for the same bytes with gzipSync (docs/benchmarks.md); the yield after each block keeps
  // the event loop as free as the awaits of the async version did.
  const flush = async (bytes: Buffer): Promise<void> => {
    const member = gzipSync(bytes, { level: 1 })
    members.push(member)
    index?.member(member.length)
    await yieldToEventLoop()
  }
  for (const action of actions) {
    // a raw newline never occurs inside JSON text (strings escape it), so it separates the actions
    const line = `${JSON.stringify(action)}\n`
    if (BLOCK - used < line.length * 3) {
      if (used > 0) await flush(block.subarray(0, used))
      used = 0
      if (line.length * 3 > BLOCK) {
        index?.add(action)
        await flush(Buffer.from(line))
        continue
      }
    }
    index?.add(action)
    // encoded action by action: a slice of many actions, concatenated, is a two-byte string as soon as one
    // name has a character beyond Latin-1, and encoding those is twice the work
    used += block.write(line, used)
  }
  // no actions is still one (empty) member: an empty file is not gzip
  if (used > 0 || members.length === 0) await flush(block.subarray(0, used))
  return Buffer.concat(members)
}

export async function gunzipActions(gz: Uint8Array): Promise<Action[]> {
  const actions: Action[] = []
  let rest: Buffer = Buffer.alloc(0)
  await pipeline(
    Readable.from([gz]),
    createGunzip({ chunkSize: 256 * 1024 }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk])
        // 0x0a is never part of a multi-byte UTF-8 sequence: cutting there keeps characters whole
        const last = bytes.lastIndexOf(NEWLINE)
        if (last < 0) {
          rest = bytes
          continue
        }
        const lines = bytes.toString('utf8', 0, last)
        for (const a of JSON.parse(`[${lines.replaceAll('\n', ',')}]`) as Action[]) actions.push(a)
        rest = Buffer.from(bytes.subarray(last + 1))
      }
    },
  )
  if (rest.length > 0) throw new Error('stored plan actions end without a newline (truncated?)')
  return actions
}
