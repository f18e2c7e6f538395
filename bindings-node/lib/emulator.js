'use strict'
// The emulator: a real HTTP server on loopback (Rust, on its own threads), with
// deterministic synthetic data and fault injection, for tests and demos.
const native = require('./native.js')
const { callNative, awaitNative, invalidArgument } = require('./errors.js')
const { describe, optionsArg, optional, wholeNumber, unixSeconds } = require('./args.js')

const START_OPTIONS = ['seed', 'callsPerDay', 'username', 'password', 'port', 'clock']
const FAULT_KINDS = ['status', 'documentedFailure', 'slow', 'truncated', 'malformed', 'drop']
const FAULT_KEYS = ['kind', 'status', 'retryAfter', 'delayMs', 'count', 'every', 'pathPrefix']
const TOKEN = Symbol('plumlogs.Emulator')

function optWhole(o, key, min) {
  const v = o[key]
  return v === undefined || v === null ? undefined : wholeNumber(v, `options.${key}`, { min })
}

/** A fault as the emulator's control API spells it (snake_case JSON). */
function faultJson(fault) {
  const f = optionsArg(fault, FAULT_KEYS, 'fault')
  if (!FAULT_KINDS.includes(f.kind)) {
    throw invalidArgument('fault.kind', `must be one of ${FAULT_KINDS.join(', ')}, got ${typeof f.kind === 'string' ? JSON.stringify(f.kind) : describe(f.kind)}`)
  }
  const out = { kind: f.kind === 'documentedFailure' ? 'documented_failure' : f.kind }
  if (f.kind === 'status' || f.kind === 'documentedFailure') {
    out.status = wholeNumber(f.status, 'fault.status') // range: the emulator's own check
  } else if (f.status !== undefined) {
    throw invalidArgument('fault.status', `belongs to kinds "status" and "documentedFailure", not ${JSON.stringify(f.kind)}`)
  }
  if (f.kind === 'status') {
    if (f.retryAfter !== undefined && f.retryAfter !== null) out.retry_after = wholeNumber(f.retryAfter, 'fault.retryAfter', { min: 0 })
  } else if (f.retryAfter !== undefined) {
    throw invalidArgument('fault.retryAfter', `belongs to kind "status", not ${JSON.stringify(f.kind)}`)
  }
  if (f.kind === 'slow') {
    out.delay_ms = wholeNumber(f.delayMs, 'fault.delayMs', { min: 0 })
  } else if (f.delayMs !== undefined) {
    throw invalidArgument('fault.delayMs', `belongs to kind "slow", not ${JSON.stringify(f.kind)}`)
  }
  if (f.count !== undefined && f.count !== null) out.count = wholeNumber(f.count, 'fault.count', { min: 1 })
  // Its range (at least 1) is the emulator's check; a fraction or a string is refused here.
  if (f.every !== undefined && f.every !== null) out.every = wholeNumber(f.every, 'fault.every')
  const prefix = optional(f, 'pathPrefix', 'string', 'fault')
  if (prefix !== undefined) out.path_prefix = prefix
  return JSON.stringify(out)
}

class Emulator {
  #native

  /** Use `await Emulator.start(options)`. */
  constructor(token, nativeEmulator) {
    if (token !== TOKEN) throw invalidArgument('Emulator', 'use `await Emulator.start(options)` to start an emulator')
    this.#native = nativeEmulator
  }

  static async start(options) {
    const o = optionsArg(options, START_OPTIONS)
    const opts = {
      seed: optWhole(o, 'seed', 0),
      callsPerDay: optWhole(o, 'callsPerDay', 0),
      username: optional(o, 'username', 'string'),
      password: optional(o, 'password', 'string'),
      port: optWhole(o, 'port', 0),
      clock: o.clock === undefined || o.clock === null ? undefined : unixSeconds(o.clock, 'options.clock'),
    }
    const n = await awaitNative(callNative(() => native.nativeStartEmulator(opts)))
    return new Emulator(TOKEN, n)
  }

  get baseUrl() {
    return this.#native.baseUrl
  }

  get username() {
    return this.#native.username
  }

  get password() {
    return this.#native.password
  }

  get running() {
    return this.#native.running
  }

  /** The emulator's clock, UNIX seconds. */
  now() {
    return callNative(() => this.#native.now())
  }

  /** Fix the clock (UNIX seconds or a Date), or `null` for system time. */
  setClock(time) {
    const t = time === null || time === undefined ? null : unixSeconds(time, 'time')
    callNative(() => this.#native.setClock(t))
  }

  /** Queue a fault for the next `count` (default 1) matching requests. */
  injectFault(fault) {
    const json = faultJson(fault)
    callNative(() => this.#native.inject(json))
  }

  clearFaults() {
    callNative(() => this.#native.clearFaults())
  }

  /** The requests received so far (control requests excepted), oldest first. */
  requests() {
    return JSON.parse(callNative(() => this.#native.requests()))
  }

  clearRequests() {
    callNative(() => this.#native.clearRequests())
  }

  /** Stop serving; idempotent. */
  stop() {
    return awaitNative(this.#native.stop())
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  Emulator.prototype[Symbol.asyncDispose] = function () {
    return this.stop()
  }
}

module.exports = { Emulator }
