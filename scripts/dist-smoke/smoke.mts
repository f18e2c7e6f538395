// TypeScript (tsc --strict) against the declarations the package ships, then run.
import assert from 'node:assert/strict'
import { Client, Emulator, parseSessions } from 'plumlogs'
import type { SessionRecord } from 'plumlogs'

const LINE =
  'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'

const records: SessionRecord[] = parseSessions(`${LINE}\n`.repeat(3))
const duration: number | null = records[0].duration
assert.equal(duration, 29)

const emu = await Emulator.start({ seed: 7, callsPerDay: 200 })
try {
  const client = new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl })
  const end: number = emu.now()
  const sessions: SessionRecord[] = await client.sessions(end - 86400, end, { limit: 50 })
  assert.equal(sessions.length, 50)
  console.log(`node smoke ok (TypeScript): ${sessions.length} sessions over loopback`)
} finally {
  await emu.stop()
}
