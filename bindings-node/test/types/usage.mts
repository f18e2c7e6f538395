// Type test (compiled with `tsc --noEmit`, never run): the public declarations
// describe what the package returns, and reject what it rejects.
import {
  parseSessionLine, parseErrorLine, parseSessions, parseErrors, parseCallLog,
  parseSessionsAsync, parseErrorsAsync, parseCallLogAsync, decodeResponse, decodeResponseAsync, sessionIdParts,
  Client, Emulator, PlumError, ParseError, InvalidArgument, ApiError, AuthError, TransportError,
} from 'plumlogs'
import type {
  SessionRecord, SessionLine, SessionCall, SessionTag, ErrorRecord, CallLogEntry, CallSummary, CallLog, CallLogWithText, Lenient,
  Problem, ErrorCode, Fault, RecordedRequest, SessionIdParts, Listing, ResponseInfo, RetryInfo,
} from 'plumlogs'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function check<T extends true>(): T | void {}

const line = 'inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29'
const rec = parseSessionLine(line)
check<Equal<typeof rec, SessionLine>>()
check<Equal<SessionRecord['timestamp'], string>>()
check<Equal<SessionRecord['call_start'], number | null>>()
check<Equal<SessionRecord['label'], string | null>>()
check<Equal<ReturnType<typeof parseErrorLine>, ErrorRecord>>()

const strict = parseSessions(line)
check<Equal<typeof strict, SessionLine[]>>()
const strictBuf = parseErrors(Buffer.from(line), { strict: true })
check<Equal<typeof strictBuf, ErrorRecord[]>>()
const lenient = parseSessions(line, { strict: false })
check<Equal<typeof lenient, Lenient<SessionLine>>>()
check<Equal<typeof lenient.problems, Problem[]>>()
const entries = parseCallLog(new Uint8Array(0))
check<Equal<typeof entries, CallLogEntry[]>>()
const flag: boolean = Math.random() > 0.5
const either = parseErrors(line, { strict: flag })
check<Equal<typeof either, ErrorRecord[] | Lenient<ErrorRecord>>>()

async function asyncParsing() {
  const a = await parseSessionsAsync(line)
  check<Equal<typeof a, SessionLine[]>>()
  const b = await parseErrorsAsync(line, { strict: false })
  check<Equal<typeof b, Lenient<ErrorRecord>>>()
  const c = await parseCallLogAsync(line)
  check<Equal<typeof c, CallLogEntry[]>>()
  const d = await decodeResponseAsync('{}', 'sessions')
  check<Equal<typeof d, SessionLine[]>>()
  const e = await decodeResponseAsync(Buffer.from('{}'), 'log')
  check<Equal<typeof e, CallLog>>()
}

const logs = decodeResponse('{}', 'logs')
check<Equal<typeof logs, CallSummary[]>>()
const log = decodeResponse(Buffer.from('{}'), 'log')
check<Equal<typeof log, CallLog>>()
check<Equal<ReturnType<typeof sessionIdParts>, SessionIdParts>>()
// @ts-expect-error: not a service
decodeResponse('{}', 'calls')
// @ts-expect-error: records, not numbers
parseSessions(42)
// @ts-expect-error: options are checked
parseSessions(line, { strict: 'no' })

async function clientUse(signal: AbortSignal) {
  const emu = await Emulator.start({ seed: 7, clock: new Date() })
  const c = new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl, format: 'xml', timeoutMs: 5000, maxRetries: 2 })
  const s = await c.sessions(0, new Date(), { pageSize: 100, limit: 10, number: '6175551234', signal })
  check<Equal<typeof s, SessionLine[]>>()
  const e = await c.errors(0, 10)
  check<Equal<typeof e, ErrorRecord[]>>()
  const l = await c.callLogs(0, 10)
  check<Equal<typeof l, CallSummary[]>>()
  const one = await c.callLog(l[0].log_id, { signal })
  check<Equal<typeof one.log_id, number>>()
  for await (const r of c.iterSessions(0, 10)) check<Equal<typeof r, SessionLine>>()
  for await (const p of c.iterErrorPages(0, 10)) check<Equal<typeof p, ErrorRecord[]>>()
  for await (const item of c.iterCallLogsWithText(0, 10, { concurrency: 4 })) {
    check<Equal<typeof item, CallLogWithText>>()
    if (item.error) {
      const code: ErrorCode = item.error.code
    } else {
      const text: string = item.log.text
    }
  }
  const all = await c.callLogsWithText(0, 10)
  check<Equal<typeof all, CallLogWithText[]>>()
  check<Equal<ReturnType<Client['sessionsSync']>, SessionLine[]>>()
  // @ts-expect-error: the sync twins take no signal
  c.sessionsSync(0, 10, { signal })
  // @ts-expect-error: only json or xml
  new Client({ format: 'csv' })
  // Time arguments: numbers, Dates, strings (checked by the core at run time).
  await c.sessions('24h')
  await c.errors('max', 'now', { concurrency: 4, subWindowSeconds: 86400 })
  // @ts-expect-error: start is seconds, a Date or a string
  c.sessions({ hours: 24 }, 10)
  // @ts-expect-error: concurrency is a number
  c.sessions('24h', 'now', { concurrency: '4' })

  const listing = c.iterSessions('24h')
  check<Equal<typeof listing, Listing<SessionLine>>>()
  check<Equal<typeof listing.totalHint, number | null>>()
  check<Equal<typeof listing.lastResponse, ResponseInfo | null>>()
  const pre = await c.iterErrorPages('1h').prefetch()
  check<Equal<typeof pre, Listing<ErrorRecord[]>>>()
  check<Equal<Awaited<ReturnType<typeof pre.toArray>>, ErrorRecord[][]>>()
  const status: number | null | undefined = listing.lastResponse?.status

  const ac = new AbortController()
  for await (const r of c.followErrors({ since: '1h', intervalMs: 5000, signal: ac.signal, onPollError: (f) => console.log(f.failures, f.error.code) })) {
    check<Equal<typeof r, ErrorRecord>>()
  }
  // @ts-expect-error: follow takes no window end
  c.followSessions({ end: 'now' })

  const observed = new Client({
    proxy: 'http://127.0.0.1:3128',
    caBundle: '/etc/corp-ca.pem',
    onRetry: (e: RetryInfo) => console.log(e.waitMs, e.response.status),
    log: (line: string, info: ResponseInfo) => console.log(line, info.elapsedMs),
  })
  check<Equal<typeof observed, Client>>()
  check<Equal<ReturnType<typeof Client.fromProfile>, Client>>()
  Client.fromProfile()
  Client.fromProfile('prod', { timeoutMs: 5000 })
  // @ts-expect-error: the profile is named by a string
  Client.fromProfile(7)

  const faults: Fault[] = [
    { kind: 'status', status: 503, retryAfter: 1, count: 2, pathPrefix: '/ws/calls/sessions' },
    { kind: 'slow', delayMs: 500 },
    { kind: 'drop' },
  ]
  faults.forEach((f) => emu.injectFault(f))
  // @ts-expect-error: a slow fault needs its delay
  emu.injectFault({ kind: 'slow' })
  emu.clearFaults()
  emu.setClock(null)
  const reqs = emu.requests()
  check<Equal<typeof reqs, RecordedRequest[]>>()
  const now: number = emu.now()
  // @ts-expect-error: use Emulator.start
  new Emulator()
  await emu.stop()
}

function errors(e: unknown) {
  if (e instanceof ParseError) {
    const where: [number | null, number | null, string] = [e.line, e.column, e.input]
    check<Equal<typeof e.code, 'PARSE_ERROR'>>()
  } else if (e instanceof AuthError) {
    check<Equal<typeof e.code, 'AUTH_ERROR'>>()
  } else if (e instanceof ApiError) {
    const status: number | null = e.httpStatus
  } else if (e instanceof InvalidArgument || e instanceof TransportError) {
    const m: string = e.message
  } else if (e instanceof PlumError) {
    const code: ErrorCode = e.code
  }
}
