/**
 * Person data reaches a DN only escaped, by construction: in a `dn` mapping the string literals are DN syntax
 * and every other part of the concatenation is a value, wrapped in `dnEscape()` before the expression is
 * compiled. `"cn=" + fullName(person) + ",ou=people"` therefore yields `cn=x\2Buid\3Dadmin,ou=people` for a
 * family name `x+uid=admin`, never a second `uid`. A computed DN is then checked once more: one attribute in its
 * first RDN, and that value equal to the mapped attribute of the same name. Does not know any directory.
 */
import type { ASTNode } from '@marcbachmann/cel-js'
import { parseDn } from '../protocol/ldap-escape.ts'
import type { AttributeValue } from '../model/values.ts'
import { celEnvironment } from './cel-environment.ts'
import { messageOf } from '../util/message-of.ts'

/** Functions whose result is already escaped DN text: their arguments are left alone. */
const ESCAPING = new Set(['dnEscape', 'rdn'])

export const isDnAttribute = (name: string): boolean => name.toLowerCase() === 'dn'

/** A DN quoted for a message: a name can be megabytes long, the issue needs only its ends. */
function quote(dn: string): string {
  return JSON.stringify(dn.length <= 200 ? dn : `${dn.slice(0, 120)}…${dn.slice(-60)}`)
}

/**
 * The source with every value part of the DN wrapped in `dnEscape(…)`: the operands of `+` and the branches of
 * `?:` are followed; string literals and calls of dnEscape/rdn are kept; anything else is a value. Expects a
 * source that already compiles.
 */
export function escapeDnValues(source: string): string {
  const ast = celEnvironment('mapping').parse(source).ast
  const wrap: { start: number; end: number }[] = []
  const visit = (node: ASTNode): void => {
    if (node.op === '+') {
      for (const operand of node.args) visit(operand)
    } else if (node.op === '?:') {
      visit(node.args[1])
      visit(node.args[2])
    } else if (node.op === 'value' && typeof node.args === 'string') {
      // a literal is the mapping author's own syntax
    } else if ((node.op === 'call' || node.op === 'rcall') && ESCAPING.has(node.args[0])) {
      // already escaped
    } else {
      wrap.push({ start: node.start, end: node.end })
    }
  }
  visit(ast)
  let out = source
  for (const { start, end } of wrap.sort((a, b) => b.start - a.start)) {
    out = `${out.slice(0, start)}dnEscape(${out.slice(start, end)})${out.slice(end)}`
  }
  return out
}

/**
 * Why a computed DN must not be written, or undefined: it does not parse, its first RDN holds several
 * attributes (`cn=a+uid=admin`), or its naming value differs from the attribute mapped under that name.
 */
export function dnProblem(
  dn: string,
  attributes: Readonly<Record<string, AttributeValue>>,
): string | undefined {
  let first
  try {
    first = parseDn(dn)[0]
  } catch (err) {
    return `the DN ${quote(dn)} does not parse: ${messageOf(err).split('": ').pop()}`
  }
  if (first === undefined || first.length === 0) return `the DN ${quote(dn)} is empty`
  if (first.length > 1) {
    const types = first.map((a) => a.type).join('+')
    return `the DN ${quote(dn)} has a multi-valued RDN (${types}); a DN names one attribute`
  }
  const [{ type, value }] = first as [{ type: string; value: string }]
  if (value.trim() === '') return `the DN ${quote(dn)} names the entry by an empty ${type}`
  const mapped = Object.entries(attributes).find(
    ([name]) => name.toLowerCase() === type.toLowerCase(),
  )?.[1]
  if (mapped === undefined) return undefined
  const values = (typeof mapped === 'string' ? [mapped] : mapped).map((v) => v.toLowerCase())
  if (!values.includes(value.toLowerCase())) {
    return `the DN's ${type} ${quote(value)} differs from the mapped ${type} ${quote(String(mapped))}`
  }
  return undefined
}
