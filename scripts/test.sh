#!/usr/bin/env bash
# The one command that runs every test suite of the repository: Rust (core,
# emulator, client, CLI), Python and Node, and their linters (clippy, ruff, eslint).
# It installs what it needs itself: a venv under .venv/ with the Python package and
# its test tools, and bindings-node/node_modules. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n==> %s\n' "$*"; }

# The emulator's tests drive it with curl, exactly as Plum's docs call the API.
if ! command -v curl >/dev/null; then
  step "Installing curl (the emulator tests call it like the docs do)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq curl; else sudo apt-get update -qq && sudo apt-get install -y -qq curl; fi
fi

# Free disk, for the log: a clean .ci/run took up to 4.4 GB (target/, .venv,
# node_modules, dist/); the linker dies of SIGBUS, not a clear error, when it runs out.
free_kb=$(df -Pk . 2>/dev/null | awk 'NR == 2 && $4 ~ /^[0-9]+$/ { print $4 }' || true)
if [ -n "$free_kb" ]; then
  step "Disk: $((free_kb / 1024 / 1024)) GiB free here"
  if [ "$free_kb" -lt $((6 * 1024 * 1024)) ]; then
    echo "warning: under 6 GiB free; a clean .ci/run took up to 4.4 GB" >&2
  fi
fi

step "Rust: formatting and lints (cargo fmt --check, clippy -D warnings)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust: every crate of the workspace"
cargo test --workspace --exclude plumlogs-python --exclude plumlogs-node

step "Rust: the core builds without its HTTP client (parse-only users)"
cargo clippy -p plumlogs --no-default-features --all-targets --locked -- -D warnings
if cargo tree -p plumlogs --no-default-features -e normal --prefix none | grep -qE '^(ureq|rustls|ring) '; then
  echo "error: the HTTP stack is still linked with --no-default-features" >&2
  exit 1
fi

step "Rust: rustdoc without warnings (what docs.rs builds)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked -p plumlogs -p plumlogs-emulator

# .ci/run (a clean clone, then gone) sets PLUMLOGS_TEST_TIDY=1: the Rust suites'
# debug build goes before the release builds take their disk. Only `cargo package`'s
# verify step (in dist.sh) builds into it again, and that goes once dist.sh is done.
TARGET=${CARGO_TARGET_DIR:-target}
tidy() {
  if [ "${PLUMLOGS_TEST_TIDY:-}" = 1 ]; then
    step "Tidy: $TARGET/debug removed (PLUMLOGS_TEST_TIDY=1)"
    rm -rf "$TARGET/debug" "$TARGET"/package/*/
  fi
}
tidy

# On Linux x86_64: build the release artefacts into dist/ and install each as a user
# would, on a PATH without cargo (scripts/test-dist.sh); the Python and Node suites
# below then test those very artefacts instead of building the extensions again.
built_dist=
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  step "Distribution: scripts/dist.sh (dist/), then scripts/test-dist.sh"
  scripts/dist.sh
  tidy
  scripts/test-dist.sh
  built_dist=1
fi

# The venv's interpreter: .venv/Scripts/python.exe on Windows (Git Bash, MSYS,
# Cygwin), .venv/bin/python everywhere else; the one that makes it is `python` there.
case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) PY=.venv/Scripts/python.exe BASE_PY=python ;;
  *) PY=.venv/bin/python BASE_PY=python3 ;;
esac

step "Python: .venv with the test tools (pytest, mypy, ruff, the DataFrame libraries)"
if [ ! -x "$PY" ]; then
  "$BASE_PY" -m venv .venv
fi
"$PY" -m pip install --quiet --disable-pip-version-check pytest mypy 'ruff~=0.17.6' pyarrow pandas polars tqdm matplotlib trustme duckdb

step "Python: ruff check and ruff format --check (bindings-python/, scripts/)"
"$PY" -m ruff check bindings-python scripts benches/ab
"$PY" -m ruff format --check bindings-python scripts benches/ab

step "Python: install the package into .venv, then pytest (stubtest included)"
if [ -n "$built_dist" ]; then
  # The manylinux wheel scripts/dist.sh built.
  "$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/plumlogs-*.whl
else
  # pip fetches maturin itself (build isolation) and builds the abi3 wheel from source.
  "$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings-python
fi
"$PY" -m pytest -q bindings-python/tests

step "Node: npm install, then eslint (npm run lint: bindings-node/ and scripts/)"
(cd bindings-node && npm install --no-audit --no-fund && npm run lint)

step "Node: build, node --test, tsc --strict on the declarations"
if [ -n "$built_dist" ]; then
  # scripts/dist.sh left plumlogs.linux-x64-gnu.node (and index.d.ts) beside package.json.
  (cd bindings-node && npm test)
else
  (cd bindings-node && npm run build && npm test)
fi

step "All suites passed"
