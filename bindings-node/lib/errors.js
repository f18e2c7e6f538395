'use strict'
// The one place where the native error payload becomes a JS Error. The Rust side
// (src/error.rs) converts `plumlogs::Error` into a JSON payload behind a marker; this
// module turns that payload into the class its core code names (`CLASSES`), with its
// fields. Code, kind, status, location and messages are all the core's; every error
// has `code` (a string), `kind` (or null) and `description` (the core's whole message,
// the same text as Python's `str(error)` and the CLI's).

const MARKER = '\u0000plumlogs-error:'

class PlumError extends Error {
  constructor(message, fields) {
    super(message)
    this.name = new.target.name
    if (fields) Object.assign(this, fields)
  }
}

class ParseError extends PlumError {}
ParseError.prototype.code = 'PARSE_ERROR'
class InvalidArgument extends PlumError {}
InvalidArgument.prototype.code = 'INVALID_ARGUMENT'
class ApiError extends PlumError {}
ApiError.prototype.code = 'API_ERROR'
class AuthError extends ApiError {}
AuthError.prototype.code = 'AUTH_ERROR'
class TransportError extends PlumError {}
TransportError.prototype.code = 'TRANSPORT_ERROR'

const CLASSES = {
  PARSE_ERROR: ParseError,
  INVALID_ARGUMENT: InvalidArgument,
  API_ERROR: ApiError,
  AUTH_ERROR: AuthError,
  TRANSPORT_ERROR: TransportError,
}

/** Build the typed error for a payload `{ code, message, ...fields }`. */
function fromPayload(payload) {
  const { code, message, ...fields } = payload
  const Cls = CLASSES[code] || TransportError
  if (!('kind' in fields)) fields.kind = null
  if (!('description' in fields)) fields.description = message
  const err = new Cls(message, fields)
  // An own property too, so `{ ...err }`, JSON.stringify and assert.deepEqual see it.
  err.code = Cls.prototype.code
  return err
}

/** A native error carrying a payload becomes typed; anything else passes unchanged. */
function convert(err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(MARKER)) {
    let payload
    try {
      payload = JSON.parse(err.message.slice(MARKER.length))
    } catch {
      return err
    }
    return fromPayload(payload)
  }
  return err
}

/**
 * INVALID_ARGUMENT for what the wrapper itself checks: the type of an argument
 * (ranges are the core's). The message has the core's shape.
 */
function invalidArgument(field, reason) {
  const message = `invalid argument ${field}: ${reason}`
  return fromPayload({ code: 'INVALID_ARGUMENT', message, field, reason })
}

/** Run a native call, rethrowing its error typed. */
function callNative(fn) {
  try {
    return fn()
  } catch (e) {
    throw convert(e)
  }
}

/** The same for a native promise. */
function awaitNative(promise) {
  return promise.then(undefined, (e) => {
    throw convert(e)
  })
}

/**
 * What an aborted call rejects with: Node's own shape (`name` 'AbortError', string
 * `code` 'ABORT_ERR', like `events.once` and `timers/promises`), never the numeric
 * code 20 of the DOMException `AbortController.abort()` stores as its default reason;
 * that reason is the `cause`. A reason the caller gave is rethrown as it is.
 */
class AbortError extends Error {
  constructor(message = 'The operation was aborted', options) {
    super(message, options)
    this.name = 'AbortError'
    this.code = 'ABORT_ERR'
  }
}

function abortError(signal) {
  const reason = signal ? signal.reason : undefined
  const isDefault =
    reason === undefined || (reason !== null && typeof reason === 'object' && reason.name === 'AbortError' && typeof reason.code === 'number')
  if (!isDefault) return reason
  return new AbortError('The operation was aborted', reason === undefined ? undefined : { cause: reason })
}

module.exports = {
  AbortError,
  CLASSES,
  PlumError,
  ParseError,
  InvalidArgument,
  ApiError,
  AuthError,
  TransportError,
  convert,
  callNative,
  awaitNative,
  invalidArgument,
  fromPayload,
  abortError,
}
