// The declarations and the runtime agree, and the public surface has real types.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const dts = readFileSync(new URL('../lib/index.d.ts', import.meta.url), 'utf8')
const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')

test('the public declarations use no `any`', () => {
  assert.deepEqual(code.match(/\bany\b/g), null)
})

test('every runtime export is declared, and every declared value exists', () => {
  const runtime = Object.keys(require('../lib/index.js')).sort()
  const declared = [...code.matchAll(/export declare (?:function|class|const) (\w+)/g)].map((m) => m[1])
  assert.deepEqual([...new Set(declared)].sort(), runtime)
})

test('every error code has its class, and the codes are the five of the error model', () => {
  const p = require('../lib/index.js')
  const codes = ['PARSE_ERROR', 'INVALID_ARGUMENT', 'API_ERROR', 'AUTH_ERROR', 'TRANSPORT_ERROR']
  const classes = [p.ParseError, p.InvalidArgument, p.ApiError, p.AuthError, p.TransportError]
  assert.deepEqual(classes.map((c) => c.prototype.code), codes)
  for (const c of classes) assert.ok(c.prototype instanceof p.PlumError && c.prototype instanceof Error)
  assert.ok(p.AuthError.prototype instanceof p.ApiError)
  assert.match(code, new RegExp(`ErrorCode = ${codes.map((c) => `'${c}'`).join(' \\| ')}`))
})
