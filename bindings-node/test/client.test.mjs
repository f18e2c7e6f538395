// The Client against the emulator on loopback: paging, both wire formats, faults,
// auth, abort, and a proof that the event loop keeps running during a slow answer.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { Client, Emulator, ApiError, AuthError, TransportError, InvalidArgument } from '../lib/index.mjs'

let emu
const now = () => Math.floor(Date.now() / 1000)
// Windows ending at the last 21:00 UTC (afternoon in the US East, where the emulator's
// synthetic traffic is busy), whatever the time of day the tests run: at most a day
// back, inside every retention window.
const window = (seconds) => {
  const day = 86400
  const t = now()
  let end = t - (t % day) + 21 * 3600
  if (end > t) end -= day
  return [end - seconds, end]
}
const client = (extra = {}) =>
  new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl, retryBaseMs: 1, retryMaxMs: 5, ...extra })
const dataRequests = (prefix = '/ws/calls/') => emu.requests().filter((r) => r.path.startsWith(prefix))

before(async () => {
  emu = await Emulator.start({ seed: 7, callsPerDay: 300 })
})
after(async () => {
  await emu.stop()
})
beforeEach(() => {
  emu.clearFaults()
  emu.clearRequests()
  // The emulator's clock stopped at the real now for the test: two listings of a
  // window then see the same calls, though a call may end between them.
  emu.setClock(now())
})
afterEach(() => {
  emu.setClock(null)
})

test('sessions, errors and callLogs: Promises of canonical records', async () => {
  const [start, end] = window(6 * 3600)
  const c = client()
  const sessions = await c.sessions(start, end)
  assert.ok(sessions.length > 20, `only ${sessions.length} sessions`)
  for (const s of sessions.slice(0, 50)) {
    assert.deepEqual(Object.keys(s), ['kind', 'ani', 'channel', 'timestamp', 'dnis', 'session_id', 'call_start', 'call_end', 'duration', 'label', 'message'])
    assert.match(s.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
  }
  // Error lines are rare in the synthetic traffic (about 1 call in 100): a week has some.
  const errors = await c.errors(end - 7 * 86400, end)
  assert.ok(errors.length > 0)
  for (const e of errors) assert.deepEqual(Object.keys(e), ['ani', 'channel', 'timestamp', 'dnis', 'session_id', 'message'])
  const logs = await c.callLogs(start, end)
  assert.ok(logs.length > 0)
  assert.deepEqual(Object.keys(logs[0]), ['log_id', 'session_id', 'dest', 'type', 'src', 'start', 'end'])
  // Date arguments are the same window.
  assert.deepEqual(await c.sessions(new Date(start * 1000), new Date(end * 1000)), sessions)
})

test('paging: offset/limit pages, page iterator, record iterator, limit', async () => {
  const [start, end] = window(6 * 3600)
  const c = client()
  const all = await c.sessions(start, end, { pageSize: 10000 })
  emu.clearRequests()
  const paged = await c.sessions(start, end, { pageSize: 7 })
  assert.deepEqual(paged, all)
  const reqs = dataRequests('/ws/calls/sessions')
  assert.equal(reqs.length, Math.floor(all.length / 7) + 1)
  reqs.forEach((r, i) => assert.match(r.query, new RegExp(`offset=${i * 7}&limit=7`)))

  const pages = []
  for await (const page of c.iterSessionPages(start, end, { pageSize: 10 })) pages.push(page)
  assert.ok(pages.length >= 2)
  assert.ok(pages.slice(0, -1).every((p) => p.length === 10))
  assert.deepEqual(pages.flat(), all)

  const seen = []
  for await (const rec of c.iterSessions(start, end, { pageSize: 9 })) {
    seen.push(rec)
    if (seen.length === 12) break
  }
  assert.deepEqual(seen, all.slice(0, 12))

  assert.deepEqual(await c.sessions(start, end, { limit: 5, pageSize: 3 }), all.slice(0, 5))

  // The same walk for the other two listings.
  const errors = []
  for await (const e of c.iterErrors(start, end, { pageSize: 4 })) errors.push(e)
  assert.deepEqual(errors, await c.errors(start, end))
  const logPages = []
  for await (const p of c.iterCallLogPages(start, end, { pageSize: 6 })) logPages.push(p)
  const logs = []
  for await (const l of c.iterCallLogs(start, end, { pageSize: 6 })) logs.push(l)
  assert.deepEqual(logPages.flat(), logs)
  assert.deepEqual(logs, await c.callLogs(start, end))
  const errorPages = []
  for await (const p of c.iterErrorPages(start, end, { pageSize: 4 })) errorPages.push(p)
  assert.deepEqual(errorPages.flat(), errors)
})

test('both wire formats give the same records', async () => {
  const [start, end] = window(3 * 3600)
  const json = client({ format: 'json' })
  const xml = client({ format: 'xml' })
  assert.equal(xml.format, 'xml')
  for (const m of ['sessions', 'errors', 'callLogs']) {
    emu.clearRequests()
    const a = await json[m](start, end, { pageSize: 25 })
    const b = await xml[m](start, end, { pageSize: 25 })
    assert.deepEqual(b, a, m)
    const accepts = dataRequests().map((r) => r.headers.accept)
    assert.ok(accepts.includes('application/json') && accepts.includes('application/xml'), accepts.join())
  }
  const [first] = await xml.callLogs(start, end, { limit: 1 })
  assert.deepEqual(await xml.callLog(first.log_id), await json.callLog(first.log_id))
})

test('number filter and callLog', async () => {
  const [start, end] = window(6 * 3600)
  const c = client()
  const logs = await c.callLogs(start, end)
  const target = logs[0]
  const filtered = await c.callLogs(start, end, { number: target.src })
  assert.ok(filtered.length > 0 && filtered.length <= logs.length)
  assert.ok(filtered.some((l) => l.log_id === target.log_id))
  assert.ok(emu.requests().some((r) => r.query.includes(`number=${target.src}`)))

  const log = await c.callLog(target.log_id)
  assert.equal(log.log_id, target.log_id)
  assert.equal(typeof log.text, 'string')
  assert.ok(log.entries.length > 0)
  assert.deepEqual(Object.keys(log.entries[0]), ['timestamp', 'zone', 'module', 'session_id', 'level', 'message'])
  assert.equal(log.entries[0].session_id, target.session_id)
  assert.deepEqual(c.callLogSync(target.log_id), log)
})

test('callLogsWithText: every call with its log, in listing order; one failed log does not stop the rest', async () => {
  const [start, end] = window(6 * 3600)
  const c = client({ maxRetries: 0 })
  const listing = await c.callLogs(start, end, { limit: 6 })
  const items = await c.callLogsWithText(start, end, { limit: 6, concurrency: 3 })
  assert.deepEqual(items.map((i) => i.summary), listing)
  for (const { summary, log, error } of items) {
    assert.equal(error, null)
    assert.equal(log.log_id, summary.log_id)
    assert.ok(log.entries.length > 0)
  }
  emu.injectFault({ kind: 'status', status: 500, count: 1, pathPrefix: '/ws/calls/log/' })
  const withFailure = await c.callLogsWithText(start, end, { limit: 6, concurrency: 1 })
  assert.equal(withFailure.length, 6)
  const failed = withFailure.filter((i) => i.error)
  assert.equal(failed.length, 1)
  assert.ok(failed[0].error instanceof ApiError)
  assert.equal(failed[0].error.code, 'API_ERROR')
  assert.equal(failed[0].error.httpStatus, 500)
  assert.equal(failed[0].log, null)
})

test('faults: retried 503s succeed; spent retries give API_ERROR / TRANSPORT_ERROR', async () => {
  const [start, end] = window(3600)
  const expected = await client().sessions(start, end)

  emu.clearRequests()
  emu.injectFault({ kind: 'status', status: 503, retryAfter: 0, count: 2, pathPrefix: '/ws/calls/sessions' })
  assert.deepEqual(await client({ maxRetries: 3 }).sessions(start, end), expected)
  assert.equal(dataRequests('/ws/calls/sessions').length, 3)

  emu.injectFault({ kind: 'status', status: 500, count: 5 })
  await assert.rejects(client({ maxRetries: 1 }).sessions(start, end), (e) => {
    assert.ok(e instanceof ApiError)
    assert.equal(e.code, 'API_ERROR')
    assert.equal(e.httpStatus, 500)
    assert.equal(typeof e.message, 'string')
    return true
  })
  emu.clearFaults()

  // The docs' JSON failure body (trailing comma, invalid JSON) still gives its message.
  emu.injectFault({ kind: 'documentedFailure', status: 503, count: 2 })
  await assert.rejects(client({ maxRetries: 1 }).sessions(start, end), (e) => {
    assert.equal(e.code, 'API_ERROR')
    assert.equal(e.httpStatus, 503)
    assert.equal(e.message, 'Service temporarily unavailable (emulated HTTP 503)')
    return true
  })
  emu.clearFaults()
  assert.throws(() => emu.injectFault({ kind: 'drop', status: 503 }), { code: 'INVALID_ARGUMENT' })

  for (const kind of ['malformed', 'truncated', 'drop']) {
    emu.injectFault({ kind, count: 5 })
    await assert.rejects(client({ maxRetries: 1 }).errors(start, end), (e) => {
      assert.ok(e instanceof TransportError, `${kind}: ${e}`)
      assert.equal(e.code, 'TRANSPORT_ERROR')
      return true
    })
    emu.clearFaults()
  }

  emu.injectFault({ kind: 'slow', delayMs: 1500, count: 1 })
  await assert.rejects(client({ maxRetries: 0, timeoutMs: 200 }).sessions(start, end), { code: 'TRANSPORT_ERROR' })
  emu.clearFaults()

  // A deadline bounds a call with its retries: ten retries of a 300 ms timeout would
  // take three seconds.
  emu.injectFault({ kind: 'slow', delayMs: 1500, count: 20 })
  const t = Date.now()
  await assert.rejects(client({ maxRetries: 10, timeoutMs: 300, deadlineMs: 700 }).sessions(start, end), (e) => {
    assert.equal(e.code, 'TRANSPORT_ERROR')
    assert.match(e.message, /700ms deadline/)
    return true
  })
  assert.ok(Date.now() - t < 2500, `took ${Date.now() - t} ms`)
  emu.clearFaults()
  assert.throws(() => client({ deadlineMs: -1 }), { code: 'INVALID_ARGUMENT' })
})

test('auth: wrong password, no credentials, credentials from the environment', async () => {
  const [start, end] = window(3600)
  await assert.rejects(client({ password: 'wrong' }).sessions(start, end), (e) => {
    assert.ok(e instanceof AuthError && e instanceof ApiError)
    assert.equal(e.code, 'AUTH_ERROR')
    assert.equal(e.httpStatus, 401)
    return true
  })

  const saved = { u: process.env.PLUM_USERNAME, p: process.env.PLUM_PASSWORD }
  try {
    delete process.env.PLUM_USERNAME
    delete process.env.PLUM_PASSWORD
    emu.clearRequests()
    assert.throws(() => new Client({ baseUrl: emu.baseUrl }), { code: 'AUTH_ERROR' })
    assert.equal(dataRequests().length, 0)

    process.env.PLUM_USERNAME = emu.username
    process.env.PLUM_PASSWORD = emu.password
    const fromEnv = new Client({ baseUrl: emu.baseUrl })
    assert.equal(fromEnv.username, emu.username)
    assert.deepEqual(await fromEnv.sessions(start, end), await client().sessions(start, end))
  } finally {
    for (const [k, v] of [['PLUM_USERNAME', saved.u], ['PLUM_PASSWORD', saved.p]]) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
})

test('INVALID_ARGUMENT before any request', async () => {
  const [start, end] = window(3600)
  const c = client()
  const invalid = (e) => e instanceof InvalidArgument && e.code === 'INVALID_ARGUMENT'
  await assert.rejects(c.sessions(end, start), invalid)
  await assert.rejects(c.sessions('yesterday', end), invalid)
  await assert.rejects(c.sessions(Date.now(), end), invalid) // milliseconds, not seconds
  await assert.rejects(c.sessions(new Date('nope'), end), invalid)
  await assert.rejects(c.sessions(start, end, { pageSize: 0 }), invalid)
  await assert.rejects(c.sessions(start, end, { pageSize: 10001 }), invalid)
  await assert.rejects(c.sessions(start, end, { page_size: 10 }), invalid)
  await assert.rejects(c.callLogs(now() - 30 * 86400, now()), invalid) // beyond the 5-day retention
  await assert.rejects(c.callLog(-1), invalid)
  assert.throws(() => client({ format: 'csv' }), invalid)
  assert.throws(() => client({ timeoutMs: -1 }), invalid)
  assert.throws(() => new Client({ base_url: 'x' }), invalid)
  // The password must not travel in clear to a remote host unless asked for.
  assert.throws(() => new Client({ username: 'u', password: 'p', baseUrl: 'http://example.com' }), invalid)
  assert.equal(new Client({ username: 'u', password: 'p', baseUrl: 'http://example.com', allowInsecureHttp: true }).baseUrl, 'http://example.com')
  assert.throws(() => new Client({ username: 'u', password: 'p', baseUrl: 'ftp://example.com' }), invalid)
  assert.throws(() => c.sessionsSync(end, start), invalid)
  assert.equal(dataRequests().length, 0)
})

test('abort: an aborted signal rejects with AbortError, before or during a request and between pages', async () => {
  const [start, end] = window(6 * 3600)
  const c = client()
  const isAbort = (e) => e.name === 'AbortError'

  await assert.rejects(c.sessions(start, end, { signal: AbortSignal.abort() }), isAbort)
  assert.equal(dataRequests().length, 0)

  emu.injectFault({ kind: 'slow', delayMs: 3000, count: 1 })
  const ac = new AbortController()
  const t0 = Date.now()
  setTimeout(() => ac.abort(), 100)
  await assert.rejects(c.sessions(start, end, { signal: ac.signal }), isAbort)
  assert.ok(Date.now() - t0 < 2000, `abort took ${Date.now() - t0} ms`)

  const ac2 = new AbortController()
  const pages = []
  await assert.rejects(
    (async () => {
      for await (const page of c.iterSessionPages(start, end, { pageSize: 5, signal: ac2.signal })) {
        pages.push(page)
        ac2.abort()
      }
    })(),
    isAbort,
  )
  assert.equal(pages.length, 1)

  await assert.rejects(c.callLogsWithText(start, end, { signal: AbortSignal.abort() }), isAbort)
  emu.injectFault({ kind: 'slow', delayMs: 1000, count: 1, pathPrefix: '/ws/calls/logs' })
  await assert.rejects(c.callLogsWithText(start, end, { limit: 3, signal: AbortSignal.timeout(50) }), (e) => e.name === 'TimeoutError' || isAbort(e))

  const reason = new Error('mine')
  await assert.rejects(c.callLog(1, { signal: AbortSignal.abort(reason) }), (e) => e === reason)
})

test('the event loop keeps running while a slow answer is awaited (and the sync twin blocks it)', async () => {
  // The slow faults name their path: the previous test's aborted callLogsWithText may
  // still fetch a log meanwhile, and must not take them.
  const [start, end] = window(3600)
  const c = client({ maxRetries: 0 })
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  try {
    emu.injectFault({ kind: 'slow', delayMs: 600, count: 1, pathPrefix: '/ws/calls/sessions/' })
    const t0 = Date.now()
    const records = await c.sessions(start, end)
    const waited = Date.now() - t0
    assert.ok(waited >= 550, `the slow fault was not served (${waited} ms)`)
    assert.ok(Array.isArray(records))
    assert.ok(ticks >= 20, `only ${ticks} ticks in ${waited} ms: the event loop was blocked`)

    // The same wait through the blocking twin holds the thread: no tick can run.
    emu.injectFault({ kind: 'slow', delayMs: 300, count: 1, pathPrefix: '/ws/calls/sessions/' })
    ticks = 0
    const sync = c.sessionsSync(start, end)
    assert.equal(ticks, 0)
    assert.deepEqual(sync, records)
  } finally {
    clearInterval(timer)
  }
})

test('sync twins return what the async methods return', async () => {
  const [start, end] = window(3 * 3600)
  const c = client()
  assert.deepEqual(c.sessionsSync(start, end, { pageSize: 13 }), await c.sessions(start, end))
  assert.deepEqual(c.errorsSync(start, end), await c.errors(start, end))
  assert.deepEqual(c.callLogsSync(start, end, { limit: 4 }), await c.callLogs(start, end, { limit: 4 }))
})
