import type { LeaverNotice, LeaverNoticeBatch } from '../engine/index.ts'
import { addDays } from '../util/dates.ts'
import { html } from './html.ts'

export interface LeaverMail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

export type LeaverMailLanguage = 'en' | 'nl'

interface Wording {
  readonly dear: (name: string) => string
  readonly intro: (many: boolean) => string
  readonly manySubject: (n: number) => string
  /** The last day: `inDays` from today (0: today, -1: yesterday, the end date). */
  readonly lastDay: (day: string, inDays: number) => string
  readonly at: string
  readonly closing: readonly [string, string]
}

const WORDING: Readonly<Record<LeaverMailLanguage, Wording>> = {
  en: {
    dear: (name) => `Dear ${name},`,
    intro: (many) =>
      many
        ? 'You are named as manager or mentor of people who leave:'
        : 'You are named as manager or mentor of someone who leaves:',
    manySubject: (n) => `Koppel: ${n} of your people leave soon`,
    lastDay: (day, d) =>
      d < 0
        ? `has left, the last day was ${day}`
        : d === 0
          ? `last day today (${day})`
          : `last day ${day} (${d === 1 ? 'tomorrow' : `in ${d} days`})`,
    at: 'at',
    closing: [
      'Their accounts are disabled after the last day, and deleted after the grace period the school set.',
      'If this is not right, ask the school administration to correct the end date in the school system.',
    ],
  },
  nl: {
    dear: (name) => `Beste ${name},`,
    intro: (many) =>
      many
        ? 'U staat als leidinggevende of mentor vermeld bij mensen die vertrekken:'
        : 'U staat als leidinggevende of mentor vermeld bij iemand die vertrekt:',
    manySubject: (n) => `Koppel: ${n} van uw mensen vertrekken binnenkort`,
    lastDay: (day, d) =>
      d < 0
        ? `is vertrokken, de laatste dag was ${day}`
        : d === 0
          ? `laatste dag vandaag (${day})`
          : `laatste dag ${day} (${d === 1 ? 'morgen' : `over ${d} dagen`})`,
    at: 'bij',
    closing: [
      'De accounts worden na de laatste dag uitgeschakeld en na de bewaartermijn van de school verwijderd.',
      'Klopt dit niet? Vraag de schooladministratie de einddatum in het schoolsysteem te corrigeren.',
    ],
  },
}

/**
 * One manager's or mentor's mail about their own leavers: the recipient's name, each leaver's name, number, role,
 * school and class and the last day — nothing about anyone else, no username or password (those have their own
 * channel). Names reach the HTML only through `html`, which escapes them. A contract's end date is exclusive
 * (the first day without it), so the mail names the day before it: the day the person is last there.
 */
export function leaverMail(
  batch: LeaverNoticeBatch,
  language: LeaverMailLanguage = 'en',
): LeaverMail {
  const w = WORDING[language]
  const { recipient, notices } = batch
  const first = notices[0]
  const many = notices.length !== 1
  const subject =
    !many && first !== undefined
      ? `Koppel: ${first.leaver.name}: ${when(w, first)}`
      : w.manySubject(notices.length)
  const lines = notices.map((n) => `- ${describe(w, n)}`)
  const text = [w.dear(recipient.name), '', w.intro(many), ...lines, '', ...w.closing].join('\n')
  const body = html`<p>${w.dear(recipient.name)}</p>
<p>${w.intro(many)}</p>
<ul>${notices.map((n) => html`<li>${describe(w, n)}</li>`)}</ul>
<p>${w.closing[0]}
${w.closing[1]}</p>`
  return { subject, text, html: body.value }
}

function when(w: Wording, n: LeaverNotice): string {
  return w.lastDay(addDays(n.contract.end, -1), n.daysLeft - 1)
}

function describe(w: Wording, n: LeaverNotice): string {
  const who = `${n.leaver.name}${n.leaver.number !== undefined ? ` (${n.leaver.number})` : ''}`
  const where = n.contract.where !== undefined ? ` ${w.at} ${n.contract.where}` : ''
  return `${who}, ${n.contract.role}${where}: ${when(w, n)}`
}
