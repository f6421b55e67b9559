import { sendLeaverNotices } from '../engine/index.ts'
import { leaverMail } from '../notify/leaver-mail.ts'
import { createMailer } from '../notify/mailer.ts'
import { actor } from './actor.ts'
import type { LoadedEngine } from '../app/load-engine.ts'
import { err } from './output.ts'

/**
 * After `koppel run`: the leaver notices due today, when the config asks for them. Never changes the exit code:
 * a mail that cannot go is said on stderr and tried again by the next run.
 */
export async function noticeLeavers({ engine, config }: Pick<LoadedEngine, 'engine' | 'config'>): Promise<void> {
  const n = config.notify
  if (n?.leaverNotices === undefined || n.smtp === undefined || n.from === undefined) return
  const { smtp } = n
  const mailer = createMailer(
    { host: smtp.host, port: smtp.port, secure: smtp.secure, requireTls: smtp.requireTls, ...(smtp.username !== undefined ? { username: smtp.username } : {}), ...(smtp.password !== undefined ? { password: smtp.password } : {}) },
    n.from,
  )
  try {
    const r = await sendLeaverNotices(engine, {
      daysBefore: n.leaverNotices.daysBefore,
      actor: actor(),
      send: async (batch) => {
        const m = leaverMail(batch)
        await mailer.send({ to: batch.recipient.email, subject: m.subject, text: m.text, html: m.html })
      },
    })
    if (r.sent > 0) err(`leaver notices: ${r.sent} sent`)
    for (const p of r.problems) err(p)
  } finally {
    mailer.close()
  }
}
