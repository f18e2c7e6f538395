// Interleaved A/B of parseSessions: an older build of this package against this one,
// both loaded into one process, as ratios in one run. Not a test: read the ratios.
//
//   npm run build                      # this package's .node, release
//   (in a checkout of the old commit: cd bindings-node && npm install && npm run build)
//   node bench/ab.mjs OLD_PACKAGE_DIR [lines] [rounds]      (defaults 120000, 15)
//   taskset -c 0 node bench/ab.mjs OLD_PACKAGE_DIR         # one core for both sides
//
// OLD_PACKAGE_DIR is the old commit's bindings-node/ directory with its release
// `.node` built beside package.json (its lib/index.js loads it). Both sides parse the
// same text (bench/corpus.mjs, as bench/parse.mjs does), must return deep-equal
// records, and run in alternating order each round (old first, then new first, ...)
// with a full GC before every call, so load from other processes falls on both. Reported per input kind (string,
// Buffer), for wall time and for the process's CPU time: the median old and new
// time and the per-round ratio new / old (median, min, max, quartiles); a ratio
// above 1.00 means this build is slower.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import v8 from 'node:v8'
import vm from 'node:vm'
import { intArg, requiredArg, sessionLines } from './corpus.mjs'

const require = createRequire(import.meta.url)

const [oldDirArg, linesArg, roundsArg] = process.argv.slice(2)
requiredArg(oldDirArg, 'node bench/ab.mjs OLD_PACKAGE_DIR [lines] [rounds]')
const N = intArg('lines', linesArg, 120000, 1, 5_000_000)
const ROUNDS = intArg('rounds', roundsArg, 15, 2, 500)

const sides = {
  old: require(resolve(oldDirArg, 'lib/index.js')),
  new: require('../lib/index.js'),
}
if (sides.old === sides.new) throw new Error('OLD_PACKAGE_DIR is this package: nothing to compare')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')

const text = sessionLines(N)
const inputs = [
  ['string', text],
  ['Buffer', Buffer.from(text)],
]

// Both sides must give the same records, or the comparison means nothing.
for (const [kind, input] of inputs) {
  const a = sides.old.parseSessions(input)
  const b = sides.new.parseSessions(input)
  if (a.length !== N) throw new Error(`old side (${kind}): expected ${N} records, got ${a.length}`)
  if (!isDeepStrictEqual(a, b)) throw new Error(`${kind}: the two builds return different records`)
}

// Wall time, and the process's CPU time (user + system, every thread: both parse
// workers), of one call. On a loaded machine the wall time mostly measures how
// often other processes got the cores; the CPU time is the work done.
function time(fn, input) {
  gc()
  const cpu = process.cpuUsage()
  const t = process.hrtime.bigint()
  fn(input)
  const wall = Number(process.hrtime.bigint() - t) / 1e6
  const c = process.cpuUsage(cpu)
  return { wall, cpu: (c.user + c.system) / 1000 }
}

const WARMUP = 2
const METRICS = ['wall', 'cpu']
const samples = inputs.map(() => Object.fromEntries(METRICS.map((m) => [m, { old: [], new: [], ratio: [] }])))
for (let r = 0; r < ROUNDS + WARMUP; r++) {
  const order = r % 2 === 0 ? ['old', 'new'] : ['new', 'old']
  inputs.forEach(([, input], k) => {
    const got = {}
    for (const side of order) got[side] = time(sides[side].parseSessions, input)
    if (r < WARMUP) return
    for (const m of METRICS) {
      samples[k][m].old.push(got.old[m])
      samples[k][m].new.push(got.new[m])
      samples[k][m].ratio.push(got.new[m] / got.old[m])
    }
  })
}

function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}
const sortNum = (xs) => [...xs].sort((a, b) => a - b)

console.log(`parseSessions A/B: ${N} session lines, ${(text.length / 1e6).toFixed(1)} MB, ${ROUNDS} interleaved rounds (+${WARMUP} warm-up), node ${process.version}`)
console.log(`old: ${resolve(oldDirArg)}`)
for (const m of METRICS) {
  console.log(`\n${m === 'wall' ? 'wall time' : 'CPU time (user + system, all threads)'}`)
  console.log(`${'input'.padEnd(8)} ${'old med ms'.padStart(11)} ${'new med ms'.padStart(11)} ${'ratio med'.padStart(10)} ${'min'.padStart(6)} ${'max'.padStart(6)} ${'q1'.padStart(6)} ${'q3'.padStart(6)}`)
  inputs.forEach(([kind], k) => {
    const s = samples[k][m]
    const r = sortNum(s.ratio)
    const f = (x) => x.toFixed(3).padStart(6)
    console.log(
      `${kind.padEnd(8)} ${quantile(sortNum(s.old), 0.5).toFixed(1).padStart(11)} ${quantile(sortNum(s.new), 0.5).toFixed(1).padStart(11)} ${quantile(r, 0.5).toFixed(3).padStart(10)} ${f(r[0])} ${f(r[r.length - 1])} ${f(quantile(r, 0.25))} ${f(quantile(r, 0.75))}`,
    )
  })
}
