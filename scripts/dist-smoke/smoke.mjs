// ESM: import { ... } from 'plumlogs' from the two installed tarballs (scripts/test-dist.sh).
import assert from 'node:assert/strict'
import { Client, Emulator, ParseError, parseSessions } from 'plumlogs'

const LINE =
  'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'

const records = parseSessions(`${LINE}\n`.repeat(3))
assert.equal(records.length, 3)
assert.equal(records[0].duration, 29)
assert.throws(() => parseSessions('garbage\n'), ParseError)

const emu = await Emulator.start({ seed: 7, callsPerDay: 200 })
try {
  const client = new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl })
  const end = emu.now()
  const sessions = await client.sessions(end - 86400, end, { limit: 50 })
  assert.equal(sessions.length, 50)
  console.log(`node smoke ok (ESM): ${sessions.length} sessions over loopback`)
} finally {
  await emu.stop()
}
