'use strict'
// CommonJS: require('plumlogs') from the two installed tarballs (scripts/test-dist.sh).
const assert = require('node:assert/strict')
const { existsSync } = require('node:fs')
const { dirname, join } = require('node:path')
const plumlogs = require('plumlogs')

const LINE =
  'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'

async function main() {
  // The native module is the platform package's, not a .node beside the package.
  const root = dirname(require.resolve('plumlogs/package.json'))
  assert.ok(root.includes('node_modules'), root)
  assert.ok(!existsSync(join(root, 'plumlogs.linux-x64-gnu.node')))
  assert.ok(existsSync(require.resolve('plumlogs-linux-x64-gnu')))

  const records = plumlogs.parseSessions(`${LINE}\n`.repeat(3))
  assert.equal(records.length, 3)
  assert.equal(records[0].duration, 29)
  assert.equal(records[0].ani, '7185551234')
  assert.throws(() => plumlogs.parseSessions(`${LINE}\ngarbage\n`), (err) => {
    assert.equal(err.code, 'PARSE_ERROR')
    assert.equal(err.line, 2)
    return err instanceof plumlogs.ParseError
  })

  const emu = await plumlogs.Emulator.start({ seed: 7, callsPerDay: 200 })
  try {
    const client = new plumlogs.Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl })
    const end = emu.now()
    const sessions = await client.sessions(end - 86400, end, { limit: 50 })
    assert.equal(sessions.length, 50)
    const calls = await client.callLogs(end - 86400, end, { limit: 3 })
    assert.equal(calls.length, 3)
    const log = await client.callLog(calls[0].log_id)
    assert.ok(log.entries.length > 0)
    console.log(`node smoke ok (CommonJS): ${sessions.length} sessions over loopback`)
  } finally {
    await emu.stop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
