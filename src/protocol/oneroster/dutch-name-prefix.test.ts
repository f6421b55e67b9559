import { test } from 'node:test'
import assert from 'node:assert/strict'
import { splitDutchName, stripPrefix } from './dutch-name-prefix.ts'

test('splitDutchName takes the longest known prefix and keeps letter case', () => {
  const cases: [string, string | undefined, string][] = [
    ['van den Berg', 'van den', 'Berg'],
    ['van der Meer-de Boer', 'van der', 'Meer-de Boer'],
    ["van 't Hof", "van 't", 'Hof'],
    ["in 't Veld", "in 't", 'Veld'],
    ['op de Beek', 'op de', 'Beek'],
    ['ter Horst', 'ter', 'Horst'],
    ['De Vries', 'De', 'Vries'],
    ["d'Ancona", "d'", 'Ancona'],
    ['Jansen', undefined, 'Jansen'],
    ['Van', undefined, 'Van'],
    ['van', undefined, 'van'],
    ['Vandenberg', undefined, 'Vandenberg'],
    ['  van   Dijk ', 'van', 'Dijk'],
  ]
  for (const [input, prefix, name] of cases)
    assert.deepEqual(splitDutchName(input), prefix ? { prefix, name } : { name }, input)
})

test('stripPrefix removes the given prefix only when the name starts with it', () => {
  assert.equal(stripPrefix('van den Berg', 'van den'), 'Berg')
  assert.equal(stripPrefix('Van den Berg', 'van den'), 'Berg')
  assert.equal(stripPrefix('Berg', 'van den'), 'Berg')
  assert.equal(stripPrefix('Vandenberg', 'van'), 'Vandenberg')
  assert.equal(stripPrefix("d'Ancona", "d'"), 'Ancona')
  assert.equal(stripPrefix('Berg', ''), 'Berg')
})
