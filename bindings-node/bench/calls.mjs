// A fixed amount of parseSessions work, for instruction counts (valgrind) of one
// build of the package: CALLS calls on LINES lines of bench/corpus.mjs. Not a test.
//
//   valgrind --tool=callgrind --callgrind-out-file=cg.out node bench/calls.mjs PACKAGE_DIR 3 30000
//   callgrind_annotate cg.out     # sum the Ir of the functions in the `.node` object
//
// PACKAGE_DIR is a bindings-node/ directory with its `.node` built (this one: `.`).
// Count the `.node` object's share, not the whole process: V8's JIT tiering and GC
// vary from run to run by more than a parse costs. 30,000 lines (4.3 MB) take the
// chunked, multi-threaded path; below 4 MiB a text is parsed on one thread.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { intArg, requiredArg, sessionLines } from './corpus.mjs'

const require = createRequire(import.meta.url)
const [dir, callsArg, linesArg] = process.argv.slice(2)
requiredArg(dir, 'node bench/calls.mjs PACKAGE_DIR [calls] [lines]')
const CALLS = intArg('calls', callsArg, 3, 0, 1000)
const N = intArg('lines', linesArg, 30000, 1, 5_000_000)

const { parseSessions } = require(resolve(dir, 'lib/index.js'))
const text = sessionLines(N)
let records = 0
for (let i = 0; i < CALLS; i++) records += parseSessions(text).length
if (records !== CALLS * N) throw new Error(`expected ${CALLS * N} records, got ${records}`)
console.log(`${CALLS} calls, ${records} records`)
