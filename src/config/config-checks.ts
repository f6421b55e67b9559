/**
 * Checks that span the whole file: unique names and rules that refer to existing targets. Written over
 * `unknown` so that they also run when other parts of the file are invalid, and every error shows at once.
 */

export interface CrossIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : [])

function duplicateNames(items: readonly unknown[], section: string, what: string): CrossIssue[] {
  const first = new Map<string, number>()
  const issues: CrossIssue[] = []
  items.forEach((item, i) => {
    const name = isRecord(item) ? item['name'] : undefined
    if (typeof name !== 'string') return
    const earlier = first.get(name)
    if (earlier === undefined) first.set(name, i)
    else
      issues.push({
        path: [section, i, 'name'],
        message: `duplicate ${what} name "${name}" (also ${section}[${earlier}])`,
      })
  })
  return issues
}

function unknownTargets(rules: readonly unknown[], targets: ReadonlySet<string>): CrossIssue[] {
  const known =
    targets.size === 0 ? 'no targets are configured' : `targets: ${[...targets].join(', ')}`
  const issues: CrossIssue[] = []
  rules.forEach((rule, r) => {
    list(isRecord(rule) ? rule['grant'] : undefined).forEach((grant, g) => {
      if (!isRecord(grant)) return
      const permission = grant['permission']
      const member = grant['member']
      const refs: [unknown, (string | number)[]][] = [
        [grant['account'], ['rules', r, 'grant', g, 'account']],
        [
          isRecord(permission) ? permission['target'] : undefined,
          ['rules', r, 'grant', g, 'permission', 'target'],
        ],
        [
          isRecord(member) ? member['target'] : undefined,
          ['rules', r, 'grant', g, 'member', 'target'],
        ],
      ]
      for (const [name, path] of refs) {
        if (typeof name === 'string' && name !== '' && !targets.has(name)) {
          issues.push({ path, message: `unknown target "${name}" (${known})` })
        }
      }
    })
  })
  return issues
}

/** A member grant names a group set of its target: `member: { target: ldap, groups: lesgroepen }`. */
function unknownGroupSets(rules: readonly unknown[], targets: readonly unknown[]): CrossIssue[] {
  const sets = new Map<string, string[]>()
  for (const t of targets) {
    if (!isRecord(t) || typeof t['name'] !== 'string') continue
    sets.set(
      t['name'],
      list(t['provisionGroups']).flatMap((s) =>
        isRecord(s) && typeof s['name'] === 'string' ? [s['name']] : [],
      ),
    )
  }
  const issues: CrossIssue[] = []
  rules.forEach((rule, r) => {
    list(isRecord(rule) ? rule['grant'] : undefined).forEach((grant, g) => {
      const member = isRecord(grant) ? grant['member'] : undefined
      if (
        !isRecord(member) ||
        typeof member['target'] !== 'string' ||
        typeof member['groups'] !== 'string'
      )
        return
      const known = sets.get(member['target'])
      if (known === undefined || known.includes(member['groups'])) return
      const hint =
        known.length === 0
          ? `target "${member['target']}" has no provisionGroups: section`
          : `group sets of ${member['target']}: ${known.join(', ')}`
      issues.push({
        path: ['rules', r, 'grant', g, 'member', 'groups'],
        message: `unknown group set "${member['groups']}" (${hint})`,
      })
    })
  })
  return issues
}

function unknownWriteBackSources(
  targets: readonly unknown[],
  sources: ReadonlySet<string>,
): CrossIssue[] {
  const issues: CrossIssue[] = []
  targets.forEach((t, i) => {
    const refs: [unknown, (string | number)[]][] = list(
      isRecord(t) ? t['writeBack'] : undefined,
    ).map((wb, w) => [
      isRecord(wb) ? wb['source'] : undefined,
      ['targets', i, 'writeBack', w, 'source'],
    ])
    const delivery = isRecord(t) ? t['secretDelivery'] : undefined
    if (isRecord(delivery) && 'source' in delivery)
      refs.push([delivery['source'], ['targets', i, 'secretDelivery', 'source']])
    for (const [name, path] of refs) {
      if (typeof name === 'string' && name !== '' && !sources.has(name))
        issues.push({
          path,
          message: `unknown source "${name}" (sources: ${[...sources].join(', ')})`,
        })
    }
  })
  return issues
}

export function crossCheck(config: unknown): CrossIssue[] {
  if (!isRecord(config)) return []
  const targets = list(config['targets'])
  const targetNames = new Set(
    targets.flatMap((t) => (isRecord(t) && typeof t['name'] === 'string' ? [t['name']] : [])),
  )
  return [
    ...duplicateNames(list(config['sources']), 'sources', 'source'),
    ...duplicateNames(targets, 'targets', 'target'),
    ...duplicateNames(list(config['rules']), 'rules', 'rule'),
    ...unknownTargets(list(config['rules']), targetNames),
    ...unknownGroupSets(list(config['rules']), targets),
    ...unknownWriteBackSources(
      targets,
      new Set(
        list(config['sources']).flatMap((s) =>
          isRecord(s) && typeof s['name'] === 'string' ? [s['name']] : [],
        ),
      ),
    ),
  ]
}
