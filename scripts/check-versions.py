#!/usr/bin/env python3
"""One version number for every package of the repository, and one set of license files.

Reads every manifest that carries a version (the workspace's Cargo.toml files and
Cargo.lock, the Python package's pyproject.toml, the npm package, its lockfile and
its platform packages) and fails, naming the file and the field, when one differs
from the workspace version. Also checks that the npm platform packages are exactly
the napi targets, and that the license copies the packages ship equal the root's.

Usage: scripts/check-versions.py            check this checkout, print the version
       scripts/check-versions.py --self-test  prove the check fails on a bad copy
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSES = ("LICENSE-MIT", "LICENSE-APACHE")
# Directories whose packages ship the license files (crates, wheel/sdist, npm root).
LICENSED = ("core", "emulator", "archive", "cli", "bindings-python", "bindings-node")

# napi-rs target triple -> the platform directory name under bindings-node/npm/.
NAPI_PLATFORM = {
    "x86_64-unknown-linux-gnu": "linux-x64-gnu",
    "aarch64-unknown-linux-gnu": "linux-arm64-gnu",
    "x86_64-unknown-linux-musl": "linux-x64-musl",
    "aarch64-unknown-linux-musl": "linux-arm64-musl",
    "x86_64-apple-darwin": "darwin-x64",
    "aarch64-apple-darwin": "darwin-arm64",
    "x86_64-pc-windows-msvc": "win32-x64-msvc",
}


def check(root: Path) -> tuple[str, list[str]]:
    problems: list[str] = []

    def expect(where: str, got: object, want: object) -> None:
        if got != want:
            problems.append(f"{where}: {got!r}, expected {want!r}")

    workspace = tomllib.loads((root / "Cargo.toml").read_text())
    version = workspace["workspace"]["package"]["version"]

    members = workspace["workspace"]["members"]
    crate_names = []
    for member in members:
        manifest = root / member / "Cargo.toml"
        package = tomllib.loads(manifest.read_text())["package"]
        crate_names.append(package["name"])
        field = package.get("version")
        if field != {"workspace": True}:
            expect(f"{member}/Cargo.toml [package] version", field, version)

    for name, dep in workspace["workspace"].get("dependencies", {}).items():
        if isinstance(dep, dict) and "path" in dep:
            expect(
                f"Cargo.toml [workspace.dependencies] {name}.version", dep.get("version"), version
            )

    lock = tomllib.loads((root / "Cargo.lock").read_text())
    for pkg in lock["package"]:
        if pkg["name"] in crate_names and "source" not in pkg:
            expect(f"Cargo.lock {pkg['name']}", pkg["version"], version)

    pyproject = tomllib.loads((root / "bindings-python/pyproject.toml").read_text())["project"]
    if "version" in pyproject:
        expect("bindings-python/pyproject.toml [project] version", pyproject["version"], version)
    elif "version" not in pyproject.get("dynamic", []):
        problems.append(
            "bindings-python/pyproject.toml: no version and not dynamic (from Cargo.toml)"
        )

    node = root / "bindings-node"
    package = json.loads((node / "package.json").read_text())
    expect("bindings-node/package.json version", package["version"], version)
    optional = package.get("optionalDependencies", {})
    targets = package["napi"]["targets"]
    wanted = {}
    for triple in targets:
        platform = NAPI_PLATFORM.get(triple)
        if platform is None:
            problems.append(
                f"bindings-node/package.json napi.targets: {triple!r} has no platform name here"
            )
            continue
        wanted[f"{package['name']}-{platform}"] = platform
    expect(
        "bindings-node/package.json optionalDependencies (names)", sorted(optional), sorted(wanted)
    )
    for name, spec in optional.items():
        expect(f"bindings-node/package.json optionalDependencies.{name}", spec, version)
    npm_dirs = sorted(p.name for p in (node / "npm").iterdir() if p.is_dir())
    expect("bindings-node/npm/ (platform directories)", npm_dirs, sorted(wanted.values()))
    for name, platform in wanted.items():
        path = node / "npm" / platform / "package.json"
        if not path.exists():
            continue
        sub = json.loads(path.read_text())
        expect(f"bindings-node/npm/{platform}/package.json name", sub.get("name"), name)
        expect(f"bindings-node/npm/{platform}/package.json version", sub.get("version"), version)
        problems.extend(
            f"bindings-node/npm/{platform}/package.json: no {field!r}"
            for field in ("os", "cpu")
            if not sub.get(field)
        )
        if platform.startswith("linux-"):
            want_libc = ["musl"] if platform.endswith("-musl") else ["glibc"]
            expect(f"bindings-node/npm/{platform}/package.json libc", sub.get("libc"), want_libc)

    lockfile = json.loads((node / "package-lock.json").read_text())
    expect("bindings-node/package-lock.json version", lockfile.get("version"), version)
    top = lockfile.get("packages", {}).get("", {})
    expect('bindings-node/package-lock.json packages[""].version', top.get("version"), version)
    expect(
        'bindings-node/package-lock.json packages[""].optionalDependencies',
        top.get("optionalDependencies", {}),
        optional,
    )

    for license_file in LICENSES:
        text = (root / license_file).read_bytes()
        for where in LICENSED:
            copy = root / where / license_file
            if not copy.exists():
                problems.append(f"{where}/{license_file}: missing (the package ships it)")
            elif copy.read_bytes() != text:
                problems.append(f"{where}/{license_file}: differs from the root's {license_file}")

    return version, problems


def copy_manifests(src: Path, dst: Path) -> None:
    """The files check() reads, copied into dst."""
    files = ["Cargo.toml", "Cargo.lock", "bindings-python/pyproject.toml", *LICENSES]
    workspace = tomllib.loads((src / "Cargo.toml").read_text())
    files += [f"{m}/Cargo.toml" for m in workspace["workspace"]["members"]]
    files += ["bindings-node/package.json", "bindings-node/package-lock.json"]
    files += [str(p.relative_to(src)) for p in (src / "bindings-node/npm").glob("*/package.json")]
    files += [f"{d}/{lic}" for d in LICENSED for lic in LICENSES]
    for rel in files:
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, dst / rel)


def self_test() -> int:
    """The check passes on a faithful copy and fails on each kind of drift."""
    _, problems = check(ROOT)
    if problems:
        print("self-test needs a consistent checkout first:", *problems, sep="\n  ")
        return 1
    mutations = {
        "platform package version": (
            "bindings-node/npm/linux-x64-gnu/package.json",
            lambda s: s.replace('"version": "', '"version": "9', 1),
            "bindings-node/npm/linux-x64-gnu/package.json version",
        ),
        "optional dependency version": (
            "bindings-node/package.json",
            lambda s: s.replace('"plumlogs-darwin-arm64": "', '"plumlogs-darwin-arm64": "^', 1),
            "optionalDependencies.plumlogs-darwin-arm64",
        ),
        "crate with its own version": (
            "cli/Cargo.toml",
            lambda s: s.replace("version.workspace = true", 'version = "9.9.9"', 1),
            "cli/Cargo.toml [package] version",
        ),
        "path dependency version": (
            "Cargo.toml",
            lambda s: s.replace(
                'plumlogs-emulator = { path = "emulator", version = "',
                'plumlogs-emulator = { path = "emulator", version = "9',
                1,
            ),
            "[workspace.dependencies] plumlogs-emulator.version",
        ),
        "license copy": (
            "core/LICENSE-MIT",
            lambda s: s + "\nextra\n",
            "core/LICENSE-MIT: differs",
        ),
    }
    failed = 0
    for label, (rel, mutate, must_name) in mutations.items():
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp)
            copy_manifests(ROOT, copy)
            _, clean = check(copy)
            path = copy / rel
            before = path.read_text()
            path.write_text(mutate(before))
            if path.read_text() == before:
                print(f"self-test {label}: the mutation changed nothing in {rel}")
                failed += 1
                continue
            _, found = check(copy)
            if clean or not any(must_name in p for p in found):
                print(f"self-test {label}: expected a problem naming {must_name!r}, got {found!r}")
                failed += 1
            else:
                print(f"self-test {label}: caught ({found[0]})")
    return 1 if failed else 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    version, problems = check(ROOT)
    if problems:
        print(
            f"version check: workspace version {version}, but:",
            *problems,
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    print(version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
