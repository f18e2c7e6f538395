// sync(dir, options) against the emulator: the dataset and its report, the event
// loop kept free, options checked naming them, a failing table reported with the
// others written, a second sync on the directory refused.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, Emulator, InvalidArgument, SyncError, sync } from '../lib/index.mjs'

const DAY = 86400
let emu
let client
const dirs = []

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'plumlogs-sync-'))
  dirs.push(d)
  return d
}

function parts(dir, table) {
  const t = join(dir, table)
  return existsSync(t) ? readdirSync(t).filter((d) => existsSync(join(t, d, 'part-0.parquet'))) : []
}

before(async () => {
  // The clock fixed: every listing sees what the sync saw.
  emu = await Emulator.start({ seed: 11, callsPerDay: 40, clock: Math.floor(Date.now() / 1000) })
  client = new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl, maxRetries: 1 })
})

after(async () => {
  await emu.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

test('sync writes every table of yesterday and today and reports it', async () => {
  const dir = tempDir()
  const now = emu.now()
  const report = await sync(dir, { client, since: now - DAY, concurrency: 4 })
  assert.equal(report.daysWritten, 8)
  assert.deepEqual(report.failures, [])
  assert.deepEqual(report.gaps, [])
  assert.ok(report.requests > 0 && report.bytes > 0)
  for (const table of ['sessions', 'errors', 'calls', 'call_log_entries']) assert.equal(parts(dir, table).length, 2, table)
  const first = Math.floor((now - DAY) / DAY) * DAY
  const listed = (await client.sessions(first, now)).length + (await client.errors(first, now)).length + (await client.callLogs(first, now)).length
  // Every listed record, plus the call-log entries.
  assert.ok(report.records > listed, `${report.records} rows for ${listed} records`)
  const again = await sync(dir, { client, since: new Date((now - DAY) * 1000), concurrency: 4 })
  const sealed = now >= Math.floor(now / DAY) * DAY + 6 * 3600
  assert.equal(again.daysAlreadySealed, sealed ? 4 : 0)
  assert.equal(again.daysWritten, 8 - again.daysAlreadySealed)
})

test('sync never blocks the event loop', async () => {
  emu.clearFaults()
  // Two slow answers, one after the other: the run takes at least 0.6 s.
  emu.injectFault({ kind: 'slow', delayMs: 300, count: 2 })
  let ticks = 0
  let running = true
  const timer = setInterval(() => {
    ticks++
  }, 5)
  try {
    const done = sync(tempDir(), { client, tables: ['sessions'], since: emu.now() - DAY, concurrency: 1 }).finally(() => {
      running = false
    })
    assert.equal(running, true)
    await done
  } finally {
    clearInterval(timer)
    emu.clearFaults()
  }
  // A blocked loop would not have run the timer at all.
  assert.ok(ticks > 20, `${ticks} timer ticks during the sync`)
})

test('options are checked, naming them', async () => {
  const dir = tempDir()
  for (const [options, field] of [
    [{ tables: ['nope'] }, 'options.tables'],
    [{ tables: [] }, 'options.tables'],
    [{ tables: 'sessions' }, 'options.tables'],
    [{ concurrency: 0 }, 'options.concurrency'],
    [{ concurrency: 1.5 }, 'options.concurrency'],
    [{ sealLagSeconds: -1 }, 'options.sealLagSeconds'],
    [{ sealLagSeconds: 1e300 }, 'options.sealLagSeconds'],
    [{ logSettleSeconds: -1 }, 'options.logSettleSeconds'],
    [{ logSettleSeconds: 1e300 }, 'options.logSettleSeconds'],
    [{ logSettleSeconds: 1.5 }, 'options.logSettleSeconds'],
    [{ logSettleSeconds: '900' }, 'options.logSettleSeconds'],
    [{ since: 'yesterday' }, 'options.since'],
    [{ lag: 1 }, 'options.lag'],
  ]) {
    await assert.rejects(sync(dir, { client, ...options }), (e) => {
      assert.ok(e instanceof InvalidArgument, `${JSON.stringify(options)}: ${e}`)
      assert.equal(e.field, field)
      return true
    })
  }
  await assert.rejects(sync(dir, { client: {} }), (e) => e instanceof InvalidArgument && e.field === 'options.client')
  await assert.rejects(sync(42, { client }), (e) => e instanceof InvalidArgument && e.field === 'dir')
})

test('a settle time beyond the seal lag is refused, naming both', async () => {
  const dir = tempDir()
  emu.clearRequests()
  await assert.rejects(sync(dir, { client, sealLagSeconds: 600, logSettleSeconds: 601 }), (e) => {
    assert.ok(e instanceof InvalidArgument, String(e))
    assert.equal(e.field, 'options.logSettleSeconds')
    assert.match(e.message, /options\.sealLagSeconds \(600\)/)
    return true
  })
  assert.equal(emu.requests().length, 0)
  // Without a settle time, a seal lag shorter than its default is accepted.
  const r = await sync(dir, { client, tables: ['calls'], since: emu.now(), sealLagSeconds: 0 })
  assert.equal(r.daysWritten, 1)
})

test('a failing table rejects with the report, the others written', async () => {
  const dir = tempDir()
  emu.clearFaults()
  emu.injectFault({ kind: 'status', status: 500, count: 1000, pathPrefix: '/ws/calls/errors/' })
  const since = emu.now() - DAY
  try {
    await assert.rejects(sync(dir, { client, tables: ['sessions', 'errors'], since }), (e) => {
      assert.ok(e instanceof SyncError)
      assert.equal(e.kind, 'days')
      assert.match(e.message, /failed/)
      assert.equal(e.report.failures.length, 2)
      assert.deepEqual(new Set(e.report.failures.map((f) => f.tables[0])), new Set(['errors']))
      assert.equal(e.report.daysWritten, 2)
      return true
    })
  } finally {
    emu.clearFaults()
  }
  assert.equal(parts(dir, 'sessions').length, 2)
  assert.equal(parts(dir, 'errors').length, 0)
  const again = await sync(dir, { client, tables: ['sessions', 'errors'], since })
  assert.deepEqual(again.failures, [])
  assert.equal(parts(dir, 'errors').length, 2)
})

test('a second sync on the same directory is refused', async () => {
  const dir = tempDir()
  emu.clearFaults()
  emu.clearRequests()
  emu.injectFault({ kind: 'slow', delayMs: 300, count: 4 })
  try {
    const first = sync(dir, { client, tables: ['errors'] })
    for (let i = 0; i < 500 && emu.requests().length === 0; i++) {
      await new Promise((r) => {
        setTimeout(r, 10)
      })
    }
    await assert.rejects(sync(dir, { client, tables: ['errors'] }), (e) => {
      assert.ok(e instanceof SyncError)
      assert.equal(e.kind, 'locked')
      assert.match(e.message, /another plumlogs sync is running/)
      return true
    })
    await first
  } finally {
    emu.clearFaults()
  }
})
