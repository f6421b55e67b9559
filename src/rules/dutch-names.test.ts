import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { familyName, fullName, personInitials, sortName, type NameParts } from './dutch-names.ts'

const jan: NameParts = {
  givenName: 'Jan',
  familyNamePrefix: 'van den',
  familyName: 'Berg',
  partnerNamePrefix: 'de',
  partnerName: 'Vries',
}
const as = (nameConvention: string | undefined, over: Partial<NameParts> = {}): NameParts => ({
  ...jan,
  nameConvention,
  ...over,
})

describe('the four name-usage conventions', () => {
  const cases: [string | undefined, string, string, string][] = [
    ['B', 'van den Berg', 'Jan van den Berg', 'Berg, Jan van den'],
    ['BP', 'van den Berg-de Vries', 'Jan van den Berg-de Vries', 'Berg-de Vries, Jan van den'],
    ['P', 'de Vries', 'Jan de Vries', 'Vries, Jan de'],
    ['PB', 'de Vries-van den Berg', 'Jan de Vries-van den Berg', 'Vries-van den Berg, Jan de'],
    [undefined, 'van den Berg', 'Jan van den Berg', 'Berg, Jan van den'],
  ]
  for (const [convention, family, full, sort] of cases) {
    test(`${convention ?? 'none'}`, () => {
      assert.equal(familyName(as(convention)), family)
      assert.equal(fullName(as(convention)), full)
      assert.equal(sortName(as(convention)), sort)
    })
  }

  test('P, BP and PB without a partner name fall back to B', () => {
    for (const c of ['P', 'BP', 'PB']) {
      assert.equal(familyName(as(c, { partnerName: undefined })), 'van den Berg')
      assert.equal(familyName(as(c, { partnerName: '  ' })), 'van den Berg')
    }
  })

  test('names without prefixes', () => {
    const p = {
      givenName: 'Fatima',
      familyName: 'El Amrani',
      partnerName: 'Jansen',
      nameConvention: 'PB',
    }
    assert.equal(familyName(p), 'Jansen-El Amrani')
    assert.equal(sortName(p), 'Jansen-El Amrani, Fatima')
    assert.equal(sortName({ givenName: 'Piet', familyName: 'Jansen' }), 'Jansen, Piet')
  })

  test('partner prefix only, "van der" and stray whitespace', () => {
    const p = {
      givenName: ' Kees ',
      familyName: 'Bakker',
      partnerNamePrefix: 'van der',
      partnerName: ' Meer ',
      nameConvention: 'PB',
    }
    assert.equal(familyName(p), 'van der Meer-Bakker')
    assert.equal(fullName(p), 'Kees van der Meer-Bakker')
    assert.equal(sortName(p), 'Meer-Bakker, Kees van der')
  })

  test('the preferred given name wins in full and sort names', () => {
    const p = as('B', { givenName: 'Johannes', preferredGivenName: 'Hans' })
    assert.equal(fullName(p), 'Hans van den Berg')
    assert.equal(sortName(p), 'Berg, Hans van den')
  })

  test('diacritics are kept', () => {
    assert.equal(
      fullName({ givenName: 'Zoë', familyNamePrefix: "in 't", familyName: 'Veld' }),
      "Zoë in 't Veld",
    )
  })
})

describe('personInitials', () => {
  test('official initials win', () => {
    assert.equal(personInitials({ givenName: 'Johannes Petrus', initials: 'J.P.M.' }), 'J.P.M.')
  })
  test('derived from given and middle names otherwise', () => {
    assert.equal(personInitials({ givenName: 'Johannes Petrus' }), 'J.P.')
    assert.equal(personInitials({ givenName: 'Anne-Marie', middleName: 'Sophie' }), 'A.M.S.')
  })
})
