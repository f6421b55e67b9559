import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EngineStatus } from '../engine/index.ts'
import { renderStatus } from './commands-status.ts'
import { nextTimes } from '../serve/scheduler.ts'

const status: EngineStatus = {
  tenant: 'default',
  at: '2026-12-07T04:30:00.000Z',
  runs: [],
  blocked: [
    {
      id: 'plan-fedcba987654',
      createdAt: '2026-12-07T02:00:00.000Z',
      ageHours: 2.5,
      findings: [
        {
          target: 'dir',
          kind: 'disable',
          count: 210,
          base: 1000,
          limit: '10%',
          message: 'dir: 210 disables',
        },
      ],
      approve: 'koppel approve plan-fedcba987654 --reason "…"',
    },
  ],
  interrupted: [{ id: 'plan-aaaaaaaaaaaa', createdAt: '2026-12-06T02:00:00.000Z' }],
  held: {
    planId: 'plan-0123456789ab',
    notes: ['delete of Eva\u001b[8m Mulder held back by the hold window 07-15..08-31'],
  },
  deliveries: [
    {
      target: 'itslearning',
      since: '2026-12-06T02:00:41.000Z',
      message: 'itslearning: delivery failed (refused)',
    },
  ],
  audit: {
    seq: 12,
    hash: 'ab'.repeat(32),
    at: '2026-12-07T02:00:01.000Z',
    verified: { ok: false, events: 12, ms: 1, problem: 'event 3: edited' },
  },
  holds: [
    {
      kind: 'hold',
      person: 'p7',
      label: 'Noor\u001b[2J Smit',
      reason: 'legal hold',
      until: '2027-01-10',
      placedBy: 'cli:admin',
      placedAt: '2026-12-01T09:00:00.000Z',
      active: true,
    },
    {
      kind: 'hold',
      person: 'p8',
      label: 'Bram Visser',
      reason: 'sick',
      until: '2026-12-01',
      placedBy: 'cli:admin',
      placedAt: '2026-11-01T09:00:00.000Z',
      active: false,
    },
  ],
}

test('status text: blocked plan with findings and approve command, escaped store text, broken chain said', () => {
  const text = renderStatus(status)
  assert.match(
    text,
    /BLOCKED plans waiting for approval: 1\n {2}plan-fedcba987654 {2}made 2026-12-07T02:00:00.000Z \(2.5 h ago\)\n {4}- dir: 210 disables\n/,
  )
  assert.match(text, /release it with: koppel approve plan-fedcba987654 --reason "…"/)
  assert.match(text, /Interrupted apply .*\n {2}plan-aaaaaaaaaaaa/)
  assert.ok(text.includes('Eva\\u001b[8m Mulder'), 'an escape in a note is shown escaped')
  assert.ok(!text.includes('\u001b'), 'no raw escape reaches the terminal')
  assert.match(text, /since 2026-12-06T02:00:41.000Z: itslearning: delivery failed \(refused\)/)
  assert.match(text, /chain BROKEN at event 3: edited/)
  assert.match(text, /Last runs: none/)
})

test('status text: the next time of each schedule, read in its time zone (02:00 Amsterdam is 01:00 UTC in winter, 00:00 in summer)', () => {
  const schedules = [
    { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Amsterdam' },
    { name: 'school-days', cron: '*/15 7-17 * * 1-5', timezone: 'Europe/Amsterdam' },
  ]
  // 2026-12-05 is a Saturday: the school-day schedule next runs on Monday at 07:00
  const winter = renderStatus(status, nextTimes(schedules, new Date('2026-12-05T10:00:00Z')))
  assert.match(
    winter,
    /Schedules \(koppel serve\):\n {2}nightly {2}"0 2 \* \* \*" \(Europe\/Amsterdam\) {2}next 2026-12-06T01:00:00.000Z\n/,
  )
  assert.match(
    winter,
    /school-days {2}"\*\/15 7-17 \* \* 1-5" \(Europe\/Amsterdam\) {2}next 2026-12-07T06:00:00.000Z/,
  )
  const summer = nextTimes(schedules, new Date('2027-06-01T10:00:00Z'))
  assert.equal(summer[0]?.next, '2027-06-02T00:00:00.000Z')
  assert.match(renderStatus(status), /Schedules: none/)
})

test('status text: holds on persons with their end, reason and who placed them; an ended one says so', () => {
  const text = renderStatus(status)
  assert.match(
    text,
    /Holds on persons \(koppel hold … --lift ends one\):\n {2}p7 {2}Noor\\u001b\[2J Smit {2}until 2027-01-10 {2}by cli:admin: legal hold\n/,
  )
  assert.match(
    text,
    /p8 {2}Bram Visser {2}until 2026-12-01 \(ended; caught up by the next plan\) {2}by cli:admin: sick/,
  )
})
