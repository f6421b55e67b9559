import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Action, Plan } from '../model/index.ts'
import { filterActions, planFilterOf } from './plan-filter.ts'
import { renderPlan } from './render-plan.ts'
import { displayWidth } from './terminal-text.ts'

function action(over: Partial<Action> & Pick<Action, 'person' | 'label'>): Action {
  return {
    kind: 'create',
    id: `directory/${over.person}/${over.kind ?? 'create'}`,
    target: 'directory',
    changes: [
      { field: 'uid', new: 'anouk.nieuweners' },
      { field: 'mail', new: 'anouk.nieuweners@leerling.school.test' },
      { field: 'departmentNumber', new: '59GX00-V6a' },
      { field: 'dn', new: 'uid=anouk.nieuweners,ou=people,dc=school,dc=test' },
    ],
    reason: {
      change: 'joiner',
      detail: 'new student V6a 59GX00',
      rule: 'Leerlingen krijgen een account en hun stamgroep',
    },
    ...over,
  } as Action
}

function plan(actions: Action[]): Plan {
  const summary: Record<string, Record<string, number>> = {}
  for (const a of actions)
    summary[a.target] = { ...summary[a.target], [a.kind]: (summary[a.target]?.[a.kind] ?? 0) + 1 }
  return {
    kind: 'plan',
    id: 'plan-0123456789ab',
    hash: 'f'.repeat(64),
    createdAt: '2026-09-01T00:00:00Z',
    status: 'planned',
    summary,
    actions,
    findings: [],
    issues: [],
    notes: [],
    inputs: {},
  }
}

const anouk = action({
  person: '0b0d271e-d4bb-4306-a53f-92135900c9aa',
  label: 'Anouk Nieuweners',
  subject: { number: '123456', classGroup: 'V6a', school: '59GX00' },
})
const leaver = action({
  kind: 'disable',
  person: '1830c870-ffe1-445b-a37f-00ff3fecf0bb',
  label: 'Kyan Oostermeijer',
  subject: { number: '654321', classGroup: '1A', school: '07QQ00' },
  changes: [],
  account: { targetId: 'x', locator: 'uid=kyan.oostermeijer,ou=people,dc=school,dc=test' },
  reason: { change: 'leaver', detail: 'last contract ended 2026-07-31' },
})

describe('renderPlan', () => {
  for (const width of [80, 100, 160]) {
    it(`fits a ${width}-column terminal`, () => {
      const text = renderPlan(plan([anouk, leaver]), { limit: 100, width })
      const widest = Math.max(...text.split('\n').map(displayWidth))
      assert.ok(widest <= width, `a line is ${widest} columns wide:\n${text}`)
      // wrapped or not, nothing of the data is lost
      assert.match(text.replaceAll(/\s+/g, ''), /uid=anouk\.nieuweners,ou=people,dc=school,dc=test/)
    })
  }

  it('names persons by name and number, with class and school, not by key', () => {
    const text = renderPlan(plan([anouk, leaver]), { limit: 100, width: 80 })
    assert.match(text, /Anouk Nieuweners/)
    assert.match(text, /123456 · V6a · 59GX00/)
    assert.match(text, /654321 · 1A · 07QQ00/)
    assert.doesNotMatch(text, /0b0d271e/)
  })

  it('shows control characters, ANSI escapes and bidi overrides escaped', () => {
    const hostile = action({
      person: 'p3',
      label: 'Eva \u001b[2J\u001b[31mred\u202Egnp.exe\u0000',
      changes: [{ field: 'cn', new: 'a\u0007b\r\nc\u2066' }],
    })
    const text = renderPlan(plan([hostile]), { limit: 100, width: 240 })
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/u)
    assert.match(text, /\\u001b\[2J/)
    assert.match(text, /\\u202e/)
    assert.match(text, /a\\u0007b\\u000d\\u000ac\\u2066/)
  })

  it('renders a 100 KB name quickly and cut in the display', () => {
    const long = 'Jan ' + 'ab '.repeat(34_000)
    const huge = action({
      person: 'p4',
      label: long,
      changes: [
        { field: 'cn', new: long },
        { field: 'description', new: 'x'.repeat(100_000) },
      ],
    })
    const started = performance.now()
    const text = renderPlan(plan([huge]), { limit: 100, width: 80 })
    const ms = performance.now() - started
    assert.ok(ms < 1000, `took ${Math.round(ms)} ms`)
    assert.ok(text.length < 5000, `${text.length} characters printed`)
    assert.match(text, /\(\+\d+ chars\)/)
  })

  it('filters by kind, target, person (name, number) and school, saying so', () => {
    const text = renderPlan(plan([anouk, leaver]), {
      limit: 100,
      width: 80,
      filter: { kinds: ['disable'] },
    })
    assert.match(text, /1 of 2 actions match kind disable/)
    assert.doesNotMatch(text, /Anouk/)
    const p = plan([anouk, leaver, { ...anouk, target: 'entra', id: 'entra/x/create' }])
    assert.deepEqual(
      filterActions(p.actions, { targets: ['entra'] }).map((a) => a.id),
      ['entra/x/create'],
    )
    assert.deepEqual(
      filterActions(p.actions, { person: 'oostermeijer' }).map((a) => a.label),
      ['Kyan Oostermeijer'],
    )
    assert.deepEqual(filterActions(p.actions, { person: '123456' }).length, 2)
    assert.deepEqual(
      filterActions(p.actions, { school: '07qq00' }).map((a) => a.label),
      ['Kyan Oostermeijer'],
    )
    assert.deepEqual(
      filterActions([{ ...anouk, label: 'Zoë Bakker' }], { person: 'zoe' }).length,
      1,
    )
  })

  it('refuses an unknown --kind by name', () => {
    const r = planFilterOf({ kind: 'create,remove' })
    assert.equal(r.ok, false)
    assert.match(r.ok ? '' : r.message, /"remove"/)
  })
})
