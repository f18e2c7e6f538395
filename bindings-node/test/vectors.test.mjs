// The shared test vectors of core/tests/vectors: Node must give the very records
// Rust, Python and the CLI give, field for field.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseSessions, parseErrors, parseSessionLine, parseErrorLine, decodeResponse, decodeResponseAsync } from '../lib/index.mjs'

const dir = fileURLToPath(new URL('../../core/tests/vectors/', import.meta.url))
const read = (p) => readFileSync(dir + p, 'utf8')
const readBuf = (p) => readFileSync(dir + p)
const jsonl = (p) => read(p).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

test('session lines decode to the expected records (string and Buffer)', () => {
  const expected = jsonl('lines/sessions.expected.jsonl')
  assert.ok(expected.length > 0)
  assert.deepEqual(parseSessions(read('lines/sessions.txt')), expected)
  assert.deepEqual(parseSessions(readBuf('lines/sessions.txt')), expected)
  const lines = read('lines/sessions.txt').split('\n').filter((l) => l.trim())
  assert.deepEqual(lines.map(parseSessionLine), expected)
})

test('error lines decode to the expected records (string and Buffer)', () => {
  const expected = jsonl('lines/errors.expected.jsonl')
  assert.ok(expected.length > 0)
  assert.deepEqual(parseErrors(read('lines/errors.txt')), expected)
  assert.deepEqual(parseErrors(readBuf('lines/errors.txt')), expected)
  const lines = read('lines/errors.txt').split('\n').filter((l) => l.trim())
  assert.deepEqual(lines.map(parseErrorLine), expected)
})

for (const wire of ['json', 'xml']) {
  test(`decodeResponse: documented ${wire} bodies`, () => {
    assert.deepEqual(decodeResponse(read(`docs/logs.${wire}`), 'logs'), jsonl('docs/logs.expected.jsonl'))
    assert.deepEqual(decodeResponse(readBuf(`docs/logs.${wire}`), 'logs'), jsonl('docs/logs.expected.jsonl'))
    assert.deepEqual(decodeResponse(read(`docs/sessions.canonical.${wire}`), 'sessions'), jsonl('lines/sessions.expected.jsonl'))
    assert.deepEqual(decodeResponse(readBuf(`docs/errors.canonical.${wire}`), 'errors'), jsonl('lines/errors.expected.jsonl'))
    for (const service of ['sessions', 'errors', 'logs']) {
      assert.deepEqual(decodeResponse(read(`docs/success-empty.${wire}`), service), [])
    }
  })

  test(`decodeResponseAsync: documented ${wire} bodies, the same records off the event loop`, async () => {
    assert.deepEqual(await decodeResponseAsync(read(`docs/logs.${wire}`), 'logs'), jsonl('docs/logs.expected.jsonl'))
    assert.deepEqual(await decodeResponseAsync(readBuf(`docs/sessions.canonical.${wire}`), 'sessions'), jsonl('lines/sessions.expected.jsonl'))
    assert.deepEqual(await decodeResponseAsync(read(`docs/errors.canonical.${wire}`), 'errors'), jsonl('lines/errors.expected.jsonl'))
    await assert.rejects(decodeResponseAsync(read(`docs/failure.${wire}`), 'sessions'), (e) => {
      assert.ok(['API_ERROR', 'AUTH_ERROR'].includes(e.code), e.code)
      assert.equal(e.message, 'Unauthorized access to sample service')
      return true
    })
  })

  test(`decodeResponse: documented ${wire} failure body is an API_ERROR with the server's text`, () => {
    assert.throws(
      () => decodeResponse(read(`docs/failure.${wire}`), 'sessions'),
      (e) => {
        assert.ok(e instanceof Error)
        assert.ok(['API_ERROR', 'AUTH_ERROR'].includes(e.code), e.code)
        assert.equal(e.message, 'Unauthorized access to sample service')
        // No HTTP exchange: the status is unknown (null), as in Python and Rust.
        assert.equal(e.httpStatus, null)
        return true
      },
    )
  })
}

test('decodeResponse: a sibling service failure with doubled quotes keeps its message', () => {
  assert.throws(
    () => decodeResponse(read('docs/sibling-failure-doubled-quotes.json'), 'logs'),
    (e) => e.code === 'API_ERROR' && /unsubscribed recipient/.test(e.message),
  )
})
