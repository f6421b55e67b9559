/**
 * Reads and checks manifest.csv: the OneRoster version and, per file, whether it is absent, bulk or delta; and
 * checks the manifest against the files actually in the folder. Does not read the data files.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CsvLineTokenizer } from './csv-line-tokenizer.ts'
import type { IssueCollector } from '../../contract/issue-collector.ts'
import { shown } from '../../contract/issue-collector.ts'
import type { OneRosterVersion, RosterFile } from './oneroster-csv-spec.ts'
import { READ_ORDER } from './oneroster-csv-spec.ts'

export type ManifestMode = 'absent' | 'bulk' | 'delta'

export interface Manifest {
  readonly version: OneRosterVersion
  /** Mode per file name without `.csv` (`users`), for every `file.…` row; files not listed count as absent. */
  readonly files: ReadonlyMap<string, ManifestMode>
  readonly systemName?: string
}

const FILE = 'manifest.csv'
const MODES = new Set<string>(['absent', 'bulk', 'delta'])
const READ = new Set<string>(READ_ORDER)

export async function readManifest(
  dir: string,
  issues: IssueCollector,
): Promise<Manifest | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    issues.error({
      code: 'missing_manifest',
      file: FILE,
      message: `no manifest.csv in ${dir}: Koppel reads OneRoster 1.1 and 1.2 packages, which start with one (1.0 is not supported)`,
    })
    return undefined
  }
  const props = new Map<string, { value: string; line: number }>()
  let header: string[] | undefined
  const t = new CsvLineTokenizer((fields, line) => {
    if (header === undefined) {
      header = fields
      return
    }
    const [name = '', value = ''] = fields
    if (fields.length !== 2) {
      issues.error({
        code: 'bad_column_count',
        file: FILE,
        line,
        record: name,
        message: 'each manifest row needs exactly propertyName,value',
      })
    } else if (props.has(name)) {
      issues.error({
        code: 'duplicate_id',
        file: FILE,
        line,
        record: name,
        message: `${name} is listed twice`,
      })
    } else props.set(name, { value, line })
  })
  t.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  t.end()
  if (header?.length !== 2 || header[0] !== 'propertyName' || header[1] !== 'value') {
    issues.error({
      code: 'bad_header',
      file: FILE,
      line: 1,
      message: 'manifest.csv must start with the header propertyName,value',
    })
    return undefined
  }
  const version = props.get('oneroster.version')
  if (props.get('manifest.version') === undefined) {
    issues.error({
      code: 'missing_field',
      file: FILE,
      field: 'manifest.version',
      message: 'manifest.version is missing',
    })
  }
  if (version === undefined || (version.value !== '1.1' && version.value !== '1.2')) {
    issues.error({
      code: version === undefined ? 'missing_field' : 'unsupported_version',
      file: FILE,
      line: version?.line,
      field: 'oneroster.version',
      value: version === undefined ? undefined : shown(version.value),
      message: 'oneroster.version must be 1.1 or 1.2 (the versions Koppel reads)',
    })
    return undefined
  }
  const files = new Map<string, ManifestMode>()
  for (const [name, { value, line }] of props) {
    if (!name.startsWith('file.')) continue
    const file = name.slice(5)
    if (MODES.has(value)) files.set(file, value as ManifestMode)
    else {
      // a file Koppel does not read cannot spoil the read; still worth telling the exporter's owner
      const report = READ.has(file) ? issues.error.bind(issues) : issues.warn.bind(issues)
      report({
        code: 'bad_manifest_value',
        file: FILE,
        line,
        record: name,
        field: 'value',
        value: shown(value),
        message: `${name} must be absent, bulk or delta`,
      })
    }
  }
  await checkFolder(dir, files, issues)
  const systemName = props.get('source.systemName')?.value
  return { version: version.value, files, ...(systemName ? { systemName } : {}) }
}

/** A file marked absent but present (or listed but missing) means the export and its manifest disagree. */
async function checkFolder(
  dir: string,
  files: ReadonlyMap<string, ManifestMode>,
  issues: IssueCollector,
): Promise<void> {
  const present = new Set(await readdir(dir))
  for (const [file, mode] of files) {
    const name = `${file}.csv`
    if (mode === 'absent' && present.has(name)) {
      issues.error({
        code: 'file_marked_absent',
        file: name,
        message: `manifest.csv marks ${file} as absent but ${name} is in the folder; mark it bulk or delta, or remove it`,
      })
    } else if (mode !== 'absent' && !present.has(name) && !READ.has(file)) {
      // files Koppel reads get the same error from the reader, with the same wording
      issues.error({
        code: 'missing_file',
        file: name,
        message: `manifest.csv lists this file as ${mode} but ${name} is not in the folder`,
      })
    }
  }
}

export function modeOf(manifest: Manifest, file: RosterFile): ManifestMode {
  return manifest.files.get(file) ?? 'absent'
}
