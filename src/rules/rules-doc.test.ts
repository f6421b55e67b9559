import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, test } from 'node:test'
import { compileExpression, isCompiled } from './compiled-expression.ts'
import { compileMapping } from './compile-mapping.ts'
import {
  EXAMPLE_CONTRACT,
  EXAMPLE_PERSON,
  EXAMPLE_TODAY,
  FUNCTION_DOCS,
  RECIPES,
} from './rules-doc.ts'
import { contract, memoryOracle, person } from './test-fixtures.ts'

describe('docs/rules.md examples and recipes', () => {
  test('every function example gives the documented result', () => {
    const p = person(EXAMPLE_PERSON)
    const c = contract(EXAMPLE_CONTRACT)
    for (const f of FUNCTION_DOCS) {
      const m = compileMapping('doc', { x: f.example })
      const r = m.evaluate(
        { person: { ...p, contracts: [c] }, contract: c, contracts: [c], today: EXAMPLE_TODAY },
        memoryOracle(),
      )
      assert.deepEqual(r.issues, [], f.name)
      assert.equal(r.attributes['x'], f.result, f.example)
    }
  })

  test('every function of the CEL library is documented', () => {
    const library = readFileSync(resolve(import.meta.dirname, 'cel-library.ts'), 'utf8')
    const registered = new Set<string>()
    for (const m of library.matchAll(/registerFunction\(`?'?([a-zA-Z]+)\(/g))
      registered.add(m[1] as string)
    for (const m of library.matchAll(/stringFunction\(env, '([a-zA-Z]+)'/g))
      registered.add(m[1] as string)
    registered.add('coalesce') // registered in a loop, by arity
    const documented = new Set(FUNCTION_DOCS.map((f) => f.name))
    assert.deepEqual(
      [...registered].filter((n) => !documented.has(n)),
      [],
    )
    assert.ok(
      registered.size >= 20,
      `found only ${registered.size} registrations: the pattern no longer matches`,
    )
  })

  test('every recipe compiles', () => {
    for (const r of RECIPES) {
      for (const e of r.expressions) {
        const c = compileExpression(e.scope, e.source, () => undefined)
        assert.ok(isCompiled(c), `${r.title}: ${'message' in c ? c.message : ''}`)
      }
    }
  })
})
