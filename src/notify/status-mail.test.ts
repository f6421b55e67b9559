import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RunReport } from '../model/index.ts'
import { statusMail, type StatusInput } from './status-mail.ts'

const plan: NonNullable<StatusInput['plan']> = {
  id: 'plan-0123456789ab',
  createdAt: '2026-11-23T02:00:00.000Z',
  summary: { ad: { create: 12, grant: 30, disable: 2 }, itslearning: { update: 5 } },
  findings: [],
  notes: ['ad/p9: delete held back by the summer hold until 2026-08-15'],
  issues: [],
}

test('completed: counts per target and kind as planned / applied / failed, the failures, held actions, the audit head', () => {
  const report: RunReport = {
    kind: 'run-report',
    runId: 'run-1',
    planId: plan.id,
    state: 'done',
    startedAt: '2026-11-23T02:00:01.000Z',
    finishedAt: '2026-11-23T02:00:09.000Z',
    counts: {
      ad: { create: { applied: 11, failed: 1 }, grant: { applied: 30 }, disable: { applied: 2 } },
      itslearning: { update: { applied: 5 } },
    },
    failures: [
      { action: 'ad/p3/create', target: 'ad', message: 'constraint violation on <mail> & "cn"' },
    ],
    messages: [],
  }
  const m = statusMail({
    tenant: 'stichting-west',
    outcome: 'failed',
    plan,
    report,
    auditHead: { seq: 812, hash: 'ab'.repeat(32) },
  })
  assert.equal(m.subject, 'Koppel stichting-west: failed')
  assert.match(m.text, /- ad, create: 12 \/ 11 \/ 1/)
  assert.match(m.text, /- ad, grant: 30 \/ 30 \/ 0/)
  assert.match(m.text, /- itslearning, update: 5 \/ 5 \/ 0/)
  assert.match(m.text, /Failures \(1\):\n- ad\/p3\/create: constraint violation on <mail> & "cn"/)
  assert.match(m.text, /summer hold/)
  assert.match(m.text, new RegExp(`Audit head: event 812, ${'ab'.repeat(32)}`))
  // person data and target answers reach the HTML only escaped
  assert.match(m.html, /constraint violation on &lt;mail&gt; &amp; &quot;cn&quot;/)
  assert.doesNotMatch(m.html, /<mail>/)
})

test('blocked: the guard’s numbers and the approve command, and nothing counted as applied', () => {
  const blocked = {
    ...plan,
    summary: { ad: { disable: 480 } },
    findings: [
      {
        target: 'ad',
        kind: 'disable' as const,
        count: 480,
        base: 1000,
        limit: '10 %',
        message: '480 disables is more than 10 % of 1000 accounts',
      },
    ],
  }
  const m = statusMail({ tenant: 'west', outcome: 'blocked', plan: blocked })
  assert.equal(
    m.subject,
    'Koppel west: blocked by the safety guard: nothing was applied (480 changes)',
  )
  assert.match(
    m.text,
    /ad: 480 disables is more than 10 % of 1000 accounts \(480 of 1000, limit 10 %\)/,
  )
  assert.match(m.text, /koppel approve plan-0123456789ab/)
  assert.match(m.text, /- ad, disable: 480\n/)
  assert.match(m.html, /koppel approve plan-0123456789ab/)
})

test('a source that could not be read: failed, with the error and no plan', () => {
  const m = statusMail({
    tenant: 'west',
    outcome: 'failed',
    error: 'users.csv:2, record u-1, field <x>: required',
  })
  assert.match(m.text, /No plan was made\./)
  assert.match(m.text, /Error: users\.csv:2, record u-1, field <x>: required/)
  assert.match(m.html, /field &lt;x&gt;: required/)
})
