import nodemailer from 'nodemailer'

export interface SmtpOptions {
  readonly host: string
  readonly port: number
  /** TLS from the first byte (465); otherwise STARTTLS is used when the server offers it. */
  readonly secure: boolean
  readonly username?: string
  readonly password?: string
  /** Refuse to send without TLS (default true outside loopback: passwords travel in these mails). */
  readonly requireTls: boolean
}

export interface MailMessage {
  /** One address, or several (status mail to the board's administrators). */
  readonly to: string | readonly string[]
  readonly subject: string
  readonly text: string
  /** An HTML alternative to `text`, already escaped (src/notify/html.ts). */
  readonly html?: string
}

export interface Mailer {
  send(message: MailMessage): Promise<void>
  close(): void
}

/**
 * SMTP through nodemailer with a pooled connection (one greeting per run, not per mail). Errors name the
 * server and the recipient, never the message body, which may hold a password.
 */
export function createMailer(smtp: SmtpOptions, from: string): Mailer {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls && !smtp.secure,
    ignoreTLS: !smtp.requireTls && !smtp.secure,
    pool: true,
    maxConnections: 2,
    ...(smtp.username !== undefined
      ? { auth: { user: smtp.username, pass: smtp.password ?? '' } }
      : {}),
  })
  return {
    async send(m) {
      try {
        await transport.sendMail({
          from,
          to: typeof m.to === 'string' ? m.to : [...m.to],
          subject: m.subject,
          text: m.text,
          ...(m.html !== undefined ? { html: m.html } : {}),
        })
      } catch (e) {
        const code =
          (e as { code?: string; responseCode?: number }).responseCode ??
          (e as { code?: string }).code ??
          'error'
        throw new Error(
          `mail to ${typeof m.to === 'string' ? m.to : m.to.join(', ')} via ${smtp.host}:${smtp.port} failed (${code})`,
          { cause: e },
        )
      }
    },
    close() {
      transport.close()
    },
  }
}
