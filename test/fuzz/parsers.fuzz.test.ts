// Property-based tests of the parsers that read untrusted bytes (issue 11, R4): the OneRoster CSV tokenizer
// (against csv-stringify and csv-parse as references, in random chunkings), the CSV source's reader, Magister's
// CSV mapping, XML and SOAP parsing, and JSON error bodies. None may throw anything but its documented error;
// every refusal names the line or the record and field.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { stringify } from 'csv-stringify/sync'
import { parse } from 'csv-parse/sync'
import { CsvLineTokenizer } from '../../src/connectors/oneroster-csv/csv-line-tokenizer.ts'
import { readCsv } from '../../src/connectors/csv/csv-reader.ts'
import { mapMagisterCsv, REQUIRED_COLUMNS } from '../../src/connectors/magister/magister-mapping.ts'
import { buildXml, parseXml, XmlSyntaxError } from '../../src/protocol/xml.ts'
import { parseSoapEnvelope } from '../../src/protocol/soap.ts'
import { jsonErrorDetail } from '../../src/protocol/http-error.ts'
import { mapAfas } from '../../src/connectors/afas/afas-mapping.ts'
import { params } from './fuzz-runs.ts'

const CSV_CHARS = [',', ';', '"', '\n', '\r', '\r\n', ' ', 'a', 'é', '李', '😀', '\t', '\\']
const field = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CSV_CHARS), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
)
// at least one non-empty field per row: csv-stringify writes an all-empty one-column row as an empty line
const table = fc
  .array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 })
  .map((rows) => rows.map((r) => (r.every((f) => f === '') ? [...r.slice(1), 'x'] : r)))

function tokenize(
  text: string,
  cuts: number[],
  delimiter = ',',
): { rows: string[][]; error?: string } {
  const rows: string[][] = []
  const t = new CsvLineTokenizer((fields) => rows.push(fields), delimiter)
  let at = 0
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(c, text.length)
    t.push(text.slice(at, end))
    at = Math.max(at, end)
  }
  t.push(text.slice(at))
  t.end()
  return {
    rows,
    ...(t.error !== undefined ? { error: `${t.error.line}: ${t.error.message}` } : {}),
  }
}

describe('fuzz: CSV', () => {
  test('OneRoster tokenizer: what csv-stringify writes comes back field for field, however the text is chunked', () => {
    fc.assert(
      fc.property(
        table,
        fc.array(fc.nat(400), { maxLength: 6 }),
        fc.constantFrom(',', ';', '\t'),
        (rows, cuts, delimiter) => {
          // csv-stringify leaves a lone CR unquoted, which RFC 4180 readers (ours too) take as a line end
          const text = stringify(rows, { delimiter, record_delimiter: 'unix', quoted_match: /\r/ })
          const got = tokenize(text, cuts, delimiter)
          assert.equal(got.error, undefined)
          assert.deepEqual(got.rows, rows)
        },
      ),
      params(),
    )
  })

  test('OneRoster tokenizer on any text: no throw, and where csv-parse reads it, the same records', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...CSV_CHARS), maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 4 }),
        (text, cuts) => {
          const got = tokenize(text, cuts)
          let reference: string[][] | undefined
          try {
            // both line ends, as the tokenizer reads them (csv-parse otherwise takes the first one it sees)
            reference = parse(text, {
              relax_column_count: true,
              skip_empty_lines: true,
              record_delimiter: ['\r\n', '\n'],
            }) as string[][]
          } catch {
            reference = undefined
          }
          if (got.error !== undefined) assert.match(got.error, /^\d+: /, 'an error names its line')
          else if (reference !== undefined && !/\r(?!\n)/.test(text))
            assert.deepEqual(got.rows, reference)
        },
      ),
      params(),
    )
  })

  test('CSV source reader: any file is read or refused with a line, never thrown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koppel-fuzz-csv-'))
    try {
      let n = 0
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: fc.constantFrom(...CSV_CHARS, '\0', '\ufeff'), maxLength: 80 }),
          async (text) => {
            const path = join(dir, `f${n++}.csv`)
            await writeFile(path, text)
            const failure = await readCsv(
              { path, delimiter: ',', encoding: 'utf8' },
              () => true,
              (fields, line) => {
                assert.ok(Array.isArray(fields) && line >= 1)
              },
            )
            if (failure !== undefined) assert.equal(failure.kind, 'invalid')
          },
        ),
        params(0.3),
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('Magister CSV: any rows map or give errors that name line, record or field; never a throw', () => {
    const header = [...REQUIRED_COLUMNS, 'BIRTHDATE', 'KLAS']
    const row = fc.tuple(
      fc.oneof(fc.stringMatching(/^\d{1,6}$/), field),
      field,
      field,
      fc.oneof(fc.constant('2026/2027'), field),
      fc.oneof(fc.constant('01-08-2026'), field),
      fc.oneof(fc.constant('31-07-2027'), field),
      field,
      field,
    )
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.boolean(), (rows, garble) => {
        let text = stringify([header, ...rows], { delimiter: ';' })
        if (garble) text = text.replace(/"/, '')
        const out = mapMagisterCsv(text, { source: 'magister', file: 'export.csv', brin: '00AA' })
        for (const e of out.errors) {
          assert.ok(
            e.code === 'bad_csv' || e.code === 'empty_export' || e.line !== undefined,
            JSON.stringify(e),
          )
          if (e.code !== 'bad_csv' && e.code !== 'empty_export')
            assert.ok(e.field !== undefined || e.record !== undefined, JSON.stringify(e))
        }
      }),
      params(),
    )
  })
})

const xmlText = fc.string({
  unit: fc.constantFrom(
    '<',
    '>',
    '&',
    ';',
    '"',
    "'",
    '=',
    '/',
    '!',
    '?',
    'a',
    'b',
    ' ',
    '\n',
    'amp',
    'lt',
    '#',
    'x',
    '[',
    ']',
    'DOCTYPE',
    'ENTITY',
    'SYSTEM',
    'CDATA',
    '--',
  ),
  maxLength: 50,
})

describe('fuzz: XML, SOAP and JSON bodies', () => {
  test('parseXml on any text: an object or an Error; a DOCTYPE is always refused', () => {
    fc.assert(
      fc.property(fc.oneof(xmlText, fc.string({ maxLength: 60 })), (text) => {
        try {
          const doc = parseXml(text)
          assert.equal(typeof doc, 'object')
          assert.ok(!/<!DOCTYPE/i.test(text), 'a DOCTYPE was accepted')
        } catch (e) {
          assert.ok(e instanceof Error, String(e))
        }
      }),
      params(2),
    )
  })

  test('buildXml then parseXml gives every text and attribute value back', () => {
    // XML 1.0 cannot carry these characters at all (the source boundary refuses them before any XML is written)
    const value = fc
      .string({ unit: 'grapheme', maxLength: 20 })
      // eslint-disable-next-line no-control-regex
      .filter((s) => !/[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(s) && !/\r/.test(s))
    fc.assert(
      fc.property(value, value, (text, attr) => {
        const xml = buildXml({ person: { name: { '@_lang': attr, '#text': text } } })
        const doc = parseXml(xml, { trimValues: false })
        const name = (doc.person as Record<string, Record<string, string>>).name
        assert.equal(typeof name === 'string' ? name : (name?.['#text'] ?? ''), text)
        if (typeof name !== 'string') assert.equal(name?.['@_lang'] ?? '', attr)
      }),
      params(),
    )
  })

  test('parseSoapEnvelope on any text: an envelope or an XmlSyntaxError/Error, and a fault always has a code', () => {
    const envelope = fc
      .tuple(xmlText, xmlText)
      .map(
        ([code, reason]) =>
          `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>${code}</faultcode><faultstring>${reason}</faultstring></s:Fault></s:Body></s:Envelope>`,
      )
    fc.assert(
      fc.property(fc.oneof(envelope, xmlText), (text) => {
        try {
          const env = parseSoapEnvelope(text)
          if (env.fault !== undefined) assert.equal(typeof env.fault.code, 'string')
        } catch (e) {
          assert.ok(e instanceof XmlSyntaxError || e instanceof Error, String(e))
        }
      }),
      params(),
    )
  })

  test('jsonErrorDetail on any body returns a bounded string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 400 })), (text) => {
        const detail = jsonErrorDetail(text, (b) =>
          typeof b.error === 'object' && b.error !== null
            ? String((b.error as Record<string, unknown>).message)
            : undefined,
        )
        assert.equal(typeof detail, 'string')
        assert.ok(detail.length <= Math.max(300, text.length))
      }),
      params(),
    )
  })
})

describe('fuzz: JSON records of a source (AFAS GetConnector rows)', () => {
  const FIELDS = [
    'Persoonsnummer',
    'Medewerker',
    'ExternalId',
    'Voornaam',
    'Roepnaam',
    'Geboortenaam',
    'Naamgebruik_code',
    'DisplayName',
    'EmploymentExternalID',
    'Begindatum_contract',
    'Einddatum_contract',
    'Functie_code',
    'Functie_omschrijving',
    'Organisatorische_eenheid_code',
    'ManagerExternalId',
    'ExternalID',
    'ParentExternalId',
    'Begindatum_functie',
    'Einddatum_functie',
  ]
  const jsonValue = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('2026-08-01T00:00:00Z', '0', '1', 'E1', 'U1'),
    fc.jsonValue({ maxDepth: 1 }),
  )
  const row = fc.dictionary(
    fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 6 })),
    jsonValue,
    { maxKeys: 12 },
  )
  test('any rows map to persons or to issues naming the connector, record and field; never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 5 }),
        fc.array(row, { maxLength: 5 }),
        fc.array(row, { maxLength: 3 }),
        (users, employments, units) => {
          const out = mapAfas(
            { users, employments, units },
            {
              source: 'afas',
              connectors: {
                users: 'users',
                employments: 'employments',
                positions: 'positions',
                organisationalUnits: 'units',
              },
              excludeWithoutContracts: false,
            },
          )
          for (const i of out.errors)
            assert.ok(i.file !== undefined && i.record !== undefined, JSON.stringify(i))
          // a warning may sum up several records ("3 employees are not in users")
          for (const i of out.warnings) assert.ok(i.file !== undefined, JSON.stringify(i))
          for (const p of out.persons) assert.equal(typeof p.key, 'string')
        },
      ),
      params(),
    )
  })
})
