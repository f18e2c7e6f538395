// The client's second-round features against the emulator on loopback: time
// arguments (core's `plumlogs::timearg`), parallel sub-windows, re-iterable listings
// with `lastResponse`/`totalHint`, `onRetry` and the request log, follow, proxy and
// CA bundle options, profiles.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import https from 'node:https'
import { once } from 'node:events'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Client, Emulator, InvalidArgument, ApiError } from '../lib/index.mjs'

let emu
const now = () => Math.floor(Date.now() / 1000)
const HOUR = 3600
const DAY = 86400
// A window ending at the last 21:00 UTC (busy in the emulator's synthetic traffic).
const window = (seconds) => {
  const t = now()
  let end = t - (t % DAY) + 21 * HOUR
  if (end > t) end -= DAY
  return [end - seconds, end]
}
const client = (extra = {}) =>
  new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl, retryBaseMs: 1, retryMaxMs: 5, ...extra })
const dataRequests = (prefix = '/ws/calls/') => emu.requests().filter((r) => r.path.startsWith(prefix))
/** The [start, end] of a recorded listing request's path. */
const windowOf = (r) => r.path.split('?')[0].split('/').slice(-2).map(Number)
const invalid = (field, text) => (e) => {
  assert.ok(e instanceof InvalidArgument, `${e}`)
  assert.equal(e.code, 'INVALID_ARGUMENT')
  assert.equal(e.field, field)
  if (text) assert.match(e.message, text)
  return true
}
const sleep = (ms) => new Promise((resolve) => {
  setTimeout(resolve, ms)
})
/** Wait (at most `ms`) until `cond()` holds: native events arrive on their own tick. */
const until = async (cond, ms = 2000) => {
  const t0 = Date.now()
  while (!cond() && Date.now() - t0 < ms) await sleep(10)
  return cond()
}

/** The count of `dataRequests(prefix)` once it stops changing (the emulator records a request as it ends). */
const settled = async (prefix) => {
  let n = dataRequests(prefix).length
  for (let i = 0; i < 40; i++) {
    await sleep(25)
    const m = dataRequests(prefix).length
    if (m === n) return m
    n = m
  }
  return n
}

before(async () => {
  // A password no other text holds (the default one is also the server's name).
  emu = await Emulator.start({ seed: 7, callsPerDay: 300, password: 'pw-9f3e-not-in-any-text' })
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

test('time arguments: numbers, Dates, ISO strings and spans name the same window', async () => {
  const [start, end] = window(6 * HOUR)
  const c = client()
  const byNumber = await c.sessions(start, end)
  assert.ok(byNumber.length > 20)
  const iso = (t) => new Date(t * 1000).toISOString()
  assert.deepEqual(await c.sessions(iso(start), iso(end)), byNumber)
  assert.deepEqual(await c.sessions(new Date(start * 1000), new Date(end * 1000)), byNumber)
  // An ISO time with an offset, and a float: an end with a fraction rounds up.
  const offset = new Date((start - 5 * HOUR) * 1000).toISOString().replace('.000Z', '-05:00')
  emu.clearRequests()
  assert.deepEqual(await c.sessions(offset, end - 0.5), byNumber)
  assert.deepEqual(windowOf(dataRequests()[0]), [start, end])
  assert.deepEqual(c.sessionsSync(iso(start), iso(end)), byNumber)

  // Spans are back from the client's clock; `end` left out is now.
  emu.clearRequests()
  await c.errors('6h', 'now')
  const [s, e] = windowOf(dataRequests()[0])
  assert.equal(e - s, 6 * HOUR)
  assert.ok(Math.abs(e - c.now()) <= 2, `${e} vs ${c.now()}`)
  emu.clearRequests()
  await c.errors('90m')
  const [s2, e2] = windowOf(dataRequests()[0])
  assert.equal(e2 - s2, 90 * 60)
})

test('time arguments: "max" is as far back as each service keeps, read at request time', async () => {
  const c = client()
  // Call logs: 5 days; the server takes it (the start has a safety margin).
  const logs = await c.callLogs('max', 'now', { limit: 5 })
  assert.equal(logs.length, 5)
  const [s] = windowOf(dataRequests('/ws/calls/logs/')[0])
  const back = c.now() - s
  assert.ok(back < 5 * DAY && back > 5 * DAY - 3600, `max reached ${back} s back`)
  emu.clearRequests()
  await c.errors('max', 'now', { limit: 1, concurrency: 1 })
  const [es] = windowOf(dataRequests('/ws/calls/errors/')[0])
  assert.ok(c.now() - es > 300 * DAY, 'errors keep a year')
})

test('time arguments: mistakes are INVALID_ARGUMENT naming the argument, with a hint, before any request', async () => {
  const c = client()
  const [start, end] = window(HOUR)
  await assert.rejects(c.sessions(Date.now(), end), invalid('start', /milliseconds.*Date\.now\(\).*did you mean \d{10}/))
  await assert.rejects(c.sessions(start, Date.now()), invalid('end', /milliseconds/))
  await assert.rejects(c.sessions(24, 'now'), invalid('start', /did you mean 24h/))
  await assert.rejects(c.sessions('2999-01-01', '3000-01-01'), invalid('start', /future/))
  await assert.rejects(c.sessions(end, start), invalid('end', /swapped/))
  await assert.rejects(c.sessions(start, start), invalid('end', /empty/))
  await assert.rejects(c.sessions('24h', 'max'), invalid('end', /a start, not an end/))
  await assert.rejects(c.sessions('yesterday', 'now'), invalid('start'))
  await assert.rejects(c.sessions(NaN, 'now'), invalid('start', /finite/))
  await assert.rejects(c.sessions({}, 'now'), invalid('start', /a Date or a string/))
  await assert.rejects(c.callLogs('30d', 'now'), invalid('start')) // beyond the 5-day retention
  // A long input is quoted only in part.
  const long = 'x'.repeat(5000)
  await assert.rejects(c.sessions(long, 'now'), (e) => invalid('start')(e) && e.message.length < 600)
  assert.throws(() => c.iterErrors('1e99', 'now'), invalid('start'))
  assert.throws(() => c.errorsSync(Date.now()), invalid('start', /milliseconds/))
  assert.equal(dataRequests().length, 0)
})

test('windows: concurrency splits a long window into sub-windows, same records in the same order', async () => {
  const [start, end] = window(4 * DAY)
  const c = client()
  const serial = await c.sessions(start, end, { concurrency: 1, pageSize: 500 })
  const serialRequests = dataRequests().length
  emu.clearRequests()
  const parallel = await c.sessions(start, end, { concurrency: 4, pageSize: 500 })
  assert.deepEqual(parallel, serial)
  const starts = new Set(dataRequests().map((r) => windowOf(r)[0]))
  assert.ok(starts.size > 1, 'one window only')
  assert.ok(dataRequests().length >= serialRequests)
  // The default splits windows longer than a day too; a given length is honoured.
  const listing = c.iterSessions(start, end, { subWindowSeconds: DAY })
  // Cut at UTC midnights: 4 days ending at 21:00 touch 5 dates.
  assert.equal(listing.subWindows, 5)
  assert.deepEqual(await listing.toArray(), serial)
  assert.equal(c.iterSessions(end - HOUR, end).subWindows, 1)
  assert.deepEqual(await c.callLogs(start, end, { concurrency: 3 }), await c.callLogs(start, end, { concurrency: 1 }))
  assert.throws(() => c.iterSessions(start, end, { concurrency: 0 }), invalid('options.concurrency'))
  await assert.rejects(c.errors(start, end, { concurrency: 1.5 }), invalid('options.concurrency'))
  await assert.rejects(c.errors(start, end, { subWindowSeconds: 0 }), invalid('options.subWindowSeconds'))
  await assert.rejects(c.errors(start, end, { concurrency: '4' }), invalid('options.concurrency'))
})

test('windows: a failed sub-window fails the listing (never a gap)', async () => {
  const [start, end] = window(4 * DAY)
  const c = client({ maxRetries: 0 })
  emu.injectFault({ kind: 'status', status: 500, count: 1, pathPrefix: '/ws/calls/sessions/' })
  await assert.rejects(c.sessions(start, end, { concurrency: 4 }), (e) => e instanceof ApiError && e.httpStatus === 500)
  // The other workers stop after the request each has in flight; let those end here.
  await settled()
})

test('listings: iterating again fetches again; lastResponse, totalHint and prefetch', async () => {
  const [start, end] = window(6 * HOUR)
  const c = client()
  const listing = c.iterSessions(start, end, { pageSize: 50 })
  assert.equal(listing.lastResponse, null)
  assert.equal(listing.totalHint, null)
  assert.equal(dataRequests().length, 0)
  const first = await listing.toArray()
  const pages = await settled()
  assert.ok(first.length > 50 && pages >= 2)
  const second = []
  for await (const r of listing) second.push(r)
  assert.deepEqual(second, first)
  assert.equal(await settled(), 2 * pages, 'the second iteration fetched the window again')
  const meta = listing.lastResponse
  assert.equal(meta.status, 200)
  assert.equal(meta.method, 'GET')
  assert.equal(meta.attempt, 1)
  assert.ok(meta.bytes > 0 && meta.elapsedMs >= 0)
  assert.match(meta.headers['content-type'], /json/)
  assert.match(meta.path, /^\/ws\/calls\/sessions\/\d+\/\d+\?offset=\d+&limit=50/)
  assert.match(meta.line, /^GET \/ws\/calls\/sessions\/.* -> 200 \(attempt 1, \d+ ms, \d+ bytes\)$/)
  assert.ok(!JSON.stringify(meta).includes(emu.password))

  // prefetch: the count before the first record, the first page kept for the loop.
  emu.clearRequests()
  const pagesListing = c.iterSessionPages(start, end, { pageSize: 50 })
  assert.equal(await pagesListing.prefetch(), pagesListing)
  assert.equal(await settled(), 1)
  assert.equal(pagesListing.totalHint, first.length)
  const got = []
  for await (const page of pagesListing) got.push(...page)
  assert.deepEqual(got, first)
  assert.equal(await settled(), pages, 'no page fetched twice')

  // A retried page shows its last attempt.
  emu.injectFault({ kind: 'status', status: 503, count: 1 })
  const retried = c.iterErrors(start, end)
  await retried.toArray()
  assert.equal(retried.lastResponse.attempt, 2)
  assert.equal(retried.lastResponse.status, 200)
})

test('listings: the getters answer at once while a page is in flight; leaving a loop early ends it', async () => {
  const [start, end] = window(6 * HOUR)
  const c = client()
  emu.injectFault({ kind: 'slow', delayMs: 1500, count: 1 })
  const listing = c.iterSessions(start, end, { pageSize: 20 })
  const it = listing[Symbol.asyncIterator]()
  const first = it.next()
  await sleep(100)
  const t0 = Date.now()
  assert.equal(listing.lastResponse, null)
  assert.equal(listing.totalHint, null)
  assert.deepEqual(listing.warnings, [])
  // A getter that waited for the page would take the rest of the 1.5 s delay.
  assert.ok(Date.now() - t0 < 500, `the getters took ${Date.now() - t0} ms`)
  assert.equal((await first).done, false)
  assert.ok(listing.totalHint > 20)
  await it.return()
  const after = await settled()
  await sleep(100)
  assert.equal(dataRequests().length, after)
  assert.ok(after < Math.ceil(listing.totalHint / 20), 'the whole window was fetched anyway')
})

test('onRetry and log: one event per retry, one line per request, never a credential', async () => {
  const [start, end] = window(6 * HOUR)
  const retries = []
  const lines = []
  const c = client({ onRetry: (e) => retries.push(e), log: (line, info) => lines.push({ line, info }) })
  emu.injectFault({ kind: 'status', status: 503, count: 2 })
  const recs = await c.errors(start, end, { pageSize: 1000 })
  assert.ok(recs.length >= 0)
  assert.ok(await until(() => retries.length === 2 && lines.length === dataRequests().length), `${retries.length} retries, ${lines.length} lines`)
  assert.deepEqual(retries.map((r) => [r.response.attempt, r.response.status]), [[1, 503], [2, 503]])
  for (const r of retries) {
    assert.match(r.error, /503/)
    assert.ok(r.waitMs >= 0 && r.waitMs <= 10, `${r.waitMs}`)
    assert.match(r.line, /failed on attempt \d: .*; retrying in \d+ ms$/)
  }
  assert.deepEqual(lines.map((l) => l.info.status), [503, 503, 200])
  for (const { line, info } of lines) {
    assert.equal(line, info.line)
    assert.match(line, /^GET \/ws\/calls\/errors\/\d+\/\d+\?offset=0&limit=1000 -> \d{3} \(attempt \d, \d+ ms, \d+ bytes\)$/)
  }
  const all = JSON.stringify({ retries, lines })
  assert.ok(!all.includes(emu.password) && !all.includes('Basic '), 'a credential in an event')
  assert.throws(() => client({ onRetry: 'yes' }), invalid('options.onRetry'))
  assert.throws(() => client({ log: true }), invalid('options.log'))
})

test('PLUM_LOG=info writes a line per request on stderr, PLUM_LOG=warn only the retries', () => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const script = `
    const { Client, Emulator } = require(${JSON.stringify(path.join(here, '..', 'lib', 'index.js'))})
    ;(async () => {
      const emu = await Emulator.start({ seed: 1, callsPerDay: 50, password: 'pw-not-in-logs' })
      try {
        emu.injectFault({ kind: 'status', status: 503, count: 1 })
        const c = new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl, retryBaseMs: 1, retryMaxMs: 2 })
        await c.errors('1h', 'now')
      } finally { await emu.stop() }
    })()`
  const run = (level) => spawnSync(process.execPath, ['-e', script], { env: { ...process.env, PLUM_LOG: level }, encoding: 'utf8', timeout: 30000 })
  const info = run('info')
  assert.equal(info.status, 0, info.stderr)
  const lines = info.stderr.trim().split('\n')
  assert.equal(lines.filter((l) => /^plumlogs: GET \/ws\/calls\/errors\/.* -> 503 /.test(l)).length, 1, info.stderr)
  assert.equal(lines.filter((l) => /^plumlogs: GET \/ws\/calls\/errors\/.* -> 200 /.test(l)).length, 1, info.stderr)
  assert.equal(lines.filter((l) => /retrying in/.test(l)).length, 1, info.stderr)
  assert.ok(!info.stderr.includes('pw-not-in-logs'))
  const warn = run('warn')
  assert.equal(warn.status, 0, warn.stderr)
  assert.deepEqual(warn.stderr.trim().split('\n').map((l) => /retrying in/.test(l)), [true], warn.stderr)
  const off = run('off')
  assert.equal(off.stderr, '')
  // Core's reading of the variable, as the CLI's: `warning` is `warn`, `DEBUG` any case,
  // and a value it does not know is one process warning, no request line.
  const warning = run('Warning')
  assert.deepEqual(warning.stderr.trim().split('\n').map((l) => /retrying in/.test(l)), [true], warning.stderr)
  const debug = run('DEBUG')
  assert.ok(/^plumlogs: {3}.*content-type: application\/json/m.test(debug.stderr), debug.stderr)
  const loud = run('loud')
  assert.equal(loud.status, 0)
  assert.match(loud.stderr, /PlumLogWarning: PLUM_LOG="loud": use off, error, warn, info or debug/)
  assert.ok(!/plumlogs: GET/.test(loud.stderr))
})

test('follow: fresh records only, polls until the signal aborts, then AbortError', async () => {
  const c = client()
  const ac = new AbortController()
  const seen = []
  const t0 = Date.now()
  const timer = setTimeout(() => ac.abort(), 5000) // a bound, if no record ever came
  await assert.rejects(
    (async () => {
      for await (const r of c.followSessions({ lookbackSeconds: 2 * DAY, intervalMs: 50, signal: ac.signal })) {
        seen.push(r)
        // After the first batch: let a few more polls run, then stop.
        if (seen.length === 1) setTimeout(() => ac.abort(), 400)
      }
    })(),
    (e) => e.name === 'AbortError',
  )
  clearTimeout(timer)
  assert.ok(Date.now() - t0 < 6000)
  assert.ok(seen.length > 20, `only ${seen.length} records`)
  const keys = seen.map((r) => JSON.stringify(r))
  assert.equal(new Set(keys).size, keys.length, 'a record came twice')
  // A poll under way at the abort finishes its request; none starts after it.
  const polls = await settled('/ws/calls/sessions/')
  assert.ok(polls >= 3, `${polls} polls`)
  await sleep(200)
  assert.equal(dataRequests('/ws/calls/sessions/').length, polls)
})

test('follow: a break stops polling; a failing poll is reported and polled again', async () => {
  const c = client({ maxRetries: 0 })
  // What a `break` out of `for await` does: `return()` on the iterator.
  const follow = c.followErrors({ lookbackSeconds: 3 * DAY, intervalMs: 20 })
  const first = await follow.next()
  assert.equal(first.done, false)
  assert.equal(typeof first.value.message, 'string')
  await follow.return()
  const polls = await settled('/ws/calls/errors/')
  assert.ok(polls >= 1)
  await sleep(150)
  assert.equal(dataRequests('/ws/calls/errors/').length, polls, 'polled after the loop ended')

  emu.clearRequests()
  emu.injectFault({ kind: 'status', status: 503, count: 1 })
  const failures = []
  const retried = c.followErrors({ lookbackSeconds: 3 * DAY, intervalMs: 20, onPollError: (f) => failures.push(f) })
  assert.ok((await retried.next()).value.session_id)
  await retried.return()
  assert.equal(failures.length, 1)
  assert.ok(failures[0].error instanceof ApiError)
  assert.equal(failures[0].failures, 1)
  assert.ok(failures[0].waitMs >= 20)

  assert.throws(() => c.followSessions({ intervalMs: 0 }), invalid('options.intervalMs'))
  assert.throws(() => c.followSessions({ since: Date.now() }), invalid('options.since', /milliseconds/))
  assert.throws(() => c.followSessions({ lookbackSeconds: 0 }), invalid('options.lookbackSeconds'))
  assert.throws(() => c.followSessions({ every: 1 }), invalid('options.every'))
  // A failure that is not transient ends the follow with its error.
  const bad = new Client({ username: emu.username, password: 'wrong', baseUrl: emu.baseUrl })
  await assert.rejects(bad.followErrors({ intervalMs: 20 }).next(), (e) => e.code === 'AUTH_ERROR')
})

/** A CONNECT proxy on loopback; `seen` holds the request lines it got. */
async function connectProxy() {
  const seen = []
  const sockets = new Set()
  const server = net.createServer((sock) => {
    sockets.add(sock)
    // The CONNECT head may come in several chunks (a loaded machine splits it):
    // read until its blank line, then tunnel (anything after the head goes up too).
    let head = Buffer.alloc(0)
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > 8192) sock.destroy()
        return
      }
      sock.off('data', onData)
      sock.pause()
      const first = head.subarray(0, end).toString('latin1').split('\r\n')[0]
      const rest = head.subarray(end + 4)
      seen.push(first)
      const [host, port] = first.split(' ')[1].split(':')
      const up = net.connect(Number(port), host, () => {
        sockets.add(up)
        if (rest.length > 0) up.write(rest)
        sock.write('HTTP/1.1 200 Connection established\r\n\r\n')
        up.pipe(sock)
        sock.pipe(up)
        sock.resume()
      })
      up.on('error', () => sock.destroy())
      sock.on('error', () => up.destroy())
    }
    sock.on('data', onData)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  // Closing ends the tunnels too (the client keeps its connections for reuse).
  const close = () => {
    server.close()
    for (const sock of sockets) sock.destroy()
  }
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close }
}

test('proxy: every request goes through the proxy given; a bad proxy URL is INVALID_ARGUMENT', async () => {
  const proxy = await connectProxy()
  try {
    const [start, end] = window(6 * HOUR)
    const direct = await client().errors(start, end)
    const via = await client({ proxy: proxy.url }).errors(start, end)
    assert.deepEqual(via, direct)
    const hostport = emu.baseUrl.replace('http://', '')
    assert.ok(proxy.seen.length >= 1)
    assert.ok(proxy.seen.every((l) => l === `CONNECT ${hostport} HTTP/1.1`), proxy.seen.join('\n'))
  } finally {
    proxy.close()
  }
  assert.throws(() => client({ proxy: '' }), invalid('options.proxy'))
  assert.throws(() => client({ proxy: 'http://me:hunter2@[::1' }), (e) => invalid('options.proxy')(e) && !e.message.includes('hunter2'))
})

test('caBundle: a file that is missing or holds no certificate is INVALID_ARGUMENT', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumlogs-ca-'))
  try {
    assert.throws(() => client({ caBundle: path.join(dir, 'missing.pem') }), invalid('options.caBundle', /missing\.pem/))
    fs.writeFileSync(path.join(dir, 'empty.pem'), 'not a certificate\n')
    assert.throws(() => client({ caBundle: path.join(dir, 'empty.pem') }), invalid('options.caBundle'))
  } finally {
    fs.rmSync(dir, { recursive: true })
  }
})

/** A CA and a `localhost` certificate signed by it, made now with the openssl CLI; null without one. */
function makeCa(dir) {
  const run = (...args) => spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30000 })
  if (run('version').status !== 0) return null
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  const steps = [
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=plumlogs test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost'],
    ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext'],
  ]
  fs.writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n')
  for (const step of steps) {
    const r = run(...step)
    if (r.status !== 0) throw new Error(`openssl ${step[0]}: ${r.stderr}`)
  }
  const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8')
  return { caFile: path.join(dir, 'ca.pem'), key: read('leaf.key'), cert: read('leaf.pem') }
}

/** Set (or, with `undefined`, remove) an environment variable: core reads the process's. */
function setEnv(name, value) {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

test('caBundle: a private CA is trusted when given, also through the proxy; refused without it', { skip: hasOpenssl ? false : 'needs the openssl command to make a CA' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumlogs-tls-'))
  const LINE = 'error 6175551234 0 [09/Jan/2017:08:33:31 -0400] 8009957586 000020;000;1483968637 ReferenceError: d is not defined'
  const ca = makeCa(dir)
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ status: 'success', error: '', result: { total_errors: '1', errors: [LINE] } }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const proxy = await connectProxy()
  const saved = { PLUM_CA_BUNDLE: process.env.PLUM_CA_BUNDLE, SSL_CERT_FILE: process.env.SSL_CERT_FILE }
  try {
    delete process.env.PLUM_CA_BUNDLE
    delete process.env.SSL_CERT_FILE
    const baseUrl = `https://localhost:${server.address().port}`
    const tls = (extra) => new Client({ username: 'u', password: 'p', baseUrl, maxRetries: 0, ...extra })
    await assert.rejects(tls({}).errors('1h'), (e) => e.code === 'TRANSPORT_ERROR' && /certificate|UnknownIssuer/i.test(e.message))
    const got = await tls({ caBundle: ca.caFile }).errors('1h')
    assert.deepEqual(got.map((e) => e.message), ['ReferenceError: d is not defined'])
    assert.deepEqual(await tls({ caBundle: ca.caFile, proxy: proxy.url }).errors('1h'), got)
    assert.deepEqual(proxy.seen, [`CONNECT localhost:${server.address().port} HTTP/1.1`])
    // PLUM_CA_BUNDLE names the same file when the option is not given.
    setEnv('PLUM_CA_BUNDLE', ca.caFile)
    assert.deepEqual(await tls({}).errors('1h'), got)
  } finally {
    for (const [k, v] of Object.entries(saved)) setEnv(k, v)
    proxy.close()
    server.close()
    server.closeAllConnections()
    fs.rmSync(dir, { recursive: true })
  }
})

test('tlsRoots: "platform" trusts the system store (on Linux SSL_CERT_DIR), "builtin" and the default do not', { skip: hasOpenssl ? false : 'needs the openssl command to make a CA' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumlogs-roots-'))
  const ca = makeCa(dir)
  const certs = path.join(dir, 'certs')
  fs.mkdirSync(certs)
  fs.copyFileSync(ca.caFile, path.join(certs, 'ca.pem'))
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ status: 'success', error: '', result: { total_errors: '0', errors: [] } }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const names = ['PLUM_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'PLUM_TLS_ROOTS']
  const saved = Object.fromEntries(names.map((k) => [k, process.env[k]]))
  try {
    for (const k of names) delete process.env[k]
    // SSL_CERT_DIR is read by the platform verifier alone, never as a bundle.
    setEnv('SSL_CERT_DIR', certs)
    const baseUrl = `https://localhost:${server.address().port}`
    const tls = (extra) => new Client({ username: 'u', password: 'p', baseUrl, maxRetries: 0, ...extra })
    assert.deepEqual(await tls({ tlsRoots: 'platform' }).errors('1h'), [])
    for (const extra of [{}, { tlsRoots: 'builtin' }]) {
      await assert.rejects(tls(extra).errors('1h'), (e) => e.code === 'TRANSPORT_ERROR' && /certificate|UnknownIssuer/i.test(e.message))
    }
    setEnv('PLUM_TLS_ROOTS', 'platform')
    assert.deepEqual(await tls({}).errors('1h'), [])
    assert.throws(() => tls({ tlsRoots: 'system' }), invalid('options.tlsRoots', /"system"/))
    assert.throws(() => tls({ tlsRoots: 'platform', caBundle: ca.caFile }), invalid('options.tlsRoots'))
  } finally {
    for (const [k, v] of Object.entries(saved)) setEnv(k, v)
    server.close()
    server.closeAllConnections()
    fs.rmSync(dir, { recursive: true })
  }
})

test('fromProfile: username and base URL from the config file, the password from its variable', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumlogs-profile-'))
  const file = path.join(dir, 'config.toml')
  fs.writeFileSync(file, [
    'default_profile = "emu"',
    '[profiles.emu]',
    `username = "${emu.username}"`,
    `base_url = "${emu.baseUrl}"`,
    'password_env = "PLUMLOGS_TEST_EMU_PASSWORD"',
    '[profiles.other]',
    'username = "someone"',
    '',
  ].join('\n'))
  const saved = { ...process.env }
  try {
    process.env.PLUM_CONFIG = file
    process.env.PLUMLOGS_TEST_EMU_PASSWORD = emu.password
    delete process.env.PLUM_PROFILE
    delete process.env.PLUM_BASE_URL
    const c = Client.fromProfile('emu')
    assert.equal(c.baseUrl, emu.baseUrl)
    assert.equal(c.username, emu.username)
    // Core's one order, as in the CLI: the baseUrl option, then PLUM_BASE_URL, then
    // the profile's.
    process.env.PLUM_BASE_URL = 'http://127.0.0.1:9/elsewhere'
    assert.equal(Client.fromProfile('emu').baseUrl, 'http://127.0.0.1:9/elsewhere')
    assert.equal(Client.fromProfile('emu', { baseUrl: emu.baseUrl }).baseUrl, emu.baseUrl)
    delete process.env.PLUM_BASE_URL
    assert.ok((await c.callLogs('1d', 'now', { limit: 2 })).length === 2)
    // No name: the file's default; options override the profile.
    assert.equal(Client.fromProfile().username, emu.username)
    assert.equal(Client.fromProfile(null, { username: 'override' }).username, 'override')
    assert.throws(() => Client.fromProfile('nope'), invalid('profile', /no profile "nope"; it has emu, other/))
    assert.throws(() => Client.fromProfile(7), invalid('name'))
    delete process.env.PLUMLOGS_TEST_EMU_PASSWORD
    assert.throws(() => Client.fromProfile('emu'), (e) => e.code === 'AUTH_ERROR' && /PLUMLOGS_TEST_EMU_PASSWORD/.test(e.message))
  } finally {
    for (const k of ['PLUM_CONFIG', 'PLUMLOGS_TEST_EMU_PASSWORD', 'PLUM_PROFILE', 'PLUM_BASE_URL']) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
    fs.rmSync(dir, { recursive: true })
  }
})

test('Fault.every: every n-th matching request fails until the count is spent', async () => {
  const [start, end] = window(6 * HOUR)
  const c = client({ maxRetries: 0 })
  // Every 2nd sessions request answers 500, twice: requests 2 and 4 fail.
  emu.injectFault({ kind: 'status', status: 500, every: 2, count: 2, pathPrefix: '/ws/calls/sessions/' })
  const results = []
  for (let i = 0; i < 5; i++) {
    results.push(await c.sessions(start, end, { limit: 1 }).then(() => 'ok', (e) => e.httpStatus))
  }
  assert.deepEqual(results, ['ok', 500, 'ok', 500, 'ok'])
  assert.throws(() => emu.injectFault({ kind: 'drop', every: 0 }), (e) => e.code === 'INVALID_ARGUMENT' && /every/.test(e.field))
  assert.throws(() => emu.injectFault({ kind: 'drop', every: 1.5 }), invalid('fault.every'))
  assert.throws(() => emu.injectFault({ kind: 'drop', every: 2 ** 40 }), invalid('fault.every'))
})
