// An expression that is only a path is read straight from the model objects when it ends on a string (issue 17);
// every other end is left to CEL, and either way the outcome is CEL's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toAttributeValue, toCel } from './cel-values.ts'
import {
  cachedEvaluator,
  compileExpression,
  errorMessage,
  isCompiled,
  stringAt,
  type Outcome,
} from './compiled-expression.ts'
import { EvalContext } from './eval-context.ts'
import { contract, person } from './test-fixtures.ts'

const compile = (source: string) => {
  const c = compileExpression('mapping', source, () => undefined)
  if (!isCompiled(c)) throw new Error(c.message)
  return c
}

const roots = {
  person: person({
    key: 'p1',
    attributes: { 'nl.lang': 'nl', n: 3 },
    email: 'p1@school.test',
  }),
  contract: contract({ grade: 4, classGroup: '4B', attributes: { constructor: 'c' } }),
  today: '2026-11-23',
}

test('the same outcome as CEL for every kind of end a path can have', () => {
  for (const source of [
    'person.key',
    'person.email',
    'person.attributes["nl.lang"]',
    'person.attributes.n',
    'person.attributes.missing',
    'person.middleName',
    'person.contracts',
    'contract.grade',
    'contract.classGroup',
    'contract.attributes.constructor',
    'today',
  ]) {
    const c = compile(source)
    assert.ok(c.path !== undefined, source)
    let cel: Outcome<unknown>
    try {
      cel = { ok: true, value: toAttributeValue(c.run(toCel(roots) as typeof roots)) }
    } catch (err) {
      cel = { ok: false, error: errorMessage(err) }
    }
    const ctx = new EvalContext(roots, () => toCel(roots) as typeof roots)
    const got = cachedEvaluator(c, toAttributeValue, undefined).run(ctx)
    assert.deepEqual(got, cel, source)
  }
})

test('a path that ends on a string never builds the CEL view; other expressions are not paths', () => {
  const ctx = new EvalContext(roots, () => {
    throw new Error('the CEL view was built')
  })
  const run = (source: string) =>
    cachedEvaluator(compile(source), toAttributeValue, undefined).run(ctx)
  assert.deepEqual(run('person.key'), { ok: true, value: 'p1' })
  assert.deepEqual(run('contract.classGroup'), { ok: true, value: '4B' })
  assert.equal(run('contract.grade').ok, false)
  for (const source of ['person.?email', 'has(person.email)', 'person.key + ""', '"x"'])
    assert.equal(compile(source).path, undefined, source)
  assert.equal(stringAt(['person', 'contracts', '0'], roots), undefined)
  assert.equal(stringAt(['account', 'uid'], roots), undefined)
})
