'use strict'
// Loads the native module (the napi-rs cdylib) for this platform, from:
//   1. `plumlogs.<platform>.node` beside package.json: what `npm run build` leaves in
//      a clone of the repository;
//   2. the platform package `plumlogs-<platform>` that npm installed with `plumlogs`
//      (one of its optionalDependencies, each limited by `os`/`cpu`/`libc`).
// `<platform>` is napi-rs's name for the target: linux-x64-gnu, linux-arm64-musl,
// darwin-arm64, win32-x64-msvc, ... The targets we publish are package.json's
// optionalDependencies (kept in step with `napi.targets` by `napi pre-publish`).
// When none fits, the error says which package is missing and how to get it.
const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

const pkg = require('../package.json')

const BINARY = pkg.napi.binaryName

// Is this Linux's C library musl (Alpine) rather than glibc?
function isMusl() {
  try {
    // glibc's ldd is a script naming glibc; musl's is a link to the musl loader.
    return readFileSync('/usr/bin/ldd', 'latin1').includes('musl')
  } catch {
    // No ldd: ask Node, which reports the glibc it runs on (absent under musl).
  }
  try {
    const header = process.report.getReport().header
    return !header.glibcVersionRuntime
  } catch {
    return false
  }
}

function platformName() {
  const { platform, arch } = process
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function fail(message, cause) {
  const err = new Error(message, cause ? { cause } : undefined)
  err.code = 'NATIVE_MODULE_MISSING'
  return err
}

function load() {
  const platform = platformName()
  const packageName = `${pkg.name}-${platform}`
  const published = Object.keys(pkg.optionalDependencies || {})

  const local = join(__dirname, '..', `${BINARY}.${platform}.node`)
  if (existsSync(local)) return require(local)

  if (!published.includes(packageName)) {
    throw fail(
      `plumlogs ${pkg.version} has no prebuilt native module for ${platform} ` +
        `(${process.platform} ${process.arch}); prebuilt: ${published.map((p) => p.slice(pkg.name.length + 1)).join(', ')}. ` +
        'Build it from source with a Rust toolchain: in a clone of the repository, ' +
        '`cd bindings-node && npm install && npm run build`.',
    )
  }

  let installed
  try {
    installed = require(`${packageName}/package.json`).version
  } catch (err) {
    throw fail(
      `plumlogs: the platform package ${packageName}@${pkg.version} is not installed, ` +
        `so there is no native module for ${platform}. npm installs it with plumlogs ` +
        'unless optional dependencies are omitted (--omit=optional, --no-optional) or the ' +
        'lockfile was made on another platform. Install it with ' +
        `\`npm install ${packageName}@${pkg.version}\`.`,
      err,
    )
  }
  if (installed !== pkg.version) {
    throw fail(
      `plumlogs ${pkg.version} needs ${packageName}@${pkg.version}, but ${installed} is installed. ` +
        `Install the matching one with \`npm install ${packageName}@${pkg.version}\`.`,
    )
  }
  try {
    return require(packageName)
  } catch (err) {
    throw fail(
      `plumlogs: ${packageName}@${installed} is installed but its native module did not load ` +
        `(${err.message}).`,
      err,
    )
  }
}

module.exports = load()
