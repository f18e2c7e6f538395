// Bulk parsing throughput: plumlogs against a plain-JS baseline, in the same run.
// Not a test: timings on a shared machine are noisy; read the ratios.
//
//   npm run build && node bench/parse.mjs [lines] [--calls-only]     (default 120000)
//
// --calls-only: call lines only (inbound/outbound/transfer), no `local` lines.
//
// Strategies for getting a batch of records into JS, all checked to give equal records:
//   baseline   a regex per line, objects built in JS, timestamps via Date.UTC
//   json       (a) Rust parses and serialises the batch with serde_json into one
//              string; JS does one JSON.parse
//   columns    (b) Rust parses into columns (one string of the text fields, typed
//              arrays of offsets and numbers, a dictionary of repeated words); JS
//              builds the objects in one loop      <- what parseSessions uses
// Runs are interleaved (round-robin) with a full GC before each, so load from
// other processes spreads over all strategies; min and median are reported.
import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'
import v8 from 'node:v8'
import vm from 'node:vm'
import { sessionLines } from './corpus.mjs'

const require = createRequire(import.meta.url)
const plumlogs = require('../lib/index.js')
const native = require('../lib/native.js')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')

const args = process.argv.slice(2)
const CALLS_ONLY = args.includes('--calls-only')
const N = Number(args.find((a) => !a.startsWith('--')) || 120000)
if (!Number.isInteger(N) || N < 1 || N > 10000000) throw new RangeError(`lines must be an integer in 1..10000000, got ${args[0]}`)

const generate = (n) => sessionLines(n, { callsOnly: CALLS_ONLY })

// ---- baseline: what one would write in plain JS ----
const MONTHS = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 }
const LINE = /^([a-z]+)\s+(\S+)\s+(\d+)\s+\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\]\s+(\S+)\s+(\S+)\s+(?:(\d+)\s+(\d+)\s+(\d+):(\d\d):(\d\d)|([^:\s]+):\s*(.*))$/
function baseline(text) {
  const out = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const m = LINE.exec(line)
    if (!m) throw new Error(`bad line: ${line}`)
    const ms = Date.UTC(+m[6], MONTHS[m[5]], +m[4], +m[7], +m[8], +m[9])
    const iso = new Date(ms).toISOString().slice(0, 19) + m[10] + m[11] + ':' + m[12]
    const call = m[15] !== undefined
    out.push({
      kind: m[1],
      ani: m[2],
      channel: +m[3],
      timestamp: iso,
      dnis: m[13],
      session_id: m[14],
      call_start: call ? +m[15] : null,
      call_end: call ? +m[16] : null,
      duration: call ? +m[17] * 3600 + +m[18] * 60 + +m[19] : null,
      label: call ? null : m[20],
      message: call ? null : m[21],
    })
  }
  return out
}

const viaJson = (text) => JSON.parse(native.benchParseSessionsJson(text))

const text = generate(N)
const buf = Buffer.from(text)
const strategies = [
  ['baseline (regex + Date.UTC)', baseline, text],
  ['parseSessions(string) [columns]', plumlogs.parseSessions, text],
  ['parseSessions(Buffer) [columns]', plumlogs.parseSessions, buf],
  ['json (string)', viaJson, text],
  ['json (Buffer)', viaJson, buf],
]

// Every strategy must produce the same records, or the comparison means nothing.
const reference = plumlogs.parseSessions(text)
if (reference.length !== N) throw new Error(`expected ${N} records, got ${reference.length}`)
for (const [name, fn, arg] of strategies) {
  if (!isDeepStrictEqual(fn(arg), reference)) throw new Error(`${name}: records differ from parseSessions`)
}

const RUNS = Number(process.env.RUNS || 9)
const samples = strategies.map(() => [])
for (let r = 0; r < RUNS + 2; r++) {
  strategies.forEach(([, fn, arg], k) => {
    gc()
    const t = process.hrtime.bigint()
    fn(arg)
    const ms = Number(process.hrtime.bigint() - t) / 1e6
    if (r >= 2) samples[k].push(ms) // the first two rounds warm up
  })
}
const stats = samples.map((s) => {
  s.sort((a, b) => a - b)
  return { min: s[0], median: s[s.length >> 1] }
})
console.log(`${N} session lines${CALLS_ONLY ? ' (call lines only)' : ''}, ${(text.length / 1e6).toFixed(1)} MB, ${RUNS} interleaved runs each, node ${process.version}`)
console.log(`${'strategy'.padEnd(34)} ${'min ms'.padStart(8)} ${'median'.padStart(8)}   speed-up vs baseline (min / median)`)
strategies.forEach(([name], k) => {
  const { min, median } = stats[k]
  const up = `${(stats[0].min / min).toFixed(2)}x / ${(stats[0].median / median).toFixed(2)}x`
  console.log(`${name.padEnd(34)} ${min.toFixed(1).padStart(8)} ${median.toFixed(1).padStart(8)}   ${up}`)
})
