import { z } from 'zod'
import { secret } from '../contract/index.ts'

/** One SMTP server description for every mail Koppel sends (initial passwords, status mail). */
export const smtpSchema = z
  .strictObject({
    host: z.string().min(1).describe('SMTP server host name.'),
    port: z
      .int()
      .min(1)
      .max(65535)
      .default(587)
      .describe('SMTP port (587 submission with STARTTLS, 465 TLS).'),
    secure: z
      .boolean()
      .default(false)
      .describe('TLS from the first byte (port 465); otherwise STARTTLS.'),
    requireTls: z
      .boolean()
      .default(true)
      .describe('Never send mail unencrypted (turn off only for a loopback test server).'),
    username: z.string().optional().describe('SMTP login, if the server wants one.'),
    password: secret().optional().describe('SMTP password, by reference.'),
  })
  .describe('The mail server.')

export const RUN_OUTCOMES = ['completed', 'unchanged', 'blocked', 'failed'] as const

const whenSchema = (what: string) =>
  z
    .array(z.enum(RUN_OUTCOMES))
    .min(1)
    .default(['completed', 'blocked', 'failed'])
    .describe(
      `Which runs ${what}: completed (changes applied), unchanged (nothing to do), blocked (the guard stopped the plan), failed.`,
    )

export const notifySchema = z
  .strictObject({
    smtp: smtpSchema.optional(),
    from: z
      .string()
      .min(3)
      .optional()
      .describe('Sender address of the status mail, e.g. koppel@school.nl.'),
    statusMail: z
      .strictObject({
        to: z.array(z.string().min(3)).min(1).describe('Recipients: the board’s administrators.'),
        when: whenSchema('send a mail'),
      })
      .optional()
      .describe(
        'The status mail after each run (`koppel run` and `koppel apply`); needs `smtp` and `from`.',
      ),
    webhook: z
      .strictObject({
        url: z
          .url({ protocol: /^https?$/ })
          .describe('Where the run summary is POSTed as JSON (a chat or ticket system).'),
        secret: secret().describe(
          'Key of the HMAC-SHA256 signature in the X-Koppel-Signature header, by reference.',
        ),
        when: whenSchema('are posted'),
      })
      .optional()
      .describe('The run summary as signed JSON to a webhook after each run.'),
    leaverNotices: z
      .strictObject({
        daysBefore: z
          .array(z.int().min(0).max(365))
          .min(1)
          .default([14, 0])
          .describe(
            'When to tell: days before the end date (0: on the end date). Each moment is told once.',
          ),
        language: z
          .enum(['en', 'nl'])
          .default('en')
          .describe('The language of the mail: en (English) or nl (Dutch).'),
      })
      .optional()
      .describe(
        "A mail to the contract's manager (staff) or mentor (pupil) that the person leaves, sent by `koppel run`; needs `smtp` and `from`.",
      ),
  })
  .superRefine((n, ctx) => {
    if (n.statusMail !== undefined && (n.smtp === undefined || n.from === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['statusMail'],
        message: 'the status mail needs notify.smtp and notify.from',
      })
    }
    if (n.leaverNotices !== undefined && (n.smtp === undefined || n.from === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['leaverNotices'],
        message: 'leaver notices need notify.smtp and notify.from',
      })
    }
  })
  .describe('Telling the administrators about runs: a status mail, a webhook.')
