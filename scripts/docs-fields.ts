// Writes docs/rules.md from the code (src/rules/rules-doc.ts): `npm run docs:fields`.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { rulesDoc } from '../src/rules/rules-doc.ts'

const file = resolve(import.meta.dirname, '..', 'docs', 'rules.md')
writeFileSync(file, rulesDoc())
console.log(`wrote ${file}`)
