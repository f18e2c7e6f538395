'use strict'
// The one place where the native error payload becomes a JS Error. The Rust side
// (src/error.rs) converts `plumlogs::Error` into a JSON payload behind a marker; this
// module turns that payload into the right class, with `code` and its fields.

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

function invalidArgument(message) {
  return fromPayload({ code: 'INVALID_ARGUMENT', message })
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

function abortError(signal) {
  if (signal && signal.reason instanceof Error) return signal.reason
  const err = new Error('The operation was aborted')
  err.name = 'AbortError'
  err.code = 'ABORT_ERR'
  return err
}

module.exports = {
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
