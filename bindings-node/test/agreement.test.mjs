// The cases of core/tests/vectors/agreement.json, through the Node API: the same code,
// kind, status and message as the Rust and Python tests of the same file expect
// (issue 13's disagreements, issue 12's number ranges). Node names its options
// differently (`options.timeoutMs`, milliseconds): those cases say so in
// `node_field` / `node_message`; the rule and its wording are the core's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Client, Emulator, decodeResponse, PlumError, ApiError, InvalidArgument, AbortError } from '../lib/index.mjs'

const require = createRequire(import.meta.url)
const native = require('../lib/native.js')
const errors = require('../lib/errors.js')
const { cases, defaults } = JSON.parse(readFileSync(new URL('../../core/tests/vectors/agreement.json', import.meta.url), 'utf8'))
const LOOPBACK = 'http://127.0.0.1:9' // nothing listens: every case fails before a request

const client = (extra = {}) => new Client({ username: 'u', password: 'p', baseUrl: LOOPBACK, ...extra })
const now = () => Math.floor(Date.now() / 1000)

async function run(c) {
  const args = c.node || {}
  switch (c.op) {
    case 'decode_response':
      return decodeResponse(c.body, c.service)
    case 'client':
      return client(args)
    case 'listing':
      return client().sessions(now() - 10, now(), args)
    case 'with_text':
      return client().callLogsWithText(now() - 10, now(), args)
    case 'call_log':
      return client().callLog(args.logId)
    case 'fault': {
      const emu = await Emulator.start({ callsPerDay: 10 })
      try {
        return emu.injectFault(args)
      } finally {
        await emu.stop()
      }
    }
    default:
      throw new Error(`unknown op ${c.op}`)
  }
}

for (const c of cases) {
  test(`agreement: ${c.name}`, async () => {
    await assert.rejects(
      (async () => run(c))(),
      (e) => {
        assert.ok(e instanceof PlumError, String(e))
        assert.ok(e instanceof errors.CLASSES[c.code], e.name)
        assert.equal(e.code, c.code)
        assert.equal(typeof e.code, 'string')
        assert.equal(e.description, c.node_message ?? c.message)
        if ('kind' in c) assert.equal(e.kind, c.kind)
        if ('http_status' in c) {
          assert.ok(e instanceof ApiError)
          assert.equal(e.httpStatus, c.http_status)
        }
        if ('field' in c) {
          assert.ok(e instanceof InvalidArgument)
          assert.equal(e.field, c.node_field ?? c.field)
        }
        return true
      },
    )
  })
}

test('agreement: a huge timeout is an error, not an abort of the process', () => {
  // Issue 12: `new Client({ timeoutMs: 1e300 })` was SIGABRT (a panic across napi).
  for (const extra of [{ timeoutMs: 1e300 }, { timeoutMs: Infinity }, { timeoutMs: NaN }, { deadlineMs: 1e20 }, { retryMaxMs: 1e300 }]) {
    assert.throws(() => client(extra), (e) => e instanceof InvalidArgument && e.code === 'INVALID_ARGUMENT')
  }
})

test('agreement: the defaults are the core\'s', () => {
  assert.deepEqual({ ...native.defaults() }, defaults)
  assert.deepEqual(native.errorCodes(), Object.keys(errors.CLASSES))
})

test('agreement: an aborted call rejects with a string code, never DOMException code 20', async () => {
  const controller = new AbortController()
  controller.abort()
  await assert.rejects(client().sessions(now() - 10, now(), { signal: controller.signal }), (e) => {
    assert.ok(e instanceof AbortError)
    assert.equal(e.name, 'AbortError')
    assert.equal(e.code, 'ABORT_ERR')
    assert.equal(typeof e.cause.code, 'number') // the DOMException is kept as the cause
    return true
  })
  const own = new Error('mine')
  const c2 = new AbortController()
  c2.abort(own)
  await assert.rejects(client().sessions(now() - 10, now(), { signal: c2.signal }), (e) => e === own)
})
