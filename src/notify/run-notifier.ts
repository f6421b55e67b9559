import type { NotifyConfig } from '../config/config-types.ts'
import type { Store } from '../store/store.ts'
import { createMailer, type Mailer } from './mailer.ts'
import { postRunWebhook, runWebhookPayload } from './run-webhook.ts'
import { statusMail, type StatusInput } from './status-mail.ts'
import { messageOf } from '../util/message-of.ts'

/** Tells the board's administrators how a run ended. Never throws: a channel that fails is reported, not fatal. */
export interface RunNotifier {
  /** The problems of the channels that failed (empty when every configured channel got it). */
  runEnded(input: Omit<StatusInput, 'tenant' | 'auditHead'>): Promise<string[]>
  close(): void
}

export function createRunNotifier(
  config: NotifyConfig,
  store: Store,
  tenant: string,
  now: () => Date,
  mailer?: Mailer,
): RunNotifier | undefined {
  const { statusMail: mail, webhook, smtp, from } = config
  if (mail === undefined && webhook === undefined) return undefined
  const m =
    mail === undefined || smtp === undefined || from === undefined
      ? undefined
      : (mailer ??
        createMailer(
          {
            host: smtp.host,
            port: smtp.port,
            secure: smtp.secure,
            requireTls: smtp.requireTls,
            ...(smtp.username !== undefined ? { username: smtp.username } : {}),
            ...(smtp.password !== undefined ? { password: smtp.password } : {}),
          },
          from,
        ))
  return {
    async runEnded(run) {
      const problems: string[] = []
      // the newest event as the run ends: a copy of the audit chain's head kept outside the store; a store that
      // cannot say it still lets the mail go, without the head, and says so
      const [newest] = await store.listAudit({ limit: 1 }).catch((e: unknown) => {
        problems.push(`the audit head could not be read for the notification: ${messageOf(e)}`)
        return []
      })
      const input: StatusInput = {
        ...run,
        tenant,
        ...(newest !== undefined ? { auditHead: { seq: newest.seq, hash: newest.hash } } : {}),
      }
      if (m !== undefined && mail?.when.includes(run.outcome) === true) {
        try {
          const message = statusMail(input)
          await m.send({
            to: mail.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
          })
        } catch (e) {
          problems.push(`the status mail could not be sent: ${messageOf(e)}`)
        }
      }
      if (webhook?.when.includes(run.outcome) === true) {
        const at = now()
        try {
          await postRunWebhook(
            webhook.url,
            webhook.secret,
            runWebhookPayload(input, at.toISOString()),
            at,
          )
        } catch (e) {
          problems.push(`the run webhook could not be posted: ${messageOf(e)}`)
        }
      }
      return problems
    },
    close() {
      m?.close()
    },
  }
}
