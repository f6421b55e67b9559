// Writes docs/rules.md from the code (src/rules/rules-doc.ts, the source connectors' declared fields):
// `npm run docs:fields`.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { rulesDoc } from '../src/rules/rules-doc.ts'

const file = resolve(import.meta.dirname, '..', 'docs', 'rules.md')
writeFileSync(file, rulesDoc(connectorDefinitions.filter((d) => d.role === 'source')))
console.log(`wrote ${file}`)
