'use strict'
const native = require('./native.js')
const { callNative, awaitNative, invalidArgument } = require('./errors.js')
const { describe, optionsArg, optional } = require('./args.js')

function textArg(text, name = 'text') {
  if (typeof text === 'string' || Buffer.isBuffer(text)) return text
  if (text instanceof Uint8Array) return Buffer.from(text.buffer, text.byteOffset, text.byteLength)
  throw invalidArgument(name, `must be a string or a Buffer, got ${describe(text)}`)
}

function lineArg(line) {
  if (typeof line === 'string') return line
  if (Buffer.isBuffer(line) || line instanceof Uint8Array) return Buffer.from(line).toString('utf8')
  throw invalidArgument('line', `must be a string, got ${describe(line)}`)
}


function strictArg(options) {
  const strict = optional(optionsArg(options, ['strict']), 'strict', 'boolean')
  return strict === undefined ? true : strict
}

const { fromColumns } = require('./columns.js')

// One crossing per batch. Session and error records come as columns (fastest in
// bench/parse.mjs); call-log entries and single records as one JSON string.
const parseBatch = JSON.parse

function parseSessionLine(line) {
  line = lineArg(line)
  return parseBatch(callNative(() => native.nativeParseSessionLine(line)))
}

function parseErrorLine(line) {
  line = lineArg(line)
  return parseBatch(callNative(() => native.nativeParseErrorLine(line)))
}

function bulk(fn, assemble) {
  return function (text, options) {
    text = textArg(text)
    const strict = strictArg(options)
    return assemble(callNative(() => fn(text, strict)))
  }
}

function bulkAsync(fn, assemble) {
  return async function (text, options) {
    text = textArg(text)
    const strict = strictArg(options)
    return assemble(await awaitNative(fn(text, strict)))
  }
}

const parseSessions = bulk(native.nativeParseSessions, fromColumns)
const parseErrors = bulk(native.nativeParseErrors, fromColumns)
const parseCallLog = bulk(native.nativeParseCallLog, parseBatch)
const parseSessionsAsync = bulkAsync(native.nativeParseSessionsAsync, fromColumns)
const parseErrorsAsync = bulkAsync(native.nativeParseErrorsAsync, fromColumns)
const parseCallLogAsync = bulkAsync(native.nativeParseCallLogAsync, parseBatch)

function sessionIdParts(sessionId) {
  if (typeof sessionId !== 'string') throw invalidArgument('sessionId', `must be a string, got ${describe(sessionId)}`)
  return JSON.parse(callNative(() => native.nativeSessionIdParts(sessionId)))
}

const SERVICES = ['sessions', 'errors', 'logs', 'log']

function serviceArg(service) {
  if (!SERVICES.includes(service)) {
    throw invalidArgument('service', `must be one of ${SERVICES.join(', ')}, got ${typeof service === 'string' ? JSON.stringify(service) : describe(service)}`)
  }
  return service
}

function fromDecoded(out) {
  return typeof out === 'string' ? parseBatch(out) : fromColumns(out)
}

/** A response body (JSON or XML) of `service` into its records. */
function decodeResponse(body, service) {
  body = textArg(body, 'body')
  service = serviceArg(service)
  return fromDecoded(callNative(() => native.nativeDecodeResponse(body, service)))
}

/** `decodeResponse` off the event loop (the libuv pool). */
async function decodeResponseAsync(body, service) {
  body = textArg(body, 'body')
  service = serviceArg(service)
  return fromDecoded(await awaitNative(native.nativeDecodeResponseAsync(body, service)))
}

module.exports = {
  decodeResponse,
  decodeResponseAsync,
  parseSessionLine,
  parseErrorLine,
  parseSessions,
  parseErrors,
  parseCallLog,
  parseSessionsAsync,
  parseErrorsAsync,
  parseCallLogAsync,
  sessionIdParts,
  // shared with client.js / decode
  textArg,
  describe,
  parseBatch,
}
