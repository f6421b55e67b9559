/**
 * The leaver notices due today, sent when the config asks for them: after `koppel run` and after each scheduled
 * run of `koppel serve` (they are due by date, not by changes, so a night without changes still sends them). A
 * mail that cannot go is reported and tried again by the next run; it never fails the run.
 */
import { sendLeaverNotices } from '../engine/index.ts'
import { leaverMail } from '../notify/leaver-mail.ts'
import { createMailer } from '../notify/mailer.ts'
import type { LoadedEngine } from './load-engine.ts'

export interface LeaverNoticeReport {
  readonly sent: number
  readonly problems: readonly string[]
}

/** Undefined when the config has no leaver notices (or no SMTP to send them with). */
export async function noticeLeaversDue(
  { engine, config }: Pick<LoadedEngine, 'engine' | 'config'>,
  actor: string,
): Promise<LeaverNoticeReport | undefined> {
  const n = config.notify
  if (n?.leaverNotices === undefined || n.smtp === undefined || n.from === undefined)
    return undefined
  const { smtp } = n
  const mailer = createMailer(
    {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTls: smtp.requireTls,
      ...(smtp.username !== undefined ? { username: smtp.username } : {}),
      ...(smtp.password !== undefined ? { password: smtp.password } : {}),
    },
    n.from,
  )
  try {
    return await sendLeaverNotices(engine, {
      daysBefore: n.leaverNotices.daysBefore,
      actor,
      send: async (batch) => {
        const m = leaverMail(batch, n.leaverNotices?.language)
        await mailer.send({
          to: batch.recipient.email,
          subject: m.subject,
          text: m.text,
          html: m.html,
        })
      },
    })
  } finally {
    mailer.close()
  }
}
