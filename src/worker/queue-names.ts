// Names in the job queue's tables. pg-boss accepts letters, digits, `_ . - /` in queue names and keys; a tenant,
// target or person name with anything else is hashed (the payload carries the real names).
import { createHash } from 'node:crypto'

/** The PostgreSQL schema pg-boss keeps its tables in, next to the store's. */
export const JOB_SCHEMA = 'koppel_jobs'

const SAFE = /^[A-Za-z0-9_.-]{1,60}$/
const hashed = (text: string, length: number): string =>
  createHash('sha256').update(text).digest('hex').slice(0, length)
const part = (text: string): string => (SAFE.test(text) ? text : `h${hashed(text, 24)}`)

/** One queue per tenant and target: a worker takes the targets of its config, an operator sees depth per target. */
export function applyQueueName(tenant: string, target: string): string {
  return `apply/${part(tenant)}/${part(target)}`
}

/** The singleton key of one account's jobs in one plan: the queue never runs two of them at once. */
export function accountKey(planId: string, person: string): string {
  return hashed(`${planId}\u0000${person}`, 32)
}
