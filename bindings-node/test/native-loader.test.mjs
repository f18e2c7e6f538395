// lib/native.js: which native module it loads, and what it says when none fits.
// Other platforms are simulated in a child process by overriding process.platform /
// process.arch before the loader runs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

function loadAs(overrides) {
  const script = [
    ...Object.entries(overrides).map(
      ([key, value]) => `Object.defineProperty(process, ${JSON.stringify(key)}, { value: ${JSON.stringify(value)} })`,
    ),
    "try { require('./lib/native.js'); console.log('loaded') }",
    'catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })) }',
  ].join('\n')
  const out = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 })
  assert.equal(out.status, 0, out.stderr)
  const line = out.stdout.trim()
  return line === 'loaded' ? 'loaded' : JSON.parse(line)
}

test('loads the native module of this platform', () => {
  assert.equal(loadAs({}), 'loaded')
})

test('a published target whose platform package is missing: names the package and the fix', () => {
  const err = loadAs({ platform: 'linux', arch: 'arm64' })
  assert.equal(err.code, 'NATIVE_MODULE_MISSING')
  const name = err.message.match(/the platform package (plumlogs-linux-arm64-(?:gnu|musl))@(\S+) is not installed/)
  assert.ok(name, err.message)
  assert.equal(name[2], pkg.version)
  assert.ok(pkg.optionalDependencies[name[1]], `${name[1]} is not an optional dependency`)
  assert.match(err.message, new RegExp(`npm install ${name[1]}@${pkg.version.replace(/\./g, '\\.')}`))
})

test('a platform nobody publishes: says so, lists the prebuilt ones, and how to build', () => {
  const err = loadAs({ platform: 'freebsd', arch: 'x64' })
  assert.equal(err.code, 'NATIVE_MODULE_MISSING')
  assert.match(err.message, /no prebuilt native module for freebsd-x64/)
  for (const name of Object.keys(pkg.optionalDependencies)) {
    assert.ok(err.message.includes(name.slice('plumlogs-'.length)), `${name} not listed: ${err.message}`)
  }
  assert.match(err.message, /npm run build/)
})

test('every napi target has its platform package, at the package version', () => {
  assert.equal(Object.keys(pkg.optionalDependencies).length, pkg.napi.targets.length)
  for (const [name, version] of Object.entries(pkg.optionalDependencies)) {
    const dir = name.slice('plumlogs-'.length)
    const sub = JSON.parse(readFileSync(join(root, 'npm', dir, 'package.json'), 'utf8'))
    assert.equal(sub.name, name)
    assert.equal(sub.version, version)
    assert.equal(version, pkg.version)
    assert.deepEqual(sub.files, [`plumlogs.${dir}.node`, 'LICENSE-MIT', 'LICENSE-APACHE'])
  }
})
