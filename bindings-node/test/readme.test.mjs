// Every Node snippet of the two READMEs (fenced ```ts, ```js or ```mjs blocks of
// README.md and bindings-node/README.md) compiles under `tsc --strict`, and the ones
// marked runnable (```ts run) run to completion against the emulator: the client
// snippets read PLUM_USERNAME/PLUM_PASSWORD/PLUM_BASE_URL, set to the emulator's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Emulator } from '../lib/index.mjs'

const require = createRequire(import.meta.url)
const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const READMES = { root: new URL('../../README.md', import.meta.url), package: new URL('../README.md', import.meta.url) }
const FENCE = /^```(ts|js|mjs)((?: [\w-]+)*)\n([\s\S]*?)^```$/gm

/** The snippets of one README: `{ name, lang, run, code, line }`. */
function snippets(key) {
  const text = readFileSync(READMES[key], 'utf8')
  return [...text.matchAll(FENCE)].map((m, i) => ({
    name: `${key}-${i + 1}`,
    lang: m[1],
    run: m[2].trim().split(' ').includes('run'),
    code: m[3],
    line: text.slice(0, m.index).split('\n').length,
  }))
}

const all = [...snippets('root'), ...snippets('package')]

test('readme: both READMEs have Node snippets, and the root one runs', () => {
  assert.ok(all.some((s) => s.name.startsWith('root-') && s.run), 'README.md: a ```ts run block')
  assert.ok(all.filter((s) => s.name.startsWith('package-')).length >= 4, 'bindings-node/README.md: its snippets')
  // A js-family fence with an info string this test does not know would be skipped silently.
  for (const key of Object.keys(READMES)) {
    const text = readFileSync(READMES[key], 'utf8')
    const fences = [...text.matchAll(/^```(ts|js|mjs|typescript|javascript)\b.*$/gm)].length
    assert.equal(fences, snippets(key).length, `${key}: every ts/js fence is extracted`)
  }
})

test('readme: every Node snippet compiles under tsc --strict and the runnable ones run', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumlogs-readme-'))
  try {
    // `import ... from 'plumlogs'` resolves to this package, as it does for a user.
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(pkgDir, join(dir, 'node_modules', 'plumlogs'), 'dir')
    const files = []
    for (const s of all) {
      const file = `${s.name}.${s.lang === 'ts' ? 'mts' : 'mjs'}`
      // `export {}` makes each file a module of its own (top-level await, no shared names).
      writeFileSync(join(dir, file), `${s.code}\nexport {}\n`)
      files.push(file)
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        lib: ['es2022', 'esnext.disposable'],
        types: ['node'],
        typeRoots: [join(pkgDir, 'node_modules', '@types')],
        allowJs: true,
        checkJs: true,
        outDir: 'out',
        rootDir: '.',
        skipLibCheck: false,
      },
      files,
    }))
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', timeout: 120_000 })
    const where = all.map((s) => `${s.name}: line ${s.line} of its README`).join('\n')
    assert.equal(tsc.status, 0, `tsc --strict failed:\n${tsc.stdout}${tsc.stderr}\n(snippets: ${where})`)

    const runnable = all.filter((s) => s.run)
    assert.ok(runnable.length >= 4)
    const emu = await Emulator.start({ seed: 7, callsPerDay: 200 })
    try {
      const env = { ...process.env, PLUM_USERNAME: emu.username, PLUM_PASSWORD: emu.password, PLUM_BASE_URL: emu.baseUrl }
      for (const s of runnable) {
        const r = spawnSync(process.execPath, [join(dir, 'out', `${s.name}.mjs`)], { encoding: 'utf8', timeout: 30_000, env })
        assert.equal(r.status, 0, `${s.name} (line ${s.line}) exited ${r.status} ${r.signal ?? ''}:\n${r.stdout}${r.stderr}`)
        assert.notEqual(r.stdout.trim(), '', `${s.name} printed nothing`)
      }
    } finally {
      await emu.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
