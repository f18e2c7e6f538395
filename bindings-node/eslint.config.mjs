// ESLint (flat config) for the package's JavaScript (lib/, test/, bench/) and the
// repository's JavaScript scripts (scripts/). `npm run lint` runs it from the
// repository root with `--config bindings-node/eslint.config.mjs`, so paths here are
// relative to the root; this package holds the linter (its devDependencies).
import js from '@eslint/js'
import globals from 'globals'

export default [
  {
    // Written by `napi build`, not by hand.
    ignores: ['bindings-node/index.js'],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.node } },
    rules: {
      // Beyond `recommended`: the habits that catch real slips in this code.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
      'no-promise-executor-return': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'no-use-before-define': ['error', { functions: false, classes: true, variables: true }],
      'require-atomic-updates': 'error',
      'object-shorthand': ['error', 'properties'],
      strict: ['error', 'safe'],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
]
