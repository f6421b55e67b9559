import { test } from 'node:test'
import assert from 'node:assert/strict'
import { stringify } from 'csv-stringify/sync'
import { parse } from 'csv-parse/sync'
import { csvText } from './csv-text.ts'
import { generateBoard } from './generate-board.ts'
import { chunkRows } from './oneroster-rows.ts'

test('csvText gives the same bytes as csv-stringify for a whole board', () => {
  const board = generateBoard({ seed: 'csv-text', persons: 3000, today: '2026-11-23' })
  const rows: string[][] = []
  for (const chunk of board.chunks())
    rows.push(...Object.values(chunkRows(chunk, board, '1.2')).flat())
  assert.ok(
    rows.some((r) => r.some((f) => f.includes(','))),
    'the board has fields that need quoting',
  )
  assert.equal(csvText(rows), stringify(rows, { record_delimiter: 'windows' }))
})

test('csvText quotes commas, quotes and every kind of line break, and parses back', () => {
  const hard = [
    [
      "O'Brien, Jr.",
      'say "hi"',
      'two\r\nlines',
      'cr\ronly',
      'lf\nonly',
      '',
      'Zoë Ødegård',
      ' spaced ',
      '=1+1',
    ],
    ['plain', 'row', '', '', '', '', '', '', ''],
  ]
  assert.deepEqual(parse(csvText(hard)), hard)
  assert.equal(
    csvText(hard),
    '"O\'Brien, Jr.","say ""hi""","two\r\nlines","cr\ronly","lf\nonly",,Zoë Ødegård, spaced ,=1+1\r\nplain,row,,,,,,,\r\n',
  )
})
