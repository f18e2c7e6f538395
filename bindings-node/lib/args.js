'use strict'
// Argument checks shared by the wrappers: a wrong argument is an INVALID_ARGUMENT
// before anything is sent, and an unknown option is an error, never ignored.
const { invalidArgument } = require('./errors.js')

function describe(v) {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (v instanceof Date) return 'a Date'
  return typeof v
}

function optionsArg(options, allowed, what = 'options') {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(what, `must be an object, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw invalidArgument(`${what}.${key}`, `is not an option; expected one of ${allowed.join(', ')}`)
    }
  }
  return options
}

function optional(options, key, type, what = 'options') {
  const v = options[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== type) throw invalidArgument(`${what}.${key}`, `must be a ${type}, got ${describe(v)}`)
  return v
}

/** The emulator's fault fields (the emulator's own rules; not a client option). */
function wholeNumber(v, name, { min = -Infinity } = {}) {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    const bound = min > -Infinity ? ` >= ${min}` : ''
    throw invalidArgument(name, `must be a whole number${bound}, got ${typeof v === 'number' ? v : describe(v)}`)
  }
  return v
}

/** A number option, its type checked here; its range is checked by the core. */
function numberArg(v, name) {
  if (typeof v !== 'number') throw invalidArgument(name, `must be a number, got ${describe(v)}`)
  return v
}

/** UNIX seconds from a number of seconds or a Date (`start`/`end` of every listing). */
function unixSeconds(v, name) {
  if (v instanceof Date) {
    const ms = v.getTime()
    if (Number.isNaN(ms)) throw invalidArgument(name, 'is an invalid Date')
    return Math.floor(ms / 1000)
  }
  if (typeof v === 'number') return v
  throw invalidArgument(name, `must be UNIX seconds (a number) or a Date, got ${describe(v)}`)
}

/**
 * A time argument (a listing's `start`/`end`, a follow's `since`) as the native side
 * takes it: numbers (UNIX seconds) and strings (`"24h"`, ISO 8601, `"now"`, `"max"`)
 * pass as they are, for core's `plumlogs::timearg` to read and check; a `Date`
 * becomes its UNIX seconds (with the fraction of its milliseconds).
 */
function timeArg(v, name) {
  if (v instanceof Date) {
    const ms = v.getTime()
    if (Number.isNaN(ms)) throw invalidArgument(name, 'is an invalid Date')
    return ms / 1000
  }
  if (typeof v === 'number' || typeof v === 'string') return v
  throw invalidArgument(name, `must be UNIX seconds (a number), a Date or a string such as "24h", "2026-11-26T08:00:00Z", "now" or "max", got ${describe(v)}`)
}

function signalArg(options, what = 'options') {
  const s = options.signal
  if (s === undefined || s === null) return undefined
  if (typeof s !== 'object' || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    throw invalidArgument(`${what}.signal`, `must be an AbortSignal, got ${describe(s)}`)
  }
  return s
}

module.exports = { describe, optionsArg, optional, numberArg, wholeNumber, unixSeconds, timeArg, signalArg }
