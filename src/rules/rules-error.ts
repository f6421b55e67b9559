/**
 * The error compileRules and compileMapping throw: every bad expression or spec field at once, each naming
 * where it is (rule or target + attribute), the expression and the position in it, so an administrator can
 * fix a whole config file in one go.
 */

export interface RuleProblem {
  /** Rule name (rules) or target name (mappings). */
  readonly rule?: string
  readonly target?: string
  readonly attribute?: string
  /** Which field of the spec: `when`, `grant[0].permission.id`, `value`, `candidates[1]`, `iterate`, … */
  readonly field: string
  readonly expression?: string
  /** 0-based offset into the expression where the problem starts. */
  readonly position?: number
  readonly message: string
}

export class RulesError extends Error {
  readonly problems: readonly RuleProblem[]

  constructor(problems: readonly RuleProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in rules:\n${problems.map(formatProblem).join('\n')}`,
    )
    this.name = 'RulesError'
    this.problems = problems
  }
}

export function formatProblem(p: RuleProblem): string {
  const where = [
    p.rule !== undefined ? `rule "${p.rule}"` : undefined,
    p.target !== undefined ? `target "${p.target}"` : undefined,
    p.attribute !== undefined ? `attribute "${p.attribute}"` : undefined,
    p.field,
  ].filter((s) => s !== undefined)
  const at = p.position !== undefined ? ` at ${p.position}` : ''
  const expr = p.expression !== undefined ? ` in \`${p.expression}\`${at}` : ''
  return `  ${where.join(', ')}: ${p.message}${expr}`
}
