/**
 * Rules and mappings: CEL conditions that grant entitlements, and attribute mappings with Dutch name helpers
 * and unique value generation. The engine's only entry point into src/rules.
 */
export { compileRules } from './compile-rules.ts'
export type {
  CompiledRules,
  CompileRulesOptions,
  EntitlementResult,
  GrantSpec,
  MembershipGrant,
  MembershipInput,
  RuleSpec,
  RuleVerdict,
} from './compile-rules.ts'
export { compileMapping } from './compile-mapping.ts'
export { compileGroupSets } from './compile-group-sets.ts'
export type { CompiledGroupSets, DesiredGroup, GroupSetSpec } from './compile-group-sets.ts'
export type {
  AttributeRule,
  CompiledMapping,
  MappingInput,
  MappingSpec,
} from './compile-mapping.ts'
export type { UniquenessOracle } from './unique-value.ts'
export type { CacheOptions, EvaluatorStats } from './compiled-expression.ts'
export { RulesError, formatProblem } from './rules-error.ts'
export { readPaths } from './compiled-expression.ts'
export { CONTRACT_FIELDS, MEMBERSHIP_FIELDS, PERSON_FIELDS } from './fields.ts'
export type { RuleProblem } from './rules-error.ts'
export { familyName, fullName, sortName, personInitials } from './dutch-names.ts'
export { ascii, slug, initialsOf } from './text-functions.ts'
export { fieldsRead, type FieldPath } from './fields-read.ts'
