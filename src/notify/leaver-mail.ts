import type { LeaverNotice, LeaverNoticeBatch } from '../engine/index.ts'
import { html } from './html.ts'

export interface LeaverMail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

/**
 * One manager's or mentor's mail about their own leavers: the recipient's name, each leaver's name, number, role,
 * school and class and the end date — nothing about anyone else, no username or password (those have their own
 * channel). Names reach the HTML only through `html`, which escapes them.
 */
export function leaverMail(batch: LeaverNoticeBatch): LeaverMail {
  const { recipient, notices } = batch
  const first = notices[0]
  const subject =
    notices.length === 1 && first !== undefined
      ? `Koppel: ${first.leaver.name} leaves ${when(first)}`
      : `Koppel: ${notices.length} of your people leave soon`
  const lines = notices.map((n) => `- ${describe(n)}`)
  const text = [
    `Dear ${recipient.name},`,
    '',
    notices.length === 1
      ? 'You are named as manager or mentor of someone who leaves:'
      : 'You are named as manager or mentor of people who leave:',
    ...lines,
    '',
    'Their accounts are disabled after the end date, and deleted after the grace period the school set.',
    'If this is not right, ask the school administration to correct the end date in the school system.',
  ].join('\n')
  const body = html`<p>Dear ${recipient.name},</p>
<p>${notices.length === 1 ? 'You are named as manager or mentor of someone who leaves:' : 'You are named as manager or mentor of people who leave:'}</p>
<ul>${notices.map((n) => html`<li>${describe(n)}</li>`)}</ul>
<p>Their accounts are disabled after the end date, and deleted after the grace period the school set.
If this is not right, ask the school administration to correct the end date in the school system.</p>`
  return { subject, text, html: body.value }
}

function when(n: LeaverNotice): string {
  return n.daysLeft === 0
    ? `today (${n.contract.end})`
    : `on ${n.contract.end} (in ${n.daysLeft} day${n.daysLeft === 1 ? '' : 's'})`
}

function describe(n: LeaverNotice): string {
  const who = `${n.leaver.name}${n.leaver.number !== undefined ? ` (${n.leaver.number})` : ''}`
  return `${who}, ${n.contract.role}${n.contract.where !== undefined ? ` at ${n.contract.where}` : ''}: leaves ${when(n)}`
}
