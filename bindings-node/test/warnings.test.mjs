// A `success` answer that also carries an error text ("partial results: database
// timeout", issue 12) reaches a Node user: `onWarning`, or a process warning of type
// ServerWarning when no callback is given. A one-route loopback server plays Plum.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { once } from 'node:events'
import { Client } from '../lib/index.mjs'

const LINE = 'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'
const WARNING = 'partial results: database timeout'
let server
let baseUrl

before(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ status: 'success', error: WARNING, result: { total_sessions: 1, sessions: [LINE] } }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  baseUrl = `http://127.0.0.1:${server.address().port}`
})
after(() => server.close())

const client = () => new Client({ username: 'u', password: 'p', baseUrl, maxRetries: 0 })
const now = () => Math.floor(Date.now() / 1000)

test('warnings: onWarning gets the text of a success with an error, once, with every record', async () => {
  const seen = []
  const recs = await client().sessions(now() - 3600, now(), { onWarning: (t) => seen.push(t) })
  assert.equal(recs.length, 1)
  assert.equal(recs[0].kind, 'inbound')
  assert.deepEqual(seen, [WARNING])
  // (The ...Sync twins block the thread this server answers on: not testable here.)
  const iterSeen = []
  const it = []
  for await (const r of client().iterSessions(now() - 3600, now(), { onWarning: (t) => iterSeen.push(t) })) it.push(r)
  assert.equal(it.length, 1)
  assert.deepEqual(iterSeen, [WARNING])
})

test('warnings: without onWarning, a ServerWarning process warning', async () => {
  const got = new Promise((resolve) => {
    process.once('warning', resolve)
  })
  await client().sessions(now() - 3600, now())
  const w = await got
  assert.equal(w.name, 'ServerWarning')
  assert.equal(w.code, 'PLUMLOGS_SERVER_WARNING')
  assert.match(w.message, /partial results: database timeout/)
})

test('warnings: onWarning must be a function', () => {
  assert.throws(() => client().iterSessions(now() - 10, now(), { onWarning: 'yes' }), { code: 'INVALID_ARGUMENT', field: 'options.onWarning' })
})
