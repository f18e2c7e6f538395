'use strict'
// The Client: the core blocking client, driven so that the JS thread never waits.
// Each request runs on a native thread of its own; this file owns the paging loops,
// so it can stop between pages when an AbortSignal fires.
const native = require('./native.js')
const { callNative, awaitNative, abortError, fromPayload } = require('./errors.js')
const { optionsArg, optional, numberArg, unixSeconds, signalArg } = require('./args.js')
const { fromColumns } = require('./columns.js')

const CLIENT_OPTIONS = ['username', 'password', 'baseUrl', 'format', 'timeoutMs', 'deadlineMs', 'maxRetries', 'retryBaseMs', 'retryMaxMs', 'userAgent', 'allowInsecureHttp']
const QUERY_OPTIONS = ['number', 'limit', 'pageSize', 'signal', 'onWarning']
const WITH_TEXT_OPTIONS = [...QUERY_OPTIONS, 'concurrency']

// Only types are checked here: every range and default is the core's (an
// out-of-range number comes back from the native side as its INVALID_ARGUMENT).
function num(options, key) {
  return optional(options, key, 'number')
}

function nativeQuery(start, end, options) {
  const q = { start: unixSeconds(start, 'start'), end: unixSeconds(end, 'end') }
  const number = optional(options, 'number', 'string')
  if (number !== undefined) q.number = number
  q.limit = num(options, 'limit')
  q.pageSize = num(options, 'pageSize')
  return q
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

async function* pageIterator(pages, signal, onWarning) {
  let seen = 0
  for (;;) {
    if (signal && signal.aborted) throw abortError(signal)
    const page = await untilAborted(pages.next(), signal)
    const fresh = newWarnings(pages, seen)
    seen += fresh.length
    emitWarnings(fresh, onWarning)
    if (page === null) return
    yield assemble(page)
  }
}

async function* recordIterator(pages, signal, onWarning) {
  for await (const page of pageIterator(pages, signal, onWarning)) yield* page
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

  constructor(options) {
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
    }
    this.#native = callNative(() => new native.NativeClient(nativeOptions))
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

  // Async iterators of records, a page fetched at a time.
  iterSessions(start, end, options) {
    const { pages, signal, onWarning } = this.#pages('sessions', start, end, options)
    return recordIterator(pages, signal, onWarning)
  }

  iterErrors(start, end, options) {
    const { pages, signal, onWarning } = this.#pages('errors', start, end, options)
    return recordIterator(pages, signal, onWarning)
  }

  iterCallLogs(start, end, options) {
    const { pages, signal, onWarning } = this.#pages('logs', start, end, options)
    return recordIterator(pages, signal, onWarning)
  }

  // Async iterators of pages (arrays of records), for progress reporting.
  iterSessionPages(start, end, options) {
    const { pages, signal, onWarning } = this.#pages('sessions', start, end, options)
    return pageIterator(pages, signal, onWarning)
  }

  iterErrorPages(start, end, options) {
    const { pages, signal, onWarning } = this.#pages('errors', start, end, options)
    return pageIterator(pages, signal, onWarning)
  }

  iterCallLogPages(start, end, options) {
    const { pages, signal, onWarning } = this.#pages('logs', start, end, options)
    return pageIterator(pages, signal, onWarning)
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
    const q = nativeQuery(start, end, o)
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
    const o = optionsArg(options, ['number', 'limit', 'pageSize', 'onWarning'])
    const pages = callNative(() => this.#native.pages(service, nativeQuery(start, end, o)))
    return collectSync(pages, onWarningArg(o))
  }
}

module.exports = { Client, nativeOf: (client) => nativeOf(client) }
