// Public types of the `plumlogs` npm package. Record fields: core's schema
// (`plumlogs::schema`), checked by test/schema.test.mjs.
/// <reference types="node" />

// ---- records (plain objects, canonical field names) ----

/**
 * One session log line, every field with the nullability of core's schema: the flat
 * row (a data frame's). What the parsers return is the narrower {@link SessionLine}.
 */
export interface SessionRecord {
  /** `inbound`, `outbound`, `transfer`, `local`, or another lowercase word as written. */
  kind: string
  ani: string
  channel: number
  /** ISO 8601 with the line's own offset, e.g. `2017-11-03T00:10:42-05:00`. */
  timestamp: string
  dnis: string
  /** Raw `serverid;channel;starttime`, leading zeros kept. */
  session_id: string
  /** UNIX seconds. */
  call_start: number | null
  /** UNIX seconds. */
  call_end: number | null
  /** Seconds. */
  duration: number | null
  label: string | null
  message: string | null
}

/**
 * A call line (`inbound`, `outbound`, `transfer`, or an unknown word followed by call
 * times): the call fields are numbers, `label`/`message` are `null`.
 */
export interface SessionCall extends SessionRecord {
  call_start: number
  call_end: number
  duration: number
  label: null
  message: null
}

/**
 * A tag line (`local`: a `<log>` tag or the start URL, or an unknown word followed by
 * text): `label`/`message` are strings, the call fields `null`.
 */
export interface SessionTag extends SessionRecord {
  call_start: null
  call_end: null
  duration: null
  label: string
  message: string
}

/**
 * What the parsers and the client return for a session line. Narrow it on a field,
 * `rec.duration !== null` (or `rec.label !== null`), not on `kind`: the grammar reads a
 * kind it does not know (any lowercase word but `error`) in whichever shape follows it.
 */
export type SessionLine = SessionCall | SessionTag

/** One error log line. */
export interface ErrorRecord {
  ani: string
  channel: number
  timestamp: string
  dnis: string
  session_id: string
  /** The rest of the line, as written. */
  message: string
}

/** One entry of a call log. */
export interface CallLogEntry {
  /** ISO 8601; with the offset when the zone abbreviation is known, without one when not. */
  timestamp: string
  /** The zone abbreviation as written, e.g. `EDT`. */
  zone: string
  module: string
  session_id: string
  /** The entry type, e.g. `EVENT`. */
  level: string
  /** Continuation lines joined with `\n`. */
  message: string
}

/** One item of `calls/logs`. */
export interface CallSummary {
  log_id: number
  session_id: string
  dest: string
  type: string
  src: string
  /** UNIX seconds. */
  start: number
  /** UNIX seconds. */
  end: number
}

/** One call's detailed log. `log_id` is `null` for a body decoded with `decodeResponse`. */
export interface CallLog {
  log_id: number | null
  text: string
  entries: CallLogEntry[]
  /** The error text of the `success` answer, when it had one (also emitted as a warning). */
  warning?: string
}

/** A call with its log, or the error of fetching that one log. */
export type CallLogWithText =
  | { summary: CallSummary; log: CallLog; error: null }
  | { summary: CallSummary; log: null; error: PlumError }

export interface SessionIdParts {
  /** As written, leading zeros kept. */
  server: string
  channel: number
  start: number
}

// ---- errors ----

/** The core's stable error codes: one class per code. */
export type ErrorCode = 'PARSE_ERROR' | 'INVALID_ARGUMENT' | 'API_ERROR' | 'AUTH_ERROR' | 'TRANSPORT_ERROR'

/**
 * What every error class of this package extends. `code`, `kind`, `httpStatus`, the
 * location fields and `description` are the core's, the same in Rust, Python and the
 * CLI. At run time this is the class `PlumError`; its instances are typed as the
 * union {@link PlumError}, so a test of `code` narrows to the class of that code.
 */
declare class PlumErrorBase extends Error {
  constructor(message?: string, fields?: object)
  /** Set on the prototype of each class and as an own property. */
  readonly code: ErrorCode
  /** A finer machine-readable name where there is one (`bad_month`, `malformed_body`, `missing_credentials`), else `null`. */
  readonly kind: string | null
  /** The whole message (Python's `str(error)`, the CLI's line); `message` is the server's own text for API, auth and transport errors. */
  readonly description: string
}

/**
 * Any error this package throws, as a union discriminated on `code`:
 * `e instanceof PlumError && e.code === 'PARSE_ERROR'` narrows `e` to {@link ParseError}.
 */
export type PlumError = PlumErrors[ErrorCode]
/** The base class (see {@link PlumErrorBase}); `instanceof PlumError` narrows to the union. */
export declare const PlumError: {
  new (message?: string, fields?: object): PlumErrorBase
  readonly prototype: PlumError
}

/** A line, entry or body that did not parse: where, why, and the offending input. */
export declare class ParseError extends PlumErrorBase {
  readonly code: 'PARSE_ERROR'
  /** 1-based line (`null` only when a body's position is unknown). */
  readonly line: number | null
  /** 1-based column. */
  readonly column: number | null
  /** 0-based byte offset in the whole input. */
  readonly offset: number
  /** The offending line, as written (for a body: a bounded excerpt around the offset). */
  readonly input: string
  /** Why, as a sentence. */
  readonly reason: string
  /** Machine-readable reason, e.g. `bad_month`, `malformed_body`. */
  readonly kind: string
}

/** An argument rejected before anything was sent. */
export declare class InvalidArgument extends PlumErrorBase {
  readonly code: 'INVALID_ARGUMENT'
  /** The argument, as this package names it (`options.timeoutMs`, `logId`). */
  readonly field: string
  /** What is wrong with it, with the value given. */
  readonly reason: string
}

/** The server answered `failure`; `message` is the server's text. `code` is `AUTH_ERROR` on its subclass {@link AuthError}. */
export declare class ApiError extends PlumErrorBase {
  readonly code: 'API_ERROR' | 'AUTH_ERROR'
  /** The HTTP status; `null` when there was no HTTP exchange (`decodeResponse`) or no request at all (missing credentials). */
  readonly httpStatus: number | null
}

/** Bad or missing credentials (`kind` is `missing_credentials` when nothing was sent). */
export declare class AuthError extends ApiError {
  readonly code: 'AUTH_ERROR'
}

/** Connection, timeout, or a broken body, after the retries were spent. */
export declare class TransportError extends PlumErrorBase {
  readonly code: 'TRANSPORT_ERROR'
  /** For a listing the server left short (`kind` `incomplete_listing`): the count it reported. */
  readonly reported?: number
  /** For a listing the server left short: the records received before it broke off. */
  readonly received?: number
}

/** Every error class by its code: `PlumErrors['PARSE_ERROR']` is `ParseError` (`API_ERROR`: an `ApiError` that is not an `AuthError`). */
export interface PlumErrors {
  PARSE_ERROR: ParseError
  INVALID_ARGUMENT: InvalidArgument
  API_ERROR: ApiError & { readonly code: 'API_ERROR' }
  AUTH_ERROR: AuthError
  TRANSPORT_ERROR: TransportError
}

/** What an aborted call rejects with, unless the signal's own reason was given. */
export declare class AbortError extends Error {
  readonly name: 'AbortError'
  readonly code: 'ABORT_ERR'
}

/** What `require('plumlogs')` throws when no native module fits this platform (a plain `Error`). */
export type NativeModuleMissingError = Error & { readonly code: 'NATIVE_MODULE_MISSING' }

/** Every string `code` an error from this package can carry. */
export type AnyErrorCode = ErrorCode | 'ABORT_ERR' | 'NATIVE_MODULE_MISSING'

// ---- parsing ----

/** A problem found in lenient mode. */
export interface Problem {
  line: number
  column: number
  offset: number
  reason: string
  kind: string
  input: string
}

export interface Lenient<R> {
  records: R[]
  problems: Problem[]
}

export interface StrictOptions {
  /** Throw at the first bad line (default). */
  strict?: true
}
export interface LenientOptions {
  /** Return every good record and every problem instead of throwing. */
  strict: false
}
export interface ParseOptions {
  strict?: boolean
}

export type Text = string | Buffer | Uint8Array

export declare function parseSessionLine(line: string): SessionLine
export declare function parseErrorLine(line: string): ErrorRecord

export declare function parseSessions(text: Text, options?: StrictOptions): SessionLine[]
export declare function parseSessions(text: Text, options: LenientOptions): Lenient<SessionLine>
export declare function parseSessions(text: Text, options?: ParseOptions): SessionLine[] | Lenient<SessionLine>
export declare function parseErrors(text: Text, options?: StrictOptions): ErrorRecord[]
export declare function parseErrors(text: Text, options: LenientOptions): Lenient<ErrorRecord>
export declare function parseErrors(text: Text, options?: ParseOptions): ErrorRecord[] | Lenient<ErrorRecord>
export declare function parseCallLog(text: Text, options?: StrictOptions): CallLogEntry[]
export declare function parseCallLog(text: Text, options: LenientOptions): Lenient<CallLogEntry>
export declare function parseCallLog(text: Text, options?: ParseOptions): CallLogEntry[] | Lenient<CallLogEntry>

/** The same, parsed on a worker thread (objects are still built on the JS thread). */
export declare function parseSessionsAsync(text: Text, options?: StrictOptions): Promise<SessionLine[]>
export declare function parseSessionsAsync(text: Text, options: LenientOptions): Promise<Lenient<SessionLine>>
export declare function parseSessionsAsync(text: Text, options?: ParseOptions): Promise<SessionLine[] | Lenient<SessionLine>>
export declare function parseErrorsAsync(text: Text, options?: StrictOptions): Promise<ErrorRecord[]>
export declare function parseErrorsAsync(text: Text, options: LenientOptions): Promise<Lenient<ErrorRecord>>
export declare function parseErrorsAsync(text: Text, options?: ParseOptions): Promise<ErrorRecord[] | Lenient<ErrorRecord>>
export declare function parseCallLogAsync(text: Text, options?: StrictOptions): Promise<CallLogEntry[]>
export declare function parseCallLogAsync(text: Text, options: LenientOptions): Promise<Lenient<CallLogEntry>>
export declare function parseCallLogAsync(text: Text, options?: ParseOptions): Promise<CallLogEntry[] | Lenient<CallLogEntry>>

export type Service = 'sessions' | 'errors' | 'logs' | 'log'

/** A response body (JSON or XML, told apart by its first non-blank byte) into its records. */
export declare function decodeResponse(body: Text, service: 'sessions'): SessionLine[]
export declare function decodeResponse(body: Text, service: 'errors'): ErrorRecord[]
export declare function decodeResponse(body: Text, service: 'logs'): CallSummary[]
export declare function decodeResponse(body: Text, service: 'log'): CallLog
export declare function decodeResponse(
  body: Text,
  service: Service,
): SessionLine[] | ErrorRecord[] | CallSummary[] | CallLog
/** `decodeResponse` off the event loop (on the libuv pool), for big bodies. */
export declare function decodeResponseAsync(body: Text, service: 'sessions'): Promise<SessionLine[]>
export declare function decodeResponseAsync(body: Text, service: 'errors'): Promise<ErrorRecord[]>
export declare function decodeResponseAsync(body: Text, service: 'logs'): Promise<CallSummary[]>
export declare function decodeResponseAsync(body: Text, service: 'log'): Promise<CallLog>
export declare function decodeResponseAsync(
  body: Text,
  service: Service,
): Promise<SessionLine[] | ErrorRecord[] | CallSummary[] | CallLog>

/** Split `serverid;channel;starttime`. */
export declare function sessionIdParts(sessionId: string): SessionIdParts

// ---- client ----

export interface ClientOptions {
  /** Falls back to `PLUM_USERNAME`. */
  username?: string
  /** Falls back to `PLUM_PASSWORD`. */
  password?: string
  /** Falls back to `PLUM_BASE_URL`, then `https://hosting.plumvoice.com`. */
  baseUrl?: string
  /** The wire format asked for with `Accept` (default `json`). */
  format?: 'json' | 'xml'
  /** Per request (default 30000). */
  timeoutMs?: number
  /** One call with all its retries (a page, a call log): the last attempt's timeout is cut to fit, no retry starts past it. Off by default. */
  deadlineMs?: number
  /** Retries of a failed request (default 3). */
  maxRetries?: number
  /** First backoff step between retries (default 500). */
  retryBaseMs?: number
  /** Longest backoff step (default 30000). */
  retryMaxMs?: number
  userAgent?: string
  /** Allow `http://` to a host that is not loopback (the password then travels in clear). */
  allowInsecureHttp?: boolean
  /** `http://host:port` (user info allowed): every request through this proxy's `CONNECT` tunnel. Default: `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` with `NO_PROXY`. */
  proxy?: string
  /** A PEM file of the CA certificates to trust instead of the built-in roots (a TLS-intercepting proxy's CA). Default: `PLUM_CA_BUNDLE`, then `SSL_CERT_FILE`. */
  caBundle?: string
  /** `'builtin'` (the webpki roots built in) or `'platform'` (the operating system's trust store; on Linux what `SSL_CERT_FILE`/`SSL_CERT_DIR` name if set). Not with `caBundle`. Default: `PLUM_TLS_ROOTS`, then `'builtin'`. */
  tlsRoots?: 'builtin' | 'platform'
  /** Called before each retry is waited for. Without it (and `log`), `PLUM_LOG=warn` or above writes the retries on stderr. */
  onRetry?: (event: RetryInfo) => void
  /** Called after each HTTP attempt with its line (`GET /ws/calls/… -> 200 (attempt 1, 12 ms, 3456 bytes)`). Without it, `PLUM_LOG=info` writes the lines on stderr (`debug`: with the kept headers). */
  log?: (line: string, info: ResponseInfo) => void
}

/** One HTTP attempt: never a credential (the path holds no password; only harmless headers are kept). */
export interface ResponseInfo {
  method: string
  /** Path and query after the base URL: `/ws/calls/errors/1764000000/1764086400?offset=0&limit=1000`. */
  path: string
  /** `null` when no answer came (connection error, timeout). */
  status: number | null
  /** From 1. */
  attempt: number
  elapsedMs: number
  bytes: number
  /** Lowercase names: content-type, content-length, date, retry-after, server, x-request-id, x-ratelimit-*. */
  headers: Record<string, string>
  /** The log line of the attempt. */
  line: string
}

export interface RetryInfo {
  /** The attempt that failed. */
  response: ResponseInfo
  /** Why it failed. */
  error: string
  /** The wait before the next attempt. */
  waitMs: number
  /** `GET /ws/… failed on attempt 1: …; retrying in 40 ms`. */
  line: string
}

/** UNIX seconds or a Date. */
export type Time = number | Date

/**
 * A listing's `start`/`end` (and a follow's `since`), read by the core's one parser:
 * UNIX seconds (a number, fractions allowed), a `Date`, an ISO 8601 date
 * (`2026-11-26`, midnight UTC) or date-time with an offset (`2026-11-26T08:00:00Z`),
 * `"now"`, a span back from now (`"90s"`, `"90m"`, `"24h"`, `"7d"`, `"2w"`), or
 * `"max"` (as far back as the service keeps data; a start only). A number that looks
 * like milliseconds (`Date.now()`) is refused with a hint, as is a window in the future.
 */
export type TimeArg = Time | string

export interface QueryOptions {
  /** Only calls from or to this number. */
  number?: string
  /** At most this many records in all. */
  limit?: number
  /** Records asked for per request, 1..10000 (default 1000). */
  pageSize?: number
  /** Stops the walk: the promise or iterator rejects with an `AbortError`. */
  signal?: AbortSignal
  /**
   * Called with the error text of a `success` answer (say `partial results:
   * database timeout`), once per distinct text. Without it, each becomes a
   * `process.emitWarning` of type `ServerWarning`, code `PLUMLOGS_SERVER_WARNING`.
   */
  onWarning?: (text: string) => void
  /** Sub-windows fetched at once for a window longer than a day (default 8, at most 64; 1: one serial walk). Same records in the same order. */
  concurrency?: number
  /** Length of a sub-window in seconds (default: the window over twice `concurrency`, at least an hour). */
  subWindowSeconds?: number
}

/**
 * A listing: each `for await` fetches the window again (a relative window such as
 * `"24h"` is read again), so iterating twice lists it twice rather than finding it
 * empty. The properties are those of the latest iteration.
 */
export interface Listing<T> extends AsyncIterable<T> {
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>
  /** The server's count of the whole window, `null` until the first page came (see `prefetch`); for a window split into sub-windows, once every one has answered. */
  readonly totalHint: number | null
  /** The last page's response, `null` before the first. */
  readonly lastResponse: ResponseInfo | null
  /** The server's warnings so far (a `success` answer's error text). */
  readonly warnings: string[]
  /** Sub-windows the window is fetched as (1: one serial walk). */
  readonly subWindows: number
  /** Fetch the first page of the next iteration now (it is kept for it), so `totalHint` is known before the first record. */
  prefetch(): Promise<this>
  /** Every item of one iteration. */
  toArray(): Promise<T[]>
}

export interface FollowOptions {
  /** Nothing before it is listed (each poll still reaches back at most `lookbackSeconds`); default `lookbackSeconds` ago. */
  since?: TimeArg
  /** Time between polls (default 10000, at most a day). */
  intervalMs?: number
  /** How far back each poll looks, for lines that arrive late (default 3600). */
  lookbackSeconds?: number
  number?: string
  pageSize?: number
  /** Ends the follow: the iterator then rejects with an `AbortError`. */
  signal?: AbortSignal
  /** A poll failed with a transient error (after the client's retries); the follow waits `waitMs` and polls again. Without it, a process warning of type `PlumFollowWarning`. */
  onPollError?: (event: { error: PlumError; failures: number; waitMs: number }) => void
}

export type SyncQueryOptions = Omit<QueryOptions, 'signal'>
export type SyncCallLogOptions = Omit<SignalOptions, 'signal'>

export interface CallLogsWithTextOptions extends Omit<QueryOptions, 'concurrency' | 'subWindowSeconds'> {
  /** Logs fetched at once (default 4, at most 64). */
  concurrency?: number
}

export interface SignalOptions {
  signal?: AbortSignal
  /** As in {@link QueryOptions.onWarning}. */
  onWarning?: (text: string) => void
}

/**
 * The Call Log API client. Every network wait runs on a native thread: the event
 * loop keeps running. The `...Sync` twins block the thread, for scripts.
 */
export declare class Client {
  constructor(options?: ClientOptions)
  /** A client of a named profile of the config file (`PLUM_CONFIG`, else `plumlogs/config.toml` in the platform's config directory); no name: `PLUM_PROFILE`, then the file's `default_profile`. `options` override the profile; so does `PLUM_BASE_URL` its base URL (after `options.baseUrl`). */
  static fromProfile(name?: string | null, options?: ClientOptions): Client
  readonly baseUrl: string
  readonly username: string
  readonly format: 'json' | 'xml'
  /** The client's clock, UNIX seconds (what `"24h"` and `"max"` are read against). */
  now(): number

  /** `end` left out: now. */
  sessions(start: TimeArg, end?: TimeArg, options?: QueryOptions): Promise<SessionLine[]>
  errors(start: TimeArg, end?: TimeArg, options?: QueryOptions): Promise<ErrorRecord[]>
  callLogs(start: TimeArg, end?: TimeArg, options?: QueryOptions): Promise<CallSummary[]>
  callLog(logId: number, options?: SignalOptions): Promise<CallLog & { log_id: number }>

  iterSessions(start: TimeArg, end?: TimeArg, options?: QueryOptions): Listing<SessionLine>
  iterErrors(start: TimeArg, end?: TimeArg, options?: QueryOptions): Listing<ErrorRecord>
  iterCallLogs(start: TimeArg, end?: TimeArg, options?: QueryOptions): Listing<CallSummary>
  iterSessionPages(start: TimeArg, end?: TimeArg, options?: QueryOptions): Listing<SessionLine[]>
  iterErrorPages(start: TimeArg, end?: TimeArg, options?: QueryOptions): Listing<ErrorRecord[]>
  iterCallLogPages(start: TimeArg, end?: TimeArg, options?: QueryOptions): Listing<CallSummary[]>

  /** New session records as they come (like `tail -f`): polls until `signal` aborts or the loop ends. */
  followSessions(options?: FollowOptions): AsyncGenerator<SessionLine, void, undefined>
  followErrors(options?: FollowOptions): AsyncGenerator<ErrorRecord, void, undefined>

  /** Every call with a log in the window, each with its log, in listing order. */
  callLogsWithText(start: TimeArg, end?: TimeArg, options?: CallLogsWithTextOptions): Promise<CallLogWithText[]>
  iterCallLogsWithText(start: TimeArg, end?: TimeArg, options?: CallLogsWithTextOptions): AsyncGenerator<CallLogWithText, void, undefined>

  sessionsSync(start: TimeArg, end?: TimeArg, options?: SyncQueryOptions): SessionLine[]
  errorsSync(start: TimeArg, end?: TimeArg, options?: SyncQueryOptions): ErrorRecord[]
  callLogsSync(start: TimeArg, end?: TimeArg, options?: SyncQueryOptions): CallSummary[]
  callLogSync(logId: number, options?: SyncCallLogOptions): CallLog & { log_id: number }
}

// ---- emulator ----

export interface EmulatorOptions {
  /** Seed of the synthetic data (default 7). */
  seed?: number
  /** Default 2000. */
  callsPerDay?: number
  /** Default `emulator@plumlogs.test`. */
  username?: string
  /** Default `plumlogs-emulator`. */
  password?: string
  /** 0 (default) = any free port. */
  port?: number
  /** A fixed "now"; default the system clock. */
  clock?: Time
}

/**
 * `count`: how many times it answers (default 1); `every`: it answers every
 * `every`-th matching request (default 1), the others are served normally;
 * `pathPrefix`: only requests whose path starts so match.
 */
export type Fault = FaultKind & { count?: number; every?: number; pathPrefix?: string }

export type FaultKind =
  | { kind: 'status'; status: number; retryAfter?: number }
  /** `status` with a failure body laid out as Plum's docs print it (JSON: with the trailing comma). */
  | { kind: 'documentedFailure'; status: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'truncated' | 'malformed' | 'drop' }

export interface RecordedRequest {
  method: string
  path: string
  /** Without `?`. */
  query: string
  /** Lowercase names; `authorization` is redacted. */
  headers: Record<string, string>
  username: string | null
  /** The emulator's clock when the request arrived. */
  time: number
}

/** The Plum Call Log API on loopback, with deterministic data and fault injection. */
export declare class Emulator {
  private constructor()
  static start(options?: EmulatorOptions): Promise<Emulator>
  readonly baseUrl: string
  readonly username: string
  readonly password: string
  readonly running: boolean
  now(): number
  setClock(time: Time | null): void
  injectFault(fault: Fault): void
  clearFaults(): void
  requests(): RecordedRequest[]
  clearRequests(): void
  stop(): Promise<void>
  /** `await using emu = await Emulator.start()`: `stop()` at the end of the scope (where the runtime has `Symbol.asyncDispose`). */
  [Symbol.asyncDispose](): Promise<void>
}

/** An archive table: a directory of the dataset. */
export type SyncTable = 'sessions' | 'errors' | 'calls' | 'call_log_entries'

/** Options of {@link sync}. */
export interface SyncOptions {
  /** The client to fetch with; default `new Client()` (credentials from `PLUM_USERNAME`/`PLUM_PASSWORD`). */
  client?: Client
  /** Default every table. */
  tables?: SyncTable[]
  /** Start the range at this time's UTC day instead of as far back as each service keeps (clamped to retention). */
  since?: Time
  /** Requests in flight at most, 1..64 (default 8). */
  concurrency?: number
  /** Seconds after a day's end before a complete fetch seals it, 0..259200 (default 21600). */
  sealLagSeconds?: number
  /**
   * Seconds after a call's end before its fetched log text is taken as final and
   * reused by later runs instead of fetched again, 0..259200 and at most
   * `sealLagSeconds` (default 900, or `sealLagSeconds` if that is shorter).
   */
  logSettleSeconds?: number
}

/** One table's UTC day. */
export interface SyncDay {
  table: SyncTable
  /** `YYYY-MM-DD`. */
  date: string
}

/** A day whose fetch or write failed; the next run fetches it again. */
export interface SyncFailure {
  tables: SyncTable[]
  /** `YYYY-MM-DD`. */
  date: string
  error: string
}

/** What one run of {@link sync} did. */
export interface SyncReport {
  /** The clock (UNIX seconds) the run planned with. */
  now: number
  /** Table files written (replaced or new). */
  daysWritten: number
  /** Of those, files whose day is now sealed (never fetched again). */
  daysSealed: number
  /** Days skipped because they were sealed before. */
  daysAlreadySealed: number
  /** Days in range that left retention unsealed, oldest first (on every run). */
  gaps: SyncDay[]
  /** Days that failed this run (then `sync` rejects with a `SyncError` of kind `days`). */
  failures: SyncFailure[]
  /** Rows written. */
  records: number
  /** Bytes written. */
  bytes: number
  /** Requests that returned a page or a log (retries not counted). */
  requests: number
  /** What the server said beside its data, prefixed with the day. */
  warnings: string[]
  /** Temporary files of an interrupted run that were removed. */
  cleaned: number
  /** Wall time of the run. */
  seconds: number
}

/**
 * A sync that did not complete: `days` (some days failed, `report` says which; the
 * others were written), `locked` (another sync holds the directory), `io` (a file
 * could not be read or written), `state` (the state file is not one plumlogs wrote).
 */
export declare class SyncError extends Error {
  readonly name: 'SyncError'
  readonly kind: 'days' | 'locked' | 'io' | 'state'
  /** The run's report (kind `days`), else `null`. */
  readonly report: SyncReport | null
}

/**
 * Bring the Parquet dataset in `dir` up to date (the run of `plumlogs sync DIR`), on
 * a thread of its own: the event loop is never blocked. Rejects with a `SyncError`,
 * or a `PlumError` (a bad option, or a client failure before anything was fetched).
 */
export declare function sync(dir: string, options?: SyncOptions): Promise<SyncReport>

// Only what is marked `export` above is public (`PlumErrorBase` is not a run-time name).
export {}
