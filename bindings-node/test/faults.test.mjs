// Every fault kind the emulator injects, past the retries, reaches JS as the typed
// error the core maps it to: the class, its `code`, `httpStatus` for API and auth
// errors, and the server's message where it sent one;
// and a listing the server leaves shorter than its own count says what is missing.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { Client, Emulator, PlumError, ApiError, AuthError, TransportError } from '../lib/index.mjs'

const DAY = 86400
const SESSIONS = '/ws/calls/sessions'
const LOG = '/ws/calls/log/'

// [fault, class, code, httpStatus, text the description must hold]. `slow` waits
// 3x the 1 s timeout the client is given, so a loaded machine neither mistakes a
// normal answer for a timeout nor a slow one for an answer.
const CASES = [
  ...[500, 502, 503, 504, 429, 400, 404].map((s) => [{ kind: 'status', status: s }, ApiError, 'API_ERROR', s, '']),
  [{ kind: 'status', status: 401 }, AuthError, 'AUTH_ERROR', 401, ''],
  [{ kind: 'status', status: 403 }, AuthError, 'AUTH_ERROR', 403, ''],
  [{ kind: 'documentedFailure', status: 503 }, ApiError, 'API_ERROR', 503, 'Service temporarily unavailable (emulated HTTP 503)'],
  [{ kind: 'documentedFailure', status: 401 }, AuthError, 'AUTH_ERROR', 401, 'Service temporarily unavailable (emulated HTTP 401)'],
  [{ kind: 'slow', delayMs: 3000 }, TransportError, 'TRANSPORT_ERROR', null, 'timed out'],
  [{ kind: 'truncated' }, TransportError, 'TRANSPORT_ERROR', null, ''],
  [{ kind: 'malformed' }, TransportError, 'TRANSPORT_ERROR', null, 'broken'],
  [{ kind: 'drop' }, TransportError, 'TRANSPORT_ERROR', null, ''],
]

let emu
before(async () => {
  emu = await Emulator.start({ seed: 7, callsPerDay: 300 })
  // One frozen clock: a call ending between two listings would make them differ.
  emu.setClock(Math.floor(Date.now() / 1000))
})
after(async () => {
  await emu.stop()
})
beforeEach(() => {
  emu.clearFaults()
  emu.clearRequests()
})

const client = (extra = {}) =>
  new Client({
    username: emu.username,
    password: emu.password,
    baseUrl: emu.baseUrl,
    retryBaseMs: 1,
    retryMaxMs: 5,
    timeoutMs: 1000,
    ...extra,
  })
const window = () => {
  const end = emu.now()
  return [end - DAY, end]
}
const name = (fault) => Object.values(fault).join('-')

function check(e, cls, code, status, text) {
  assert.ok(e instanceof PlumError, `${e}`)
  // The exact class: an AuthError is an ApiError too, but a 503 must not be one.
  assert.equal(Object.getPrototypeOf(e), cls.prototype, `${e.constructor.name}: ${e.description}`)
  assert.equal(e.code, code)
  assert.equal(typeof e.description, 'string')
  if (text) assert.ok(e.description.includes(text), e.description)
  if (status === null) {
    assert.equal(e.httpStatus, undefined) // only API and auth errors carry one
  } else {
    assert.equal(e.httpStatus, status)
    // The emulator's failure envelope carries a message: surfaced as is, not the status line.
    assert.ok(e.message && !e.message.startsWith('HTTP '), e.message)
  }
}

for (const format of ['json', 'xml']) {
  for (const [fault, cls, code, status, text] of CASES) {
    test(`a ${name(fault)} fault on a ${format} listing is ${code}`, async () => {
      const c = client({ format, maxRetries: 0 })
      const [start, end] = window()
      emu.injectFault({ ...fault, count: 1, pathPrefix: SESSIONS })
      await assert.rejects(c.sessions(start, end), (e) => {
        check(e, cls, code, status, text)
        return true
      })
      // One request, not retried (maxRetries 0), used the fault up: the same listing now succeeds.
      assert.equal(emu.requests().filter((r) => r.path.startsWith(SESSIONS)).length, 1)
      assert.equal((await c.sessions(start, end, { limit: 5 })).length, 5)
    })
  }
}

for (const [fault, cls, code, status, text] of CASES) {
  test(`a ${name(fault)} fault on a call log is ${code}`, async () => {
    const c = client({ maxRetries: 0 })
    const [start, end] = window()
    const [summary] = await c.callLogs(start, end, { limit: 1 })
    emu.injectFault({ ...fault, count: 1, pathPrefix: LOG })
    await assert.rejects(c.callLog(summary.log_id), (e) => {
      check(e, cls, code, status, text)
      return true
    })
    assert.ok((await c.callLog(summary.log_id)).entries.length > 0)
  })
}

test('a fault within the retries is not seen', async () => {
  const c = client({ maxRetries: 1 })
  const [start, end] = window()
  const clean = await c.sessions(start, end)
  assert.ok(clean.length > 0)
  for (const [fault, cls] of CASES) {
    // Not retried: the same request gets the same answer.
    if (cls === AuthError || fault.status === 400 || fault.status === 404) continue
    emu.clearFaults()
    emu.injectFault({ ...fault, count: 1, pathPrefix: SESSIONS })
    assert.deepEqual(await c.sessions(start, end), clean, name(fault))
  }
})

test('a listing shorter than its own count is TRANSPORT_ERROR saying what is missing', async () => {
  const line =
    'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'
  // Counts 100 sessions, sends one, then an empty page.
  const server = http.createServer((req, res) => {
    const offset = Number(new URL(req.url, 'http://x').searchParams.get('offset') ?? 0)
    const result = { total_sessions: '100', sessions: offset === 0 ? [line] : [] }
    const body = JSON.stringify({ status: 'success', error: '', result })
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  })
  await new Promise((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  try {
    const c = new Client({ username: 'u', password: 'p', baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 })
    const end = Math.floor(Date.now() / 1000)
    await assert.rejects(c.sessions(end - 3600, end, { pageSize: 10 }), (e) => {
      assert.ok(e instanceof TransportError, `${e}`)
      assert.equal(e.code, 'TRANSPORT_ERROR')
      assert.equal(e.kind, 'incomplete_listing')
      assert.equal(e.reported, 100)
      assert.equal(e.received, 1)
      assert.ok(e.description.includes('server reported 100, sent 1; offset 1 came back empty'), e.description)
      return true
    })
  } finally {
    await new Promise((resolve) => {
      server.close(resolve)
    })
  }
})
