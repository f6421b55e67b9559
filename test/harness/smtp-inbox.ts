// A real SMTP receiver (smtp-server) on loopback that keeps every message it gets, for the tests of the status
// mail, leaver notices and initial-password mail. Plain SMTP: the mailer is told `requireTls: false`.
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  readonly to: string[]
  readonly raw: string
}

export interface SmtpInbox {
  readonly port: number
  stop(): Promise<void>
}

export interface SmtpInboxOptions {
  /** Recipients the server refuses with "550 no such user", as a real one does for an unknown mailbox. */
  readonly refuse?: (address: string) => boolean
}

/** Starts the receiver; every message is pushed onto `inbox` (the test keeps and clears its own array). */
export async function startSmtpInbox(
  inbox: ReceivedMail[],
  options: SmtpInboxOptions = {},
): Promise<SmtpInbox> {
  const { refuse } = options
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS'],
    onAuth: (_auth, _session, cb) => cb(null, { user: 'koppel' }),
    onRcptTo(address, _session, cb) {
      if (refuse?.(address.address) === true) return cb(new Error('550 no such user'))
      cb()
    },
    onData(stream, session, cb) {
      let raw = ''
      stream
        .on('data', (d: Buffer) => (raw += d.toString()))
        .on('end', () => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw })
          cb()
        })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.server.address() as AddressInfo).port
  return { port, stop: () => new Promise<void>((r) => server.close(() => r())) }
}
