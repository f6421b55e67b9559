import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { RunReport } from '../model/index.ts'
import { actionsChart, actionsPerDay } from './actions-chart.ts'

const run = (
  startedAt: string,
  counts: RunReport['counts'],
): Pick<RunReport, 'startedAt' | 'counts'> => ({ startedAt, counts })

describe('actions per day', () => {
  const reports = [
    run('2026-11-23T04:30:00Z', {
      dir: { create: { applied: 40 }, grant: { applied: 40, failed: 2 } },
      lms: { create: { applied: 5, pending: 3 } },
    }),
    run('2026-11-23T15:00:00Z', { dir: { update: { applied: 1 } } }),
    // 23:30 UTC on the 20th is 00:30 on the 21st in Amsterdam
    run('2026-11-20T23:30:00Z', { dir: { disable: { applied: 7 } } }),
    run('2026-11-01T04:30:00Z', { dir: { create: { applied: 999 } } }),
  ]

  test('sums applied and failed actions over targets and kinds per day, fourteen days up to today, zero days kept', () => {
    const days = actionsPerDay(reports, new Date('2026-11-24T10:00:00Z'))
    assert.equal(days.length, 14)
    assert.deepEqual(days[0], { day: '2026-11-11', applied: 0, failed: 0 })
    assert.deepEqual(days.at(-1), { day: '2026-11-24', applied: 0, failed: 0 })
    assert.deepEqual(
      days.at(-2),
      { day: '2026-11-23', applied: 86, failed: 2 },
      'pending actions are not counted; both runs of the day are',
    )
    assert.deepEqual(
      days.find((d) => d.day === '2026-11-20'),
      { day: '2026-11-20', applied: 7, failed: 0 },
    )
    assert.ok(!days.some((d) => d.applied === 999), 'a run before the window is left out')
  })

  test("a day is the school's day: a run just after local midnight counts on that local date", () => {
    const days = actionsPerDay(reports, new Date('2026-11-24T10:00:00Z'), {
      timezone: 'Europe/Amsterdam',
    })
    assert.deepEqual(
      days.find((d) => d.day === '2026-11-21'),
      { day: '2026-11-21', applied: 7, failed: 0 },
    )
    assert.deepEqual(
      days.find((d) => d.day === '2026-11-20'),
      { day: '2026-11-20', applied: 0, failed: 0 },
    )
    // just after midnight in Amsterdam, still the day before in UTC: the window ends on the local date
    assert.equal(
      actionsPerDay([], new Date('2026-11-23T23:30:00Z'), {
        timezone: 'Europe/Amsterdam',
        days: 3,
      }).at(-1)?.day,
      '2026-11-24',
    )
  })

  test('the chart scales bars to the busiest day and gives every number as a table as well', () => {
    const svg = actionsChart('en', [
      { day: '2026-11-22', applied: 0, failed: 0 },
      { day: '2026-11-23', applied: 60, failed: 20 },
      { day: '2026-11-24', applied: 40, failed: 0 },
    ]).value
    assert.match(
      svg,
      /<rect class="bar-applied" x="44" y="30" width="36" height="90"><\/rect>\n<rect class="bar-failed" x="44" y="0" width="36" height="30">/,
    )
    assert.match(svg, /<rect class="bar-applied" x="88" y="60" width="36" height="60">/)
    assert.match(svg, /<tr><th scope="row">2026-11-23<\/th><td>60<\/td><td>20<\/td><\/tr>/)
    assert.ok(!/<script|style=/.test(svg))
  })
})
