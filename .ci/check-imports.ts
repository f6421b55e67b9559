// Runs the import rules (.ci/import-rules.ts) over src/ and packages/; `npm run lint` fails on any problem.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { importProblems, type SourceFile } from './import-rules.ts'

const root = resolve(import.meta.dirname, '..')
const files: SourceFile[] = []
const walk = (d: string): void => {
  for (const n of readdirSync(d)) {
    if (n === 'node_modules') continue
    const p = join(d, n)
    if (statSync(p).isDirectory()) walk(p)
    else if (p.endsWith('.ts'))
      files.push({ path: relative(root, p).split(sep).join('/'), text: readFileSync(p, 'utf8') })
  }
}
walk(join(root, 'src'))
walk(join(root, 'packages'))

const problems = importProblems(files)
if (problems.length > 0) {
  for (const p of problems) console.error(p)
  process.exit(1)
}
console.log(`import rules hold for ${files.length} files`)
