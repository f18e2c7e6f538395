'use strict'
// The Client: the core blocking client, driven so that the JS thread never waits.
// Each request runs on a native thread of its own; this file owns the paging loops,
// so it can stop between pages when an AbortSignal fires.
const native = require('./native.js')
const { callNative, awaitNative, abortError, fromPayload } = require('./errors.js')
const { optionsArg, optional, numberArg, unixSeconds, signalArg } = require('./args.js')
const { fromColumns } = require('./columns.js')

const CLIENT_OPTIONS = ['username', 'password', 'baseUrl', 'format', 'timeoutMs', 'deadlineMs', 'maxRetries', 'retryBaseMs', 'retryMaxMs', 'userAgent', 'allowInsecureHttp']
const QUERY_OPTIONS = ['number', 'limit', 'pageSize', 'signal']
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

async function* pageIterator(pages, signal) {
  for (;;) {
    if (signal && signal.aborted) throw abortError(signal)
    const page = await untilAborted(pages.next(), signal)
    if (page === null) return
    yield assemble(page)
  }
}

async function* recordIterator(pages, signal) {
  for await (const page of pageIterator(pages, signal)) yield* page
}

async function collect(pages, signal) {
  const out = []
  for await (const page of pageIterator(pages, signal)) {
    for (let i = 0; i < page.length; i++) out.push(page[i])
  }
  return out
}

function collectSync(pages) {
  const out = []
  for (;;) {
    const page = callNative(() => pages.nextSync())
    if (page === null) return out
    const records = assemble(page)
    for (let i = 0; i < records.length; i++) out.push(records[i])
  }
}

function withTextItem(json) {
  const { summary, log, error } = JSON.parse(json)
  return error ? { summary, log: null, error: fromPayload(error) } : { summary, log, error: null }
}

class Client {
  #native

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
    const q = nativeQuery(start, end, o)
    return { pages: callNative(() => this.#native.pages(service, q)), signal, o }
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
    const { pages, signal } = this.#pages(service, start, end, options)
    return collect(pages, signal)
  }

  // Async iterators of records, a page fetched at a time.
  iterSessions(start, end, options) {
    const { pages, signal } = this.#pages('sessions', start, end, options)
    return recordIterator(pages, signal)
  }

  iterErrors(start, end, options) {
    const { pages, signal } = this.#pages('errors', start, end, options)
    return recordIterator(pages, signal)
  }

  iterCallLogs(start, end, options) {
    const { pages, signal } = this.#pages('logs', start, end, options)
    return recordIterator(pages, signal)
  }

  // Async iterators of pages (arrays of records), for progress reporting.
  iterSessionPages(start, end, options) {
    const { pages, signal } = this.#pages('sessions', start, end, options)
    return pageIterator(pages, signal)
  }

  iterErrorPages(start, end, options) {
    const { pages, signal } = this.#pages('errors', start, end, options)
    return pageIterator(pages, signal)
  }

  iterCallLogPages(start, end, options) {
    const { pages, signal } = this.#pages('logs', start, end, options)
    return pageIterator(pages, signal)
  }

  async callLog(logId, options) {
    const o = optionsArg(options, ['signal'])
    const signal = signalArg(o)
    if (signal && signal.aborted) throw abortError(signal)
    numberArg(logId, 'logId')
    const n = this.#native
    return JSON.parse(await untilAborted(callNative(() => n.callLog(logId)), signal))
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
    const q = nativeQuery(start, end, o)
    const concurrency = num(o, 'concurrency')
    if (signal && signal.aborted) throw abortError(signal)
    const n = this.#native
    // Aborted while listing: the iterator still arrives later; close it then, so its
    // workers do not go on to fetch every log.
    const it = await untilAborted(callNative(() => n.callLogsWithText(q, concurrency)), signal, (late) => late.close())
    try {
      for (;;) {
        if (signal && signal.aborted) throw abortError(signal)
        const json = await untilAborted(it.next(), signal)
        if (json === null) return
        yield withTextItem(json)
      }
    } finally {
      // Stops the native workers when the loop ends early (break, abort, error).
      it.close()
    }
  }

  // Blocking twins, for scripts: they hold the JS thread for the whole walk.
  sessionsSync(start, end, options) {
    return collectSync(this.#pagesSync('sessions', start, end, options))
  }

  errorsSync(start, end, options) {
    return collectSync(this.#pagesSync('errors', start, end, options))
  }

  callLogsSync(start, end, options) {
    return collectSync(this.#pagesSync('logs', start, end, options))
  }

  callLogSync(logId) {
    numberArg(logId, 'logId')
    return JSON.parse(callNative(() => this.#native.callLogSync(logId)))
  }

  #pagesSync(service, start, end, options) {
    const o = optionsArg(options, ['number', 'limit', 'pageSize'])
    return callNative(() => this.#native.pages(service, nativeQuery(start, end, o)))
  }
}

module.exports = { Client }
