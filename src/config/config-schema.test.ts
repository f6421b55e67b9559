import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { z } from 'zod'
import type { SourceDefinition } from '../contract/index.ts'
import { buildConfigSchema } from './config-schema.ts'
import { fakeDefinitions, fakeOneRoster } from './fake-definitions.ts'
import { configErrorMap, flattenIssues } from './issue-messages.ts'
import { formatPath } from './config-error.ts'
import { hasLiteralPassword } from './store-schema.ts'
import { ACTION_KINDS } from '../model/index.ts'

const schema = buildConfigSchema(fakeDefinitions)

const target = (extra: Record<string, unknown> = {}) => ({
  name: 'directory',
  type: 'ldap',
  url: 'ldap://localhost',
  bindDn: 'cn=admin',
  password: '${env:LDAP_PASSWORD}',
  baseDn: 'dc=x',
  anchor: { attribute: 'employeeNumber', value: 'person.key' },
  ...extra,
})

const base = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  sources: [{ name: 'school', type: 'oneroster-csv', path: './export' }],
  targets: [target()],
  ...extra,
})

function parse(input: unknown) {
  return schema.safeParse(input, { error: configErrorMap })
}

/** `path: message` lines, for asserting on exactly which problems were found. */
function problems(input: unknown): string[] {
  const r = parse(input)
  assert.equal(r.success, false, 'expected the config to be invalid')
  return flattenIssues(r.error?.issues ?? []).map((i) => `${formatPath(i.path)}: ${i.message}`)
}

function valid(input: unknown) {
  const r = parse(input)
  if (!r.success)
    assert.fail(
      flattenIssues(r.error.issues)
        .map((i) => `${formatPath(i.path)}: ${i.message}`)
        .join('\n'),
    )
  return r.data
}

describe('defaults', () => {
  test('a minimal file gets store, tenant, merge, lifecycle, guard and apply defaults', () => {
    const c = valid(base())
    assert.equal(c.tenant, 'default')
    assert.deepEqual(c.store, { kind: 'sqlite', path: './data/koppel.db' })
    assert.deepEqual(c.merge, { match: [], primaryContract: ['employment', 'enrolment'] })
    assert.deepEqual(c.rules, [])
    assert.deepEqual(c.sources[0]?.safety, {
      maxShrinkPercent: 10,
      baselineDays: 7,
      allowEmpty: false,
    })
    const t = c.targets[0]
    assert.deepEqual(t?.lifecycle, {
      provisionDaysBefore: 14,
      disableAfterDays: 0,
      deleteAfterDays: 30,
      revokeOnDisable: true,
      holds: [],
    })
    assert.deepEqual(t?.guard, {
      create: { maxPercent: 25, minCount: 50 },
      update: { maxPercent: 50 },
      disable: { maxCount: 50, maxPercent: 10 },
      delete: { maxCount: 50, maxPercent: 10 },
      revoke: { maxPercent: 25 },
      'group-create': { maxPercent: 25, minCount: 50 },
      'group-update': { maxPercent: 50, minCount: 20 },
      'group-archive': { maxCount: 50, maxPercent: 10 },
      'group-delete': { maxCount: 50, maxPercent: 10 },
    })
    assert.deepEqual(t?.apply, { retries: 5, backoffMs: 250, maxBackoffMs: 30000 })
    assert.deepEqual(t?.attributes, {})
  })

  test('a partial lifecycle keeps the other defaults; null means never delete', () => {
    const t = valid(base({ targets: [target({ lifecycle: { deleteAfterDays: null } })] }))
      .targets[0]
    assert.deepEqual(t?.lifecycle, {
      provisionDaysBefore: 14,
      disableAfterDays: 0,
      deleteAfterDays: null,
      revokeOnDisable: true,
      holds: [],
    })
  })

  test('store: sqlite path defaults; postgres needs a url', () => {
    assert.deepEqual(valid(base({ store: { kind: 'sqlite' } })).store, {
      kind: 'sqlite',
      path: './data/koppel.db',
    })
    assert.deepEqual(problems(base({ store: { kind: 'postgres' } })), [
      'store.url: required field is missing',
    ])
  })
})

describe('guard', () => {
  const guardOf = (guard: unknown) =>
    valid(base({ targets: [target({ guard })] })).targets[0]?.guard

  test('a kind given merges with its defaults field by field', () => {
    assert.deepEqual(guardOf({ delete: { maxCount: 200 } })?.delete, {
      maxCount: 200,
      maxPercent: 10,
    })
  })

  test('null lifts one default limit, off lifts the kind', () => {
    const g = guardOf({ delete: { maxPercent: null }, disable: { off: true } })
    assert.deepEqual(g?.delete, { maxCount: 50 })
    assert.deepEqual(g?.disable, { off: true })
  })

  test('a limit on a kind without defaults is kept; other kinds keep theirs', () => {
    const g = guardOf({ grant: { maxCount: 1000 }, create: { maxCount: 1000 } })
    assert.deepEqual(g?.grant, { maxCount: 1000 })
    assert.deepEqual(g?.create, { maxCount: 1000, maxPercent: 25, minCount: 50 })
    assert.deepEqual(g?.revoke, { maxPercent: 25 })
  })

  test('insane values are refused', () => {
    assert.deepEqual(
      problems(base({ targets: [target({ guard: { delete: { maxPercent: 101 } } })] })),
      ['targets[0].guard.delete.maxPercent: must be ≤ 100'],
    )
    assert.deepEqual(
      problems(base({ targets: [target({ guard: { update: { maxCount: -1 } } })] })),
      ['targets[0].guard.update.maxCount: must be ≥ 0'],
    )
    assert.deepEqual(
      problems(base({ targets: [target({ guard: { delete: { off: true, maxCount: 3 } } })] })),
      [
        'targets[0].guard.delete.off: off: true cannot be combined with maxCount, maxPercent or minCount',
      ],
    )
    assert.deepEqual(
      problems(base({ targets: [target({ guard: { remove: { maxCount: 3 } } })] })),
      ['targets[0].guard.remove: unknown key "remove" (did you mean "revoke"?)'],
    )
  })
})

describe('connector entries', () => {
  test('connector options sit next to name and type and are validated by the connector schema', () => {
    const c = valid(base({ sources: [{ name: 'hr', type: 'csv', file: 'x.csv' }] }))
    assert.deepEqual(c.sources[0], {
      name: 'hr',
      type: 'csv',
      file: 'x.csv',
      delimiter: ',',
      safety: { maxShrinkPercent: 10, baselineDays: 7, allowEmpty: false },
    })
  })

  test('a misspelt option is an unknown key with a suggestion', () => {
    const { password, ...rest } = target()
    assert.deepEqual(problems(base({ targets: [{ ...rest, pasword: password }] })), [
      'targets[0].password: required field is missing',
      'targets[0].pasword: unknown key "pasword" (did you mean "password"?)',
    ])
  })

  test('an unknown or missing type names the registered types', () => {
    assert.deepEqual(problems(base({ sources: [{ name: 'a', type: 'somtoday' }] })), [
      'sources[0].type: unknown source type "somtoday" (registered: oneroster-csv, csv)',
    ])
    assert.deepEqual(problems(base({ targets: [{ name: 'a' }] })), [
      'targets[0].type: missing required field "type" (target types: ldap, scim)',
    ])
  })

  test("the connector schema's own refinements still run", () => {
    assert.deepEqual(problems(base({ targets: [target({ url: 'http://x' })] })), [
      'targets[0].url: must start with ldap:// or ldaps://',
    ])
  })

  test('a plain secret is refused without repeating it', () => {
    const msgs = problems(base({ targets: [target({ password: 'hunter2' })] }))
    assert.equal(msgs.length, 1)
    assert.match(msgs[0] ?? '', /^targets\[0\]\.password: holds a secret/)
    assert.doesNotMatch(msgs[0] ?? '', /hunter2/)
    const numeric = problems(base({ targets: [target({ password: 123456 })] }))
    assert.match(
      numeric[0] ?? '',
      /password: must be a secret reference like \$\{env:NAME\}, not a whole number/,
    )
  })

  test('an optional secret accepts a reference and refuses a value', () => {
    const scim = {
      name: 's',
      type: 'scim',
      baseUrl: 'https://x',
      anchor: { attribute: 'id', value: 'person.key' },
    }
    valid(base({ targets: [scim, { ...scim, name: 't', token: '${file:token.txt}' }] }))
    assert.match(
      problems(base({ targets: [{ ...scim, token: 'abc' }] }))[0] ?? '',
      /token: holds a secret/,
    )
  })

  test('a definition that claims an engine key, or two of one type, is a programming error', () => {
    const clash: SourceDefinition = {
      ...fakeOneRoster,
      type: 'x',
      schema: z.object({ safety: z.string() }),
    }
    assert.throws(() => buildConfigSchema([clash]), /engine-level key\(s\) safety/)
    assert.throws(
      () => buildConfigSchema([fakeOneRoster, fakeOneRoster]),
      /two source connectors .*oneroster-csv/,
    )
  })
})

describe('targets', () => {
  test('anchor is required', () => {
    const { anchor: _anchor, ...rest } = target()
    assert.deepEqual(problems(base({ targets: [rest] })), [
      'targets[0].anchor: required field is missing',
    ])
  })

  test('attributes: a CEL string, or an object with exactly one of value or candidates', () => {
    const attributes = {
      cn: 'fullName(person)',
      uid: {
        candidates: ['a', 'b'],
        unique: true,
        once: true,
        maxLength: 20,
        lowercase: true,
        iterate: '{value}.{n}',
      },
      mail: { value: 'person.email' },
    }
    assert.deepEqual(
      valid(base({ targets: [target({ attributes })] })).targets[0]?.attributes,
      attributes,
    )
    assert.deepEqual(
      problems(base({ targets: [target({ attributes: { uid: { unique: true } } })] })),
      ['targets[0].attributes.uid: give exactly one of value or candidates'],
    )
    assert.deepEqual(
      problems(base({ targets: [target({ attributes: { uid: { value: 'a', maxLen: 3 } } })] })),
      ['targets[0].attributes.uid.maxLen: unknown key "maxLen" (did you mean "maxLength"?)'],
    )
    assert.deepEqual(problems(base({ targets: [target({ attributes: { uid: 5 } })] })), [
      'targets[0].attributes.uid: expected a string or a mapping, got a whole number',
    ])
  })

  test('holds take real MM-DD dates and known action kinds', () => {
    const holds = [{ from: '12-20', to: '01-05', kinds: ['delete', 'disable'] }]
    assert.deepEqual(
      valid(base({ targets: [target({ lifecycle: { holds } })] })).targets[0]?.lifecycle.holds,
      holds,
    )
    assert.deepEqual(
      problems(
        base({
          targets: [
            target({ lifecycle: { holds: [{ from: '02-30', to: '7-1', kinds: ['purge'] }] } }),
          ],
        }),
      ),
      [
        'targets[0].lifecycle.holds[0].from: must be a date as MM-DD, e.g. 07-15',
        'targets[0].lifecycle.holds[0].to: must be a date as MM-DD, e.g. 07-15',
        `targets[0].lifecycle.holds[0].kinds[0]: must be one of: ${ACTION_KINDS.join(', ')}`,
      ],
    )
  })

  test('drift.adopt defaults to true; leaver notices default to 14 and 0 days and need smtp and from', () => {
    assert.deepEqual(valid(base({ targets: [target()] })).targets[0]?.drift, { adopt: true })
    assert.deepEqual(
      valid(base({ targets: [target({ drift: { adopt: false } })] })).targets[0]?.drift,
      { adopt: false },
    )
    assert.deepEqual(problems(base({ targets: [target({ drift: { adopt: 'no' } })] })).length, 1)
    const smtp = { host: 'smtp.school.test' }
    assert.deepEqual(
      valid(base({ notify: { smtp, from: 'k@school.test', leaverNotices: {} } })).notify
        ?.leaverNotices,
      { daysBefore: [14, 0], language: 'en' },
    )
    assert.deepEqual(problems(base({ notify: { leaverNotices: { daysBefore: [7] } } })), [
      'notify.leaverNotices: leaver notices need notify.smtp and notify.from',
    ])
    assert.equal(
      problems(
        base({ notify: { smtp, from: 'k@school.test', leaverNotices: { daysBefore: [-1] } } }),
      ).length,
      1,
    )
  })

  test('apply: maxBackoffMs below backoffMs is refused', () => {
    assert.deepEqual(
      problems(base({ targets: [target({ apply: { backoffMs: 5000, maxBackoffMs: 100 } })] })),
      ['targets[0].apply.maxBackoffMs: must be at least backoffMs'],
    )
  })
})

describe('across the file', () => {
  test('names are unique per section and well-formed', () => {
    const rule = { name: 'r', when: 'true', grant: [{ account: 'directory' }] }
    assert.deepEqual(
      problems(
        base({
          sources: [
            { name: 'school', type: 'oneroster-csv', path: 'a' },
            { name: 'school', type: 'csv', file: 'b' },
          ],
          targets: [target(), target({ name: 'Directory 2' }), target()],
          rules: [rule, rule],
        }),
      ),
      [
        'targets[1].name: must be lowercase letters, digits and hyphens, e.g. school-a',
        'sources[1].name: duplicate source name "school" (also sources[0])',
        'targets[2].name: duplicate target name "directory" (also targets[0])',
        'rules[1].name: duplicate rule name "r" (also rules[0])',
      ],
    )
  })

  test('rules must refer to configured targets, also when other parts are invalid', () => {
    const rules = [
      { name: 'a', when: 'true', grant: [{ account: 'directroy' }] },
      {
        name: 'b',
        when: 'true',
        grant: [{ permission: { target: 'lms', type: 'group', id: '"x"' } }],
      },
    ]
    assert.deepEqual(problems(base({ version: 2, rules })), [
      'version: must be 1',
      'rules[0].grant[0].account: unknown target "directroy" (targets: directory)',
      'rules[1].grant[0].permission.target: unknown target "lms" (targets: directory)',
    ])
  })

  test('a grant is exactly one of account or permission', () => {
    const rules = [{ name: 'a', when: 'true', grant: [{}] }]
    assert.deepEqual(problems(base({ rules })), [
      'rules[0].grant[0]: give exactly one of account, permission or member',
    ])
  })

  test('at least one source; version is required', () => {
    assert.deepEqual(problems({ sources: [] }), [
      'version: required field is missing',
      'sources: must have at least 1 item(s)',
    ])
  })
})

test('a postgres url may carry a password only by reference', () => {
  assert.equal(hasLiteralPassword('postgres://koppel:hunter2@db/koppel'), true)
  assert.equal(hasLiteralPassword('host=db user=koppel password=hunter2'), true)
  assert.equal(hasLiteralPassword('postgres://db/koppel?password=hunter2'), true)
  assert.equal(hasLiteralPassword('postgres://koppel:${env:PGPASS}@db/koppel'), false)
  assert.equal(hasLiteralPassword('postgres://koppel@db/koppel'), false)
  assert.equal(hasLiteralPassword('${env:KOPPEL_DATABASE_URL}'), false)
  const msgs = problems(
    base({ store: { kind: 'postgres', url: 'postgres://koppel:hunter2@db/koppel' } }),
  )
  assert.equal(msgs.length, 1)
  assert.match(msgs[0] ?? '', /^store\.url: must not contain a password/)
  assert.doesNotMatch(msgs[0] ?? '', /hunter2/)
})

describe('schedules', () => {
  test('cron expressions are read with croner; the time zone defaults to Europe/Amsterdam', () => {
    const c = valid(
      base({
        schedules: [
          { name: 'nightly', cron: '0 2 * * *' },
          { name: 'school-days', cron: '*/15 7-17 * * 1-5', timezone: 'UTC' },
        ],
      }),
    )
    assert.deepEqual(c.schedules, [
      { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Amsterdam' },
      { name: 'school-days', cron: '*/15 7-17 * * 1-5', timezone: 'UTC' },
    ])
    assert.deepEqual(valid(base()).schedules, [])
  })

  test('a bad expression, a bad time zone and a name used twice are named by their entry', () => {
    const found = problems(
      base({
        schedules: [
          { name: 'nightly', cron: '0 25 * * *' },
          { name: 'nightly', cron: '0 3 * * *', timezone: 'Mars/Olympus' },
        ],
      }),
    )
    assert.equal(found.length, 3, found.join('\n'))
    assert.match(found[0] ?? '', /^schedules\[0\]\.cron: not a cron expression croner accepts: /)
    assert.equal(
      found[1],
      'schedules[1].timezone: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Amsterdam or UTC)',
    )
    assert.equal(found[2], 'schedules[1].name: schedule "nightly" is defined twice')
  })
})
