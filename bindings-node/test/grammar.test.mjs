// Grammar rules every binding shares: bounded error excerpts, `error` refused as a
// session kind, a UTF-8 BOM skipped, and the chunked parse of big texts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSessionLine, parseSessions, parseErrors, ParseError } from '../lib/index.mjs'

const CALL = 'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'
const ERROR = 'error 7185551234 1 [20/Nov/2016:21:28:46 -0400] 8009957586 100037;001;1479692314 errno: 210 message Maximum loop count exceeded'

test('a huge bad line gives a bounded message and excerpt', () => {
  const huge = `${CALL} ${'x'.repeat(5_000_000)}`
  for (const parse of [() => parseSessionLine(huge), () => parseSessions(`${CALL}\n${huge}\n`)]) {
    assert.throws(parse, (e) => {
      assert.ok(e instanceof ParseError)
      assert.equal(e.kind, 'trailing_input')
      assert.equal(e.column, CALL.length + 2)
      assert.ok(e.message.length < 400, `${e.message.length} characters`)
      assert.match(e.message, new RegExp(`\\(${huge.length} bytes\\)`))
      assert.ok(e.input.length <= 202 && e.input.startsWith('…') && e.input.endsWith('…'))
      return true
    })
  }
})

test('error lines are refused as sessions, with a hint to the error parser', () => {
  assert.throws(() => parseSessions(`${ERROR}\n${ERROR}\n`), (e) => {
    assert.equal(e.kind, 'error_line_in_sessions')
    assert.equal(e.line, 1)
    assert.match(e.message, /error-log line/)
    return true
  })
  assert.equal(parseErrors(`${ERROR}\n${ERROR}\n`).length, 2)
})

test('a UTF-8 byte-order mark at the start is skipped', () => {
  assert.equal(parseSessions(`\ufeff${CALL}\n${CALL}\n`).length, 2)
  assert.equal(parseSessions(Buffer.from(`\ufeff${CALL}\n`, 'utf8'))[0].kind, 'inbound')
  assert.equal(parseErrors(`\ufeff${ERROR}`).length, 1)
})

test('a big text parsed in chunks keeps whole-text line numbers', () => {
  const lines = Array(45_000).fill(CALL)
  lines[30_000] = 'broken'
  const text = lines.join('\n')
  assert.ok(text.length > 4 << 20)
  const res = parseSessions(text, { strict: false })
  assert.equal(res.records.length, 44_999)
  assert.deepEqual(res.problems.map((p) => p.line), [30_001])
  assert.throws(() => parseSessions(text), { line: 30_001 })
})
