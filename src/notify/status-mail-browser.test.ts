// The status mail and the leaver notice as a reader's mail client shows them: their HTML rendered in Chromium.
// A mail client blocks remote content, so the HTML must ask for nothing; it must fit a 600-pixel mail pane;
// the reader must see the numbers and the approve command. With KOPPEL_SCREENSHOTS=<dir> the test writes the
// screenshots docs/config.md shows (docs/img/status-mail-*.png).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { chromium, type Browser } from 'playwright-core'
import type { RunReport } from '../model/index.ts'
import { CHROMIUM, chromiumSkipReason } from '../../test/harness/chromium.ts'
import { leaverMail } from './leaver-mail.ts'
import { statusMail, type StatusInput } from './status-mail.ts'

const skip = chromiumSkipReason()
const WIDTH = 600

const plan: NonNullable<StatusInput['plan']> = {
  id: 'plan-5c1e2a9d0b7f',
  createdAt: '2027-07-27T00:00:03.000Z',
  summary: { directory: { create: 3, update: 41, grant: 6, revoke: 4, disable: 2 } },
  findings: [],
  notes: ['directory: 1 delete action(s) held back by a hold window today'],
  issues: [],
}
const report: RunReport = {
  kind: 'run-report',
  runId: 'run-20270727000004-3f9a1c',
  planId: plan.id,
  state: 'done',
  startedAt: '2027-07-27T00:00:04.000Z',
  finishedAt: '2027-07-27T00:00:06.000Z',
  counts: {
    directory: {
      create: { applied: 3 },
      update: { applied: 40, failed: 1 },
      grant: { applied: 6 },
      revoke: { applied: 4 },
      disable: { applied: 2 },
    },
  },
  failures: [
    {
      action: 'directory/p-1042/update',
      target: 'directory',
      message: 'uid=j.devries,ou=people: constraint violation on mail',
    },
  ],
  messages: [],
  auditHead: { seq: 18342, hash: '7d0c3b5e'.repeat(8) },
}
const blocked: NonNullable<StatusInput['plan']> = {
  ...plan,
  summary: { directory: { disable: 27, revoke: 27 } },
  findings: [
    {
      target: 'directory',
      kind: 'disable',
      count: 27,
      base: 61,
      limit: '10 %',
      message: '27 disables is more than 10 % of 61 accounts',
    },
  ],
  notes: [],
}

const mails = [
  {
    name: 'status-mail-failed.png',
    html: statusMail({
      tenant: 'default',
      outcome: 'failed',
      plan,
      report,
      auditHead: report.auditHead,
    }).html,
    shows: ['constraint violation on mail', 'held back'],
  },
  {
    name: 'status-mail-blocked.png',
    html: statusMail({ tenant: 'default', outcome: 'blocked', plan: blocked }).html,
    shows: ['27 of 61', `koppel approve ${blocked.id}`],
  },
  {
    name: 'leaver-notice.png',
    html: leaverMail({
      recipient: { key: 't-7', name: 'Mara Smit', email: 'm.smit@school.test' },
      notices: [
        {
          leaver: { key: 'p-1', name: 'Max van der Nijhorst', number: '100000' },
          contract: { id: 'c-1', role: 'student', end: '2027-03-13', where: 'Het Baken, M2b' },
          daysLeft: 12,
          covers: [14],
        },
      ],
    }).html,
    shows: ['Max van der Nijhorst', 'last day 2027-03-12'],
  },
]

describe('the mails as rendered HTML', { skip: skip ?? false }, () => {
  let browser: Browser
  before(async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] =>
          e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME'),
      ),
    )
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], env })
  })
  after(async () => {
    await browser?.close()
  })

  for (const mail of mails) {
    test(`${mail.name}: asks for nothing remote, fits ${WIDTH} pixels, shows what the reader needs`, async () => {
      const page = await browser.newPage({ viewport: { width: WIDTH, height: 400 } })
      try {
        const requests: string[] = []
        page.on('request', (r) => requests.push(r.url()))
        await page.setContent(mail.html, { waitUntil: 'load' })
        assert.deepEqual(requests, [], 'no image, font or style from elsewhere')
        // a string: the page's globals are not in this (Node) program's types
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'))
        assert.ok(width <= WIDTH, `${width} pixels wide`)
        const seen = await page.locator('body').innerText()
        for (const s of mail.shows) assert.ok(seen.includes(s), `shows ${s}`)
        const dir = process.env['KOPPEL_SCREENSHOTS']
        if (dir !== undefined) await page.screenshot({ path: join(dir, mail.name), fullPage: true })
      } finally {
        await page.close()
      }
    })
  }
})
