// Type test (compiled with `tsc --strict --noEmit`, never run): errors narrow on
// `code`, session lines on their fields, and the emulator is async-disposable.
import { parseSessions, Emulator, PlumError, ParseError, InvalidArgument, ApiError, AuthError, TransportError, AbortError } from 'plumlogs'
import type { SessionLine, SessionCall, SessionTag, NativeModuleMissingError, AnyErrorCode, Fault } from 'plumlogs'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function check<T extends true>(): T | void {}

// ---- errors: a discriminated union on `code` ----
function onError(e: unknown) {
  if (e instanceof PlumError) {
    check<Equal<typeof e, PlumError>>()
    if (e.code === 'PARSE_ERROR') {
      check<Equal<typeof e, ParseError>>()
      const where: number | null = e.line
      const kind: string = e.kind
      void where, kind
    } else if (e.code === 'INVALID_ARGUMENT') {
      check<Equal<typeof e, InvalidArgument>>()
      const field: string = e.field
      void field
      // @ts-expect-error: an argument error has no location
      void e.line
    } else if (e.code === 'AUTH_ERROR') {
      check<Equal<typeof e, AuthError>>()
      const status: number | null = e.httpStatus
      void status
    } else if (e.code === 'API_ERROR') {
      check<Equal<typeof e, ApiError & { readonly code: 'API_ERROR' }>>()
      void e.httpStatus
    } else {
      check<Equal<typeof e, TransportError>>()
      const reported: number | undefined = e.reported
      void reported
    }
    // @ts-expect-error: not a code of this package
    if (e.code === 'PARSE_ERR') void 0
    // @ts-expect-error: only a parse error has `line`; the union does not
    void e.line
    const d: string = e.description
    const k: string | null = e.kind
    void d, k
  }
  if (e instanceof ParseError) check<Equal<typeof e.code, 'PARSE_ERROR'>>()
  if (e instanceof ApiError) check<Equal<typeof e.code, 'API_ERROR' | 'AUTH_ERROR'>>()
  if (e instanceof AbortError) {
    check<Equal<typeof e.code, 'ABORT_ERR'>>()
    // @ts-expect-error: a string code, never the DOMException's 20
    const n: number = e.code
    void n
  }
}
void onError
check<Equal<NativeModuleMissingError['code'], 'NATIVE_MODULE_MISSING'>>()
// Every class's instances are members of the union (an `ApiError` is one whatever its code).
function widen(a: ApiError, b: AuthError, c: ParseError, d: InvalidArgument, t: TransportError): PlumError[] {
  return [a, b, c, d, t]
}
void widen
// @ts-expect-error: an AbortError is not a PlumError (it is Node's own shape)
const notPlum: PlumError = new AbortError()
void notPlum
check<Equal<AnyErrorCode, 'PARSE_ERROR' | 'INVALID_ARGUMENT' | 'API_ERROR' | 'AUTH_ERROR' | 'TRANSPORT_ERROR' | 'ABORT_ERR' | 'NATIVE_MODULE_MISSING'>>()
// @ts-expect-error: the union is not constructible; the base class builds a base error
const notParse: ParseError = new PlumError('x')
void notParse

// ---- session lines: call vs tag ----
const lines: SessionLine[] = parseSessions('')
for (const r of lines) {
  // @ts-expect-error: `duration` may be null before narrowing
  const bad: number = r.duration
  void bad
  if (r.duration !== null) {
    check<Equal<typeof r, SessionCall>>()
    const secs: number = r.duration + r.call_end - r.call_start
    check<Equal<typeof r.label, null>>()
    void secs
  } else {
    check<Equal<typeof r, SessionTag>>()
    const text: string = `${r.label}: ${r.message}`
    // @ts-expect-error: a tag line has no call times
    const start: number = r.call_start
    void text, start
  }
  if (r.label !== null) check<Equal<typeof r, SessionTag>>()
  // `kind` is any lowercase word: it does not narrow.
  check<Equal<typeof r.kind, string>>()
}

// ---- the emulator ----
async function disposable() {
  await using emu = await Emulator.start()
  check<Equal<ReturnType<Emulator[typeof Symbol.asyncDispose]>, Promise<void>>>()
  check<Equal<ReturnType<typeof emu.now>, number>>()
  const f: Fault = { kind: 'slow', delayMs: 10, count: 2 }
  emu.injectFault(f)
  emu.injectFault({ kind: 'drop', every: 2, count: 3 })
  // @ts-expect-error: every is a number
  emu.injectFault({ kind: 'drop', every: '2' })
}
void disposable
