'use strict'
// The Client: the core blocking client, driven so that the JS thread never waits.
// Each request runs on a native thread of its own; this file owns the paging loops,
// so it can stop between pages when an AbortSignal fires.
const native = require('./native.js')
const { callNative, awaitNative, abortError, fromPayload, invalidArgument, InvalidArgument } = require('./errors.js')
const { optionsArg, optional, numberArg, timeArg, signalArg, describe } = require('./args.js')
const { fromColumns } = require('./columns.js')

const CLIENT_OPTIONS = ['username', 'password', 'baseUrl', 'format', 'timeoutMs', 'deadlineMs', 'maxRetries', 'retryBaseMs', 'retryMaxMs', 'userAgent', 'allowInsecureHttp', 'proxy', 'caBundle', 'tlsRoots', 'onRetry', 'log']
const BASE_QUERY_OPTIONS = ['number', 'limit', 'pageSize', 'signal', 'onWarning']
const QUERY_OPTIONS = [...BASE_QUERY_OPTIONS, 'concurrency', 'subWindowSeconds']
const WITH_TEXT_OPTIONS = [...BASE_QUERY_OPTIONS, 'concurrency']
const SYNC_OPTIONS = ['number', 'limit', 'pageSize', 'concurrency', 'subWindowSeconds', 'onWarning']
const FOLLOW_OPTIONS = ['since', 'intervalMs', 'lookbackSeconds', 'number', 'pageSize', 'signal', 'onPollError']
const FROM_PROFILE = Symbol('plumlogs.Client.fromProfile')
const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug']

// Only types are checked here: every range and default is the core's (an
// out-of-range number comes back from the native side as its INVALID_ARGUMENT).
function num(options, key) {
  return optional(options, key, 'number')
}

// `end` left out is "now". Windows (`concurrency`, `subWindowSeconds`) only where the
// listing is split (not `callLogsWithText`, whose `concurrency` is its own).
function nativeQuery(start, end, options, windowed = true) {
  const q = {
    start: timeArg(start, 'start'),
    end: end === undefined || end === null ? 'now' : timeArg(end, 'end'),
  }
  const number = optional(options, 'number', 'string')
  if (number !== undefined) q.number = number
  q.limit = num(options, 'limit')
  q.pageSize = num(options, 'pageSize')
  if (windowed) {
    q.concurrency = num(options, 'concurrency')
    q.subWindowSeconds = num(options, 'subWindowSeconds')
  }
  return q
}

/** The level `PLUM_LOG` asks for (an index in LOG_LEVELS, core's reading); a bad value is a warning. */
function envLogLevel() {
  try {
    return LOG_LEVELS.indexOf(callNative(() => native.plumLogLevel(process.env.PLUM_LOG)))
  } catch (e) {
    if (!(e instanceof InvalidArgument)) throw e
    process.emitWarning(e.reason, { type: 'PlumLogWarning', code: 'PLUMLOGS_BAD_PLUM_LOG' })
    return 0
  }
}

function stderrLine(line) {
  process.stderr.write(`plumlogs: ${line}\n`)
}

/** A user callback called from a native event: its exception is an uncaught one, as an event listener's. */
function deliver(fn, ...args) {
  try {
    fn(...args)
  } catch (e) {
    queueMicrotask(() => {
      throw e
    })
  }
}

/**
 * The native callbacks of `onRetry` and `log` (JSON in, the user's function called),
 * or the stderr lines `PLUM_LOG` asks for when they are not given: `warn` the
 * retries, `info` a line per request, `debug` its kept headers too.
 */
function eventCallbacks(o) {
  const onRetry = optional(o, 'onRetry', 'function')
  const log = optional(o, 'log', 'function')
  const level = onRetry && log ? 0 : envLogLevel()
  let retry
  if (onRetry) retry = (json) => deliver(onRetry, JSON.parse(json))
  else if (level >= 2) retry = (json) => stderrLine(JSON.parse(json).line)
  let response
  if (log) {
    response = (json) => {
      const info = JSON.parse(json)
      deliver(log, info.line, info)
    }
  } else if (level >= 3) {
    response = (json) => {
      const info = JSON.parse(json)
      stderrLine(info.line)
      const headers = Object.entries(info.headers)
      if (level >= 4 && headers.length > 0) stderrLine(`  ${headers.map(([k, v]) => `${k}: ${v}`).join('; ')}`)
    }
  }
  return { retry, response }
}

function onWarningArg(options) {
  return optional(options, 'onWarning', 'function')
}

/**
 * A `success` answer that also carried an error text ("partial results: database
 * timeout"): to `onWarning(text)` when given, else a process warning of type
 * `ServerWarning` (code `PLUMLOGS_SERVER_WARNING`), never dropped.
 */
function emitWarnings(texts, onWarning) {
  for (const text of texts) {
    if (onWarning) onWarning(text)
    else process.emitWarning(`the server answered success with an error text: ${text}`, { type: 'ServerWarning', code: 'PLUMLOGS_SERVER_WARNING' })
  }
}

/** The warnings of `pages` not emitted yet; `seen` counts those already emitted. */
function newWarnings(pages, seen) {
  const all = pages.warnings
  return all.length > seen ? all.slice(seen) : []
}

/** A call log's own warning, emitted; the log keeps it as `warning`. */
function logWarning(log, onWarning) {
  if (log && log.warning) emitWarnings([log.warning], onWarning)
  return log
}

/** A page as it came from Rust (columns or JSON) into records. */
function assemble(page) {
  return typeof page === 'string' ? JSON.parse(page) : fromColumns(page)
}

/**
 * Await a native promise unless `signal` fires first. The native request then
 * finishes on its own thread; its result goes to `abandon` (if given) and is
 * otherwise dropped, never left as an unhandled rejection.
 */
function untilAborted(promise, signal, abandon) {
  const typed = awaitNative(promise)
  const drop = () => typed.then(abandon, () => {})
  if (!signal) return typed
  if (signal.aborted) {
    drop()
    return Promise.reject(abortError(signal))
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      drop()
      reject(abortError(signal))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    typed.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

// `first`: the first page when it was fetched already (`Listing.prefetch`).
async function* pageIterator(pages, signal, onWarning, first) {
  let seen = 0
  try {
    for (let prefetched = first; ; prefetched = undefined) {
      if (signal && signal.aborted) throw abortError(signal)
      const page = prefetched !== undefined ? prefetched : await untilAborted(pages.next(), signal)
      const fresh = newWarnings(pages, seen)
      seen += fresh.length
      emitWarnings(fresh, onWarning)
      if (page === null) return
      yield assemble(page)
    }
  } finally {
    // A loop left early (break, abort, error): the sub-window workers stop now, not at GC.
    pages.close()
  }
}

async function* flatten(pageIt) {
  for await (const page of pageIt) yield* page
}

/**
 * A listing: an async iterable of records (or of pages) that fetches the window
 * again each time it is iterated, so a second `for await` lists it again rather
 * than finding it empty. The query is checked when it is made (before any request);
 * a relative window (`"24h"`) is read again at each new iteration. `lastResponse`,
 * `totalHint`, `warnings` and `subWindows` are those of the latest iteration.
 */
class Listing {
  #open
  #pagesMode
  #signal
  #onWarning
  #unused
  #current = null
  #prefetched = null

  constructor(open, pagesMode, signal, onWarning) {
    this.#open = open
    this.#pagesMode = pagesMode
    this.#signal = signal
    this.#onWarning = onWarning
    // Opening checks every argument at once; the first iteration uses this walk.
    this.#unused = open()
  }

  #take() {
    const pages = this.#unused || this.#open()
    this.#unused = null
    this.#current = pages
    return pages
  }

  /** The server's count of the whole window, `null` until the first page came. */
  get totalHint() {
    const t = this.#current && this.#current.totalHint
    return t === undefined || t === null ? null : t
  }

  /** The last page's response (status, kept headers, elapsed, attempt, bytes), or `null`. */
  get lastResponse() {
    const json = this.#current && this.#current.lastResponse
    return json ? JSON.parse(json) : null
  }

  /** The server's warnings so far (a `success` page's `error` text). */
  get warnings() {
    return this.#current ? this.#current.warnings : []
  }

  /** Sub-windows the window is fetched as (1: one serial walk). */
  get subWindows() {
    return (this.#current || this.#unused || { subWindows: 1 }).subWindows
  }

  /**
   * Fetch the first page of the next iteration now (it is kept, not lost), so that
   * `totalHint` and `lastResponse` are known before the first record is read.
   */
  async prefetch() {
    if (this.#prefetched) return this
    const pages = this.#take()
    const first = await untilAborted(pages.next(), this.#signal)
    this.#prefetched = { pages, first }
    return this
  }

  [Symbol.asyncIterator]() {
    let run = this.#prefetched
    this.#prefetched = null
    if (run) this.#current = run.pages
    else run = { pages: this.#take(), first: undefined }
    const pages = pageIterator(run.pages, this.#signal, this.#onWarning, run.first)
    return this.#pagesMode ? pages : flatten(pages)
  }

  /** Every item of one iteration, as an array. */
  async toArray() {
    const out = []
    for await (const item of this) out.push(item)
    return out
  }
}

/** Fresh records of a follow, until stopped (abort, break) or a lasting failure. */
async function* followIterator(nf, signal, onPollError) {
  const stop = () => nf.stop()
  if (signal) signal.addEventListener('abort', stop, { once: true })
  try {
    for (;;) {
      if (signal && signal.aborted) throw abortError(signal)
      const step = await untilAborted(nf.next(), signal)
      if (step === null) return
      if (typeof step === 'string') {
        const { error, failures, waitMs } = JSON.parse(step)
        const event = { error: fromPayload(error), failures, waitMs }
        if (onPollError) onPollError(event)
        else process.emitWarning(`a poll failed (${failures} in a row): ${event.error.message}; polling again in ${Math.round(waitMs)} ms`, { type: 'PlumFollowWarning', code: 'PLUMLOGS_FOLLOW_RETRY' })
        continue
      }
      yield* fromColumns(step)
    }
  } finally {
    nf.stop()
    if (signal) signal.removeEventListener('abort', stop)
  }
}

async function collect(pages, signal, onWarning) {
  const out = []
  for await (const page of pageIterator(pages, signal, onWarning)) {
    for (let i = 0; i < page.length; i++) out.push(page[i])
  }
  return out
}

function collectSync(pages, onWarning) {
  const out = []
  let seen = 0
  for (;;) {
    const page = callNative(() => pages.nextSync())
    const fresh = newWarnings(pages, seen)
    seen += fresh.length
    emitWarnings(fresh, onWarning)
    if (page === null) return out
    const records = assemble(page)
    for (let i = 0; i < records.length; i++) out.push(records[i])
  }
}

function withTextItem(json) {
  const { summary, log, error } = JSON.parse(json)
  return error ? { summary, log: null, error: fromPayload(error) } : { summary, log, error: null }
}

/** A client's native half, for `lib/sync.js` (set once, by the class's static block). */
let nativeOf

class Client {
  #native

  static {
    nativeOf = (client) => (client instanceof Client ? client.#native : undefined)
  }

  constructor(options, profile) {
    const o = optionsArg(options, CLIENT_OPTIONS)
    const nativeOptions = {
      username: optional(o, 'username', 'string'),
      password: optional(o, 'password', 'string'),
      baseUrl: optional(o, 'baseUrl', 'string'),
      format: optional(o, 'format', 'string'),
      timeoutMs: num(o, 'timeoutMs'),
      deadlineMs: num(o, 'deadlineMs'),
      maxRetries: num(o, 'maxRetries'),
      retryBaseMs: num(o, 'retryBaseMs'),
      retryMaxMs: num(o, 'retryMaxMs'),
      userAgent: optional(o, 'userAgent', 'string'),
      allowInsecureHttp: optional(o, 'allowInsecureHttp', 'boolean'),
      proxy: optional(o, 'proxy', 'string'),
      caBundle: optional(o, 'caBundle', 'string'),
      tlsRoots: optional(o, 'tlsRoots', 'string'),
    }
    const { retry, response } = eventCallbacks(o)
    if (profile && profile.token === FROM_PROFILE) {
      this.#native = callNative(() => native.NativeClient.fromProfile(profile.name, nativeOptions, retry, response))
    } else {
      this.#native = callNative(() => new native.NativeClient(nativeOptions, retry, response))
    }
  }

  /**
   * A client of a named profile of the config file (`PLUM_CONFIG`, else
   * `plumlogs/config.toml` in the platform's config directory): its username and
   * base URL, its password from the variable it names. No name: `PLUM_PROFILE`,
   * then the file's `default_profile`. `options` override the profile; so does
   * `PLUM_BASE_URL` its base URL (after `options.baseUrl`).
   */
  static fromProfile(name, options) {
    if (name !== undefined && name !== null && typeof name !== 'string') {
      throw invalidArgument('name', `must be a profile name (a string), got ${describe(name)}`)
    }
    return new Client(options, { token: FROM_PROFILE, name: name === undefined ? null : name })
  }

  /** The client's clock, UNIX seconds: what `"24h"` and `"max"` are read against. */
  now() {
    return this.#native.now()
  }

  get baseUrl() {
    return this.#native.baseUrl
  }

  get username() {
    return this.#native.username
  }

  get format() {
    return this.#native.format
  }

  #pages(service, start, end, options, allowed = QUERY_OPTIONS) {
    const o = optionsArg(options, allowed)
    const signal = signalArg(o)
    const onWarning = onWarningArg(o)
    const q = nativeQuery(start, end, o)
    return { pages: callNative(() => this.#native.pages(service, q)), signal, onWarning }
  }

  #listing(service, start, end, options, pagesMode) {
    const o = optionsArg(options, QUERY_OPTIONS)
    const signal = signalArg(o)
    const onWarning = onWarningArg(o)
    const q = nativeQuery(start, end, o)
    const n = this.#native
    return new Listing(() => callNative(() => n.pages(service, q)), pagesMode, signal, onWarning)
  }

  // Promise of every record of the window (paging handled here).
  sessions(start, end, options) {
    return this.#all('sessions', start, end, options)
  }

  errors(start, end, options) {
    return this.#all('errors', start, end, options)
  }

  callLogs(start, end, options) {
    return this.#all('logs', start, end, options)
  }

  async #all(service, start, end, options) {
    const { pages, signal, onWarning } = this.#pages(service, start, end, options)
    return collect(pages, signal, onWarning)
  }

  // Listings of records, a page fetched at a time; iterating one again fetches again.
  iterSessions(start, end, options) {
    return this.#listing('sessions', start, end, options, false)
  }

  iterErrors(start, end, options) {
    return this.#listing('errors', start, end, options, false)
  }

  iterCallLogs(start, end, options) {
    return this.#listing('logs', start, end, options, false)
  }

  // Listings of pages (arrays of records), for progress reporting.
  iterSessionPages(start, end, options) {
    return this.#listing('sessions', start, end, options, true)
  }

  iterErrorPages(start, end, options) {
    return this.#listing('errors', start, end, options, true)
  }

  iterCallLogPages(start, end, options) {
    return this.#listing('logs', start, end, options, true)
  }

  // New records as they come (like `tail -f`): an async iterator that polls until
  // `signal` aborts (then it throws the AbortError) or the loop breaks.
  followSessions(options) {
    return this.#follow('sessions', options)
  }

  followErrors(options) {
    return this.#follow('errors', options)
  }

  #follow(service, options) {
    const o = optionsArg(options, FOLLOW_OPTIONS)
    const signal = signalArg(o)
    const onPollError = optional(o, 'onPollError', 'function')
    const fo = {
      since: o.since === undefined || o.since === null ? undefined : timeArg(o.since, 'options.since'),
      intervalMs: num(o, 'intervalMs'),
      lookbackSeconds: num(o, 'lookbackSeconds'),
      number: optional(o, 'number', 'string'),
      pageSize: num(o, 'pageSize'),
    }
    const nf = callNative(() => this.#native.follow(service, fo))
    return followIterator(nf, signal, onPollError)
  }

  async callLog(logId, options) {
    const o = optionsArg(options, ['signal', 'onWarning'])
    const signal = signalArg(o)
    const onWarning = onWarningArg(o)
    if (signal && signal.aborted) throw abortError(signal)
    numberArg(logId, 'logId')
    const n = this.#native
    return logWarning(JSON.parse(await untilAborted(callNative(() => n.callLog(logId)), signal)), onWarning)
  }

  // Every call with a log in the window, each with its log (or its own error).
  async callLogsWithText(start, end, options) {
    const out = []
    for await (const item of this.iterCallLogsWithText(start, end, options)) out.push(item)
    return out
  }

  async *iterCallLogsWithText(start, end, options) {
    const o = optionsArg(options, WITH_TEXT_OPTIONS)
    const signal = signalArg(o)
    const onWarning = onWarningArg(o)
    const q = nativeQuery(start, end, o, false)
    const concurrency = num(o, 'concurrency')
    if (signal && signal.aborted) throw abortError(signal)
    const n = this.#native
    // Aborted while listing: the iterator still arrives later; close it then, so its
    // workers do not go on to fetch every log.
    const it = await untilAborted(callNative(() => n.callLogsWithText(q, concurrency)), signal, (late) => late.close())
    let seen = 0
    try {
      for (;;) {
        if (signal && signal.aborted) throw abortError(signal)
        const json = await untilAborted(it.next(), signal)
        if (json === null) {
          emitWarnings(newWarnings(it, seen), onWarning)
          return
        }
        // The listing's warnings and each log's, each distinct text once (core's list).
        const fresh = newWarnings(it, seen)
        seen += fresh.length
        emitWarnings(fresh, onWarning)
        yield withTextItem(json)
      }
    } finally {
      // Stops the native workers when the loop ends early (break, abort, error).
      it.close()
    }
  }

  // Blocking twins, for scripts: they hold the JS thread for the whole walk.
  sessionsSync(start, end, options) {
    return this.#collectSync('sessions', start, end, options)
  }

  errorsSync(start, end, options) {
    return this.#collectSync('errors', start, end, options)
  }

  callLogsSync(start, end, options) {
    return this.#collectSync('logs', start, end, options)
  }

  callLogSync(logId, options) {
    const o = optionsArg(options, ['onWarning'])
    numberArg(logId, 'logId')
    return logWarning(JSON.parse(callNative(() => this.#native.callLogSync(logId))), onWarningArg(o))
  }

  #collectSync(service, start, end, options) {
    const o = optionsArg(options, SYNC_OPTIONS)
    const pages = callNative(() => this.#native.pages(service, nativeQuery(start, end, o)))
    return collectSync(pages, onWarningArg(o))
  }
}

module.exports = { Client, Listing, nativeOf: (client) => nativeOf(client) }
