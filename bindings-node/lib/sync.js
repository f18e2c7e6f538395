'use strict'
// sync(dir, options): the archive crate's `sync` (the engine of `plumlogs sync`) on
// a thread of its own; this file checks option types and builds the report.
const native = require('./native.js')
const { Client, nativeOf } = require('./client.js')
const { optionsArg, optional, unixSeconds } = require('./args.js')
const { callNative, awaitNative, invalidArgument } = require('./errors.js')

const SYNC_OPTIONS = ['client', 'tables', 'since', 'concurrency', 'sealLagSeconds', 'logSettleSeconds']

/**
 * A sync that did not complete: `kind` 'days' (some days failed, each in
 * `report.failures`; the others were written and the failed ones are fetched again
 * next run), 'locked' (another sync holds the directory), 'io' (a file could not be
 * read or written) or 'state' (the state file is not one plumlogs wrote).
 */
class SyncError extends Error {
  constructor(message, kind, report = null) {
    super(message)
    this.name = 'SyncError'
    this.kind = kind
    this.report = report
  }
}

/** The archive's report with camelCase names. */
function report(r) {
  return {
    now: r.now,
    daysWritten: r.days_written,
    daysSealed: r.days_sealed,
    daysAlreadySealed: r.days_already_sealed,
    gaps: r.gaps.map((g) => ({ table: g.table, date: g.date })),
    failures: r.failures.map((f) => ({ tables: f.tables, date: f.date, error: f.error })),
    records: r.records,
    bytes: r.bytes,
    requests: r.requests,
    warnings: r.warnings,
    cleaned: r.cleaned,
    seconds: r.seconds,
  }
}

async function sync(dir, options) {
  if (typeof dir !== 'string') throw invalidArgument('dir', `must be a string, got ${typeof dir}`)
  const o = optionsArg(options, SYNC_OPTIONS)
  const client = o.client === undefined || o.client === null ? new Client() : o.client
  const n = nativeOf(client)
  if (n === undefined) throw invalidArgument('options.client', 'must be a Client')
  let tables
  if (o.tables !== undefined && o.tables !== null) {
    if (!Array.isArray(o.tables) || o.tables.some((t) => typeof t !== 'string')) {
      throw invalidArgument('options.tables', 'must be an array of table names')
    }
    tables = o.tables
  }
  const args = {
    tables,
    since: o.since === undefined || o.since === null ? undefined : unixSeconds(o.since, 'options.since'),
    concurrency: optional(o, 'concurrency', 'number'),
    sealLagSeconds: optional(o, 'sealLagSeconds', 'number'),
    logSettleSeconds: optional(o, 'logSettleSeconds', 'number'),
  }
  const json = await awaitNative(callNative(() => native.syncDir(dir, n, args)))
  const out = JSON.parse(json)
  if (out.error) throw new SyncError(out.error.message, out.error.kind)
  const r = report(out.report)
  if (out.failed !== null) throw new SyncError(out.failed, 'days', r)
  return r
}

module.exports = { sync, SyncError }
