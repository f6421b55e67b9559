// Write-back configuration is checked twice: the file (the source must exist) and, when the engine is built,
// the source connector (it must be able to write back and to read the field's current value).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { connectorDefinitions } from '../src/connectors/index.ts'
import { loadEngine } from '../src/app/load-engine.ts'

const example = readFileSync(
  resolve(import.meta.dirname, '..', 'examples', 'oneroster-csv-to-ldap.yaml'),
  'utf8',
)

function withWriteBack(source: string): string {
  return example.replace(
    /^( {2}- name: directory\n)/m,
    `$1    writeBack:\n      - source: ${source}\n        fields: { username: uid }\n`,
  )
}

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-wb-'))
  try {
    writeFileSync(join(dir, 'koppel.yaml'), text)
    const r = await loadEngine(join(dir, 'koppel.yaml'), connectorDefinitions, {
      env: { LDAP_PASSWORD: 'x', LDAP_BIND_PASSWORD: 'x' },
    })
    if (r.ok) await r.loaded.close()
    return r
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('write-back configuration', () => {
  test('an unknown source is a config error naming the path', async () => {
    const r = await load(withWriteBack('somtoday'))
    assert.ok(!r.ok)
    assert.match(
      r.errors.join('\n'),
      /targets\[0\]\.writeBack\[0\]\.source.*unknown source "somtoday"/s,
    )
  })

  test('a source that cannot write back is refused when the engine is built', async () => {
    const r = await load(withWriteBack('school'))
    assert.ok(!r.ok)
    assert.match(
      r.errors.join('\n'),
      /targets\.directory\.writeBack\[0\]: source "school" \(oneroster-csv\) cannot write back/,
    )
  })
})
