import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ruleOfSyntax } from './ad-schema.ts'

test("AD's string syntaxes map to the LDAP rule that compares as strictly; other syntaxes are not batched", () => {
  assert.equal(ruleOfSyntax('2.5.5.12'), 'caseIgnoreMatch') // employeeID, mail, displayName
  assert.equal(ruleOfSyntax('2.5.5.5'), 'caseExactIA5Match')
  assert.equal(ruleOfSyntax('2.5.5.9'), undefined) // integers: "007" and "7" are one value to the DC
  assert.equal(ruleOfSyntax('2.5.5.1'), undefined) // DNs
  assert.equal(ruleOfSyntax(undefined), undefined)
})
