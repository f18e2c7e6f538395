import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Emulator, Client } from '../lib/index.mjs'

test('start with options, control the clock, record requests, stop', async () => {
  const clock = 1_700_000_000
  const emu = await Emulator.start({ seed: 3, username: 'me@example.test', password: 's3cret', clock, callsPerDay: 100 })
  try {
    assert.match(emu.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(emu.username, 'me@example.test')
    assert.equal(emu.password, 's3cret')
    assert.equal(emu.now(), clock)
    emu.setClock(new Date((clock + 60) * 1000))
    assert.equal(emu.now(), clock + 60)
    emu.setClock(null)
    assert.ok(Math.abs(emu.now() - Date.now() / 1000) < 60)

    const res = await fetch(`${emu.baseUrl}/ws/calls/sessions/1/2`, {
      headers: { authorization: 'Basic ' + Buffer.from('me@example.test:s3cret').toString('base64') },
    })
    await res.arrayBuffer()
    const reqs = emu.requests()
    assert.equal(reqs.length, 1)
    assert.equal(reqs[0].path, '/ws/calls/sessions/1/2')
    assert.equal(reqs[0].username, 'me@example.test')
    assert.equal(reqs[0].headers.authorization, 'Basic <redacted>')
    emu.clearRequests()
    assert.deepEqual(emu.requests(), [])
  } finally {
    await emu.stop()
  }
  assert.equal(emu.running, false)
  await emu.stop() // idempotent
  assert.throws(() => emu.now(), { code: 'INVALID_ARGUMENT' })
})

test('the default credentials are the documented ones; data is deterministic per seed', async () => {
  // One frozen clock for both: with live clocks a call that ends between the two
  // listings would be in one and not the other (calls in progress are not listed).
  const clock = Math.floor(Date.now() / 1000)
  const a = await Emulator.start({ seed: 11, clock })
  const b = await Emulator.start({ seed: 11, clock })
  try {
    assert.equal(a.username, 'emulator@plumlogs.test')
    assert.equal(a.password, 'plumlogs-emulator')
    assert.notEqual(a.baseUrl, b.baseUrl)
    const end = clock
    const get = (emu) => new Client({ username: emu.username, password: emu.password, baseUrl: emu.baseUrl }).sessions(end - 3 * 3600, end)
    assert.deepEqual(await get(a), await get(b))
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
})

test('fault injection: served to the next matching request, then cleared', async () => {
  const emu = await Emulator.start({})
  try {
    const auth = { authorization: 'Basic ' + Buffer.from(`${emu.username}:${emu.password}`).toString('base64') }
    const end = Math.floor(Date.now() / 1000)
    const url = `${emu.baseUrl}/ws/calls/sessions/${end - 60}/${end}`
    emu.injectFault({ kind: 'status', status: 503, retryAfter: 2, count: 1, pathPrefix: '/ws/calls/sessions' })
    const first = await fetch(url, { headers: auth })
    assert.equal(first.status, 503)
    assert.equal(first.headers.get('retry-after'), '2')
    await first.arrayBuffer()
    const second = await fetch(url, { headers: auth })
    assert.equal(second.status, 200)
    await second.arrayBuffer()

    emu.injectFault({ kind: 'status', status: 500, count: 3 })
    emu.clearFaults()
    const third = await fetch(url, { headers: auth })
    assert.equal(third.status, 200)
    await third.arrayBuffer()
  } finally {
    await emu.stop()
  }
})

test('bad options and faults are INVALID_ARGUMENT', async () => {
  await assert.rejects(Emulator.start({ seed: -1 }), { code: 'INVALID_ARGUMENT' })
  await assert.rejects(Emulator.start({ sead: 1 }), { code: 'INVALID_ARGUMENT' })
  await assert.rejects(Emulator.start({ port: 70000 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new Emulator(), { code: 'INVALID_ARGUMENT' })
  const emu = await Emulator.start()
  try {
    for (const bad of [{ kind: 'explode' }, { kind: 'status' }, { kind: 'slow' }, { kind: 'drop', delayMs: 5 }, { kind: 'drop', cuont: 2 }, null]) {
      assert.throws(() => emu.injectFault(bad), { code: 'INVALID_ARGUMENT' }, JSON.stringify(bad))
    }
  } finally {
    await emu.stop()
  }
})
