import type { NotifyConfig } from '../config/config-types.ts'
import type { Store } from '../store/store.ts'
import { createMailer, type Mailer } from './mailer.ts'
import { statusMail, type StatusInput } from './status-mail.ts'

/** Tells the board's administrators how a run ended. Never throws: a mail that fails is reported, not fatal. */
export interface RunNotifier {
  runEnded(input: Omit<StatusInput, 'tenant' | 'auditHead'>): Promise<{ ok: true; sent: boolean } | { ok: false; message: string }>
  close(): void
}

export function createRunNotifier(config: NotifyConfig, store: Store, tenant: string, mailer?: Mailer): RunNotifier | undefined {
  const status = config.statusMail
  if (status === undefined) return undefined
  const smtp = config.smtp
  const m =
    mailer ??
    createMailer(
      { host: smtp.host, port: smtp.port, secure: smtp.secure, requireTls: smtp.requireTls, ...(smtp.username !== undefined ? { username: smtp.username } : {}), ...(smtp.password !== undefined ? { password: smtp.password } : {}) },
      config.from,
    )
  return {
    async runEnded(input) {
      if (!status.when.includes(input.outcome)) return { ok: true, sent: false }
      try {
        // the newest event as the mail leaves: a copy of the audit chain's head kept outside the store
        const [newest] = await store.listAudit({ limit: 1 })
        const mail = statusMail({ ...input, tenant, ...(newest !== undefined ? { auditHead: { seq: newest.seq, hash: newest.hash } } : {}) })
        await m.send({ to: status.to, subject: mail.subject, text: mail.text, html: mail.html })
        return { ok: true, sent: true }
      } catch (e) {
        return { ok: false, message: `the status mail could not be sent: ${(e as Error).message}` }
      }
    },
    close() {
      m.close()
    },
  }
}
