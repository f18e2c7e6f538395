import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import * as esm from '../lib/index.mjs'

const require = createRequire(import.meta.url)
const cjs = require('../lib/index.js')
const {
  parseSessionLine, parseErrorLine, parseSessions, parseErrors, parseCallLog,
  parseSessionsAsync, parseErrorsAsync, parseCallLogAsync, decodeResponse, decodeResponseAsync, sessionIdParts,
  PlumError, ParseError, InvalidArgument,
} = esm

const CALL = 'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'
const LOCAL = 'local 7185551234 3 [03/Nov/2017:14:38:31 -0500] 6177123000 200035;003;1509734279 fetchurl: http://example.com/start.php'
const ERROR = 'error 7185551234 1 [20/Nov/2016:21:28:46 -0400] 8009957586 100037;001;1479692314 errno: 210 message Maximum loop count exceeded'
const CALL_LOG = [
  'Wed 28 Aug 2002 10:16:58 AM EDT [tel] (200035;003;1509734279) EVENT: incoming call',
  'Wed 28 Aug 2002 10:16:59 AM EDT [vxi] (200035;003;1509734279) DEBUG: first line',
  'second line',
  '',
].join('\n')

test('require and import give the same objects', () => {
  assert.equal(esm.parseSessions, cjs.parseSessions)
  assert.equal(esm.Client, cjs.Client)
  assert.equal(esm.default, cjs)
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name)
})

test('records are plain objects with the canonical fields', () => {
  const rec = parseSessionLine(CALL)
  assert.equal(Object.getPrototypeOf(rec), Object.prototype)
  assert.deepEqual(rec, {
    kind: 'inbound', ani: '7185551234', channel: 3, timestamp: '2017-11-03T14:38:30-05:00',
    dnis: '6177123000', session_id: '200035;003;1509734279', call_start: 1509734310,
    call_end: 1509734339, duration: 29, label: null, message: null,
  })
  assert.deepEqual(parseSessionLine(LOCAL), {
    kind: 'local', ani: '7185551234', channel: 3, timestamp: '2017-11-03T14:38:31-05:00',
    dnis: '6177123000', session_id: '200035;003;1509734279', call_start: null,
    call_end: null, duration: null, label: 'fetchurl', message: 'http://example.com/start.php',
  })
  assert.deepEqual(parseErrorLine(ERROR), {
    ani: '7185551234', channel: 1, timestamp: '2016-11-20T21:28:46-04:00', dnis: '8009957586',
    session_id: '100037;001;1479692314', message: 'errno: 210 message Maximum loop count exceeded',
  })
})

test('bulk parsers agree with the line parsers, mixed shapes, blank lines and CRLF', () => {
  const text = `${CALL}\r\n\n   \n${LOCAL}\n${CALL}`
  assert.deepEqual(parseSessions(text), [parseSessionLine(CALL), parseSessionLine(LOCAL), parseSessionLine(CALL)])
  assert.deepEqual(parseErrors(`${ERROR}\n${ERROR}\n`), [parseErrorLine(ERROR), parseErrorLine(ERROR)])
  assert.deepEqual(parseSessions(''), [])
  assert.deepEqual(parseErrors(Buffer.alloc(0)), [])
})

test('non-ASCII text fields keep their characters (UTF-16 offsets across the batch)', () => {
  const odd = 'local 7185551234 3 [03/Nov/2017:14:38:31 -0500] caf\u00e9@d\u00f6main 200035;003;1509734279 note: \u65e5\u672c\u8a9e \u{1F600} ok'
  const text = [CALL, odd, LOCAL, CALL].join('\n')
  const recs = parseSessions(text)
  assert.equal(recs[1].dnis, 'caf\u00e9@d\u00f6main')
  assert.equal(recs[1].message, '\u65e5\u672c\u8a9e \u{1F600} ok')
  assert.deepEqual(recs[2], parseSessionLine(LOCAL))
  assert.deepEqual(recs[3], parseSessionLine(CALL))
  assert.deepEqual(parseSessions(Buffer.from(text)), recs)
  const err = 'error 7185551234 1 [20/Nov/2016:21:28:46 -0400] 8009957586 100037;001;1479692314 \u00fcber \u{1F600}'
  assert.deepEqual(parseErrors([err, ERROR].join('\n')).map((r) => r.message), ['\u00fcber \u{1F600}', 'errno: 210 message Maximum loop count exceeded'])
})

test('a Buffer that is not UTF-8 is a PARSE_ERROR naming the spot, not mojibake', () => {
  const bytes = Buffer.from(`${LOCAL}x`)
  bytes[bytes.length - 1] = 0xff
  assert.throws(() => parseSessions(Buffer.concat([Buffer.from(CALL + '\n'), bytes])), { code: 'PARSE_ERROR', kind: 'invalid_utf8', line: 2 })
  const { records, problems } = parseSessions(Buffer.concat([bytes, Buffer.from('\n' + CALL)]), { strict: false })
  assert.deepEqual(records, [parseSessionLine(CALL)])
  assert.equal(problems[0].kind, 'invalid_utf8')
})

test('big texts (parsed in two halves) give the same records, line numbers and problems', async () => {
  // > 4 MiB, so the native side splits it; the second half has words the first
  // has not (dictionary merge) and the first has non-ASCII text (UTF-16 offsets).
  const odd = 'local 7185551234 3 [03/Nov/2017:14:38:31 -0500] caf\u00e9 200035;003;1509734279 note: \u{1F600} \u65e5'
  const lines = []
  for (let i = 0; i < 40000; i++) {
    if (i === 7) lines.push(odd)
    else if (i > 30000 && i % 1000 === 0) lines.push(CALL.replace('inbound', 'zzzkind'))
    else if (i > 30000 && i % 777 === 0) lines.push(LOCAL.replace('fetchurl', 'lastlabel'))
    else lines.push(i % 4 ? CALL : LOCAL)
  }
  const text = lines.join('\n') + '\n'
  assert.ok(Buffer.byteLength(text) > 4 << 20)
  const expected = lines.map(parseSessionLine)
  assert.deepEqual(parseSessions(text), expected)
  assert.deepEqual(parseSessions(Buffer.from(text)), expected)
  assert.deepEqual(await parseSessionsAsync(text), expected)

  const bad = [...lines]
  bad[5] = 'bad first half'
  bad[35000] = 'bad second half'
  const badText = bad.join('\n')
  const offsetOf = (arr, n) => Buffer.byteLength(arr.slice(0, n).join('\n')) + 1
  assert.throws(() => parseSessions(badText), { code: 'PARSE_ERROR', line: 6, input: 'bad first half' })
  const onlySecond = [...lines]
  onlySecond[35000] = 'bad second half'
  assert.throws(() => parseSessions(onlySecond.join('\n')), (e) => {
    assert.equal(e.line, 35001)
    assert.equal(e.input, 'bad second half')
    assert.equal(e.offset, offsetOf(onlySecond, 35000) + e.column - 1)
    return true
  })
  const { records, problems } = parseSessions(badText, { strict: false })
  assert.equal(records.length, lines.length - 2)
  assert.deepEqual(problems.map((p) => [p.line, p.input]), [[6, 'bad first half'], [35001, 'bad second half']])
  assert.equal(problems[1].offset, offsetOf(bad, 35000) + problems[1].column - 1)

  const errLines = Array.from({ length: 40000 }, (_, i) => (i === 3 ? ERROR.replace('errno', '\u00fcber') : ERROR))
  assert.deepEqual(parseErrors(errLines.join('\n')), errLines.map(parseErrorLine))
})

test('parseCallLog: entries with multi-line messages', () => {
  const entries = parseCallLog(CALL_LOG)
  assert.deepEqual(entries, [
    { timestamp: '2002-08-28T10:16:58-04:00', zone: 'EDT', module: 'tel', session_id: '200035;003;1509734279', level: 'EVENT', message: 'incoming call' },
    { timestamp: '2002-08-28T10:16:59-04:00', zone: 'EDT', module: 'vxi', session_id: '200035;003;1509734279', level: 'DEBUG', message: 'first line\nsecond line' },
  ])
  assert.deepEqual(parseCallLog(Buffer.from(CALL_LOG)), entries)
})

test('PARSE_ERROR: strict bulk parsing names the line, column and input', () => {
  const bad = 'inbound 7185551234 3 [03/Foo/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1 2 00:00:01'
  assert.throws(
    () => parseSessions(`${CALL}\n\n${bad}\n${CALL}`),
    (e) => {
      assert.ok(e instanceof Error && e instanceof PlumError && e instanceof ParseError)
      assert.equal(e.code, 'PARSE_ERROR')
      assert.equal(e.line, 3)
      assert.equal(e.column, 26)
      assert.equal(e.input, bad)
      assert.equal(e.kind, 'bad_month')
      assert.match(e.message, /line 3, column 26/)
      return true
    },
  )
  assert.throws(() => parseSessionLine('inbound 7185551234'), { code: 'PARSE_ERROR', line: 1, input: 'inbound 7185551234' })
  assert.throws(() => parseErrorLine(CALL), { code: 'PARSE_ERROR', line: 1, column: 1, kind: 'not_an_error_line' })
  assert.throws(() => parseErrors(`${ERROR}\n${CALL}`), { code: 'PARSE_ERROR', line: 2 })
  assert.throws(() => parseCallLog('continuation first\n'), { code: 'PARSE_ERROR', line: 1 })
})

test('lenient mode returns every good record and every problem', () => {
  const text = `${CALL}\ngarbage\n\n${LOCAL}\ninbound 1 2 [x]\n`
  const { records, problems } = parseSessions(text, { strict: false })
  assert.deepEqual(records, [parseSessionLine(CALL), parseSessionLine(LOCAL)])
  assert.equal(problems.length, 2)
  assert.deepEqual(problems.map((p) => [p.line, p.input]), [[2, 'garbage'], [5, 'inbound 1 2 [x]']])
  for (const p of problems) {
    assert.equal(typeof p.column, 'number')
    assert.equal(typeof p.reason, 'string')
    assert.ok(p.reason.length > 0)
  }
  const errs = parseErrors(`${ERROR}\nnope\n`, { strict: false })
  assert.equal(errs.records.length, 1)
  assert.deepEqual(errs.problems.map((p) => p.line), [2])
  const log = parseCallLog(`orphan\n${CALL_LOG}`, { strict: false })
  assert.equal(log.records.length, 2)
  assert.equal(log.problems[0].line, 1)
  assert.deepEqual(parseSessions(CALL, { strict: true }), [parseSessionLine(CALL)])
  assert.deepEqual(parseSessions(CALL, { strict: false }), { records: [parseSessionLine(CALL)], problems: [] })
})

test('async twins give the same results and the same errors', async () => {
  const text = Array.from({ length: 500 }, (_, i) => (i % 3 ? CALL : LOCAL)).join('\n')
  assert.deepEqual(await parseSessionsAsync(text), parseSessions(text))
  assert.deepEqual(await parseSessionsAsync(Buffer.from(text), { strict: false }), parseSessions(text, { strict: false }))
  assert.deepEqual(await parseErrorsAsync(`${ERROR}\n${ERROR}`), parseErrors(`${ERROR}\n${ERROR}`))
  assert.deepEqual(await parseCallLogAsync(CALL_LOG), parseCallLog(CALL_LOG))
  await assert.rejects(parseSessionsAsync(`${CALL}\nbad`), { code: 'PARSE_ERROR', line: 2, input: 'bad' })
  await assert.rejects(parseErrorsAsync(42), { code: 'INVALID_ARGUMENT' })
})

test('INVALID_ARGUMENT: wrong types, unknown options, unknown services', () => {
  const invalid = (fn) => assert.throws(fn, (e) => e instanceof InvalidArgument && e.code === 'INVALID_ARGUMENT' && e.message.length > 0)
  invalid(() => parseSessions(42))
  invalid(() => parseSessions(null))
  invalid(() => parseSessionLine({}))
  invalid(() => parseSessions(CALL, { strict: 'no' }))
  invalid(() => parseSessions(CALL, { stritc: false }))
  invalid(() => parseSessions(CALL, 'strict'))
  invalid(() => decodeResponse('{}', 'calls'))
  invalid(() => decodeResponse(7, 'logs'))
})

test('decodeResponse: a broken body is a PARSE_ERROR that says where', () => {
  assert.throws(() => decodeResponse('{"status":"success",\n"result": [1, 2', 'sessions'), (e) => {
    assert.equal(e.code, 'PARSE_ERROR')
    assert.equal(typeof e.line, 'number')
    assert.equal(typeof e.column, 'number')
    assert.equal(typeof e.offset, 'number')
    assert.equal(typeof e.input, 'string')
    return true
  })
  assert.throws(() => decodeResponse('hello', 'logs'), { code: 'PARSE_ERROR', line: 1 })
})

test('decodeResponseAsync rejects as decodeResponse throws, and decodes a log body', async () => {
  await assert.rejects(decodeResponseAsync('{"status":"success",\n"result": [1, 2', 'sessions'), (e) => {
    assert.equal(e.code, 'PARSE_ERROR')
    assert.equal(typeof e.offset, 'number')
    return true
  })
  await assert.rejects(decodeResponseAsync('{}', 'calls'), { code: 'INVALID_ARGUMENT' })
  await assert.rejects(decodeResponseAsync(7, 'logs'), { code: 'INVALID_ARGUMENT' })
  const body = JSON.stringify({ status: 'success', error: '', result: { log: CALL_LOG } })
  assert.deepEqual(await decodeResponseAsync(body, 'log'), decodeResponse(body, 'log'))
})

test('decodeResponse: a log body gives its text and entries', () => {
  const body = JSON.stringify({ status: 'success', error: '', result: { log: CALL_LOG } })
  const log = decodeResponse(body, 'log')
  assert.equal(log.log_id, null)
  assert.equal(log.text, CALL_LOG)
  assert.deepEqual(log.entries, parseCallLog(CALL_LOG))
})

test('sessionIdParts splits a raw id, leading zeros kept', () => {
  assert.deepEqual(sessionIdParts('000020;006;1483968637'), { server: '000020', channel: 6, start: 1483968637 })
  assert.throws(() => sessionIdParts('nope'), { code: 'PARSE_ERROR', input: 'nope' })
  assert.throws(() => sessionIdParts(5), { code: 'INVALID_ARGUMENT' })
})
