/**
 * The CEL environments rules and mappings are compiled in. Built once per process: cel-js environments are
 * expensive to set up and immutable after cloning.
 *
 * Variables: `person`, `contract` (maps, see cel-values.ts), `contracts` (list of the active contracts),
 * `today` ("YYYY-MM-DD"); mappings also see `account` (the attributes computed so far); rules also see
 * `membership` and `group` (set only in rules that run per membership). A target's `provisionGroups:` section sees
 * `group` and `today` only.
 * Optional syntax (`person.?preferredGivenName.orValue(person.givenName)`) is enabled.
 */
import { Environment } from '@marcbachmann/cel-js'
import { registerLibrary } from './cel-library.ts'

export type Scope = 'rule' | 'mapping' | 'group'

let environments: Record<Scope, Environment> | undefined

export function celEnvironment(scope: Scope): Environment {
  environments ??= create()
  return environments[scope]
}

function create(): Record<Scope, Environment> {
  const base = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable('person', 'map')
    .registerVariable('contract', 'map')
    .registerVariable('contracts', 'list')
    .registerVariable('today', 'string')
  registerLibrary(base)
  const group = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable('group', 'map')
    .registerVariable('today', 'string')
  registerLibrary(group)
  return {
    rule: base.clone().registerVariable('membership', 'map').registerVariable('group', 'map'),
    mapping: base.clone().registerVariable('account', 'map'),
    group,
  }
}
