// Parallel sub-windows from Node: a long window of sessions against the emulator with
// a per-request latency injected, one serial walk (`concurrency: 1`) against the
// default (core's: 8 sub-windows at once), interleaved in the same run, records
// checked equal. Not a test: read the ratio.
//
//   npm run build && node bench/windows.mjs [days] [latencyMs] [rounds] [callsPerDay]   (default 90 50 3 300)
import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'

const require = createRequire(import.meta.url)
const { Client, Emulator } = require('../lib/index.js')

const DAYS = Number(process.argv[2] || 90)
const LATENCY_MS = Number(process.argv[3] || 50)
const ROUNDS = Number(process.argv[4] || 3)
const CALLS_PER_DAY = Number(process.argv[5] || 300)

const clock = Math.floor(Date.now() / 1000)
const emu = await Emulator.start({ seed: 7, clock, callsPerDay: CALLS_PER_DAY })
try {
  const client = new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl })
  const start = clock - DAYS * 86400
  const runs = { serial: [], default: [] }
  let want = null
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, options] of [['serial', { concurrency: 1 }], ['default', {}]]) {
      emu.clearFaults()
      emu.clearRequests()
      emu.injectFault({ kind: 'slow', delayMs: LATENCY_MS, count: 1_000_000, pathPrefix: '/ws/calls/sessions/' })
      const t0 = process.hrtime.bigint()
      const recs = await client.sessions(start, clock, options)
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      const requests = emu.requests().filter((r) => r.path.startsWith('/ws/calls/sessions/')).length
      if (want === null) want = recs
      else if (!isDeepStrictEqual(recs, want)) throw new Error(`${name}: records differ from the first run`)
      runs[name].push({ ms, requests })
    }
  }
  const min = (xs) => Math.min(...xs.map((x) => x.ms))
  console.log(`${DAYS} days of sessions at ${CALLS_PER_DAY} calls a day (${want.length} records), ${LATENCY_MS} ms per request, ${ROUNDS} rounds:`)
  for (const [name, xs] of Object.entries(runs)) {
    console.log(`  ${name.padEnd(8)} min ${min(xs).toFixed(0)} ms, ${xs[0].requests} requests`)
  }
  console.log(`  speed-up (min/min): ${(min(runs.serial) / min(runs.default)).toFixed(2)}x`)
} finally {
  emu.clearFaults()
  await emu.stop()
}
