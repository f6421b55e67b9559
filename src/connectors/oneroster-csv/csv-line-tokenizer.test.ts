import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import { CsvLineTokenizer } from './csv-line-tokenizer.ts'

/** Feeds `text` in chunks of `size` characters, so every record boundary lands inside some chunk edge. */
function tokenize(
  text: string,
  size: number,
  delimiter = ',',
): { rows: string[][]; lines: number[]; error?: string } {
  const rows: string[][] = []
  const lines: number[] = []
  const t = new CsvLineTokenizer((f, l) => {
    rows.push(f)
    lines.push(l)
  }, delimiter)
  for (let i = 0; i < text.length; i += size) t.push(text.slice(i, i + size))
  t.end()
  return t.error === undefined
    ? { rows, lines }
    : { rows, lines, error: `${t.error.line}: ${t.error.message}` }
}

function reference(text: string, delimiter = ','): string[][] {
  return parse(text, {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  }) as string[][]
}

const CASES: Record<string, string> = {
  plain: 'a,b,c\n1,2,3\n4,5,6\n',
  'no final line break': 'a,b\n1,2',
  crlf: 'a,b\r\n1,2\r\n3,4',
  'empty fields': ',,\n,x,\nx,,\n',
  'quoted with delimiter and doubled quote': 'a,b\n"x, y","say ""hi"""\n"",""\n',
  'quoted line break': 'a,b\n"line1\nline2",z\nq,r\n',
  'quoted crlf line break': 'a,b\r\n"line1\r\nline2",z\r\nq,r\r\n',
  'quote inside unquoted field': 'a,b\nRoom "B",x\n',
  'empty lines skipped': 'a,b\n\n1,2\n\n',
  unicode: 'naam,plaats\nJoëlle,Zaandam\n"Ĳsbrand, Ö",Ütrecht\n',
  'quoted last field then eof': 'a,b\n1,"2"',
}

describe('CsvLineTokenizer', () => {
  for (const [name, text] of Object.entries(CASES)) {
    test(`matches csv-parse: ${name}`, () => {
      const expected = reference(text)
      for (const size of [1, 2, 3, 7, 1000])
        assert.deepEqual(tokenize(text, size).rows, expected, `chunk size ${size}`)
    })
  }

  test('reports the line each record starts on, counting line breaks inside quotes', () => {
    const { lines } = tokenize('h1,h2\n"a\nb",c\n\nd,e\n', 3)
    assert.deepEqual(lines, [1, 2, 5])
  })

  test('semicolon delimiter', () => {
    const text = 'a;b\n"x;y";z\n'
    assert.deepEqual(tokenize(text, 2, ';').rows, reference(text, ';'))
  })

  test('unclosed quote at end of file is an error with its line', () => {
    const r = tokenize('a,b\n1,"open\n2,3\n', 4)
    assert.match(r.error ?? '', /^2: a quoted field is not closed/)
    assert.deepEqual(r.rows, [['a', 'b']])
  })

  test('text after a closing quote is an error naming the line', () => {
    const r = tokenize('a,b\nok,fine\n"bad"x,1\nnext,row\n', 5)
    assert.match(r.error ?? '', /^3: field 1 has text after its closing quote/)
    assert.deepEqual(r.rows, [
      ['a', 'b'],
      ['ok', 'fine'],
    ])
  })
})
