// The plain objects Node builds (by hand, from columns: lib/columns.js; or from the
// core's JSON) against the core's schema descriptor: the same fields, in the same
// order, with the JSON type and nullability of each field's logical type.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { parseSessions, parseErrors, parseCallLog, decodeResponse } from '../lib/index.mjs'

const require = createRequire(import.meta.url)
const native = require('../lib/native.js')
const schema = Object.fromEntries(JSON.parse(native.recordSchema()).map((r) => [r.name, r]))
const STRING_TYPES = new Set(['text', 'session_id', 'timestamp'])

function check(name, rec) {
  const s = schema[name]
  assert.ok(s, name)
  assert.deepEqual(Object.keys(rec), s.fields.map((f) => f.name), `${name}: fields`)
  for (const f of s.fields) {
    const v = rec[f.name]
    if (v === null) {
      assert.ok(f.nullable, `${name}.${f.name} is null`)
      continue
    }
    assert.equal(typeof v, STRING_TYPES.has(f.type) ? 'string' : 'number', `${name}.${f.name}`)
  }
}

const CALL = 'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'
const TAG = 'local 7185551234 3 [03/Nov/2017:14:38:31 -0500] 6177123000 200035;003;1509734279 menu: pressed 1'
const ERR = 'error 6175551234 0 [09/Jan/2017:08:33:31 -0400] 8009957586 000020;000;1483968637 ReferenceError: d is not defined'
const LOG = 'Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered\nWed 28 Aug 2002 10:17:02 AM QQQ [log] (100025;006;1479411625) LOCAL: unknown zone\n'
const LOGS = '{"status":"success","result":{"total_logs":1,"logs":[{"log_id":"42","session_id":"200035;003;1509734279","dest":"6177123000","type":"inbound","src":"7185551234","start":"1509734310","end":"1509734339"}]}}'

test('schema: session, error, call-log and summary objects follow the core descriptor', () => {
  assert.deepEqual(Object.keys(schema).sort(), ['CallLogEntry', 'CallSummary', 'ErrorRecord', 'SessionRecord'])
  const sessions = parseSessions(`${CALL}\n${TAG}\n`)
  assert.equal(sessions.length, 2)
  sessions.forEach((r) => check('SessionRecord', r))
  assert.equal(sessions[1].duration, null) // a tag line: the call fields are the nullable ones
  parseErrors(ERR).forEach((r) => check('ErrorRecord', r))
  const entries = parseCallLog(LOG)
  assert.equal(entries.length, 2)
  entries.forEach((r) => check('CallLogEntry', r))
  const summaries = decodeResponse(LOGS, 'logs')
  assert.equal(summaries.length, 1)
  summaries.forEach((r) => check('CallSummary', r))
})
