#!/usr/bin/env bash
# Builds every release artefact that this machine (Linux x86_64) can build, from a
# clean clone, into dist/:
#   plumlogs-V-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl  the Python wheel
#   plumlogs-V.tar.gz                        the Python sdist (carries the core crate's sources)
#   plumlogs-V.tgz, plumlogs-linux-x64-gnu-V.tgz   `npm pack` of the npm package and its
#                                            linux-x64-gnu platform package
#   plumlogs-V.crate, plumlogs-emulator-V.crate, plumlogs-archive-V.crate,
#   plumlogs-cli-V.crate                                                 `cargo package`
#   plumlogs-V-x86_64-unknown-linux-gnu.tar.gz   the CLI binary (+ README, licenses)
#   auditwheel.txt, SHA256SUMS
# Linux binaries link against glibc 2.17 (zig as the linker: maturin --zig, and
# cargo-zigbuild with target x86_64-unknown-linux-gnu.2.17), so they run on
# manylinux2014-era distributions; no musl target can be installed on this machine.
# Other targets (macOS, Windows, arm64, musl) are built by .github/workflows/release.yml.
# The tools (maturin, ziglang, cargo-zigbuild, auditwheel) go into a venv under
# target/dist-tools. Usage: scripts/dist.sh   (then scripts/test-dist.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
step() { printf '\n==> dist: %s\n' "$*"; }
die() { printf 'dist: error: %s\n' "$*" >&2; exit 1; }
started=$SECONDS

step "one version for every package"
VERSION=$(python3 scripts/check-versions.py)
python3 scripts/check-versions.py --self-test
echo "version $VERSION"

TRIPLE=x86_64-unknown-linux-gnu
# The wheel may be at most this big (issue: a stripped abi3 wheel of a few MB). It
# carries the archive since plumlogs.sync (the parquet writer and zstd): 5.1 MB.
MAX_WHEEL_BYTES=$((6 * 1024 * 1024))

step "tools: maturin, ziglang, cargo-zigbuild, auditwheel (venv target/dist-tools)"
TOOLS=$PWD/target/dist-tools
[ -x "$TOOLS/bin/python" ] || python3 -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check \
  'maturin==1.16.0' 'ziglang==0.17.1' 'cargo-zigbuild==0.24.1' 'auditwheel==6.8.2'
# maturin and cargo-zigbuild find zig as `python3 -m ziglang` with this venv first on
# PATH; `napi build -x` looks for a `zig` command.
printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$TOOLS/bin/python" >"$TOOLS/bin/zig"
chmod +x "$TOOLS/bin/zig"
export PATH="$TOOLS/bin:$PATH"

rm -rf dist
mkdir -p dist

# Highest GLIBC_x.y symbol version an ELF file needs (must be <= 2.17).
max_glibc() { objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1; }
check_glibc() {
  local need
  need=$(max_glibc "$1")
  echo "$1 needs $need"
  [ "$(printf '%s\n' "$need" GLIBC_2.17 | sort -V | tail -n 1)" = GLIBC_2.17 ] || die "$1 needs $need (> 2.17)"
}

step "Python wheel: maturin --zig, manylinux2014 (glibc 2.17), profile dist (stripped)"
# Its own target directory: maturin's zig wrappers set other CC/linker variables than
# cargo-zigbuild's, and two builds of one crate with different compilers in one
# target directory would rebuild each other every run.
maturin build --locked -m bindings-python/Cargo.toml --zig --compatibility manylinux2014 \
  --target "$TRIPLE" --target-dir target/dist-wheel --out dist
wheel=$(ls dist/plumlogs-"$VERSION"-*.whl)
case "$wheel" in
  *-cp39-abi3-*manylinux_2_17_x86_64*) ;;
  *) die "unexpected wheel tags: $wheel" ;;
esac
auditwheel show "$wheel" | tee dist/auditwheel.txt
grep -q '"manylinux_2_17_x86_64"' dist/auditwheel.txt || die "auditwheel: not manylinux_2_17"
wheel_bytes=$(stat -c %s "$wheel")
[ "$wheel_bytes" -le "$MAX_WHEEL_BYTES" ] || die "$wheel is $wheel_bytes bytes (> $MAX_WHEEL_BYTES)"
python3 - "$wheel" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
for field in ("Requires-Python: >=3.9", "Provides-Extra: arrow", "Provides-Extra: pandas",
              "Provides-Extra: polars", "Provides-Extra: progress", "License-Expression: MIT OR Apache-2.0",
              "License-File: LICENSE-MIT", "License-File: LICENSE-APACHE", "Project-URL: Repository",
              "Classifier: Programming Language :: Rust"):
    assert field in meta, f"wheel METADATA lacks {field!r}"
assert "Description-Content-Type: text/markdown" in meta, "wheel METADATA has no readme"
for lic in ("LICENSE-MIT", "LICENSE-APACHE"):
    assert any(n.endswith("/licenses/" + lic) for n in names), f"wheel lacks {lic}"
so = next(i for i in z.infolist() if i.filename.startswith("plumlogs/_native") and i.filename.endswith(".so"))
assert any(n == "plumlogs/py.typed" for n in names), "wheel lacks py.typed"
print(f"wheel metadata ok; {so.filename}: {so.file_size} bytes unpacked")
EOF

step "Python sdist (maturin sdist: the workspace crates it needs come along)"
maturin sdist -m bindings-python/Cargo.toml --out dist
sdist=dist/plumlogs-$VERSION.tar.gz
[ -f "$sdist" ] || die "no $sdist"
# (Listings go through a file: `tar | grep -q` would fail under pipefail when grep
# stops reading early.)
tar tzf "$sdist" >target/dist-listing.txt
for f in core/src/lib.rs emulator/src/lib.rs bindings-python/src/lib.rs Cargo.lock LICENSE-MIT LICENSE-APACHE; do
  grep -qx "plumlogs-$VERSION/$f" target/dist-listing.txt || die "sdist lacks $f"
done

step "Node native module: napi build -x (cargo-zigbuild), $TRIPLE.2.17, profile dist"
# It lands beside package.json (plumlogs.linux-x64-gnu.node, with the generated
# index.d.ts), where a clone's `npm test` loads it too.
(
  cd bindings-node
  npm install --no-audit --no-fund --loglevel=error
  npx napi build --platform --profile dist --no-js -x --target "$TRIPLE.2.17"
)
node_module=bindings-node/plumlogs.linux-x64-gnu.node
check_glibc "$node_module"

step "CLI binary: cargo zigbuild, $TRIPLE.2.17, profile dist"
cargo zigbuild --locked --profile dist --target "$TRIPLE.2.17" -p plumlogs-cli
out=target/$TRIPLE/dist
check_glibc "$out/plumlogs"

step "npm packages: plumlogs and plumlogs-linux-x64-gnu (npm pack)"
platform_dir=bindings-node/npm/linux-x64-gnu
cp "$node_module" "$platform_dir/plumlogs.linux-x64-gnu.node"
cp LICENSE-MIT LICENSE-APACHE "$platform_dir/"
(cd "$platform_dir" && npm pack --silent --pack-destination ../../../dist >/dev/null)
(cd bindings-node && npm pack --silent --pack-destination ../dist >/dev/null)
for tgz in "dist/plumlogs-$VERSION.tgz" "dist/plumlogs-linux-x64-gnu-$VERSION.tgz"; do
  [ -f "$tgz" ] || die "no $tgz"
done
tar tzf "dist/plumlogs-linux-x64-gnu-$VERSION.tgz" >target/dist-listing.txt
grep -qx 'package/plumlogs.linux-x64-gnu.node' target/dist-listing.txt || die "the platform package lacks its .node"
grep -qx 'package/LICENSE-APACHE' target/dist-listing.txt || die "the platform package lacks its licenses"
tar tzf "dist/plumlogs-$VERSION.tgz" >target/dist-listing.txt
if grep -q '\.node$' target/dist-listing.txt; then die "plumlogs.tgz carries a .node"; fi
grep -qx 'package/lib/native.js' target/dist-listing.txt || die "plumlogs.tgz lacks lib/"
grep -qx 'package/LICENSE-MIT' target/dist-listing.txt || die "plumlogs.tgz lacks its licenses"

step "crates: cargo package (plumlogs, plumlogs-emulator, plumlogs-archive, plumlogs-cli)"
# A checkout with uncommitted edits still packages (CI's clean clone has none).
# `cargo package` verifies each crate against its siblings through a temporary local
# registry under target/package, which it unpacks into $CARGO_HOME/registry/src/-<hash
# of that path>/NAME-VERSION, and it skips unpacking when that directory exists. A
# checkout at a path that packaged this version before (CI clones to one path every
# run) would verify the CLI against the previous run's core; these copies go first.
for crate in plumlogs plumlogs-emulator plumlogs-archive plumlogs-cli; do
  rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/"$crate-$VERSION"
done
# Its verify builds read the packaged manifests, which carry no workspace profile:
# the dev profile's line-tables-only debug info (Cargo.toml) is given here again.
CARGO_PROFILE_DEV_DEBUG=line-tables-only \
  cargo package --locked --allow-dirty -p plumlogs -p plumlogs-emulator -p plumlogs-archive -p plumlogs-cli
for crate in plumlogs plumlogs-emulator plumlogs-archive plumlogs-cli; do
  cp "target/package/$crate-$VERSION.crate" dist/
done

step "CLI archive"
name=plumlogs-$VERSION-$TRIPLE
mkdir -p "target/dist-stage/$name"
cp "$out/plumlogs" README.md LICENSE-MIT LICENSE-APACHE "target/dist-stage/$name/"
tar czf "dist/$name.tar.gz" -C target/dist-stage "$name"
rm -rf target/dist-stage target/dist-listing.txt

step "dist/ ($((SECONDS - started)) s)"
(cd dist && sha256sum -- *.whl *.tar.gz *.tgz *.crate > SHA256SUMS)
ls -l dist
printf 'sizes: wheel %s bytes, .node %s bytes, CLI binary %s bytes\n' \
  "$wheel_bytes" "$(stat -c %s "$node_module")" "$(stat -c %s "$out/plumlogs")"
